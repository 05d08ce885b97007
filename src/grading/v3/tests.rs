//! v3 on answers written for these tests (never in the calibration set),
//! with the real embedding model and the shipped banks and rubrics.

use super::*;
use crate::content::{Catalog, Question};
use crate::embed::test_model;
use crate::grading::quote::MAX_QUOTE_CHARS;

pub(super) fn catalog() -> &'static Catalog {
    static CATALOG: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
    CATALOG.get_or_init(|| Catalog::embedded().unwrap())
}

pub(super) fn grade(question_id: &str, answers: &[&str]) -> AnswerScore {
    let catalog = catalog();
    let question: &Question = catalog.question(question_id).unwrap();
    let rubric = catalog.rubric_for_kind(question.kind).unwrap();
    let answers: Vec<String> = answers.iter().map(|a| (*a).to_owned()).collect();
    SubstanceGrader::new(test_model())
        .score(GradeRequest {
            rubric,
            question,
            answers: &answers,
            hints: &[],
        })
        .unwrap()
}

/// A plain, correct story with none of the rubric's words.
const PLAIN_STORY: &str = "Last spring I pushed a config change that set the database connection \
pool to 5 instead of 50. About ten minutes later the checkout error alerts fired and I saw \
requests timing out waiting for a connection. I rolled my change back myself and errors were \
back to normal within forty minutes. I wrote up what happened for the team the next morning. \
After that I added a check in our CI pipeline that rejects pool sizes outside a sane range, and \
since then every config change of mine goes to one region first.";

/// Vocabulary with no mechanism tied to the question.
const GENERIC_DESIGN: &str = "I'd start by clarifying the requirements and making sure we \
understand the scale. Then I'd design a scalable, highly available architecture with \
microservices behind a load balancer. I'd make the endpoint idempotent and use caching to keep \
latency low. For the database I'd choose something that scales horizontally, with replication \
for reliability. I'd add logging and monitoring so we can see what's going on, and alerting for \
problems. Security matters too, so I'd use authentication and encryption. Finally I'd make sure \
the system is fault tolerant and can handle failures gracefully, and we can scale it out as \
traffic grows.";

/// A strong answer, but to the rate limiter question.
const RATE_LIMITER: &str = "I'd use a token bucket per API key, because it allows short bursts \
while holding the average rate. Each API host keeps a local bucket and syncs its counts to a Redis \
cluster sharded by key every hundred milliseconds, so a check costs a memory lookup instead of a \
network round trip. Limits per customer tier come from a config service and are pushed to the \
hosts. With a few million requests per second a remote call per request would blow the one \
millisecond budget. When a caller is over the limit we return 429 with a Retry-After header. If \
Redis is unreachable, each host fails open with its local bucket so a cache outage never takes \
the APIs down, and we alert on the sync lag.";

pub(super) fn features_of(question_id: &str, answer: &str) -> Features {
    let question = catalog().question(question_id).unwrap();
    let rubric = catalog().rubric_for_kind(question.kind).unwrap();
    extract(&test_model(), rubric, question, &[answer.to_owned()]).unwrap()
}

#[test]
fn quantities_count_only_what_the_question_did_not_give() {
    let question = &catalog()
        .question("design-rate-limiter-service")
        .unwrap()
        .text;
    let given: Vec<&str> = question
        .split_whitespace()
        .filter(|w| crate::content::pattern::is_number(&w.to_lowercase()))
        .collect();
    assert!(!given.is_empty(), "the question gives numbers: {question}");
    let restated = format!(
        "The service must handle {} as the question says, so I would plan for that load.",
        given.join(" and ")
    );
    assert_eq!(
        features_of("design-rate-limiter-service", &restated).quantities,
        0.0
    );
    let stated = features_of("design-rate-limiter-service", RATE_LIMITER);
    // "hundred", "429", "one" millisecond, ...: in words or digits.
    assert!(stated.quantities > 1.0, "{}", stated.quantities);
}

#[test]
fn a_plain_correct_story_scores_as_a_hire() {
    let score = grade("values-owning-incident", &[PLAIN_STORY]);
    assert!(score.overall >= 2.5, "{score:#?}");
    assert!(!score.strengths.is_empty() && !score.improvements.is_empty());
}

