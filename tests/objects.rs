//! Objects to and from memory, readers and writers (`put_object`, `get_object`,
//! `upload_reader`, `download_to_writer`): the exact requests against a mock server, the
//! edges against a scripted one, and round trips through the emulator; compiled for
//! both clients.

mod common;
mod support;

common::for_each_client!("cases/objects.rs");
