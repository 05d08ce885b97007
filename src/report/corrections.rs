//! What the candidate corrected in a spoken answer before submitting it:
//! a word-level diff of what the recogniser heard against what was
//! submitted, so a reviewer sees which words are the candidate's fix
//! ("heard 'cash' → you wrote 'cache'") and how much of the answer was
//! typed rather than said.
//!
//! Words are compared by their letters and digits, lowercased: a fixed
//! capital or comma is not a correction.

use serde::Serialize;

/// The corrections to one spoken answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Corrections {
    /// Words in what the recogniser heard.
    pub heard_words: usize,
    /// Words changed, removed or added (each run counts its longer side).
    pub changed_words: usize,
    /// The runs of changed words, in order; at most [`MAX_EDITS`] (the
    /// count above is of all of them).
    pub edits: Vec<Edit>,
}

/// One run of changed words. An empty side is an addition or a removal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Edit {
    pub heard: String,
    pub wrote: String,
}

/// Edits listed per answer: a rewritten answer would otherwise list its
/// every sentence, and `changed_words` says how much changed.
pub const MAX_EDITS: usize = 20;

/// Cells of the comparison table past which the changed middle of the two
/// texts is shown as one edit: about a megabyte, two answers of 1,000 words
/// each. Beyond that the answer was rewritten, not corrected.
const MAX_CELLS: usize = 1_000_000;

/// The corrections from `heard` to `wrote`; `None` when no word changed.
pub fn corrections(heard: &str, wrote: &str) -> Option<Corrections> {
    let a: Vec<&str> = heard.split_whitespace().collect();
    let b: Vec<&str> = wrote.split_whitespace().collect();
    let (ka, kb): (Vec<String>, Vec<String>) = (
        a.iter().map(|w| key(w)).collect(),
        b.iter().map(|w| key(w)).collect(),
    );
    let runs = changed_runs(&ka, &kb);
    if runs.is_empty() {
        return None;
    }
    let changed_words = runs.iter().map(|r| r.0.len().max(r.1.len())).sum();
    let edits = runs
        .into_iter()
        .take(MAX_EDITS)
        .map(|(x, y)| Edit {
            heard: a[x].join(" "),
            wrote: b[y].join(" "),
        })
        .collect();
    Some(Corrections {
        heard_words: a.len(),
        changed_words,
        edits,
    })
}

impl Edit {
    /// `heard "cash" → you wrote "cache"`, `added "really"`, `removed "um"`.
    pub fn sentence(&self) -> String {
        match (self.heard.is_empty(), self.wrote.is_empty()) {
            (true, _) => format!("added “{}”", self.wrote),
            (_, true) => format!("removed “{}”", self.heard),
            _ => format!("heard “{}” → you wrote “{}”", self.heard, self.wrote),
        }
    }
}

impl Corrections {
    /// One line for every rendering: how much changed, then each edit.
    pub fn summary(&self) -> String {
        let words = if self.changed_words == 1 {
            "1 word".to_owned()
        } else {
            format!("{} words", self.changed_words)
        };
        let mut edits: Vec<String> = self.edits.iter().map(Edit::sentence).collect();
        if self.edits.len() == MAX_EDITS {
            edits.push("…".to_owned());
        }
        format!(
            "Corrected after recognition ({words} of {} heard): {}.",
            self.heard_words,
            edits.join("; ")
        )
    }
}