/// What a good incident story contains, in the key points' own terms, with
/// no incident in it.
const RECITED_STORY: &str = "The situation was a production outage: something broke, it was \
detected by monitoring, and there was a blast radius for customers. In the first hour I \
personally mitigated first by rolling back, before root-causing, and I coordinated others and \
communicated status. Customers and stakeholders were kept informed throughout. The result was a \
quantified duration and impact, with the error budget consumed, and it was resolved. I owned my \
part, including my own mistakes, without blaming individuals. The post-incident review \
identified the root cause and contributing factors. I drove concrete repair items like alerts, \
tests, safer deployments and runbooks, and they worked.";

#[test]
fn a_story_that_recites_the_key_points_earns_nothing_and_is_told_why() {
    let recited = grade("values-owning-incident", &[RECITED_STORY]);
    assert_eq!(recited.overall, 1.0, "{recited:#?}");
    assert!(
        recited
            .dimensions
            .iter()
            .all(|d| d.evidence.is_empty() && d.feedback.contains("instead of telling one")),
        "{recited:#?}"
    );
    let told = grade("values-owning-incident", &[PLAIN_STORY]);
    assert!(
        told.dimensions
            .iter()
            .all(|d| !d.feedback.contains("instead of telling one"))
    );
}

#[test]
fn a_generic_design_answer_scores_below_the_bar() {
    let score = grade("design-idempotent-payments-api", &[GENERIC_DESIGN]);
    assert!(score.overall <= 2.0, "{score:#?}");
}

#[test]
fn a_good_answer_to_another_question_is_off_topic() {
    let own = grade("design-rate-limiter-service", &[RATE_LIMITER]);
    let other = grade("design-url-shortener-analytics", &[RATE_LIMITER]);
    // Graded on its own question it earns well above the floor (1.8 with
    // the parameters fitted on twenty design questions: its fail-open
    // sentence does not reach the reliability key point, which bundles four
    // mechanisms into one).
    assert!(own.overall >= 1.75, "{own:#?}");
    assert_eq!(other.overall, 1.0, "{other:#?}");
    assert!(other.dimensions.iter().all(|d| d.evidence.is_empty()));
    // The feedback names the question it reads as.
    let feedback = &other.dimensions[0].feedback;
    assert!(
        feedback.contains("another question (“Distributed rate limiting service”)"),
        "{feedback}"
    );
}

#[test]
fn a_generic_answer_is_told_it_could_answer_anything_not_that_it_answers_another_question() {
    // From the calibration set's generic style (label 1): buzzwords true of
    // any service, nothing about limiting rates.
    let generic = "I'd approach this like any large-scale distributed service. First, it needs \
to be highly scalable, so every component should be stateless and scale horizontally behind a load \
balancer. Second, it needs to be highly available, so I'd deploy it across multiple regions and \
availability zones with no single point of failure. For performance I'd add a caching layer and make \
sure we minimise latency on the critical path. I'd use a distributed database that can handle high \
throughput, and I'd make all operations idempotent so retries are safe. Consistency is a trade-off, \
so I'd pick the right consistency model for the use case. For security I'd use authentication, \
authorisation and encryption in transit and at rest. And I'd build in observability from day one: \
metrics, logs, traces, dashboards and alerts, with SLOs and an error budget. Finally, I'd load test \
it before launch and iterate based on feedback.";
    let score = grade("design-rate-limiter-service", &[generic]);
    assert_eq!(score.overall, 1.0, "{score:#?}");
    let feedback = &score.dimensions[0].feedback;
    assert!(
        feedback.contains("could be given to almost any system design question")
            && feedback.contains("“Distributed rate limiting service”"),
        "{feedback}"
    );
    assert!(!feedback.contains("another question"), "{feedback}");
}

