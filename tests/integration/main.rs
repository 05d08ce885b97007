//! Integration tests: one binary, real server on port 0, real SQLite in a
//! temporary directory, real WebSocket clients.

mod app;
mod calibrate;
mod cli;
mod edge;
mod interview;
mod provenance;
mod regrade;
mod resume;
