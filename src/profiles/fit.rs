//! The fit map: each of the posting's requirements against the résumé's own
//! lines, each core value against the résumé bullets that could carry a
//! story for it, the three risks to prepare first (`risks.rs`), and the
//! bank's questions most likely for this background (`likely.rs`).
//!
//! Matching is by meaning (the offline grader's sentence embeddings) and
//! by the specific terms a requirement names: "Kubernetes" is evidenced by
//! a line that says Kubernetes, not by one about deployment in general.

use serde::Serialize;

use super::likely::{self, Bank, LikelyQuestion};
use super::risks::{Risk, risks};
use super::text::{self, Category, Need, Requirement};
use crate::content::{Catalog, CoreValue, Level, Loop};
use crate::embed::{EmbedError, Embedder, cosine};

/// A line this close in meaning says the same thing.
const SAME: f32 = 0.62;
/// A line this close comes near: a related skill or the same area.
const NEAR: f32 = 0.45;
/// Sharing a specific term lowers the bar for "the same thing" to this.
const SAME_WITH_TERM: f32 = 0.42;
/// A bullet this close to a value's description could carry its story.
const STORY: f32 = 0.30;
/// Bullets quoted per requirement or value.
const QUOTES: usize = 2;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Evidenced,
    Partial,
    Missing,
}

#[derive(Clone, Debug, Serialize)]
pub struct RequirementFit {
    pub text: String,
    #[serde(rename = "kind")]
    pub need: Need,
    pub category: Category,
    pub status: Status,
    /// Résumé lines, verbatim, best first.
    pub evidence: Vec<String>,
    /// Why the status, in a sentence.
    pub note: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct ValueFit {
    pub topic: String,
    pub name: String,
    pub bullets: Vec<String>,
    pub gap: bool,
}

/// Shares of what was asked that the résumé shows, 0 to 1; `None` where
/// the posting asks nothing of that kind (the page shows a dash rather
/// than a score nothing earned).
#[derive(Clone, Debug, Serialize)]
pub struct Scores {
    pub skills: Option<f64>,
    pub experience: Option<f64>,
    pub values: Option<f64>,
    pub overall: Option<f64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct FitMap {
    pub loop_id: String,
    pub level: String,
    pub years_of_experience: f64,
    pub scores: Scores,
    pub requirements: Vec<RequirementFit>,
    pub values: Vec<ValueFit>,
    pub risks: Vec<Risk>,
    pub questions: Vec<LikelyQuestion>,
}

/// What [`Reading::judge`] finds.
pub struct Judged<'c> {
    pub requirements: Vec<RequirementFit>,
    pub values: Vec<ValueFit>,
    pub bank: Bank<'c>,
    /// Every question the loop could ask, most relevant first.
    pub ranked: Vec<LikelyQuestion>,
}

/// The inputs of a fit map, read once and shared with the tailored loop.
pub struct Reading<'a> {
    pub resume_lines: Vec<&'a str>,
    pub resume_vectors: Vec<Vec<f32>>,
    pub requirements: Vec<Requirement>,
    pub requirement_vectors: Vec<Vec<f32>>,
    pub years: f64,
}