#[test]
fn every_quote_is_the_candidates_own_words_and_filed_under_its_dimension() {
    let score = grade("design-rate-limiter-service", &[RATE_LIMITER]);
    let question = catalog().question("design-rate-limiter-service").unwrap();
    for dimension in &score.dimensions {
        for quote in &dimension.evidence {
            let said = quote.strip_suffix('…').unwrap_or(quote);
            assert!(RATE_LIMITER.contains(said), "{quote:?}");
        }
    }
    for point in &score.key_points {
        assert!(
            question
                .key_points
                .iter()
                .any(|k| k.text == point.text && k.dimension == point.dimension)
        );
        if point.status != Coverage::Missed {
            let quote = point.quote.as_deref().unwrap();
            let dimension = score
                .dimensions
                .iter()
                .find(|d| d.id == point.dimension)
                .unwrap();
            assert!(dimension.level > 1 || dimension.evidence.is_empty());
            assert!(RATE_LIMITER.contains(quote.trim_end_matches('…')));
        }
    }
    assert!(
        score
            .key_points
            .iter()
            .any(|k| k.status == Coverage::Covered),
        "{:#?}",
        score.key_points
    );
}

#[test]
fn feedback_is_built_from_the_key_points_never_the_rubric_text() {
    let mut scores = vec![
        grade("design-rate-limiter-service", &[RATE_LIMITER]),
        grade("design-idempotent-payments-api", &[GENERIC_DESIGN]),
        grade("values-owning-incident", &[PLAIN_STORY]),
    ];
    scores.push(grade("values-owning-incident", &["We fixed it."]));
    for score in &scores {
        let rubric = catalog().rubric(&score.rubric_id).unwrap();
        for dimension in &score.dimensions {
            assert!(!dimension.feedback.is_empty());
            for described in rubric.dimensions.iter().flat_map(|d| &d.levels) {
                assert_ne!(&dimension.feedback, described);
                assert!(!dimension.feedback.contains(described.as_str()));
            }
            for signal in rubric.signals() {
                assert!(!dimension.feedback.contains(&signal.description));
            }
        }
    }
}

/// A plain story with no numbers and a lesson not yet used again.
const PLAIN_UNMEASURED: &str = "Last year I shipped a config change that set the database \
connection pool far too low, and checkout requests started timing out. I noticed the error alerts \
a few minutes after the deploy, told the on-call channel it was my change, and rolled it back \
within the hour. Afterwards I added a check in CI that validates pool settings against the \
database limits, so the same mistake cannot ship again.";

/// What one generally does, not a story.
const HYPOTHETICAL_STORY: &str = "If an incident happened on my watch I would first roll back \
the change and tell the on-call channel. I would always write a blameless postmortem and make \
sure the team learns from it. I usually add monitoring so it cannot happen again, and I would \
keep stakeholders updated throughout.";

#[test]
fn a_story_is_coached_part_by_part_and_a_hypothetical_is_told_it_is_not_a_story() {
    let story = grade("values-owning-incident", &[PLAIN_UNMEASURED]);
    for dimension in &story.dimensions {
        // Each part quotes the sentence that shows it, in the candidate's words.
        let quote = dimension.feedback.split('"').nth(1).unwrap_or_default();
        assert!(
            !quote.is_empty() && PLAIN_UNMEASURED.contains(quote),
            "{}",
            dimension.feedback
        );
    }
    // Unmeasured: the advice says so. The weakest part's comes from this
    // question's own key point.
    assert!(
        story.improvements.iter().any(|i| i.contains("number")),
        "{:#?}",
        story.improvements
    );
    let question = catalog().question("values-owning-incident").unwrap();
    let looked_for = story
        .improvements
        .iter()
        .find_map(|i| i.strip_prefix("What this question looks for in "))
        .unwrap_or_else(|| panic!("{:#?}", story.improvements));
    assert!(
        question
            .key_points
            .iter()
            .any(|k| looked_for.contains(k.text.split_once(':').map_or("", |(_, d)| d).trim()))
    );

    let general = grade("values-owning-incident", &[HYPOTHETICAL_STORY]);
    assert!(general.overall <= 1.5, "{general:#?}");
    for dimension in &general.dimensions {
        assert!(
            dimension
                .feedback
                .contains("not as something that happened")
        );
    }
    assert!(general.strengths.iter().all(|s| !s.contains("story")));
}

