//! The calibration report as a table for people (`--json` prints the
//! report itself).

use std::fmt::Write;

use super::fit_v3::V3FitReport;
use super::{CalibrationReport, ItemResult, Metrics, Split};

/// How many of the largest disagreements the table lists, for tuning.
const WORST: usize = 10;

impl CalibrationReport {
    pub fn render_table(&self) -> String {
        let mut out = format!(
            "Calibration of {} on {}: {} items, {} fallback(s)\n\n",
            self.grader, self.set, self.overall.n, self.fallbacks
        );
        let _ = writeln!(
            out,
            "{:<10} {:>4} {:>9} {:>7} {:>6} {:>6} {:>9} {:>7}",
            "kind", "n", "spearman", "qwk", "exact", "±1", "pairwise", "bias"
        );
        row(&mut out, "all", &self.overall);
        for split in &self.splits {
            row(&mut out, split_name(split.split), &split.metrics);
        }
        for k in &self.by_kind {
            row(&mut out, k.kind.as_str(), &k.metrics);
        }
        for s in &self.by_style {
            row(&mut out, &s.style, &s.metrics);
        }
        if let Some(beside) = &self.beside {
            let _ = writeln!(
                out,
                "beside it, {} on the same items ({} fallback(s)):",
                beside.grader, beside.fallbacks
            );
            row(&mut out, "all", &beside.overall);
            for split in &beside.splits {
                row(&mut out, split_name(split.split), &split.metrics);
            }
        }
        out.push_str(
            "\nspearman: rank correlation; qwk: quadratic weighted kappa on the nearest level;\n\
             exact / ±1: share of items on the human's level / within one level;\n\
             pairwise: share of differently labelled pairs ordered as the human did;\n\
             bias: mean of grader overall minus human label.\n",
        );
        for split in &self.splits {
            let _ = writeln!(
                out,
                "\n{:?} split: pairwise within a question {}; levels 1-4 given to {}; \
                 length vs labels {} and vs grader {}; adversarial above 2.0: {}; \
                 labelled 3-4 below 2.0: {}",
                split.split,
                opt(split.pairwise_within_question),
                split
                    .level_shares
                    .iter()
                    .map(|s| format!("{:.0}%", s * 100.0))
                    .collect::<Vec<_>>()
                    .join(" / "),
                opt(split.length_vs_labels),
                opt(split.length_vs_grader),
                list(&split.adversarial_above_two),
                list(&split.strong_below_two),
            );
        }
        if !self.dimensions.is_empty() {
            out.push_str("\nDimensions with human levels:\n");
            for d in &self.dimensions {
                let _ = writeln!(
                    out,
                    "  {:<10} {:<24} n {:>3}  exact {:.2}  ±1 {:.2}  bias {:+.2}",
                    d.kind.as_str(),
                    d.dimension,
                    d.n,
                    d.exact_agreement,
                    d.within_one_agreement,
                    d.mean_signed_error
                );
            }
        }
        out.push_str("\nAdversarial items (label → grader):\n");
        if self.adversarial.is_empty() {
            out.push_str("  none in this set\n");
        }
        for item in &self.adversarial {
            item_line(&mut out, item);
        }
        let mut worst: Vec<&ItemResult> =
            self.items.iter().filter(|i| i.level != i.label).collect();
        worst.sort_by(|a, b| miss(b).total_cmp(&miss(a)).then_with(|| a.id.cmp(&b.id)));
        if !worst.is_empty() {
            let _ = writeln!(
                out,
                "\nLargest disagreements ({} of {} items off the human's level):",
                worst.len(),
                self.items.len()
            );
            for item in worst.into_iter().take(WORST) {
                item_line(&mut out, item);
            }
        }
        out
    }
}

fn split_name(split: Split) -> &'static str {
    match split {
        Split::Fit => "fit split",
        Split::Holdout => "held out",
    }
}

fn miss(item: &ItemResult) -> f64 {
    (item.overall - f64::from(item.label)).abs()
}

fn row(out: &mut String, name: &str, m: &Metrics) {
    let _ = writeln!(
        out,
        "{:<10} {:>4} {:>9} {:>7} {:>6} {:>6} {:>9} {:>7}",
        name,
        m.n,
        num(m.spearman, false),
        num(m.quadratic_weighted_kappa, false),
        num(m.exact_agreement, false),
        num(m.within_one_agreement, false),
        num(m.pairwise_ranking_accuracy, false),
        num(m.mean_signed_error, true),
    );
}

/// A metric to two decimals, or "n/a" where it is undefined for the group.
fn num(value: Option<f64>, signed: bool) -> String {
    match value {
        Some(v) if signed => format!("{v:+.2}"),
        Some(v) => format!("{v:.2}"),
        None => "n/a".into(),
    }
}

fn item_line(out: &mut String, item: &ItemResult) {
    let tags = if item.tags.is_empty() {
        String::new()
    } else {
        format!(" [{}]", item.tags.join(", "))
    };
    let _ = write!(
        out,
        "  {} ({}){}: {} → {:.2} (level {}) by {}",
        item.id, item.kind, tags, item.label, item.overall, item.level, item.grader
    );
    if item.injection_suspected {
        out.push_str(", injection suspected");
    }
    if item.fallback {
        let reason = item.fallback_reason.as_deref().unwrap_or("no reason given");
        let _ = write!(out, ", fallback ({reason})");
    }
    out.push('\n');
    for quote in &item.suspect_quotes {
        let _ = writeln!(out, "      suspect: “{}”", quote.replace('\n', " "));
    }
}

fn opt(value: Option<f64>) -> String {
    value.map_or_else(|| "n/a".to_owned(), |v| format!("{v:.2}"))
}

fn list(ids: &[String]) -> String {
    if ids.is_empty() {
        "none".to_owned()
    } else {
        format!("{} ({})", ids.len(), ids.join(", "))
    }
}

impl V3FitReport {
    pub fn render_text(&self) -> String {
        let mut out = format!(
            "Fitted offline grader v3 on the fitting split: kappa {:.3}, Spearman {:.3}\n\
             parameters: {:?}\n\n",
            self.fitted.quadratic_weighted_kappa, self.fitted.spearman, self.best
        );
        out.push_str(&self.report.render_table());
        out.push_str(
            "\nLeave one round kind out (fitted without it, measured on its held-out answers):\n",
        );
        for k in &self.leave_one_kind_out {
            let _ = writeln!(
                out,
                "  {:<10} kappa {:.3}  Spearman {:.3}",
                k.kind.as_str(),
                k.held_out.quadratic_weighted_kappa,
                k.held_out.spearman
            );
        }
        out.push_str(
            "\nLeave one style out (fitted without it; held-out split, and its own answers):\n",
        );
        for s in &self.leave_one_style_out {
            let _ = writeln!(
                out,
                "  {:<15} held-out kappa {:.3}  Spearman {:.3}  its {} answers: bias {:+.2}",
                s.style,
                s.holdout.quadratic_weighted_kappa,
                s.holdout.spearman,
                s.style_n,
                s.style_mean_signed_error
            );
        }
        out
    }
}
