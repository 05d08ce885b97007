//! Questions that ask the same thing in other words. A bank that grows by
//! hand drifts into them, and a candidate practising for weeks then meets
//! one question twice under two titles. Each question's title and text are
//! embedded with the offline grader's sentence model and compared pairwise.

use crate::content::{Catalog, Question, RoundKind};
use crate::embed::{Embedder, cosine};

/// How close two questions may read before they are one question twice.
/// Measured with all-MiniLM-L6-v2: the shipped bank's closest pair of
/// distinct questions (softmax cross-entropy and the logistic loss's
/// gradient) reads 0.69 alike; the URL shortener reworded sentence by
/// sentence (the test's copy) 0.92. The limit sits between, nearer the copy.
pub const THRESHOLD: f32 = 0.85;

/// Two questions that read as one.
#[derive(Clone, Debug, PartialEq)]
pub struct NearDuplicate {
    pub first: String,
    pub second: String,
    pub similarity: f32,
}

impl std::fmt::Display for NearDuplicate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "questions {:?} and {:?} ask nearly the same thing (similarity {:.2}, the limit is \
             {THRESHOLD:.2}): reword one or drop it",
            self.first, self.second, self.similarity
        )
    }
}

/// What a question is about, as the model reads it.
fn about(q: &Question) -> String {
    format!("{}. {}", q.title, q.text)
}

/// Every pair of questions at or above `threshold`, closest first.
pub fn near_duplicates(
    catalog: &Catalog,
    embedder: &Embedder,
    threshold: f32,
) -> anyhow::Result<Vec<NearDuplicate>> {
    let questions: Vec<&Question> = RoundKind::ALL
        .into_iter()
        .flat_map(|k| catalog.questions(k))
        .collect();
    let texts: Vec<String> = questions.iter().map(|q| about(q)).collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let vectors = embedder.embed(&refs)?;
    let mut found = Vec::new();
    for (i, a) in vectors.iter().enumerate() {
        for (j, b) in vectors.iter().enumerate().skip(i + 1) {
            let similarity = cosine(a, b);
            if similarity >= threshold {
                found.push(NearDuplicate {
                    first: questions[i].id.clone(),
                    second: questions[j].id.clone(),
                    similarity,
                });
            }
        }
    }
    found.sort_by(|x, y| y.similarity.total_cmp(&x.similarity));
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::ContentSource;

    #[test]
    fn the_shipped_bank_has_no_two_questions_alike_and_a_reworded_copy_is_caught() {
        let embedder = crate::embed::test_model();
        let catalog = Catalog::embedded().unwrap();
        let closest = near_duplicates(&catalog, &embedder, 0.0).unwrap();
        let top = &closest[0];
        eprintln!("closest shipped pair: {top:?}");
        assert!(top.similarity < THRESHOLD - 0.1, "{top:?}");

        // A design question asked again in other words.
        let mut files = ContentSource::embedded().files().to_vec();
        let design = files
            .iter_mut()
            .find(|f| f.path == "prompts/questions/design.toml")
            .unwrap();
        design.text.push_str(
            r#"
[[questions]]
id = "design-short-links-with-stats"
title = "Short links with click statistics"
text = """Design a link shortening service, like the short links in marketing emails, with click statistics built in.
Signed-in users make short links, optionally with their own alias and an expiry date. Anyone can open a short link and is redirected.
Owners want a dashboard of clicks over time, by country and by referrer.
Assume about a hundred million new links a month, and many more redirects than new links.
Talk me through how you would build it, and your reasoning as you go."""
topics = ["api-design"]
difficulty = "medium"
key_points = [{ dimension = "requirements", text = "Clarifies scope" }]
"#,
        );
        let with_copy = Catalog::build(&ContentSource::new(files)).unwrap();
        let found = near_duplicates(&with_copy, &embedder, THRESHOLD).unwrap();
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            (found[0].first.as_str(), found[0].second.as_str()),
            (
                "design-url-shortener-analytics",
                "design-short-links-with-stats"
            )
        );
        assert!(found[0].to_string().contains("ask nearly the same thing"));
    }
}