#[test]
fn repeating_a_point_earns_no_more_than_saying_it_once() {
    let once = grade("design-rate-limiter-service", &[RATE_LIMITER]);
    let thrice = grade(
        "design-rate-limiter-service",
        &[&[RATE_LIMITER, RATE_LIMITER, RATE_LIMITER].join(" ")],
    );
    assert!(
        thrice.overall <= once.overall,
        "{} > {}",
        thrice.overall,
        once.overall
    );
}

#[test]
fn the_same_answer_gets_the_same_score() {
    let a = grade("design-rate-limiter-service", &[RATE_LIMITER]);
    let b = grade("design-rate-limiter-service", &[RATE_LIMITER]);
    assert_eq!(a, b);
}

#[test]
fn long_quotes_are_cut_at_a_word_and_marked() {
    let long = "word ".repeat(200);
    let cut = clip(long.trim());
    assert!(cut.ends_with('…'));
    assert!(cut.chars().count() <= MAX_QUOTE_CHARS + 1);
    assert!(long.contains(cut.trim_end_matches('…')));
}

/// A question typed in: no key points, no siblings.
fn typed_in(kind: crate::content::RoundKind, text: &str) -> Question {
    let mut question = catalog().questions(kind)[0].clone();
    question.id = "ad-hoc".into();
    question.text = text.into();
    question.key_points.clear();
    question.outline.clear();
    question.examples.clear();
    question.bank = Default::default();
    question
}

fn grade_typed_in(question: &Question, answer: &str) -> AnswerScore {
    let rubric = catalog().rubric_for_kind(question.kind).unwrap();
    SubstanceGrader::new(test_model())
        .score(GradeRequest {
            rubric,
            question,
            answers: &[answer.to_owned()],
            hints: &[],
        })
        .unwrap()
}

#[test]
fn a_typed_in_question_is_judged_with_v3s_guards_and_says_it_is_an_estimate() {
    let question = typed_in(
        crate::content::RoundKind::Design,
        "Design a rate limiter for a public API that serves a few million requests per second.",
    );
    let on_topic = grade_typed_in(&question, RATE_LIMITER);
    assert_eq!(on_topic.grader, SubstanceGrader::ID);
    assert!(on_topic.estimate, "no key points: the level is a guess");
    assert!(on_topic.key_points.is_empty());
    assert!(on_topic.overall > 1.5, "{on_topic:#?}");

    let story = grade_typed_in(&question, PLAIN_STORY);
    assert!(story.overall < on_topic.overall, "{story:#?}");
    let stuffed = grade_typed_in(
        &question,
        &"I would use caching, sharding, replication, idempotency, backpressure. ".repeat(8),
    );
    assert!(stuffed.overall <= 1.0, "{stuffed:#?}");

    let rubric = catalog().rubric_for_kind(question.kind).unwrap();
    for score in [&on_topic, &story, &stuffed] {
        assert!(!score.strengths.is_empty() && !score.improvements.is_empty());
        for dimension in &score.dimensions {
            for described in rubric.dimensions.iter().flat_map(|d| &d.levels) {
                assert!(!dimension.feedback.contains(described.as_str()));
            }
            for signal in rubric.signals() {
                assert!(
                    !dimension.feedback.contains(&signal.description),
                    "{}",
                    dimension.feedback
                );
            }
        }
    }
}

#[test]
fn an_answer_far_from_a_typed_in_question_is_off_topic() {
    let question = typed_in(
        crate::content::RoundKind::Screen,
        "How does a B-tree index make a database query faster, and what does it cost on writes?",
    );
    let score = grade_typed_in(&question, RATE_LIMITER);
    assert_eq!(score.overall, 1.0, "{score:#?}");
    assert!(!score.estimate, "a cap is not a guess");
    assert!(
        score.dimensions[0].feedback.contains("different question"),
        "{}",
        score.dimensions[0].feedback
    );
}

/// A correct prefix-sum solution, explained, with clean code or the same
/// code written carelessly.
fn subarray_answer(code: &str) -> String {
    format!(
        "A sliding window does not work here because the numbers can be negative, so the \
running sum is not monotonic. Instead I keep a running prefix sum and a hash map from each \
prefix value to how many times it occurred; a subarray ending here sums to k when an earlier \
prefix equals the current prefix minus k, so each step adds that count. I seed the map with \
zero seen once so subarrays starting at index 0 count, and I look up before inserting so k = 0 \
never counts an empty subarray.\n\n{code}\n\nThat is one pass, so O(n) time and O(n) space \
for the map. For [1, 1, 1] with k = 2 it returns 2.",
    )
}

