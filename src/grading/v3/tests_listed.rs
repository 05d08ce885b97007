//! v3 on answers laid out as lists, written for these tests: stuffing
//! dressed as a structured answer earns nothing, and a terse answer that
//! names mechanisms between sentences that reason keeps its credit.

use super::tests::{features_of, grade};

const QUESTION: &str = "incident-checkout-latency-after-deploy";

/// The question's vocabulary under headings, with participles that make
/// a few items look like clauses.
const LISTED: &str = "Impact: p99 latency, checkout SLO, abandoned carts, moderate severity. \
Hypotheses: deploy correlated, slow path suspected, lock contention, cache misses. \
Mitigation: rollback initiated, previous version, flags reverted, p99 watched. \
Diagnosis: traces compared, slow spans, release diff, old and new hosts. \
Communication: incident channel, commerce team, support team, next update time. \
Prevention: canary analysis, automatic rollback, tail latency alert, versioned config.";

/// The same ground in fewer words, listing where a list is the point and
/// saying why where it matters.
const TERSE: &str = "Errors are flat and the median is unchanged, so most checkouts work but \
the slowest are three times slower: I'd declare a moderate severity and tell commerce and \
support. The onset follows the deploy, so I roll it back now rather than debug on customer \
traffic, and watch p99 return to about 400 ms. If it doesn't, the rollback missed something: a \
flag, a config change or a migration shipped alongside. Then traces of slow checkouts, old \
hosts against new, and the release diff for a new synchronous call. Afterwards: canary gates on \
p99, not only errors, with automatic rollback.";

#[test]
fn term_lists_under_headings_are_capped_and_told_to_say_how() {
    let f = features_of(QUESTION, LISTED);
    assert!(
        f.listed_share >= super::judge::MAX_LISTED,
        "{}",
        f.listed_share
    );
    let score = grade(QUESTION, &[LISTED]);
    assert!(score.overall < 1.5, "{score:#?}");
    for dimension in &score.dimensions {
        assert!(
            dimension.feedback.contains("under headings"),
            "{}",
            dimension.feedback
        );
    }
}

#[test]
fn a_terse_answer_that_reasons_between_its_lists_keeps_its_credit() {
    let f = features_of(QUESTION, TERSE);
    assert!(
        f.listed_share < super::judge::MAX_LISTED,
        "{}",
        f.listed_share
    );
    let score = grade(QUESTION, &[TERSE]);
    assert!(score.overall >= 2.5, "{score:#?}");
}
