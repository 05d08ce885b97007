//! mockloop: a self-hosted mock-interview server.
pub mod content;
pub mod grading;
pub mod interview;