const CLEAN_CODE: &str = "def count_subarrays(nums, k):
    seen = {0: 1}
    running = 0
    total = 0
    for value in nums:
        running += value
        total += seen.get(running - k, 0)
        seen[running] = seen.get(running, 0) + 1
    return total";

const CARELESS_CODE: &str = "def count_subarrays(nums, k):
    tmp = {0: 1}
    s = 0
    res2 = 0
    unused = []
    for v in nums:
        s += v
        res2 += tmp.get(s - k, 0)
        tmp[s] = tmp.get(s, 0) + 1
    return res2
    print(res2)";

#[test]
fn code_quality_reads_the_code_itself() {
    let level = |score: &AnswerScore| {
        score
            .dimensions
            .iter()
            .find(|d| d.id == "code_quality")
            .map(|d| (d.level, d.feedback.clone()))
            .unwrap()
    };
    let clean = grade(
        "coding-subarray-sum-equals-k",
        &[&subarray_answer(CLEAN_CODE)],
    );
    let careless = grade(
        "coding-subarray-sum-equals-k",
        &[&subarray_answer(CARELESS_CODE)],
    );
    let (clean_level, clean_feedback) = level(&clean);
    let (careless_level, careless_feedback) = level(&careless);
    assert!(clean_level >= 3, "clean, idiomatic code: {clean_feedback}");
    assert!(careless_level < clean_level, "{careless_feedback}");
    assert!(careless_feedback.contains("`tmp`"), "{careless_feedback}");
    assert!(
        careless.improvements.iter().any(|i| i.contains("Line")),
        "{:?}",
        careless.improvements
    );

    let prose_only = grade("coding-subarray-sum-equals-k", &[&subarray_answer("")]);
    assert!(
        level(&prose_only).1.contains("No code was found"),
        "{}",
        level(&prose_only).1
    );
}

#[test]
fn a_correct_java_cpp_or_csharp_answer_is_read_in_its_own_language() {
    let java = include_str!("../../../tests/fixtures/solutions/coding-subarray-sum-equals-k.java");
    let cpp = include_str!("../../../tests/fixtures/solutions/coding-subarray-sum-equals-k.cpp");
    let cs = include_str!("../../../tests/fixtures/solutions/coding-subarray-sum-equals-k.cs");
    for (tag, code) in [("java", java), ("cpp", cpp), ("csharp", cs)] {
        let answer = subarray_answer(&format!("```{tag}\n{code}```"));
        let score = grade("coding-subarray-sum-equals-k", &[&answer]);
        let (level, feedback) = score
            .dimensions
            .iter()
            .find(|d| d.id == "code_quality")
            .map(|d| (d.level, d.feedback.clone()))
            .unwrap();
        assert!(!feedback.contains("does not parse"), "{tag}: {feedback}");
        assert!(feedback.contains("Reading your code"), "{tag}: {feedback}");
        assert!(level >= 3, "{tag}: {feedback}");
    }
}

#[tokio::test]
async fn prepare_embeds_each_questions_references_before_its_first_answer() {
    test_model();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/test-models")
        .join(crate::embed::install::DEFAULT_DIR);
    // A model of its own: the shared one's cache is warmed by other tests.
    let embedder = Arc::new(Embedder::load(&dir).unwrap());
    let questions: Vec<Question> =
        catalog().questions(crate::content::RoundKind::Design)[..2].to_vec();
    let texts = |q: &Question| -> Vec<String> {
        features::reference_texts(q)
            .into_iter()
            .map(str::to_owned)
            .collect()
    };
    assert!(!embedder.is_cached(&questions[0].text));
    let grader = SubstanceGrader::new(Arc::clone(&embedder));
    grader.prepare(questions.clone()).unwrap().await.unwrap();
    for question in &questions {
        for text in texts(question) {
            assert!(embedder.is_cached(&text), "{text}");
        }
    }
}

