//! Markdown renderings of the transcript and the report.

use std::fmt::Write;

use super::{Speaker, Transcript};
use crate::report::{AnswerReport, Report};

pub fn transcript_markdown(t: &Transcript) -> String {
    let mut out = format!(
        "# Transcript: {}\n\nSession `{}`\n\n",
        t.loop_ref.title, t.session_id
    );
    for e in &t.entries {
        let clock = format!(
            "{:02}:{:02}",
            (e.offset_seconds as u64) / 60,
            (e.offset_seconds as u64) % 60
        );
        match e.speaker {
            Speaker::System if e.kind == "round_started" => {
                let _ = write!(out, "\n## {}\n\n", escape(&e.text));
            }
            Speaker::System => {
                let _ = write!(out, "_[{clock}] {}_\n\n", escape(&e.text));
            }
            Speaker::Interviewer => {
                let who = match e.kind {
                    "follow_up" => "Interviewer (follow-up)",
                    "hint" => "Interviewer (hint, asked for)",
                    _ => "Interviewer",
                };
                let _ = write!(out, "**[{clock}] {who}:** {}\n\n", escape(&e.said()));
            }
            Speaker::Candidate => {
                let _ = write!(
                    out,
                    "**[{clock}] Candidate:**\n\n{}\n\n",
                    quote_block(&e.text)
                );
                if let Some(note) = &e.note {
                    let _ = write!(out, "_({})_\n\n", escape(note));
                }
            }
        }
    }
    out
}

pub fn report_markdown(r: &Report) -> String {
    let mut out = format!("# Interview report: {}\n\n", r.loop_ref.title);
    let _ = writeln!(out, "- Session: `{}`", r.session_id);
    let _ = writeln!(
        out,
        "- Overall: **{:.2} / 4** — **{}** (judged at {}: a hire needs {:.2})",
        r.overall,
        r.verdict_at_level,
        if r.level.is_empty() {
            "any level"
        } else {
            &r.level
        },
        r.hire_bar
    );
    for miss in &r.bars_missed {
        let _ = writeln!(
            out,
            "- Below this level's bar on {}: {:.2}, needs {:.2}",
            miss.name, miss.average, miss.needed
        );
    }
    if r.estimates > 0 {
        let _ = writeln!(
            out,
            "- {} answer score(s) are estimates: the offline grader's signals disagreed",
            r.estimates
        );
    }
    if !r.complete {
        let _ = writeln!(out, "- Status: {} (not all answers scored yet)", r.state);
    }
    let _ = writeln!(out, "- Content version: `{}`\n", r.content_hash);
    out.push_str("## Rounds\n\n| Round | Kind | Score | Dimensions |\n|---|---|---|---|\n");
    for round in &r.rounds {
        let dims: Vec<String> = round
            .dimensions
            .iter()
            .map(|d| format!("{} {:.2}", d.name, d.average))
            .collect();
        let score = round.overall.map_or("—".to_owned(), |o| format!("{o:.2}"));
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            round.title,
            round.kind,
            score,
            dims.join(", ")
        );
    }
    if !r.work_on.is_empty() {
        out.push_str("\n## Three things to work on\n\n");
        for (i, w) in r.work_on.iter().enumerate() {
            let _ = writeln!(
                out,
                "{}. **{}** ({}, average {:.2} / 4): {} _Seen in: {}_",
                i + 1,
                w.name,
                w.round_kind,
                w.average,
                one_line(&w.advice),
                w.seen_in()
            );
        }
    }
    out.push_str("\n## Answers\n");
    for (i, a) in r.answers.iter().enumerate() {
        let _ = write!(
            out,
            "\n### {}. {}\n\n",
            i + 1,
            escape(a.question.lines().next().unwrap_or_default())
        );
        let score = super::score_words(a, " / 4");
        let skipped = if a.skipped { " — skipped" } else { "" };
        let _ = write!(out, "Score: **{score}**{skipped}{}\n\n", provenance(a));
        flags(&mut out, a);
        if !a.answer.is_empty() {
            let _ = write!(out, "{}\n\n", quote_block(&a.answer));
        }
        if let Some(tests) = &a.tests {
            let fence = "`".repeat(longest_backtick_run(&tests.code).max(2) + 1);
            let _ = write!(
                out,
                "Tests: **{}**\n\n{fence}{}\n{}\n{fence}\n\n",
                tests.summary(),
                tests.language,
                tests.code.trim_end()
            );
        }
        for d in &a.dimensions {
            let _ = writeln!(
                out,
                "- **{}: {}/4** — {}",
                d.name,
                d.level,
                one_line(&d.feedback)
            );
            for quote in &d.evidence {
                let _ = writeln!(out, "  - “{}”", one_line(quote));
            }
        }
        if !a.key_points.is_empty() {
            out.push_str("\nWhat a strong answer covers:\n\n");
            for k in &a.key_points {
                let said = k
                    .quote
                    .as_deref()
                    .map_or(String::new(), |q| format!(" — you said “{}”", one_line(q)));
                let _ = writeln!(
                    out,
                    "- [{}] {}{said}",
                    coverage_word(k.status),
                    one_line(&k.text)
                );
            }
        }
        if !a.outline.is_empty() {
            out.push_str("\nHow a strong answer could go:\n\n");
            for (n, step) in a.outline.iter().enumerate() {
                let _ = writeln!(out, "{}. {}", n + 1, one_line(step));
            }
        }
        for (title, items) in [("Strengths", &a.strengths), ("To improve", &a.improvements)] {
            if !items.is_empty() {
                let _ = writeln!(out, "\n{title}:\n");
                for item in items {
                    let _ = writeln!(out, "- {}", one_line(item));
                }
            }
        }
    }
    out
}

