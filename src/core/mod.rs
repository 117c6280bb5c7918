//! The error type and its mapping from HTTP answers (another step of issue 16 moves
//! it to `src/error/`).

pub(crate) mod error;
#[cfg(test)]
mod error_table;