#[test]
fn a_mentioned_point_without_a_short_head_quotes_the_answer_instead_of_saying_itself_twice() {
    let answer = "I measured it: p99 latency went from 120 ms down to 40 ms after I added a cache, \
and the trade-off was memory versus latency. I would test it by walking through a small example by \
hand.";
    let score = grade("screen-slow-query-indexing", &[answer]);
    let point = score
        .key_points
        .iter()
        .find(|k| k.text.starts_with("Knows indexes cost write amplification"))
        .unwrap();
    assert_eq!(point.status, Coverage::Mentioned, "{score:#?}");
    let feedback = score
        .dimensions
        .iter()
        .map(|d| d.feedback.as_str())
        .find(|f| f.contains("write amplification"))
        .unwrap();
    let said = feedback
        .split_once("You touched on this (\"")
        .and_then(|(_, rest)| rest.split_once("\")"))
        .map(|(quote, _)| quote)
        .unwrap_or_else(|| panic!("no quote in {feedback}"));
    assert!(answer.contains(said), "{said}");
    assert_eq!(
        feedback.matches("write amplification").count(),
        1,
        "{feedback}"
    );
    // The list of things to improve names it once too.
    let improvement = score
        .improvements
        .iter()
        .find(|i| i.contains("write amplification"))
        .unwrap();
    assert_eq!(
        improvement.matches("write amplification").count(),
        1,
        "{improvement}"
    );
}

/// A strong answer to the checkout latency incident, in its own terms:
/// impact, a hypothesis, rollback first, what the rollback would not undo,
/// how to narrow it, comms and the follow-up.
const CHECKOUT_INCIDENT: &str = "First I'd size it: p99 went from about 400 milliseconds to over a \
second while the median and the error rate are flat, so checkouts succeed but the slowest ones are \
much slower, which still costs us abandoned purchases. I'd declare a sev 2, post in the incident \
channel and tell the commerce and support teams that checkout is slow but working, with the next \
update in thirty minutes. The onset lines up with the deploy, so my leading hypothesis is the new \
release, probably a new synchronous call or query on one path, because only the tail moved. I \
wouldn't debug that on live traffic: I'd roll back to the last good version first and watch p99 come \
back to baseline. If it doesn't recover after the rollback, something the rollback didn't undo is \
still there, like a feature flag or config change shipped with the release, a schema migration or a \
flushed cache, so I'd check the flag history next and turn that flag off. To find the cause I'd \
compare new-version hosts with old ones during the rollout and pull traces of slow checkouts to see \
which span grew, then read the release diff for a new downstream call. Afterwards I'd run a blameless \
postmortem, add canary analysis on p99 latency and not only errors, with automatic rollback, and \
version flags and config with the release so one rollback covers both.";

/// Incident vocabulary true of any outage, with nothing about this one.
const GENERIC_INCIDENT: &str = "I would follow our incident response process. First I'd acknowledge \
the page and make sure the right people are involved. Then I'd look at the monitoring dashboards, logs \
and metrics to understand what is going on. I'd try to find the root cause and fix it as quickly as \
possible. Communication is important, so I'd keep stakeholders updated throughout. Once it is resolved \
I'd write a blameless postmortem with action items, and add more monitoring and alerting so it doesn't \
happen again. It's also important to stay calm and work as a team.";

/// `strong` answered to `question` reaches 2.5 and beats by a whole level
/// both `generic` answered to it and `strong` answered to `other`, a sibling
/// question; the three scores, for the caller's own checks.
pub(super) fn strong_beats_generic_and_elsewhere(
    question: &str,
    other: &str,
    strong: &str,
    generic: &str,
) -> (AnswerScore, AnswerScore, AnswerScore) {
    let own = grade(question, &[strong]);
    let generic = grade(question, &[generic]);
    let elsewhere = grade(other, &[strong]);
    assert!(own.overall >= 2.5, "{own:#?}");
    assert!(generic.overall <= own.overall - 1.0, "{generic:#?}");
    assert!(elsewhere.overall <= own.overall - 1.0, "{elsewhere:#?}");
    (own, generic, elsewhere)
}

