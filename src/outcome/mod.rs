//! What the parts around the interview engine hand it: an answer's score,
//! a run of the candidate's code, a spoken answer's analytics. Plain data,
//! recorded in the session's events; the graders, the sandbox and the
//! recogniser compute them (and re-export them), and the engine only holds
//! them, so it depends on none of those parts.

pub mod score;
pub mod speech;
pub mod test_run;

pub use score::{AnswerScore, Coverage, KeyPointResult};
pub use speech::SpeechAnalytics;
pub use test_run::TestRun;
