//! v3 on data design answers written for these tests: the data engineer
//! loop's round is graded on the mechanisms an answer names for the data in
//! front of it, not on data engineering vocabulary.

use super::tests::strong_beats_generic_and_elsewhere;
use crate::content::Band;
use crate::grading::{AnswerScore, Coverage};

/// A strong answer to the metered usage question: a deterministic id,
/// dedup on it, hours recomputed and overwritten, offsets committed with
/// the output, a watermark, reconciliation and the customers' credits.
const BILLED_ONCE: &str = "The root problem is that nothing identifies a unit of usage, so I'd ask \
every service to stamp each usage event with a deterministic id built from the service, the resource, \
the meter and the usage window. A retry after a timeout then carries the same id as the original. \
Event Hubs gives us at-least-once delivery, so the pipeline deduplicates on that id: a MERGE into the \
raw usage table keyed on the event id, and we keep the ids for longer than any service's retry window, \
say seven days. I would not increment hourly counters. Each hourly aggregate per subscription and meter \
is recomputed from the deduplicated events and the whole hour is overwritten, and the consumer commits \
its checkpoint in the same transaction as that write, so a worker restarted mid-deployment replays into \
the same result instead of adding it twice. An hour is handed to billing only after a watermark plus \
two hours of allowed lateness; usage that turns up later goes on the next bill as an adjustment rather \
than rewriting an invoice. Every hour we reconcile, per service and meter, the events the service says \
it emitted against what we received and what we billed, and if they differ by more than a tenth of a \
percent the publish to billing is held and we get paged. For last month, I'd work with billing and \
support on credits for the customers we overcharged, and keep an audit trail from each invoice line \
back to its events so support can answer a dispute.";

/// Data engineering vocabulary true of any pipeline, with nothing about
/// this one.
const GENERIC_DATA: &str = "I'd start by understanding the requirements and the data sources, then \
design a modern data platform with a medallion architecture of bronze, silver and gold layers. I'd \
ingest the data with a streaming tool like Kafka or Event Hubs and process it with Spark, storing \
everything in Delta Lake in the cloud. The pipeline would be idempotent and exactly once, with retries \
and error handling. I'd add data quality checks and monitoring so we know when something goes wrong, \
and I'd make sure the data is fresh and meets the SLA. For scale I'd partition the data and use \
Parquet. Security is important, so I'd use encryption and access control and comply with GDPR. \
Finally I'd document the data in a catalog with lineage and communicate with stakeholders so \
everyone trusts the data.";

#[test]
fn a_strong_data_design_answer_beats_buzzwords_and_earns_nothing_on_another_question() {
    let (own, generic, _) = strong_beats_generic_and_elsewhere(
        "data-design-cloud-usage-billed-once",
        "data-design-vm-diagnostics-layout",
        BILLED_ONCE,
        GENERIC_DATA,
    );
    assert_eq!(own.rubric_id, "data-design");
    // Naming idempotency, exactly-once and quality checks is not a hire.
    assert!(generic.overall < Band::Mid.hire_bar(), "{generic:#?}");
    // The dedup mechanism is credited to the answer that names it.
    let dedup = |score: &AnswerScore| {
        score
            .key_points
            .iter()
            .find(|k| k.text.starts_with("Treats the transport as at-least-once"))
            .map(|k| k.status)
    };
    assert_ne!(dedup(&own), Some(Coverage::Missed), "{own:#?}");
    assert_eq!(dedup(&generic), Some(Coverage::Missed), "{generic:#?}");
}
