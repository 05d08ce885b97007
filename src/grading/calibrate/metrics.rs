//! Agreement between human labels (levels 1 to 4) and a grader's overall
//! scores (1.0 to 4.0). Rank measures (Spearman, pairwise ordering, signed
//! error) use the grader's continuous overall; level measures (kappa, exact
//! and within-one agreement) use it rounded to the nearest level.

use serde::Serialize;

/// Levels run from 1 to 4.
const LEVELS: usize = 4;

/// One labelled answer: the human's level and the grader's overall.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pair {
    pub human: u8,
    pub grader: f64,
}

/// Every metric over a group of answers. A metric that is undefined for the
/// group (fewer than two answers, or no variation) is `None`, not a number
/// that looks meaningful.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Metrics {
    pub n: usize,
    pub spearman: Option<f64>,
    pub quadratic_weighted_kappa: Option<f64>,
    pub exact_agreement: Option<f64>,
    pub within_one_agreement: Option<f64>,
    pub pairwise_ranking_accuracy: Option<f64>,
    /// Mean of grader overall minus human label: positive means too generous.
    pub mean_signed_error: Option<f64>,
}

impl Metrics {
    pub fn compute(pairs: &[Pair]) -> Metrics {
        let human: Vec<f64> = pairs.iter().map(|p| f64::from(p.human)).collect();
        let grader: Vec<f64> = pairs.iter().map(|p| p.grader).collect();
        let human_levels: Vec<u8> = pairs.iter().map(|p| p.human).collect();
        let grader_levels: Vec<u8> = pairs.iter().map(|p| nearest_level(p.grader)).collect();
        let n = pairs.len();
        let share = |hits: usize| (n > 0).then(|| hits as f64 / n as f64);
        Metrics {
            n,
            spearman: spearman(&human, &grader),
            quadratic_weighted_kappa: quadratic_weighted_kappa(&human_levels, &grader_levels),
            exact_agreement: share(
                human_levels
                    .iter()
                    .zip(&grader_levels)
                    .filter(|(h, g)| h == g)
                    .count(),
            ),
            within_one_agreement: share(
                human_levels
                    .iter()
                    .zip(&grader_levels)
                    .filter(|(h, g)| h.abs_diff(**g) <= 1)
                    .count(),
            ),
            pairwise_ranking_accuracy: pairwise_ranking_accuracy(pairs),
            mean_signed_error: (n > 0).then(|| {
                pairs
                    .iter()
                    .map(|p| p.grader - f64::from(p.human))
                    .sum::<f64>()
                    / n as f64
            }),
        }
    }
}

/// The level a grader's overall rounds to: halves round up (2.5 is a 3),
/// clamped to 1..=4.
pub fn nearest_level(overall: f64) -> u8 {
    if overall.is_nan() {
        return 1;
    }
    overall.round().clamp(1.0, LEVELS as f64) as u8
}

/// Ranks from 1, ties sharing the average of the ranks they span.
pub fn average_ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && values[order[end]] == values[order[start]] {
            end += 1;
        }
        // Positions start..end hold equal values: ranks start+1 ..= end.
        let rank = (start + 1 + end) as f64 / 2.0;
        for &i in &order[start..end] {
            ranks[i] = rank;
        }
        start = end;
    }
    ranks
}

/// Spearman's rank correlation: Pearson's correlation of the average ranks.
/// `None` for fewer than two values or when either side has no variation.
pub fn spearman(xs: &[f64], ys: &[f64]) -> Option<f64> {
    if xs.len() != ys.len() || xs.len() < 2 {
        return None;
    }
    pearson(&average_ranks(xs), &average_ranks(ys))
}

fn pearson(xs: &[f64], ys: &[f64]) -> Option<f64> {
    let n = xs.len() as f64;
    let mean_x = xs.iter().sum::<f64>() / n;
    let mean_y = ys.iter().sum::<f64>() / n;
    let (mut cov, mut var_x, mut var_y) = (0.0, 0.0, 0.0);
    for (x, y) in xs.iter().zip(ys) {
        cov += (x - mean_x) * (y - mean_y);
        var_x += (x - mean_x).powi(2);
        var_y += (y - mean_y).powi(2);
    }
    (var_x > 0.0 && var_y > 0.0).then(|| cov / (var_x * var_y).sqrt())
}

/// Cohen's kappa with quadratic weights over levels 1 to 4: 1 is perfect
/// agreement, 0 is what chance would give, and a disagreement by two levels
/// costs four times one by a single level. `None` when chance agreement is
/// already perfect (every label and score on one level) or there is no data.
pub fn quadratic_weighted_kappa(human: &[u8], grader: &[u8]) -> Option<f64> {
    if human.len() != grader.len() || human.is_empty() {
        return None;
    }
    let index = |level: u8| usize::from(level.clamp(1, LEVELS as u8) - 1);
    let mut observed = [[0.0f64; LEVELS]; LEVELS];
    let mut human_hist = [0.0f64; LEVELS];
    let mut grader_hist = [0.0f64; LEVELS];
    for (&h, &g) in human.iter().zip(grader) {
        observed[index(h)][index(g)] += 1.0;
        human_hist[index(h)] += 1.0;
        grader_hist[index(g)] += 1.0;
    }
    let n = human.len() as f64;
    let (mut disagreement, mut chance) = (0.0, 0.0);
    for i in 0..LEVELS {
        for j in 0..LEVELS {
            let weight = ((i as f64 - j as f64) / (LEVELS as f64 - 1.0)).powi(2);
            disagreement += weight * observed[i][j];
            chance += weight * human_hist[i] * grader_hist[j] / n;
        }
    }
    (chance > 0.0).then(|| 1.0 - disagreement / chance)
}

