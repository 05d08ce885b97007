//! Integration tests: one binary, real server on port 0, real SQLite in a
//! temporary directory, real WebSocket clients.

mod access;
mod app;
mod browser;
mod calibrate;
mod cli;
mod code_runs;
mod crash_client;
mod durability;
mod edge;
mod fake_openai;
mod interview;
mod interviewer;
mod limits;
mod llm;
mod observe;
mod operator_console;
mod operator_regrade;
mod process;
mod provenance;
mod regrade;
mod remote_speech;
mod resume;
mod sandbox;
mod speech;
mod speech_support;
mod tts;
mod voice;
mod voice_client;
mod voice_session;
