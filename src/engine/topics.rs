//! "Practise topics": a drill of a few questions on the topics a candidate
//! picks, asked as a loop's rounds of their kinds ask them (rubric,
//! persona, follow-ups, minutes per question), at one of its levels.

use std::sync::Arc;

use rand::SeedableRng;

use super::plan::{Ask, Plan, PlanError, PlannedRound, Seen, in_order, level_of};
use crate::content::{Catalog, Level, Loop, Question, RoundKind};

/// What a topic drill asks for; its level and the questions already seen
/// come in an [`Ask`].
#[derive(Clone, Copy, Debug)]
pub struct TopicDrill<'a> {
    /// The loop whose rounds frame the questions; without one, the loop
    /// that asks the most questions on these topics.
    pub loop_id: Option<&'a str>,
    pub topics: &'a [String],
    /// Only questions of this round kind.
    pub kind: Option<RoundKind>,
    /// How many questions, at most.
    pub count: usize,
}

impl TopicDrill<'_> {
    fn covers(&self, q: &Question) -> bool {
        self.kind.is_none_or(|k| q.kind == k) && q.topics.iter().any(|t| self.topics.contains(t))
    }

    /// The questions on these topics that `chosen`'s rounds could ask.
    fn in_loop<'c>(&self, catalog: &'c Catalog, chosen: &Loop) -> Vec<&'c Question> {
        // Each kind once, though two rounds may share one.
        let mut kinds: Vec<RoundKind> = Vec::new();
        for round in &chosen.rounds {
            if !kinds.contains(&round.kind) {
                kinds.push(round.kind);
            }
        }
        kinds
            .into_iter()
            .flat_map(|k| catalog.questions(k))
            .filter(|q| self.covers(q))
            .collect()
    }
}

impl Plan {
    /// A topic drill: `drill.count` questions on its topics, those not seen
    /// and suiting the level first, grouped into the loop's rounds in the
    /// loop's order.
    pub fn topics(
        catalog: &Catalog,
        drill: TopicDrill<'_>,
        ask: Ask<'_>,
        seed: u64,
    ) -> Result<Plan, PlanError> {
        let chosen = match drill.loop_id {
            Some(id) => catalog
                .find_loop(id)
                .ok_or_else(|| PlanError::UnknownLoop(id.to_owned()))?,
            // The first of those asking the most (a stable maximum).
            None => catalog
                .loops()
                .iter()
                .rev()
                .max_by_key(|l| drill.in_loop(catalog, l).len())
                .ok_or_else(|| PlanError::NothingToAsk("no loops are configured".into()))?,
        };
        let at = level_of(chosen, ask.level)?;
        let topics = drill.topics.join(", ");
        let candidates = drill.in_loop(catalog, chosen);
        if candidates.is_empty() {
            return Err(PlanError::NothingToAsk(format!(
                "no question {} asks covers {topics}; GET /api/topics lists the topics",
                chosen.title
            )));
        }
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        let picked: Vec<&Question> = in_order(
            candidates.into_iter(),
            |_| true,
            at,
            Seen {
                ids: ask.seen,
                relevance: ask.relevance,
            },
            &mut rng,
        )
        .into_iter()
        .take(drill.count.max(1))
        .collect();
        let intro = format!("Let's practise {}.", said(drill.topics));
        let rounds = rounds_of(catalog, chosen, at, &picked, intro)?;
        let title = format!("Topics: {topics}");
        Ok(Plan::of_loop(catalog, chosen, at, title, rounds))
    }
}

impl Plan {
    /// A drill of the questions `ids` (a prep plan's), asked as `loop_id`'s
    /// rounds of their kinds ask them, at `level`; ids the loop has no round
    /// for are left out.
    pub fn practice(
        catalog: &Catalog,
        loop_id: &str,
        level: Option<&str>,
        ids: &[String],
        title: String,
    ) -> Result<Plan, PlanError> {
        let chosen = catalog
            .find_loop(loop_id)
            .ok_or_else(|| PlanError::UnknownLoop(loop_id.to_owned()))?;
        let at = level_of(chosen, level)?;
        let picked: Vec<&Question> = ids.iter().filter_map(|id| catalog.question(id)).collect();
        let rounds = rounds_of(
            catalog,
            chosen,
            at,
            &picked,
            "Let's practise what your plan says is due.".to_owned(),
        )?;
        if rounds.is_empty() {
            return Err(PlanError::NothingToAsk(format!(
                "{} has no round for the questions your plan chose",
                chosen.title
            )));
        }
        Ok(Plan::of_loop(catalog, chosen, at, title, rounds))
    }
}

