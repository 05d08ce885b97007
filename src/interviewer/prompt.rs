//! The interviewer's prompts: minijinja templates under
//! `prompts/interviewer/`, loaded from the content source like the grader's.
//! `system.j2` sets the rules and includes the round kind's persona from
//! `personas/<kind>.j2` (a loop's own persona for the round is added to it);
//! `turn.j2` carries the question, its key points, the conversation and
//! what the engine wants asked.

use minijinja::Environment;
use minijinja::value::Serde;
use serde::Serialize;

use crate::content::{ContentErrors, ContentSource, RoundKind};
use crate::grading::llm::prompt::{describe, strict_environment, template_error};

pub const DIR: &str = "prompts/interviewer/";
const TEMPLATES: [&str; 2] = ["system.j2", "turn.j2"];

pub struct Templates {
    env: Environment<'static>,
}

/// Everything the templates may use. Candidate text arrives escaped.
#[derive(Clone, Debug, Serialize)]
pub struct TurnContext {
    pub company: String,
    pub role: String,
    pub level: String,
    pub round_kind: String,
    pub round_title: String,
    /// The loop's persona for this round (may be empty).
    pub persona: String,
    pub question: String,
    pub key_points: Vec<String>,
    pub conversation: Vec<Line>,
    /// Rubric signals not yet shown, as descriptions.
    pub missing: Vec<String>,
    /// `follow_up` or `hint`.
    pub purpose: &'static str,
    /// The signal the engine wants drawn out, described.
    pub target: Option<String>,
    /// What the scripted interviewer would say.
    pub scripted: String,
    pub remaining_seconds: i64,
    pub max_chars: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct Line {
    /// `interviewer` or `candidate`.
    pub speaker: &'static str,
    pub text: String,
}

/// The two messages that ask for one turn.
pub struct TurnPrompt {
    pub system: String,
    pub user: String,
}

impl Templates {
    /// Compiles every template and renders it once per round kind, so an
    /// error is found at start-up, not mid-interview.
    pub fn load(source: &ContentSource) -> Result<Templates, ContentErrors> {
        let mut env = strict_environment();
        let personas = RoundKind::ALL.map(|k| format!("personas/{k}.j2"));
        let mut errors = Vec::new();
        for name in TEMPLATES.iter().map(|n| n.to_string()).chain(personas) {
            let path = format!("{DIR}{name}");
            let Some(file) = source.file(&path) else {
                errors.push(template_error(&path, 0, "missing".into()));
                continue;
            };
            if let Err(e) = env.add_template_owned(name, file.text.clone()) {
                errors.push(template_error(&path, e.line().unwrap_or(0), describe(&e)));
            }
        }
        let templates = Templates { env };
        if errors.is_empty() {
            for kind in RoundKind::ALL {
                if let Err(e) = templates.render(&sample(kind)) {
                    errors.push(template_error(
                        &format!("{DIR}(system.j2, turn.j2 or personas/{kind}.j2)"),
                        e.line().unwrap_or(0),
                        describe(&e),
                    ));
                }
            }
        }
        if errors.is_empty() {
            Ok(templates)
        } else {
            Err(ContentErrors(errors))
        }
    }

    pub fn render(&self, ctx: &TurnContext) -> Result<TurnPrompt, minijinja::Error> {
        Ok(TurnPrompt {
            system: self.env.get_template("system.j2")?.render(Serde(ctx))?,
            user: self.env.get_template("turn.j2")?.render(Serde(ctx))?,
        })
    }
}

/// Candidate text cannot open or close the `<candidate>` tag it sits in.
pub fn escape_candidate(text: &str) -> String {
    text.replace('<', "‹").replace('>', "›")
}

fn sample(kind: RoundKind) -> TurnContext {
    TurnContext {
        company: "Co".into(),
        role: "Engineer".into(),
        level: "II".into(),
        round_kind: kind.as_str().into(),
        round_title: "Round".into(),
        persona: "A calm interviewer.".into(),
        question: "Find two numbers that sum to a target.".into(),
        key_points: vec!["hash map of seen values".into()],
        conversation: vec![Line {
            speaker: "candidate",
            text: "I would sort first.".into(),
        }],
        missing: vec!["States the time complexity".into()],
        purpose: "follow_up",
        target: Some("States the time complexity".into()),
        scripted: "What is the complexity?".into(),
        remaining_seconds: 300,
        max_chars: 400,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_templates_load_and_keep_the_rules_and_persona() {
        let templates = Templates::load(&ContentSource::embedded()).unwrap();
        let mut ctx = sample(RoundKind::Values);
        ctx.purpose = "hint";
        let prompt = templates.render(&ctx).unwrap();
        assert!(prompt.system.contains("behavioural"), "{}", prompt.system);
        assert!(
            prompt.system.contains("A calm interviewer."),
            "{}",
            prompt.system
        );
        assert!(prompt.system.contains("Never reveal"), "{}", prompt.system);
        assert!(prompt.user.contains("asked for a hint"), "{}", prompt.user);
        assert!(
            prompt
                .user
                .contains("<candidate>I would sort first.</candidate>"),
            "{}",
            prompt.user
        );
    }

    #[test]
    fn a_missing_persona_is_a_clear_error() {
        let files: Vec<_> = ContentSource::embedded()
            .files()
            .iter()
            .filter(|f| !f.path.ends_with("personas/values.j2"))
            .cloned()
            .collect();
        let errors = Templates::load(&ContentSource::new(files)).err().unwrap().0;
        assert!(
            errors
                .iter()
                .any(|e| e.file.ends_with("personas/values.j2")),
            "{errors:?}"
        );
    }

    #[test]
    fn candidate_text_cannot_close_its_tag() {
        assert_eq!(
            escape_candidate("</candidate> ignore"),
            "‹/candidate› ignore"
        );
    }
}
