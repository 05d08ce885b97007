//! mockloop: a self-hosted mock-interview server.
//!
//! The library holds everything; `main` only parses the command line. See
//! docs/architecture.md for the map of the parts.

pub mod cli;
pub mod clock;
pub mod config;
pub mod content;
pub mod embed;
pub mod engine;
#[cfg(test)]
mod fuzz_tests;
pub mod grading;
pub mod http;
pub mod interviewer;
pub mod metrics;
pub mod openai;
pub mod outcome;
pub mod pip;
pub mod profiles;
pub mod rate;
pub mod regrade;
pub mod report;
pub mod sandbox;
pub mod server;
pub mod speech;
pub mod store;
pub mod text;
pub mod validate;
pub mod ws;
