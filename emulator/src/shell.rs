//! Simulated shell (work in progress).
