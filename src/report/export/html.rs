//! The report as one self-contained HTML page: styles inline, the dimension
//! chart as inline SVG (the same one the browser's debrief shows), evidence
//! quotes marked in each answer. No script and no outside references, so it
//! can be mailed or archived as a single file.

use std::fmt::Write;

use super::chart::dimension_chart_svg;
use crate::grading::quote::verbatim;
use crate::report::{AnswerReport, Report};
use crate::speech::analytics::SpeechAnalytics;

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:52rem;margin:0 auto;padding:1rem;\
line-height:1.5;color:#1d1f21;background:#fff}h1{font-size:1.6rem}.card{border:1px solid #c9ccd0;\
border-radius:.4rem;padding:.75rem 1rem;margin:1rem 0}.answer{white-space:pre-wrap;overflow-wrap:anywhere;\
background:#f7f7f5;padding:.5rem}mark{background:#ffe58a}.flag{background:#fff4d6;padding:.25rem .5rem}\
svg{width:100%;height:auto}.muted{color:#555b61}";

/// Text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

pub fn report_html(r: &Report) -> String {
    let title = escape(&r.loop_ref.title);
    let mut out = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Interview report: {title}</title><style>{STYLE}</style></head><body>\
         <h1>Interview report: {title}</h1>\
         <p>Verdict: <strong>{}</strong> · overall <strong>{:.2}</strong> of 4 (a hire needs {:.2})</p>\
         <p class=\"muted\">Session {} · content {} · scored by software, not a person.</p>",
        escape(&r.verdict_at_level),
        r.overall,
        r.hire_bar,
        escape(&r.session_id),
        escape(&r.content_hash)
    );
    if !r.complete {
        let _ = write!(
            out,
            "<p class=\"flag\">Incomplete ({}): not every answer is scored yet.</p>",
            escape(r.state)
        );
    }
    for miss in &r.bars_missed {
        let _ = write!(
            out,
            "<p class=\"flag\">Below this level's bar on {}: {:.2}, needs {:.2}.</p>",
            escape(&miss.name),
            miss.average,
            miss.needed
        );
    }
    if r.estimates > 0 {
        let _ = write!(
            out,
            "<p class=\"flag\">{} answer score(s) are estimates: the offline grader's signals disagreed.</p>",
            r.estimates
        );
    }
    if !r.work_on.is_empty() {
        out.push_str("<h2>Three things to work on</h2><ol>");
        for w in &r.work_on {
            let _ = write!(
                out,
                "<li><strong>{}</strong> ({}, average {:.2} of 4): {} <span class=\"muted\">Seen in: {}</span></li>",
                escape(&w.name),
                escape(&w.round_kind.to_string()),
                w.average,
                escape(&w.advice),
                escape(&w.seen_in())
            );
        }
        out.push_str("</ol>");
    }
    out.push_str("<h2>Scores by round</h2>");
    out.push_str(&dimension_chart_svg(r));
    out.push_str("<h2>Answers</h2>");
    for (i, a) in r.answers.iter().enumerate() {
        answer_card(&mut out, i + 1, a);
    }
    out.push_str("</body></html>\n");
    out
}

fn answer_card(out: &mut String, n: usize, a: &AnswerReport) {
    let score = super::score_words(a, " of 4");
    let grader = a.grader.as_deref().map_or(String::new(), |g| {
        let model = a
            .model
            .as_deref()
            .map_or(String::new(), |m| format!(" ({m})"));
        format!(" · graded by {}", escape(&format!("{g}{model}")))
    });
    let _ = write!(
        out,
        "<section class=\"card\"><h3>{n}. Round {} · {}</h3><p>{}</p><p>Score: <strong>{score}</strong>{grader}</p>",
        a.round + 1,
        escape(&a.round_kind.to_string()),
        escape(&a.question)
    );
    if a.skipped {
        out.push_str("<p class=\"flag\">Skipped.</p>");
    }
    if let Some(reason) = &a.not_assessed {
        let _ = write!(
            out,
            "<p class=\"flag\">Could not assess: {}</p>",
            escape(reason)
        );
    }
    for (corrected, heard) in super::correction_lines(a) {
        let _ = write!(
            out,
            "<p class=\"flag\">{}</p><p class=\"muted\">Heard: “{}”</p>",
            escape(&corrected),
            escape(&heard)
        );
    }
    if a.fallback {
        let _ = write!(
            out,
            "<p class=\"flag\">Fallback: {}</p>",
            escape(&super::fallback_sentence(a.fallback_reason.as_deref()))
        );
    }
    if let Some(hints) = super::hints_sentence(a.hints) {
        let _ = write!(out, "<p class=\"flag\">Hints: {}</p>", escape(&hints));
    }
    if let Some(regraded) = super::regraded_sentence(a.scores) {
        let _ = write!(out, "<p class=\"flag\">{}</p>", escape(&regraded));
    }
    if a.injection_suspected {
        out.push_str("<p class=\"flag\">Suspected prompt injection; passages for review:</p><ul>");
        for q in &a.suspect_quotes {
            let _ = write!(out, "<li>“{}”</li>", escape(q));
        }
        out.push_str("</ul>");
    }
    if !a.answer.is_empty() {
        let quotes: Vec<&str> = a
            .dimensions
            .iter()
            .flat_map(|d| d.evidence.iter().map(String::as_str))
            .collect();
        let _ = write!(
            out,
            "<div class=\"answer\">{}</div>",
            highlight(&a.answer, &quotes)
        );
    }
    if let Some(tests) = &a.tests {
        let _ = write!(
            out,
            "<p>Tests: <strong>{}</strong></p><pre class=\"code\">{}</pre>",
            escape(&tests.summary()),
            escape(&tests.code)
        );
    }
    for speech in a.turns.iter().filter_map(|t| t.speech.as_ref()) {
        let _ = write!(
            out,
            "<p class=\"muted\">{}</p>",
            escape(&speech_line(speech))
        );
    }
    out.push_str("<ul>");
    for d in &a.dimensions {
        let _ = write!(
            out,
            "<li><strong>{}: level {} of 4</strong> — {}</li>",
            escape(&d.name),
            d.level,
            escape(&d.feedback)
        );
    }
    out.push_str("</ul>");
    if !a.key_points.is_empty() {
        out.push_str("<h4>What a strong answer covers</h4><ul>");
        for k in &a.key_points {
            let said = k.quote.as_deref().map_or(String::new(), |q| {
                format!(" <span class=\"muted\">— you said “{}”</span>", escape(q))
            });
            let _ = write!(
                out,
                "<li><strong>{}</strong>: {}{said}</li>",
                super::markdown::coverage_word(k.status),
                escape(&k.text)
            );
        }
        out.push_str("</ul>");
    }
    if !a.outline.is_empty() {
        out.push_str("<h4>How a strong answer could go</h4><ol>");
        for step in &a.outline {
            let _ = write!(out, "<li>{}</li>", escape(step));
        }
        out.push_str("</ol>");
    }
    for (title, items) in [("Strengths", &a.strengths), ("To improve", &a.improvements)] {
        if !items.is_empty() {
            let _ = write!(out, "<h4>{title}</h4><ul>");
            for item in items {
                let _ = write!(out, "<li>{}</li>", escape(item));
            }
            out.push_str("</ul>");
        }
    }
    out.push_str("</section>");
}

/// Pace, fillers, pauses: the same figures the debrief shows.
pub fn speech_line(s: &SpeechAnalytics) -> String {
    let mut line = format!("Spoken: {} words", s.words);
    if let Some(wpm) = s.words_per_minute {
        let _ = write!(line, ", {wpm:.0} words per minute");
    }
    let _ = write!(
        line,
        ", {} filler words, {} long pauses",
        s.fillers, s.long_pauses
    );
    if s.low_confidence {
        line.push_str("; the recogniser was unsure of this answer");
    }
    line
}

/// `text` escaped, with every verbatim occurrence of a quote's first match
/// wrapped in `<mark>`; overlapping quotes merge into one mark.
fn highlight(text: &str, quotes: &[&str]) -> String {
    let mut ranges: Vec<(usize, usize)> = quotes
        .iter()
        .filter(|q| !q.trim().is_empty())
        .map(|q| verbatim(q))
        .filter_map(|q| text.find(q).map(|start| (start, start + q.len())))
        .collect();
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (start, end) in ranges {
        match merged.last_mut() {
            Some(last) if start < last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    let mut out = String::new();
    let mut pos = 0;
    for (start, end) in merged {
        out.push_str(&escape(&text[pos..start]));
        let _ = write!(out, "<mark>{}</mark>", escape(&text[start..end]));
        pos = end;
    }
    out.push_str(&escape(&text[pos..]));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_evidence_is_one_mark_and_markup_is_escaped() {
        let text = "I used a <cache> and a queue";
        let out = highlight(text, &["a <cache>", "<cache> and", "missing"]);
        assert_eq!(
            out, "I used <mark>a &lt;cache&gt; and</mark> a queue",
            "{out}"
        );
    }

    #[test]
    fn a_quote_cut_with_an_ellipsis_is_marked_where_its_words_stand() {
        let text = "First I would cache the hot keys and then measure the hit rate again.";
        let out = highlight(text, &["First I would cache the hot keys…"]);
        assert_eq!(
            out,
            "<mark>First I would cache the hot keys</mark> and then measure the hit rate again.",
            "{out}"
        );
    }
}
