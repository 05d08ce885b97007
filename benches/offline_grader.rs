//! Throughput of the offline grader on 200-word answers, one core.
//!
//! Target (issue 3): at least 10,000 answers per second per core. Run with
//! `cargo bench --bench offline_grader`; it prints answers per second for
//! each shipped rubric and the ratio to the target. Timing is by wall clock
//! over repeated batches; the figure reported is the median batch.

use std::hint::black_box;
use std::time::{Duration, Instant};

use mockloop::content::{Catalog, RoundKind};
use mockloop::grading::{GradeRequest, OfflineGrader};

const TARGET_PER_SECOND: f64 = 10_000.0;
const BATCH: usize = 2_000;
const BATCHES: usize = 15;

/// `MOCKLOOP_BENCH_BATCH` shrinks the batches, to run under a profiler.
fn batch() -> usize {
    std::env::var("MOCKLOOP_BENCH_BATCH")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(BATCH)
}

/// Spoken-style answers of about 200 words, as a candidate would give them.
const DESIGN: &str = "Before I start, can I assume we need about fifty million daily users and mostly reads? \
I'd estimate around 20k requests per second at peak, with writes a tenth of that. The client talks to an API \
gateway behind a load balancer, which routes to stateless app servers, so we can scale out horizontally. \
Data goes into a sharded key value store partitioned by user id, because most queries are per user and that \
keeps them on one node. I'd put a Redis cache in front for hot keys; the trade-off is that a cached profile \
can be stale for a few seconds, which is fine for this product but not for payments. For reliability each \
shard has three replicas across zones, and if the leader goes down we fail over in under thirty seconds. \
Clients retry with exponential backoff and jitter so a blip doesn't become a thundering herd. For security, \
every request is authenticated with OAuth tokens and we encrypt data at rest. We'd watch p99 latency, error \
rate and saturation on dashboards, with alerts tied to the SLO, and trace requests end to end to find slow hops.";

const VALUES: &str = "In my last role I owned the billing export that finance used to close the month. \
The problem was that it failed about one night in five, and each failure cost the team half a day of manual \
fixes. My goal was to make it reliable before the quarter closed, which gave me six weeks. First I pulled \
three months of logs and found that most failures were timeouts against one slow upstream API. Then I \
decided to split the export into idempotent batches, so a failed batch could be retried without duplicating \
rows, and I wrote a small replay tool for finance to run themselves. I also set up an alert that paged me \
instead of them. I pushed back on a full rewrite that my manager suggested, because the data showed the \
problem was narrow. As a result failures went from six a month to zero over the next quarter, and finance \
saved about ten hours a month. In hindsight I should have talked to the finance analysts in week one rather \
than week three. Since then I start every reliability project by interviewing the people who feel the pain.";

fn main() {
    let catalog = Catalog::embedded().expect("shipped content is valid");
    println!(
        "offline grader ({}), {} words per answer",
        OfflineGrader::ID,
        words(DESIGN)
    );
    println!(
        "{:<10} {:>14} {:>12} {:>10}",
        "rubric", "answers/s", "µs/answer", "× target"
    );
    let mut worst = f64::INFINITY;
    for kind in RoundKind::ALL {
        let rubric = catalog.rubric_for_kind(kind).expect("a rubric per kind");
        let question = &catalog.questions(kind)[0];
        let text = if kind == RoundKind::Values {
            VALUES
        } else {
            DESIGN
        };
        let answers = [text.to_owned()];
        let request = GradeRequest {
            rubric,
            question,
            answers: &answers,
            hints: &[],
        };
        let per_second = measure(|| {
            black_box(OfflineGrader.score(black_box(request)));
        });
        worst = worst.min(per_second);
        println!(
            "{:<10} {:>14.0} {:>12.1} {:>10.2}",
            kind.as_str(),
            per_second,
            1e6 / per_second,
            per_second / TARGET_PER_SECOND
        );
    }
    println!(
        "slowest rubric: {:.0} answers/s, {:.2}× the target of {:.0}/s",
        worst,
        worst / TARGET_PER_SECOND,
        TARGET_PER_SECOND
    );
}

/// Answers per second: the median over batches, after one warm-up batch.
fn measure(mut grade: impl FnMut()) -> f64 {
    let batch = batch();
    let mut times: Vec<Duration> = Vec::with_capacity(BATCHES);
    for round in 0..=BATCHES {
        let start = Instant::now();
        for _ in 0..batch {
            grade();
        }
        if round > 0 {
            times.push(start.elapsed());
        }
    }
    times.sort();
    batch as f64 / times[times.len() / 2].as_secs_f64()
}

fn words(text: &str) -> usize {
    text.split_whitespace().count()
}