impl<'a> Reading<'a> {
    /// Embeds the résumé's lines and the posting's requirements (with
    /// `embed`, not the model's cache: a résumé stays in no cache).
    pub fn new(
        embedder: &Embedder,
        resume: &'a str,
        posting: &str,
        this_year: i32,
    ) -> Result<Reading<'a>, EmbedError> {
        let resume_lines = text::resume_lines(resume);
        let requirements = text::requirements(posting);
        let resume_vectors = embedder.embed(&resume_lines)?;
        let texts: Vec<&str> = requirements.iter().map(|r| r.text.as_str()).collect();
        let requirement_vectors = embedder.embed(&texts)?;
        Ok(Reading {
            resume_lines,
            resume_vectors,
            requirements,
            requirement_vectors,
            years: text::years_of_experience(resume, this_year),
        })
    }

    /// Résumé lines by closeness to `vector`, with their similarity.
    fn closest(&self, vector: &[f32]) -> Vec<(f32, &'a str)> {
        let mut scored: Vec<(f32, &str)> = self
            .resume_vectors
            .iter()
            .zip(&self.resume_lines)
            .map(|(v, line)| (cosine(v, vector), *line))
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        scored
    }

    /// Everything the fit map and the tailored loop both read: each
    /// requirement and core value against the résumé, and every question
    /// `chosen` could ask at `level` by relevance.
    pub fn judge<'c>(
        &self,
        embedder: &Embedder,
        catalog: &'c Catalog,
        chosen: &Loop,
        level: &Level,
    ) -> Result<Judged<'c>, EmbedError> {
        let requirements = self.requirement_fits();
        let values = self.value_fits(embedder, catalog.core_values())?;
        let bank = Bank::of(embedder, catalog, chosen)?;
        let ranked = likely::relevance(&bank, level, self, &requirements, &values);
        Ok(Judged {
            requirements,
            values,
            bank,
            ranked,
        })
    }

    /// Each requirement against the résumé.
    pub fn requirement_fits(&self) -> Vec<RequirementFit> {
        self.requirements
            .iter()
            .zip(&self.requirement_vectors)
            .map(|(requirement, vector)| self.fit_one(requirement, vector))
            .collect()
    }

    fn fit_one(&self, requirement: &Requirement, vector: &[f32]) -> RequirementFit {
        let terms = specific_terms(&requirement.text);
        let shares = |line: &str| {
            let lower = line.to_lowercase();
            terms.iter().any(|t| has_word(&lower, t))
        };
        let closest = self.closest(vector);
        let same: Vec<&str> = closest
            .iter()
            .filter(|(s, line)| *s >= SAME || (*s >= SAME_WITH_TERM && shares(line)))
            .map(|(_, line)| *line)
            .take(QUOTES)
            .collect();
        let near: Vec<&str> = closest
            .iter()
            .filter(|(s, line)| *s >= NEAR || shares(line))
            .map(|(_, line)| *line)
            .take(QUOTES)
            .collect();
        let short_of_years = requirement
            .years
            .filter(|&asked| self.years + 0.25 < f64::from(asked));
        let years_note = |asked: u32| {
            format!(
                "your dates cover about {:.0} years of the {asked} asked",
                self.years
            )
        };
        let (status, evidence, note) = match (same.is_empty(), near.is_empty(), short_of_years) {
            (false, _, None) => (Status::Evidenced, same, "your résumé says this".to_owned()),
            (false, _, Some(asked)) => (
                Status::Partial,
                same,
                format!("the work is there, but {}", years_note(asked)),
            ),
            (true, false, Some(asked)) => (
                Status::Partial,
                near,
                format!("a related line comes near, and {}", years_note(asked)),
            ),
            (true, false, None) => (
                Status::Partial,
                near,
                "a related line comes near; say how it meets this".to_owned(),
            ),
            (true, true, _) => (
                Status::Missing,
                Vec::new(),
                "no line of your résumé shows this".to_owned(),
            ),
        };
        RequirementFit {
            text: requirement.text.clone(),
            need: requirement.need,
            category: requirement.category,
            status,
            evidence: evidence.into_iter().map(str::to_owned).collect(),
            note,
        }
    }

    /// Each core value with the bullets that could carry a story for it.
    pub fn value_fits(
        &self,
        embedder: &Embedder,
        values: &[CoreValue],
    ) -> Result<Vec<ValueFit>, EmbedError> {
        let descriptions: Vec<&str> = values.iter().map(|v| v.looks_for.as_str()).collect();
        let vectors = embedder.references(&descriptions)?;
        let mut fits = Vec::new();
        for (value, vector) in values.iter().zip(&vectors) {
            let bullets: Vec<String> = self
                .closest(vector)
                .into_iter()
                .filter(|(s, line)| *s >= STORY && is_story(line))
                .take(QUOTES)
                .map(|(_, line)| line.to_owned())
                .collect();
            fits.push(ValueFit {
                topic: value.topic.clone(),
                name: value.name.clone(),
                gap: bullets.is_empty(),
                bullets,
            });
        }
        Ok(fits)
    }
}

/// A bullet that could carry a story says what the candidate did: more than
/// a list of skills.
fn is_story(line: &str) -> bool {
    line.split_whitespace().count() >= 6 && line.matches(',').count() < 4
}