#[test]
fn a_specific_incident_answer_beats_a_generic_one_and_reads_off_topic_elsewhere() {
    let (own, generic, elsewhere) = strong_beats_generic_and_elsewhere(
        "incident-checkout-latency-after-deploy",
        "incident-401s-after-signing-key-rotation",
        CHECKOUT_INCIDENT,
        GENERIC_INCIDENT,
    );
    assert_eq!(own.rubric_id, "incident");
    assert!(generic.overall <= 2.0, "{generic:#?}");
    assert!(elsewhere.overall < own.overall - 1.0, "{elsewhere:#?}");
    // The mitigation point is found, in the candidate's own words.
    let rollback = own
        .key_points
        .iter()
        .find(|k| k.text.starts_with("Roll back first"))
        .unwrap();
    assert_ne!(rollback.status, Coverage::Missed, "{own:#?}");
    assert!(CHECKOUT_INCIDENT.contains(rollback.quote.as_deref().unwrap().trim_end_matches('…')));
}

/// A strong threat model of outbound webhooks: the boundary, request
/// forgery with its bypasses, the proxy, signatures, detection and order.
const WEBHOOK_THREATS: &str = "The key thing is that we make an HTTP call to a URL the customer \
controls from inside our own network, so the delivery service crosses a trust boundary from our \
infrastructure to anywhere, and the assets at risk are our internal services, the cloud metadata \
endpoint with its credentials, and the customers' event data. The worst threat is server-side request \
forgery: someone registers a webhook pointing at the metadata address or an internal admin service, or \
a public hostname that redirects or later resolves to a private address through DNS rebinding, and we \
fetch it for them. So I'd send every delivery through an isolated egress proxy that resolves DNS \
itself at connection time, blocks private, link-local and metadata ranges, and doesn't follow \
redirects, and the delivery hosts carry no credentials at all. For customers the threat is forged or \
replayed calls, so each payload is signed with an HMAC using a per-webhook secret, including a \
timestamp and delivery id so receivers can reject replays, and they can rotate that secret. The cost \
is that customers must verify signatures and some setups behind redirects break, which I think is \
acceptable. I'd log destination IPs, alert on attempts to reach blocked ranges, and audit who created \
or changed each webhook. I'd fix the request forgery first because it can hand an attacker our cloud \
credentials, then the signing.";

/// Threat modelling vocabulary with no system in it.
const GENERIC_THREATS: &str = "I'd use the STRIDE methodology to identify threats: spoofing, \
tampering, repudiation, information disclosure, denial of service and elevation of privilege. For \
each one I'd apply security best practices such as strong authentication, authorisation with least \
privilege, encryption in transit and at rest, and input validation. I'd also make sure we have logging \
and monitoring in place to detect attacks, and an incident response plan. Finally I'd prioritise the \
risks by likelihood and impact and work with the team to fix the most important ones, following \
defence in depth and zero trust principles.";

#[test]
fn a_specific_threat_model_beats_a_checklist_and_reads_off_topic_elsewhere() {
    let (own, generic, elsewhere) = strong_beats_generic_and_elsewhere(
        "threat-outbound-webhooks",
        "threat-game-party-voice-chat",
        WEBHOOK_THREATS,
        GENERIC_THREATS,
    );
    assert_eq!(own.rubric_id, "threat-model");
    assert!(generic.overall <= 2.0, "{generic:#?}");
    assert!(elsewhere.overall < own.overall - 1.0, "{elsewhere:#?}");
    let forgery = own
        .key_points
        .iter()
        .find(|k| k.text.starts_with("Server-side request forgery"))
        .unwrap();
    assert_ne!(forgery.status, Coverage::Missed, "{own:#?}");
}

/// A strong product sense answer to the Teams recordings question: a user, a
/// diagnosis, a cut, a north star with guardrails, and a launch.
const RECORDINGS: &str = "The person I'd build for first is someone who missed the meeting, \
because their need is the clearest: they want to know what was decided without sitting through \
an hour of video. Before building anything I'd look at the playback data to see where people stop \
and where they seek to, and I'd talk to a dozen people who closed a recording in the first two \
minutes. My guess is they were hunting for two decisions and an action item and gave up. So I'd \
build an AI recap with chapters, the decisions and the action items, each linked to the moment in \
the recording, and I would not build cross-meeting search or a fancier player yet, even though \
people who want to rewatch get nothing new. The north star would be the share of people who \
missed a recorded meeting who open the recap or jump to a moment within a week. Guardrails: \
errors in the recap reported by attendees, live attendance not dropping, and no rise in admins \
turning transcription off. I'd ship it to internal rings first, then flight it to a share of \
tenants, with consent and retention policies respected and a way for attendees to correct the \
recap before it is shared.";