/// How a key point's coverage reads in a report.
pub fn coverage_word(status: crate::grading::Coverage) -> &'static str {
    match status {
        crate::grading::Coverage::Covered => "covered",
        crate::grading::Coverage::Mentioned => "mentioned",
        crate::grading::Coverage::Missed => "missed",
    }
}

/// A code fence longer than any run of backticks in the code, so the code
/// cannot close it early.
fn longest_backtick_run(code: &str) -> usize {
    code.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

/// Who scored the answer, with which rubric: ` · grader `x` (model m) · rubric `id` v1`.
fn provenance(a: &AnswerReport) -> String {
    let Some(grader) = &a.grader else {
        return String::new();
    };
    let mut out = format!(" · grader `{grader}`");
    if let Some(model) = &a.model {
        let _ = write!(out, " (model `{model}`)");
    }
    if let Some(r) = &a.rubric {
        let _ = write!(out, " · rubric `{}` v{}", r.id, r.version);
    }
    out
}

/// Fallbacks, suspected injections and regrades, called out for reviewers.
fn flags(out: &mut String, a: &AnswerReport) {
    if let Some(reason) = &a.not_assessed {
        let _ = write!(out, "> **Could not assess:** {}\n\n", one_line(reason));
    }
    for (corrected, heard) in super::correction_lines(a) {
        let _ = write!(
            out,
            "> **{}**\n>\n> Heard: “{}”\n\n",
            one_line(&corrected),
            one_line(&heard)
        );
    }
    if a.fallback {
        let _ = write!(
            out,
            "> **Fallback:** {}\n\n",
            one_line(&super::fallback_sentence(a.fallback_reason.as_deref()))
        );
    }
    if let Some(hints) = super::hints_sentence(a.hints) {
        let _ = write!(out, "> **Hints:** {hints}\n\n");
    }
    if a.injection_suspected {
        out.push_str(
            "> **Suspected prompt injection:** this answer addresses the grader. \
             Such text earns nothing; review these passages:\n>\n",
        );
        for quote in &a.suspect_quotes {
            let _ = writeln!(out, "> - “{}”", one_line(quote));
        }
        out.push('\n');
    }
    if let Some(regraded) = super::regraded_sentence(a.scores) {
        let _ = write!(out, "_{regraded}_\n\n");
    }
}

/// Text from outside (answers, quotes, feedback that quotes them, model
/// output) on one line, with HTML escaped: Markdown renderers pass raw HTML
/// through, and a reviewer's viewer must not run an answer's `<script>`.
fn one_line(text: &str) -> String {
    escape(&text.replace('\n', " "))
}

/// Angle brackets as entities, so no tag in the text is a tag in the
/// rendered page; everything else stays as typed (the raw file is read too).
fn escape(text: &str) -> String {
    text.replace('<', "&lt;").replace('>', "&gt;")
}

fn quote_block(text: &str) -> String {
    text.lines()
        .map(|l| format!("> {}", escape(l)))
        .collect::<Vec<_>>()
        .join("\n")
}
