//! Local emulator of the Podstack API (work in progress).
