//! The regrade report as text for people (`--json` prints the report itself).

use std::fmt::Write;

use super::{AnswerChange, RegradeReport, ScoreSummary, Status};

impl RegradeReport {
    pub fn render_text(&self) -> String {
        let rubrics = if self.rubrics == "pinned" {
            "each session's pinned rubrics".to_owned()
        } else {
            format!("the rubrics in {}", self.rubrics)
        };
        let mut out = format!("Regrade with {} against {rubrics}\n", self.grader);
        for s in &self.sessions {
            match &s.status {
                Status::Regraded => {
                    let _ = writeln!(
                        out,
                        "\nSession {}: {} answer(s) regraded",
                        s.session_id,
                        s.answers.len()
                    );
                    for a in &s.answers {
                        answer(&mut out, a);
                    }
                }
                Status::Skipped { reason } => {
                    let _ = writeln!(out, "\nSession {}: skipped ({reason})", s.session_id);
                }
                Status::Failed { reason } => {
                    let _ = writeln!(
                        out,
                        "\nSession {}: NOT regraded, nothing stored: {reason}",
                        s.session_id
                    );
                }
            }
        }
        let m = &self.summary;
        let mean = m
            .mean_change
            .map_or("n/a".to_owned(), |c| format!("{c:+.2}"));
        let _ = writeln!(
            out,
            "\nSummary: {} session(s): {} regraded, {} skipped, {} failed; \
             {} answer(s): {} changed, {} scored for the first time; mean change {mean}",
            m.sessions, m.regraded, m.skipped, m.failed, m.answers, m.changed, m.first_scores
        );
        out
    }
}

fn answer(out: &mut String, a: &AnswerChange) {
    let old = a.old.as_ref().map_or("—".to_owned(), overall);
    let change = a.change.map_or(String::new(), |c| format!(" ({c:+.2})"));
    let _ = writeln!(
        out,
        "  round {} {} question {} {}: {old} → {}{change}  [{}]",
        a.round + 1,
        a.kind,
        a.question + 1,
        a.question_id,
        overall(&a.new),
        provenance(a.old.as_ref(), &a.new)
    );
    for d in &a.dimensions {
        let level = |l: Option<u8>| l.map_or("—".to_owned(), |l| l.to_string());
        let mark = if d.old == d.new { ' ' } else { '*' };
        let _ = writeln!(
            out,
            "    {mark} {:<28} {} → {}",
            d.name,
            level(d.old),
            level(d.new)
        );
    }
}

/// The overall, or why there is none.
fn overall(s: &ScoreSummary) -> String {
    match (s.overall, &s.not_assessed) {
        (Some(o), _) => format!("{o:.2}"),
        (None, Some(reason)) => format!("could not assess ({reason})"),
        (None, None) => "could not assess".to_owned(),
    }
}

/// Which grader and rubric produced each side, and the new score's flags.
fn provenance(old: Option<&ScoreSummary>, new: &ScoreSummary) -> String {
    let who = |s: &ScoreSummary| {
        let model = s
            .model
            .as_ref()
            .map_or(String::new(), |m| format!(" ({m})"));
        format!(
            "{}{model}, rubric {} v{} {}",
            s.grader, s.rubric_id, s.rubric_version, s.rubric_hash
        )
    };
    let mut out = match old {
        Some(old) if who(old) == who(new) => who(new),
        Some(old) => format!("{} → {}", who(old), who(new)),
        None => who(new),
    };
    if new.fallback {
        let reason = new.fallback_reason.as_deref().unwrap_or("no reason given");
        let _ = write!(out, "; FALLBACK: {reason}");
    }
    if new.injection_suspected {
        out.push_str("; injection suspected");
    }
    out
}
