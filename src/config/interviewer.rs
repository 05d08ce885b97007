//! `[interviewer]`: who words the interviewer's follow-ups and hints. The
//! scripted interviewer (the question bank's probes) is the default and the
//! fallback; `llm` asks the `[llm]` endpoint, streaming the words as they come.

use serde::{Deserialize, Serialize};

use super::{Bounded, LlmConfig, NonBlank};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InterviewerMode {
    #[default]
    Scripted,
    Llm,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InterviewerConfig {
    pub mode: InterviewerMode,
    /// A model of its own (a small fast one suits a conversation); unset:
    /// `[llm] model`. Everything else comes from `[llm]`.
    pub model: Option<NonBlank>,
    /// Stream the reply token by token (`false`: one request, one reply,
    /// for endpoints that cannot stream).
    pub stream: bool,
    /// From the candidate's end of answer to the model's first word. Past
    /// it the scripted follow-up is asked: a candidate waiting in silence
    /// for longer than this thinks the interview is broken.
    pub first_token_timeout_ms: Bounded<u64, 100, 600_000>,
    /// The whole reply. A model that starts but stalls is cut off here.
    pub total_timeout_ms: Bounded<u64, 100, 600_000>,
    /// Longest reply kept, in characters. One probing question is a
    /// sentence or two; a longer reply is lecturing, or answering for the
    /// candidate, so the scripted follow-up replaces it.
    pub max_chars: Bounded<usize, 20, 10_000>,
    /// A reply sharing this many consecutive words with a key point is a
    /// leak (besides a key point quoted whole).
    pub leak_ngram_words: Bounded<usize, 3, 50>,
}

impl Default for InterviewerConfig {
    fn default() -> Self {
        InterviewerConfig {
            mode: InterviewerMode::Scripted,
            model: None,
            stream: true,
            first_token_timeout_ms: Bounded::default_of(4_000),
            total_timeout_ms: Bounded::default_of(15_000),
            max_chars: Bounded::default_of(400),
            leak_ngram_words: Bounded::default_of(6),
        }
    }
}

impl InterviewerConfig {
    /// The endpoint the interviewer asks: `[llm]` with this section's model.
    pub fn llm(&self, llm: &LlmConfig) -> LlmConfig {
        let mut own = llm.clone();
        if let Some(model) = &self.model {
            own.model = Some(model.as_str().to_owned());
        }
        own
    }
}

#[cfg(test)]
mod tests {
    use crate::config::{Config, InterviewerMode};

    fn load(vars: &[(&str, &str)]) -> anyhow::Result<Config> {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("none.toml");
        std::fs::write(&file, "").unwrap();
        Config::load_from(
            Some(&file),
            vars.iter().map(|(k, v)| (k.to_string(), v.to_string())),
        )
    }

    #[test]
    fn the_scripted_interviewer_is_the_default_and_needs_no_llm() {
        assert_eq!(
            load(&[]).unwrap().interviewer.mode,
            InterviewerMode::Scripted
        );
    }

    #[test]
    fn an_llm_interviewer_needs_a_complete_llm_section() {
        let error = load(&[("MOCKLOOP__INTERVIEWER__MODE", "llm")]).unwrap_err();
        assert!(
            format!("{error:#}").contains("[interviewer] mode = \"llm\""),
            "{error:#}"
        );
        let config = load(&[
            ("MOCKLOOP__INTERVIEWER__MODE", "llm"),
            ("MOCKLOOP__INTERVIEWER__MODEL", "small-model"),
            ("MOCKLOOP__LLM__PROVIDER", "compatible"),
            ("MOCKLOOP__LLM__BASE_URL", "http://127.0.0.1:9/v1"),
        ])
        .unwrap();
        assert_eq!(
            config.interviewer.llm(&config.llm).model.as_deref(),
            Some("small-model")
        );
    }

    #[test]
    fn timeouts_and_bounds_are_checked() {
        let error = load(&[("MOCKLOOP__INTERVIEWER__TOTAL_TIMEOUT_MS", "0")]).unwrap_err();
        assert!(
            format!("{error:#}").contains("total_timeout_ms"),
            "{error:#}"
        );
    }
}
