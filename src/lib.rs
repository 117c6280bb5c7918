//! podstack