/// Product vocabulary true of any product question.
const GENERIC_PRODUCT: &str = "I'd start by understanding the users and their pain points, \
because customer obsession is the most important thing. Then I'd brainstorm a lot of ideas and \
prioritise them with a framework like RICE, focusing on impact versus effort. I'd define a north \
star metric and some guardrail metrics so we know whether we're successful. I'd build an MVP, run \
an A/B test, and iterate based on the data and user feedback. I'd make sure to think about risks, \
privacy and responsible AI, and I'd communicate clearly with stakeholders and engineering \
throughout. Finally I'd roll it out gradually and keep learning from customers.";

/// A strong program answer to the identity platform migration question.
const IDENTITY_MIGRATION: &str = "The date is fixed by the old platform losing support in nine \
months, so I'd plan to have every service moved a month before that. I'd start with a pilot of \
two or three willing services to prove the migration path, and I'd ask the platform team for a \
library and a guide so each team's cost drops from weeks to days. Then I'd sit down with the three \
teams: if their services are small, starting next quarter still leaves five months and that's \
fine, and I'd get a written start date and an acceptance test from each, all traffic on the new \
tokens and the old credentials revoked. If one of them is the long pole, I'd go to our sponsor \
with the facts: running identity on an unsupported platform is a security risk, here is the \
effort, and the options are to reprioritise their roadmap, lend them engineers, or accept the \
risk in writing; I'd recommend lending engineers. I'd track sign-ins on the old platform per \
service every week, so progress is measured rather than reported, and I'd flag the three teams \
as a risk in the first status report, not in month eight.";

/// Program vocabulary true of any program question.
const GENERIC_PROGRAM: &str = "I'd start by aligning all the stakeholders on the goals and the \
scope, and I'd build a detailed project plan with milestones and a RACI. I'd identify the \
dependencies and the critical path, and keep a risk register with owners and mitigations. I'd run \
a weekly status meeting and track everything on a dashboard, with red, amber and green status. \
If something went off track I'd escalate to leadership with options and a recommendation. I'd \
communicate transparently with executives and partner teams, share bad news early, and make sure \
everyone is accountable. Finally I'd hold a retrospective to learn for next time.";

#[test]
fn a_strong_product_answer_beats_buzzwords_and_earns_nothing_on_another_question() {
    strong_beats_generic_and_elsewhere(
        "product-teams-recordings-underused",
        "product-outlook-manager-inbox",
        RECORDINGS,
        GENERIC_PRODUCT,
    );
}

#[test]
fn a_strong_program_answer_beats_buzzwords_and_earns_nothing_on_another_question() {
    strong_beats_generic_and_elsewhere(
        "program-identity-platform-migration",
        "program-game-launch-day-readiness",
        IDENTITY_MIGRATION,
        GENERIC_PROGRAM,
    );
}

/// Every bank's questions are far enough apart that a good answer to one
/// never reads as an answer to a sibling: each question's own model outline,
/// answered to it, is judged on topic (a values outline tells its story).
#[test]
fn a_model_answer_to_any_shipped_question_is_on_topic() {
    for kind in crate::content::RoundKind::ALL {
        model_answers_are_on_topic(kind);
    }
}

/// Each of `kind`'s questions, answered with its own model outline, scores
/// above level 1 with evidence: no sibling reads as closer to it.
fn model_answers_are_on_topic(kind: crate::content::RoundKind) {
    for question in catalog().questions(kind) {
        let score = grade(&question.id, &[&question.outline.join(" ")]);
        assert!(score.overall > 1.0, "{}: {score:#?}", question.id);
        assert!(
            score.dimensions.iter().any(|d| !d.evidence.is_empty()),
            "{}: no evidence",
            question.id
        );
    }
}