/// Letters and digits, lowercased: what a word is compared by.
fn key(word: &str) -> String {
    word.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

type Run = (std::ops::Range<usize>, std::ops::Range<usize>);

/// The runs where `a` and `b` differ, as index ranges into each: what is
/// left between the words of a longest common subsequence.
fn changed_runs(a: &[String], b: &[String]) -> Vec<Run> {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (a_mid, b_mid) = (prefix..a.len() - suffix, prefix..b.len() - suffix);
    if a_mid.is_empty() && b_mid.is_empty() {
        return Vec::new();
    }
    let (n, m) = (a_mid.len(), b_mid.len());
    if n == 0 || m == 0 || n.saturating_mul(m) > MAX_CELLS {
        return vec![(a_mid, b_mid)];
    }
    let (x, y) = (&a[a_mid.clone()], &b[b_mid.clone()]);
    // lcs[i][j]: the longest common subsequence of x[i..] and y[j..].
    let width = m + 1;
    let mut lcs = vec![0u32; (n + 1) * width];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i * width + j] = if x[i] == y[j] {
                lcs[(i + 1) * width + j + 1] + 1
            } else {
                lcs[(i + 1) * width + j].max(lcs[i * width + j + 1])
            };
        }
    }
    let mut runs = Vec::new();
    let (mut i, mut j) = (0, 0);
    let (mut run_i, mut run_j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && x[i] == y[j] {
            if (run_i, run_j) != (i, j) {
                runs.push((prefix + run_i..prefix + i, prefix + run_j..prefix + j));
            }
            i += 1;
            j += 1;
            (run_i, run_j) = (i, j);
        } else if j == m || (i < n && lcs[(i + 1) * width + j] >= lcs[i * width + j + 1]) {
            i += 1;
        } else {
            j += 1;
        }
    }
    if (run_i, run_j) != (n, m) {
        runs.push((prefix + run_i..prefix + n, prefix + run_j..prefix + m));
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edits(heard: &str, wrote: &str) -> Vec<(String, String)> {
        corrections(heard, wrote)
            .map(|c| c.edits.into_iter().map(|e| (e.heard, e.wrote)).collect())
            .unwrap_or_default()
    }

    fn pair(heard: &str, wrote: &str) -> (String, String) {
        (heard.to_owned(), wrote.to_owned())
    }

    #[test]
    fn a_corrected_word_is_one_edit_and_the_summary_names_it() {
        let c = corrections(
            "The cash sits in front of the database.",
            "The cache sits in front of the database.",
        )
        .unwrap();
        assert_eq!(
            c.edits,
            vec![Edit {
                heard: "cash".into(),
                wrote: "cache".into()
            }]
        );
        assert_eq!((c.changed_words, c.heard_words), (1, 8));
        assert_eq!(
            c.summary(),
            "Corrected after recognition (1 word of 8 heard): heard “cash” → you wrote “cache”."
        );
    }

    #[test]
    fn additions_removals_and_separate_fixes_are_each_their_own_edit() {
        assert_eq!(
            edits(
                "um I led the migration to the new billing system",
                "I led the whole migration to the new billing system fast"
            ),
            vec![pair("um", ""), pair("", "whole"), pair("", "fast")]
        );
        assert_eq!(
            edits(
                "load balance as top sending it traffic",
                "load balancer stops sending it traffic"
            ),
            vec![pair("balance as top", "balancer stops")]
        );
        let c = corrections("a b c", "").unwrap();
        assert_eq!((c.changed_words, c.edits.len()), (3, 1));
        assert_eq!(c.edits[0].sentence(), "removed “a b c”");
    }

    #[test]
    fn case_punctuation_and_spacing_are_not_corrections() {
        assert_eq!(
            corrections("the cache, then  the DB", "The cache then the db."),
            None
        );
        assert_eq!(corrections("", ""), None);
    }

    #[test]
    fn a_rewrite_past_the_table_s_bound_is_one_edit_and_lists_stay_bounded() {
        let heard = vec!["said"; 1_100].join(" ");
        let wrote = vec!["typed"; 1_100].join(" ");
        let c = corrections(&heard, &wrote).unwrap();
        assert_eq!((c.edits.len(), c.changed_words), (1, 1_100));

        let heard: Vec<String> = (0..60).map(|i| format!("w{i}")).collect();
        let wrote: Vec<String> = heard
            .iter()
            .enumerate()
            .map(|(i, w)| {
                if i % 2 == 0 {
                    format!("x{i}")
                } else {
                    w.clone()
                }
            })
            .collect();
        let c = corrections(&heard.join(" "), &wrote.join(" ")).unwrap();
        assert_eq!(c.edits.len(), MAX_EDITS);
        assert_eq!(c.changed_words, 30);
        assert!(c.summary().ends_with("; …."), "{}", c.summary());
    }
}
