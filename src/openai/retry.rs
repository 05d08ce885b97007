//! Retries of one chat-completions request, bounded in count and in time.
//!
//! async-openai's own retry layer honours any `Retry-After`, however long,
//! and has no time budget, so a 429 storm could hold a score for minutes.
//! This policy retries what that layer retries (429, 5xx, a refused
//! connection: `should_retry`), with the same exponential backoff, but gives
//! up when the next wait would overrun the budget. A request that timed out
//! is not retried: a hung endpoint would hang again.

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use async_openai::error::OpenAIError;
use async_openai::middleware::HttpRequestFactory;
use async_openai::middleware::retry::should_retry;

/// First backoff step; doubled per retry up to `MAX_BACKOFF`.
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(8);

#[derive(Clone, Debug)]
pub struct BoundedRetry {
    max_retries: u32,
    budget: Duration,
    attempts: u32,
    /// When the first failed attempt came back; the budget runs from there.
    started: Option<Instant>,
}

impl BoundedRetry {
    pub fn new(max_retries: u32, budget: Duration) -> BoundedRetry {
        BoundedRetry {
            max_retries,
            budget,
            attempts: 0,
            started: None,
        }
    }

    /// How long to wait before the next attempt, or `None` to stop.
    fn next_delay(&mut self, now: Instant, retry_after: Option<Duration>) -> Option<Duration> {
        if self.attempts >= self.max_retries {
            return None;
        }
        let started = *self.started.get_or_insert(now);
        let backoff = FIRST_BACKOFF
            .saturating_mul(2_u32.saturating_pow(self.attempts))
            .min(MAX_BACKOFF);
        let delay = retry_after.unwrap_or(backoff);
        if now.saturating_duration_since(started) + delay > self.budget {
            tracing::warn!(
                wait_ms = delay.as_millis() as u64,
                "LLM endpoint asks for a wait beyond the retry budget; giving up"
            );
            return None;
        }
        self.attempts += 1;
        Some(delay)
    }
}

type Wait = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

impl tower::retry::Policy<HttpRequestFactory, reqwest::Response, OpenAIError> for BoundedRetry {
    type Future = Wait;

    fn retry(
        &mut self,
        _request: &mut HttpRequestFactory,
        result: &mut Result<reqwest::Response, OpenAIError>,
    ) -> Option<Wait> {
        if !should_retry(result) {
            return None;
        }
        let retry_after = result.as_ref().ok().and_then(|response| {
            response
                .headers()
                .get(reqwest::header::RETRY_AFTER)?
                .to_str()
                .ok()?
                .trim()
                .parse::<u64>()
                .ok()
                .map(Duration::from_secs)
        });
        let status = result.as_ref().ok().map(|r| r.status().as_u16());
        let delay = self.next_delay(Instant::now(), retry_after)?;
        tracing::info!(
            ?status,
            attempt = self.attempts,
            wait_ms = delay.as_millis() as u64,
            "retrying the LLM request"
        );
        Some(Box::pin(tokio::time::sleep(delay)))
    }

    fn clone_request(&mut self, request: &HttpRequestFactory) -> Option<HttpRequestFactory> {
        Some(request.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_until_the_retry_count_runs_out() {
        let mut policy = BoundedRetry::new(3, Duration::from_secs(30));
        let now = Instant::now();
        assert_eq!(
            policy.next_delay(now, None),
            Some(Duration::from_millis(100))
        );
        assert_eq!(
            policy.next_delay(now, None),
            Some(Duration::from_millis(200))
        );
        assert_eq!(
            policy.next_delay(now, None),
            Some(Duration::from_millis(400))
        );
        assert_eq!(policy.next_delay(now, None), None);
    }

    #[test]
    fn a_retry_after_beyond_the_budget_ends_the_retries() {
        let mut policy = BoundedRetry::new(5, Duration::from_secs(10));
        let start = Instant::now();
        let secs = Duration::from_secs;
        assert_eq!(policy.next_delay(start, Some(secs(2))), Some(secs(2)));
        let later = start + secs(2);
        assert_eq!(policy.next_delay(later, Some(secs(3600))), None);
        assert_eq!(
            policy.next_delay(later, Some(secs(9))),
            None,
            "2 s spent + 9 s > 10 s"
        );
        assert_eq!(policy.next_delay(later, Some(secs(7))), Some(secs(7)));
    }
}
