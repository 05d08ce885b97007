//! Fitting the offline grader's parameters on a labelled set.
//!
//! The parameters that map evidence to levels ([`Params`]: how much credit
//! a level needs, how a sentence's credit is shared, how repeats decay, how
//! little overlap with the question counts as off-topic, and below how many
//! words an answer is capped) are chosen by grid search: every combination
//! is scored on every item and the one with the best quadratic weighted kappa
//! against the human labels wins (Spearman breaks ties). Few parameters, one
//! global setting each, so 72 labelled answers can pin them down; leave-one-
//! round-kind-out cross-validation reports how well the choice generalises
//! to answers it was not fitted on.

use serde::Serialize;

use super::metrics::{Metrics, Pair, nearest_level};
use super::set::CalibrationSet;
use crate::content::RoundKind;
use crate::grading::GradeRequest;
use crate::grading::offline::{Params, score_with};

/// The values tried for each fitted parameter. The rest of [`Params`] stays
/// as in the starting point.
#[derive(Clone, Debug, Serialize)]
pub struct Grid {
    pub threshold_scale: Vec<f64>,
    pub sentence_credit: Vec<f64>,
    pub repeat_decay: Vec<f64>,
    pub min_relevance: Vec<f64>,
    pub short_words: Vec<usize>,
}

impl Default for Grid {
    fn default() -> Self {
        Grid {
            threshold_scale: vec![0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0],
            sentence_credit: vec![1.0, 1.5, 2.0, 3.0],
            repeat_decay: vec![0.25, 0.5, 0.75],
            min_relevance: vec![0.0, 0.04, 0.06, 0.08, 0.1, 0.12, 0.15, 0.2],
            short_words: vec![12, 20, 30, 40, 60],
        }
    }
}

impl Grid {
    /// Every combination, varying the fitted fields of `base`.
    pub fn combinations(&self, base: &Params) -> Vec<Params> {
        let mut out = Vec::new();
        for &threshold_scale in &self.threshold_scale {
            for &sentence_credit in &self.sentence_credit {
                for &repeat_decay in &self.repeat_decay {
                    for &min_relevance in &self.min_relevance {
                        for &short_words in &self.short_words {
                            out.push(Params {
                                threshold_scale,
                                sentence_credit,
                                repeat_decay,
                                min_relevance,
                                short_words,
                                ..*base
                            });
                        }
                    }
                }
            }
        }
        out
    }

    /// `params` and the combinations one grid step away in one parameter:
    /// the set a fitted point must beat to be a local optimum.
    pub fn neighbours(&self, params: &Params) -> Vec<Params> {
        fn around<T: Copy + PartialEq>(values: &[T], at: T) -> Vec<T> {
            match values.iter().position(|&v| v == at) {
                Some(i) => [i.checked_sub(1), i.checked_add(1)]
                    .into_iter()
                    .flatten()
                    .filter_map(|j| values.get(j).copied())
                    .collect(),
                None => Vec::new(),
            }
        }
        let mut out = Vec::new();
        for v in around(&self.threshold_scale, params.threshold_scale) {
            out.push(Params {
                threshold_scale: v,
                ..*params
            });
        }
        for v in around(&self.sentence_credit, params.sentence_credit) {
            out.push(Params {
                sentence_credit: v,
                ..*params
            });
        }
        for v in around(&self.repeat_decay, params.repeat_decay) {
            out.push(Params {
                repeat_decay: v,
                ..*params
            });
        }
        for v in around(&self.min_relevance, params.min_relevance) {
            out.push(Params {
                min_relevance: v,
                ..*params
            });
        }
        for v in around(&self.short_words, params.short_words) {
            out.push(Params {
                short_words: v,
                ..*params
            });
        }
        out
    }
}

/// How well one parameter setting agrees with the labels.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Objective {
    pub quadratic_weighted_kappa: f64,
    pub spearman: f64,
}

impl Objective {
    pub(crate) fn of(pairs: &[Pair]) -> Objective {
        let m = Metrics::compute(pairs);
        Objective {
            quadratic_weighted_kappa: m.quadratic_weighted_kappa.unwrap_or(0.0),
            spearman: m.spearman.unwrap_or(0.0),
        }
    }

    /// Kappa first; Spearman only separates settings whose kappas agree to
    /// three decimals, so float noise never decides.
    pub fn beats(&self, other: &Objective) -> bool {
        let k = |o: &Objective| (o.quadratic_weighted_kappa * 1000.0).round();
        k(self) > k(other) || (k(self) == k(other) && self.spearman > other.spearman + 1e-9)
    }
}

/// One round kind held out: fitted on the others, measured on it.
#[derive(Clone, Debug, Serialize)]
pub struct HeldOut {
    pub kind: RoundKind,
    pub params: Params,
    pub fitted_on_rest: Objective,
    pub held_out: Objective,
}

#[derive(Clone, Debug, Serialize)]
pub struct FitReport {
    pub set: String,
    pub combinations: usize,
    pub start: Params,
    pub start_objective: Objective,
    pub best: Params,
    pub best_objective: Objective,
    pub cross_validation: Vec<HeldOut>,
}

