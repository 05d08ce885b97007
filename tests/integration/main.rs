//! Integration tests: one binary, real server on port 0, real SQLite in a
//! temporary directory (or a real PostgreSQL, `postgres.rs`), real
//! WebSocket clients.

mod access;
mod app;
mod browser;
mod calibrate;
mod cli;
mod code_runs;
mod crash_client;
mod docs_links;
mod durability;
mod edge;
mod fake_openai;
mod grading_v3;
mod interview;
mod interviewer;
mod layering;
mod levels;
mod limits;
mod llama;
mod llm;
mod llm_transport;
mod nodes;
mod observe;
mod operator_console;
mod operator_regrade;
mod pacing;
mod postgres;
mod practice;
mod process;
mod provenance;
mod regrade;
mod remote_speech;
mod resume;
mod sandbox;
mod sandbox_compiled;
mod sandbox_turns;
mod speech;
mod speech_support;
mod store;
mod tts;
mod voice;
mod voice_client;
mod voice_session;
mod web_modules;
mod web_store;