/// Words of a requirement specific enough that a résumé naming them speaks
/// to it: names of tools and technologies, and other uncommon words.
pub fn specific_terms(requirement: &str) -> Vec<String> {
    const GENERIC: &[&str] = &[
        "experience",
        "years",
        "year",
        "strong",
        "ability",
        "knowledge",
        "working",
        "work",
        "proficiency",
        "familiarity",
        "understanding",
        "skills",
        "excellent",
        "good",
        "solid",
        "building",
        "build",
        "design",
        "designing",
        "develop",
        "developing",
        "development",
        "systems",
        "system",
        "services",
        "service",
        "software",
        "engineering",
        "using",
        "with",
        "and",
        "the",
        "for",
        "including",
        "such",
        "other",
        "another",
        "like",
        "teams",
        "team",
        "plus",
        "preferred",
        "required",
        "least",
        "more",
        "or",
        "of",
        "in",
        "to",
        "a",
        "an",
        "production",
        "large",
        "scale",
        "modern",
        "high",
        "quality",
        "related",
        "field",
        "own",
        "deep",
        "hands-on",
        "used",
        "thousands",
        "millions",
        "via",
        "across",
        "our",
        "you",
    ];
    requirement
        .split(|c: char| !(c.is_alphanumeric() || c == '+' || c == '#' || c == '-'))
        .map(|w| w.trim_matches('-').to_lowercase())
        .filter(|w| w.len() >= 2 && !GENERIC.contains(&w.as_str()))
        .filter(|w| !w.chars().all(|c| c.is_ascii_digit() || c == '+'))
        .collect()
}

/// Whether `lower` holds `word` as a whole word.
fn has_word(lower: &str, word: &str) -> bool {
    lower
        .split(|c: char| !(c.is_alphanumeric() || c == '+' || c == '#' || c == '-'))
        .any(|w| w.trim_matches('-') == word)
}

/// The fit map of a résumé and a posting for `chosen` at `level`.
pub fn fit_map(
    embedder: &Embedder,
    catalog: &Catalog,
    chosen: &Loop,
    level: &Level,
    reading: &Reading<'_>,
) -> Result<FitMap, EmbedError> {
    let judged = reading.judge(embedder, catalog, chosen, level)?;
    let risks = risks(
        &judged.bank,
        catalog,
        &judged.requirements,
        &judged.values,
        level,
        reading,
    );
    let (requirements, values) = (judged.requirements, judged.values);
    let questions = likely::rank(judged.ranked);
    let scores = scores(&requirements, &values);
    Ok(FitMap {
        loop_id: chosen.id.clone(),
        level: level.name.clone(),
        years_of_experience: (reading.years * 10.0).round() / 10.0,
        scores,
        requirements,
        values,
        risks,
        questions,
    })
}

fn credit(status: Status) -> f64 {
    match status {
        Status::Evidenced => 1.0,
        Status::Partial => 0.5,
        Status::Missing => 0.0,
    }
}

/// Shares of what was asked that the résumé shows, required counting twice
/// what preferred does; the overall weighs skills, experience and values
/// as 2 : 1 : 1 over those there are.
fn scores(requirements: &[RequirementFit], values: &[ValueFit]) -> Scores {
    let share = |category: Category| {
        let (got, of) = requirements.iter().filter(|r| r.category == category).fold(
            (0.0, 0.0),
            |(got, of), r| {
                let weight = if r.need == Need::Required { 2.0 } else { 1.0 };
                (got + weight * credit(r.status), of + weight)
            },
        );
        (of > 0.0).then(|| got / of)
    };
    let skills = share(Category::Skills);
    let experience = share(Category::Experience);
    let values = (!values.is_empty())
        .then(|| values.iter().filter(|v| !v.gap).count() as f64 / values.len() as f64);
    let weighed: Vec<(f64, f64)> = [(skills, 2.0), (experience, 1.0), (values, 1.0)]
        .into_iter()
        .filter_map(|(score, weight)| score.map(|s| (s, weight)))
        .collect();
    let weights: f64 = weighed.iter().map(|(_, w)| w).sum();
    let overall =
        (weights > 0.0).then(|| weighed.iter().map(|(s, w)| s * w).sum::<f64>() / weights);
    let round = |x: Option<f64>| x.map(|x| (x * 100.0).round() / 100.0);
    Scores {
        skills: round(skills),
        experience: round(experience),
        values: round(values),
        overall: round(overall),
    }
}
