//! The debrief chart: each round's dimension averages as horizontal bars, an
//! inline SVG rendered here so the browser's debrief and the exported HTML
//! report show the same picture. Plain SVG 1.1, no script, no external
//! references: it can be inlined anywhere.

use std::fmt::Write;

use super::html::escape;
use crate::report::Report;

/// The drawing's own coordinate system; the SVG scales to its container.
const WIDTH: u32 = 640;
const LABEL_WIDTH: u32 = 250;
const BAR_X: u32 = LABEL_WIDTH + 10;
const BAR_SPAN: u32 = WIDTH - BAR_X - 50;
const ROW: u32 = 24;
const HEADING: u32 = 30;
const TOP: u32 = 24;
/// Longer dimension names are shortened so the label never runs into its bar.
const MAX_LABEL_CHARS: usize = 34;

pub fn dimension_chart_svg(report: &Report) -> String {
    let rows: u32 = report
        .rounds
        .iter()
        .map(|r| HEADING + ROW * r.dimensions.len().max(1) as u32)
        .sum();
    let height = TOP + rows + 10;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"dimension-chart\" viewBox=\"0 0 {WIDTH} {height}\" \
         role=\"img\" aria-labelledby=\"chart-title\" font-family=\"system-ui, sans-serif\" font-size=\"13\">\
         <title id=\"chart-title\">Average level (1 to 4) of each rubric dimension, by round</title>"
    );
    // The scale: a faint line at each level, numbered at the top.
    for level in 0..=4u32 {
        let x = BAR_X + BAR_SPAN * level / 4;
        let _ = write!(
            svg,
            "<line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"#9aa0a6\" stroke-opacity=\"0.5\"/>\
             <text x=\"{x}\" y=\"14\" text-anchor=\"middle\" fill=\"#6b7177\">{level}</text>",
            TOP - 4,
            height - 6
        );
    }
    let mut y = TOP;
    for round in &report.rounds {
        let score = round
            .overall
            .map_or("not scored".to_owned(), |o| format!("{o:.2}"));
        let _ = write!(
            svg,
            "<text x=\"0\" y=\"{}\" font-weight=\"bold\" fill=\"currentColor\">Round {}: {} ({score})</text>",
            y + 20,
            round.index + 1,
            escape(&round.title)
        );
        y += HEADING;
        if round.dimensions.is_empty() {
            let _ = write!(
                svg,
                "<text x=\"{BAR_X}\" y=\"{}\" fill=\"#6b7177\">no scores</text>",
                y + 16
            );
            y += ROW;
        }
        for d in &round.dimensions {
            let width = (f64::from(BAR_SPAN) * d.average.clamp(0.0, 4.0) / 4.0).round();
            let _ = write!(
                svg,
                "<text x=\"{LABEL_WIDTH}\" y=\"{ty}\" text-anchor=\"end\" fill=\"currentColor\">{label}</text>\
                 <rect class=\"bar\" x=\"{BAR_X}\" y=\"{by}\" width=\"{width}\" height=\"16\" rx=\"2\" fill=\"{fill}\">\
                 <title>{name}: {avg:.2} of 4</title></rect>\
                 <text x=\"{tx}\" y=\"{ty}\" fill=\"currentColor\">{avg:.2}</text>",
                ty = y + 16,
                by = y + 4,
                label = escape(&short(&d.name)),
                name = escape(&d.name),
                fill = colour(d.average),
                tx = BAR_X as f64 + width + 6.0,
                avg = d.average,
            );
            y += ROW;
        }
    }
    svg.push_str("</svg>");
    svg
}

/// Below the "hire" line in amber, at or above it in blue: readable on light
/// and dark backgrounds, and the number beside each bar carries the meaning.
fn colour(average: f64) -> &'static str {
    if average < 2.5 { "#c77c0e" } else { "#2f6fb0" }
}

fn short(name: &str) -> String {
    if name.chars().count() <= MAX_LABEL_CHARS {
        return name.to_owned();
    }
    let cut: String = name.chars().take(MAX_LABEL_CHARS - 1).collect();
    format!("{}…", cut.trim_end())
}
