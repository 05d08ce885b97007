use super::*;

fn signal(patterns: &[&str], requires: &[Requirement]) -> Signal {
    Signal {
        id: "s".into(),
        description: "s".into(),
        patterns: patterns.iter().map(|p| p.parse().unwrap()).collect(),
        requires: requires.to_vec(),
    }
}

fn shown_in(text: &str, signal: &Signal) -> Vec<String> {
    let answers = [text];
    let analysis = Analysis::new(&answers);
    analysis
        .hits(signal)
        .into_iter()
        .map(|h| analysis.sentences[h.sentence].text.to_owned())
        .collect()
}

#[test]
fn each_sentence_that_shows_a_signal_is_a_hit_once() {
    let s = signal(&["edge case*", "empty"], &[]);
    assert_eq!(
        shown_in(
            "Edge cases: empty input is an edge case. Then I sort. Empty lists return zero.",
            &s
        ),
        vec![
            "Edge cases: empty input is an edge case.",
            "Empty lists return zero."
        ]
    );
}

#[test]
fn a_negated_phrase_does_not_count() {
    let s = signal(&["unit test*", "edge case*"], &[]);
    assert!(shown_in("I didn't write unit tests for it.", &s).is_empty());
    assert!(shown_in("There are no edge cases here.", &s).is_empty());
    assert_eq!(
        shown_in("Not now, but unit tests would cover it.", &s).len(),
        1
    );
}

#[test]
fn a_result_needs_a_number_when_the_signal_asks_for_one() {
    let s = signal(&["reduc*", "went from"], &[Requirement::Number]);
    assert!(shown_in("It reduced latency a lot.", &s).is_empty());
    assert_eq!(shown_in("It reduced p99 latency by 40%.", &s).len(), 1);
    assert_eq!(
        shown_in("Tickets went from twelve a week to two.", &s).len(),
        1
    );
}

#[test]
fn first_person_means_i_did_it_not_we_or_i_would() {
    let s = signal(&["decided", "wrote"], &[Requirement::FirstPerson]);
    assert!(shown_in("We decided to roll back.", &s).is_empty());
    assert!(shown_in("I would have decided to roll back.", &s).is_empty());
    assert_eq!(shown_in("I decided to roll back the release.", &s).len(), 1);
    assert_eq!(
        shown_in("The fix was mine: my team lead and me wrote it.", &s).len(),
        1
    );
}

#[test]
fn a_reasoning_marker_needs_content_on_both_sides() {
    let s = signal(&["which means", "trade off*"], &[Requirement::BothSides]);
    assert!(shown_in("Which means trade offs.", &s).is_empty());
    assert_eq!(
        shown_in(
            "Writes go to one leader, which means reads may lag behind it.",
            &s
        )
        .len(),
        1
    );
    assert_eq!(
        shown_in(
            "We cache user profiles aggressively. Trade off: profile edits show late.",
            &s
        )
        .len(),
        1,
        "an opening marker takes its left side from the sentence before"
    );
}

#[test]
fn questions_and_numbers_are_pattern_tokens() {
    let s = signal(&["?"], &[]);
    assert_eq!(
        shown_in("Can the input contain negative numbers? Why? Ok.", &s).len(),
        1
    );
    let s = signal(&["# qps"], &[]);
    assert_eq!(shown_in("Peak is about 20k qps at launch.", &s).len(), 1);
}

#[test]
fn a_list_of_terms_is_not_prose() {
    let answers = [
        "Sharding, caching, load balancing, Kafka, CAP theorem. I shard by user id, so hot users stay on one node.",
    ];
    let analysis = Analysis::new(&answers);
    assert!(analysis.sentences[0].is_term_list());
    assert!(!analysis.sentences[1].is_term_list());
}

#[test]
fn headed_term_lists_name_terms_only_even_with_a_participle_and_reasoning_does_not() {
    let listed = [
        "Mitigations: server authority, receipt verification, transaction id, redeemed once, atomic transactions.",
        "Detection: logs reviewed, alerts tuned, anomalies flagged, owners paged.",
        "My answer covers: two-sided marketplace, member attention, shared resource, member trust.",
        "Plan: pilot team, waves, milestones, exit criteria, cache hit rate, no broken builds.",
    ];
    let reasoning = [
        "Mitigation: I roll back first, because the onset follows the deploy, and watch p99 fall.",
        "Mitigation: roll back to the last good version first, since the timing lines up with the deploy, then watch p99 return to 400 ms.",
        "We measured p50, p90, p99, error rate and saturation.",
        "Detection: alerts on ledger invariants, such as currency created without a matching purchase, page the economy team.",
        "Rate limits: five codes per hour per account, then a lockout.",
    ];
    let cases = listed.map(|t| (t, true)).into_iter();
    for (text, terms_only) in cases.chain(reasoning.map(|t| (t, false))) {
        let answers = [text];
        let analysis = Analysis::new(&answers);
        assert_eq!(
            analysis.sentences[0].names_terms_only(),
            terms_only,
            "{text}"
        );
    }
    // "10%" is one word of an item, as written, though the tokens spell
    // it out: these are four items of four words.
    let answers = [
        "Targets: 10% more cache hits, 5% fewer error pages, 2% lower p99 latency, 1% fewer paging alerts.",
    ];
    assert!(Analysis::new(&answers).sentences[0].listed);
}

#[test]
fn phrases_do_not_match_across_sentences_or_turns() {
    let s = signal(&["edge case"], &[]);
    assert!(shown_in("We reached the edge. Case closed.", &s).is_empty());
    let answers = ["the edge", "case"];
    assert!(Analysis::new(&answers).hits(&s).is_empty());
}