/// Over every pair of answers the human put on different levels, the share
/// the grader orders the same way; a grader tie counts half. `None` when no
/// two answers have different labels.
pub fn pairwise_ranking_accuracy(pairs: &[Pair]) -> Option<f64> {
    let (mut credit, mut total) = (0.0, 0usize);
    for (i, a) in pairs.iter().enumerate() {
        for b in &pairs[i + 1..] {
            if a.human == b.human {
                continue;
            }
            total += 1;
            let human_order = a.human.cmp(&b.human);
            credit += match a.grader.total_cmp(&b.grader) {
                std::cmp::Ordering::Equal => 0.5,
                order if order == human_order => 1.0,
                _ => 0.0,
            };
        }
    }
    (total > 0).then(|| credit / total as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    fn pairs(items: &[(u8, f64)]) -> Vec<Pair> {
        items
            .iter()
            .map(|&(human, grader)| Pair { human, grader })
            .collect()
    }

    #[test]
    fn ties_share_the_average_rank() {
        assert_eq!(
            average_ranks(&[10.0, 20.0, 20.0, 5.0, 20.0]),
            vec![2.0, 4.0, 4.0, 1.0, 4.0]
        );
    }

    #[test]
    fn spearman_matches_a_hand_computed_case_with_ties() {
        // x ranks: 1, 2.5, 2.5, 4; y ranks: 1, 3, 2, 4.
        // Pearson of those: cov 4.5, var_x 4.5, var_y 5 -> 4.5 / sqrt(22.5).
        let rho = spearman(&[1.0, 2.0, 2.0, 3.0], &[1.1, 2.9, 2.5, 3.8]);
        assert!(close(rho, 4.5 / 22.5f64.sqrt()), "{rho:?}");
        assert!(close(spearman(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]), -1.0));
        assert_eq!(spearman(&[2.0, 2.0], &[1.0, 3.0]), None);
        assert_eq!(spearman(&[1.0], &[1.0]), None);
    }

    #[test]
    fn kappa_matches_a_hand_computed_case() {
        // human 1,2,3,4,4 against grader 1,2,2,4,3.
        // Observed weighted disagreement: two cells one level apart, 2 * 1/9.
        // Chance: histograms h = [1,1,1,2], g = [1,2,1,1], n = 5; the sum
        // over i,j of (i-j)^2 * h_i * g_j is 15 + 6 + 7 + 36 = 64, so chance
        // is 64 / 5 / 9 = 12.8 / 9 (checked with python3).
        // kappa = 1 - (2/9) / (12.8/9) = 0.84375.
        let k = quadratic_weighted_kappa(&[1, 2, 3, 4, 4], &[1, 2, 2, 4, 3]);
        assert!(close(k, 0.84375), "{k:?}");
        assert!(close(
            quadratic_weighted_kappa(&[1, 2, 3, 4], &[1, 2, 3, 4]),
            1.0
        ));
        // Fully reversed labels are as bad as it gets.
        assert!(close(quadratic_weighted_kappa(&[1, 4], &[4, 1]), -1.0));
        assert_eq!(quadratic_weighted_kappa(&[2, 2], &[2, 2]), None);
        assert_eq!(quadratic_weighted_kappa(&[], &[]), None);
    }

    #[test]
    fn pairwise_accuracy_counts_grader_ties_as_half() {
        // Labels a=1, b=2, c=3, d=4 with grader a=1.0, b=2.5, c=1.0, d=3.0:
        // (a,b) right, (a,c) grader tie -> half, (a,d) right, (b,c) wrong,
        // (b,d) right, (c,d) right: 4.5 of 6.
        let p = pairs(&[(1, 1.0), (2, 2.5), (3, 1.0), (4, 3.0)]);
        assert!(close(pairwise_ranking_accuracy(&p), 4.5 / 6.0));
        // Answers the human put on one level are not compared.
        let p = pairs(&[(1, 1.0), (1, 4.0), (2, 2.0)]);
        assert!(close(pairwise_ranking_accuracy(&p), 0.5));
        assert_eq!(
            pairwise_ranking_accuracy(&pairs(&[(2, 1.0), (2, 3.0)])),
            None
        );
    }

    #[test]
    fn rounding_to_levels_and_the_agreement_shares() {
        assert_eq!(nearest_level(2.49), 2);
        assert_eq!(nearest_level(2.5), 3);
        assert_eq!(nearest_level(0.2), 1);
        assert_eq!(nearest_level(9.0), 4);
        let m = Metrics::compute(&pairs(&[(1, 1.2), (2, 3.4), (4, 1.6), (3, 3.0)]));
        assert_eq!(m.n, 4);
        // Rounded: 1, 3, 2, 3 against 1, 2, 4, 3: exact 2/4, within one 3/4.
        assert!(close(m.exact_agreement, 0.5));
        assert!(close(m.within_one_agreement, 0.75));
        // Signed errors: 0.2 + 1.4 - 2.4 + 0 = -0.8 over 4.
        assert!(close(m.mean_signed_error, -0.2));
        let empty = Metrics::compute(&[]);
        assert_eq!(empty.exact_agreement, None);
        assert_eq!(empty.mean_signed_error, None);
    }
}