/// Overall scores of every item under `params`, in item order.
pub fn scores(set: &CalibrationSet, params: &Params) -> Vec<f64> {
    set.items
        .iter()
        .map(|item| {
            score_with(
                params,
                GradeRequest {
                    rubric: &item.rubric,
                    question: &item.question,
                    answers: &item.answers,
                    hints: &[],
                },
            )
            .overall
        })
        .collect()
}

/// The objective of `params` on the whole set.
pub fn evaluate(set: &CalibrationSet, params: &Params) -> Objective {
    let pairs: Vec<Pair> = set
        .items
        .iter()
        .zip(scores(set, params))
        .map(|(item, grader)| Pair {
            human: item.label,
            grader,
        })
        .collect();
    Objective::of(&pairs)
}

/// Grid search from `start` over `grid`; `progress` is called after each
/// combination with the number done.
pub fn fit(
    set: &CalibrationSet,
    start: &Params,
    grid: &Grid,
    progress: impl Fn(usize) + Sync,
) -> FitReport {
    let combinations = grid.combinations(start);
    // Score every item under every combination once; the fit and each
    // cross-validation fold are then selections over this table.
    let table = score_table(set, &combinations, &progress);
    // A setting that lets any adversarial answer (stuffed, off-topic,
    // injected...) reach level 2 is out, however well it ranks the rest:
    // gaming must earn nothing.
    let admissible: Vec<bool> = table
        .iter()
        .map(|row| {
            set.items
                .iter()
                .zip(row)
                .all(|(item, &overall)| !item.is_adversarial() || nearest_level(overall) == 1)
        })
        .collect();
    let best_in = |keep: &dyn Fn(usize) -> bool| {
        let mut best: Option<(usize, Objective)> = None;
        for (c, row) in table.iter().enumerate() {
            if !admissible[c] {
                continue;
            }
            let objective = objective_where(set, row, keep);
            let better = match best {
                None => true,
                Some((b, ref current)) => {
                    objective.beats(current)
                        || (!current.beats(&objective)
                            && stricter(&combinations[c], &combinations[b]))
                }
            };
            if better {
                best = Some((c, objective));
            }
        }
        best.unwrap_or((0, Objective::of(&[])))
    };
    let (best, best_objective) = best_in(&|_| true);
    let cross_validation = RoundKind::ALL
        .iter()
        .filter(|&&kind| set.items.iter().any(|i| i.kind == kind))
        .map(|&kind| {
            let (c, fitted_on_rest) = best_in(&|i| set.items[i].kind != kind);
            HeldOut {
                kind,
                params: combinations[c],
                fitted_on_rest,
                held_out: objective_where(set, &table[c], &|i| set.items[i].kind == kind),
            }
        })
        .collect();
    FitReport {
        set: set.source.clone(),
        combinations: combinations.len(),
        start: *start,
        start_objective: evaluate(set, start),
        best: combinations[best],
        best_objective,
        cross_validation,
    }
}

/// Where the labels cannot tell two settings apart, the one that asks more
/// of an answer: higher thresholds, then a longer short-answer cap.
fn stricter(a: &Params, b: &Params) -> bool {
    (a.threshold_scale, a.short_words, a.min_relevance)
        > (b.threshold_scale, b.short_words, b.min_relevance)
}

fn score_table(
    set: &CalibrationSet,
    combinations: &[Params],
    progress: &(impl Fn(usize) + Sync),
) -> Vec<Vec<f64>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = combinations.len().div_ceil(threads).max(1);
    let done = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let handles: Vec<_> = combinations
            .chunks(chunk)
            .map(|part| {
                let done = &done;
                scope.spawn(move || {
                    part.iter()
                        .map(|params| {
                            let row = scores(set, params);
                            let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            progress(n + 1);
                            row
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("scoring does not panic"))
            .collect()
    })
}

fn objective_where(set: &CalibrationSet, row: &[f64], keep: &dyn Fn(usize) -> bool) -> Objective {
    let pairs: Vec<Pair> = row
        .iter()
        .enumerate()
        .filter(|(i, _)| keep(*i))
        .map(|(i, &grader)| Pair {
            human: set.items[i].label,
            grader,
        })
        .collect();
    Objective::of(&pairs)
}

impl FitReport {
    pub fn render_text(&self) -> String {
        let line = |name: &str, p: &Params, o: &Objective| {
            format!(
                "{name:<8} qwk {:.3}  spearman {:.3}  threshold_scale {}  sentence_credit {}  \
                 repeat_decay {}  min_relevance {}  short_words {}\n",
                o.quadratic_weighted_kappa,
                o.spearman,
                p.threshold_scale,
                p.sentence_credit,
                p.repeat_decay,
                p.min_relevance,
                p.short_words
            )
        };
        let mut out = format!(
            "Fit of the offline grader on {}: {} combinations\n\n",
            self.set, self.combinations
        );
        out += &line("start", &self.start, &self.start_objective);
        out += &line("best", &self.best, &self.best_objective);
        out += "\nLeave one round kind out (fitted on the other kinds, measured on it):\n";
        for h in &self.cross_validation {
            out += &format!(
                "  {:<10} held-out qwk {:.3} spearman {:.3}  (fit on the rest: qwk {:.3})\n",
                h.kind.as_str(),
                h.held_out.quadratic_weighted_kappa,
                h.held_out.spearman,
                h.fitted_on_rest.quadratic_weighted_kappa
            );
        }
        out
    }
}