/// `picked`, grouped into `chosen`'s rounds in the loop's order (each kind
/// once), each asked as that round asks it with its minutes per question;
/// the first round opens with `intro`.
fn rounds_of(
    catalog: &Catalog,
    chosen: &Loop,
    at: &Level,
    picked: &[&Question],
    intro: String,
) -> Result<Vec<PlannedRound>, PlanError> {
    let mut rounds = Vec::new();
    for round in &chosen.rounds {
        if rounds.iter().any(|r: &PlannedRound| r.kind == round.kind) {
            continue;
        }
        let questions: Vec<Arc<Question>> = picked
            .iter()
            .filter(|q| q.kind == round.kind)
            .map(|q| Arc::new((*q).clone()))
            .collect();
        if questions.is_empty() {
            continue;
        }
        let per_question = (round.minutes / round.questions.max(1)).max(5);
        let count = questions.len() as u32;
        let intro = if rounds.is_empty() {
            intro.clone()
        } else {
            String::new()
        };
        rounds.push(PlannedRound {
            minutes: per_question * count,
            intro,
            ..PlannedRound::asked_as(catalog, chosen, at, round, questions)?
        });
    }
    Ok(rounds)
}

/// `["api-design", "caching"]` → "API design and caching", as it is said.
fn said(topics: &[String]) -> String {
    let words: Vec<String> = topics
        .iter()
        .map(|t| {
            t.split('-')
                .map(|w| match w {
                    "api" | "slo" | "sql" | "llm" | "jwt" | "grpc" | "rest" => w.to_uppercase(),
                    _ => w.to_owned(),
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    match words.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drill<'a>(topics: &'a [String], kind: Option<RoundKind>, count: usize) -> TopicDrill<'a> {
        TopicDrill {
            loop_id: None,
            topics,
            kind,
            count,
        }
    }

    #[test]
    fn a_topic_drill_asks_questions_on_the_topics_in_the_loop_s_round_order() {
        let catalog = Catalog::embedded().unwrap();
        let topics = vec!["caching".to_owned(), "api-design".to_owned()];
        for seed in 0..10 {
            let plan =
                Plan::topics(&catalog, drill(&topics, None, 3), Ask::default(), seed).unwrap();
            let asked: Vec<&Arc<Question>> =
                plan.rounds.iter().flat_map(|r| &r.questions).collect();
            assert_eq!(asked.len(), 3, "seed {seed}");
            for q in &asked {
                assert!(q.topics.iter().any(|t| topics.contains(t)), "{}", q.id);
            }
            for round in &plan.rounds {
                assert!(round.questions.iter().all(|q| q.kind == round.kind));
                assert_eq!(round.rubric.kind, round.kind);
            }
            assert_eq!(plan.title, "Topics: caching, api-design");
            assert_eq!(
                plan.rounds[0].intro,
                "Let's practise caching and API design."
            );
        }
        let designs = Plan::topics(
            &catalog,
            drill(&topics, Some(RoundKind::Design), 2),
            Ask::default(),
            1,
        )
        .unwrap();
        assert_eq!(designs.rounds.len(), 1);
        assert_eq!(designs.rounds[0].kind, RoundKind::Design);
    }

    #[test]
    fn questions_already_seen_come_last_until_the_topic_has_no_others() {
        let catalog = Catalog::embedded().unwrap();
        let topics = vec!["caching".to_owned()];
        let on_topic: Vec<String> = RoundKind::ALL
            .into_iter()
            .flat_map(|k| catalog.questions(k))
            .filter(|q| q.topics.contains(&topics[0]))
            .map(|q| q.id.clone())
            .collect();
        assert!(on_topic.len() >= 3, "{on_topic:?}");
        let seen = &on_topic[..on_topic.len() - 1];
        for seed in 0..10 {
            let ask = Ask {
                seen,
                ..Ask::default()
            };
            let one = Plan::topics(&catalog, drill(&topics, None, 1), ask, seed).unwrap();
            assert_eq!(
                one.rounds[0].questions[0].id,
                on_topic[on_topic.len() - 1],
                "the one not seen, seed {seed}"
            );
            let all = Plan::topics(&catalog, drill(&topics, None, 10), ask, seed).unwrap();
            let asked = all.rounds.iter().map(|r| r.questions.len()).sum::<usize>();
            assert!(
                asked <= on_topic.len(),
                "a seen question is asked again only to fill"
            );
        }
    }

    #[test]
    fn a_topic_no_question_covers_is_refused_with_where_to_look() {
        let catalog = Catalog::embedded().unwrap();
        let topics = vec!["knitting".to_owned()];
        let refused = Plan::topics(&catalog, drill(&topics, None, 2), Ask::default(), 0);
        let Err(PlanError::NothingToAsk(why)) = refused else {
            panic!("{refused:?}")
        };
        assert!(
            why.contains("knitting") && why.contains("/api/topics"),
            "{why}"
        );
    }
}
