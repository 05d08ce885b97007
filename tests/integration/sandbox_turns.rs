//! Sharing the code runner between sessions: a few sessions looping long
//! runs must not make another candidate wait behind each of their runs
//! (the outside review measured 23 s for a trivial run), and a full queue
//! is refused at once with a time to try again.

use std::sync::Arc;
use std::time::Duration;

use mockloop::config::{Bounded, SandboxConfig};
use mockloop::content::CodeLanguage;
use mockloop::sandbox::{Refused, Sandbox, SandboxError, TestRun};
use tokio::sync::mpsc;

use crate::sandbox::{PY_CORRECT, next_uid, shipped_tests};

const QUESTION: &str = "coding-subarray-sum-equals-k";

/// Holds its slot until the wall-clock limit stops it.
const PY_SLEEPS: &str = "import time\ndef count_subarrays(nums, k):\n    time.sleep(600)\n";

/// One slot, and runs stopped after two seconds so the hogs' turns are
/// short.
async fn one_slot() -> Arc<Sandbox> {
    let sandbox = Arc::new(Sandbox::new(SandboxConfig {
        uid: Bounded::new(next_uid()).unwrap(),
        wall_seconds: Bounded::new(2).unwrap(),
        concurrency: Bounded::new(1).unwrap(),
        ..SandboxConfig::default()
    }));
    let status = sandbox.status().await;
    assert!(status.enabled, "the sandbox must work here: {status:?}");
    sandbox
}

/// Starts a run for `owner` and returns once the slot is held and
/// `waiting_after` runs wait (so the order of arrival is the test's); its
/// result is sent, tagged, on `done`.
async fn start(
    sandbox: &Arc<Sandbox>,
    owner: &'static str,
    code: &'static str,
    done: &mpsc::UnboundedSender<(&'static str, Result<TestRun, SandboxError>)>,
    waiting_after: usize,
) -> tokio::task::JoinHandle<()> {
    let (sandbox_, done) = (Arc::clone(sandbox), done.clone());
    let task = tokio::spawn(async move {
        let result = sandbox_
            .run(owner, CodeLanguage::Python, code, &shipped_tests(QUESTION))
            .await;
        let _ = done.send((owner, result));
    });
    while sandbox.running() != 1 || sandbox.waiting() != waiting_after {
        tokio::task::yield_now().await;
    }
    task
}

#[tokio::test]
async fn a_candidate_who_has_not_run_lately_goes_before_sessions_looping_long_runs() {
    let sandbox = one_slot().await;
    let (done, mut finished) = mpsc::unbounded_channel();
    // hog-a holds the slot; hog-b waits.
    let _a = start(&sandbox, "hog-a", PY_SLEEPS, &done, 0).await;
    let _b = start(&sandbox, "hog-b", PY_SLEEPS, &done, 1).await;
    // hog-a's run ends and it runs again at once, as a loop would; then a
    // candidate presses "Run tests" once.
    let (owner, _) = finished.recv().await.unwrap();
    assert_eq!(owner, "hog-a");
    let _a2 = start(&sandbox, "hog-a", PY_SLEEPS, &done, 1).await;
    let _c = start(&sandbox, "candidate", PY_CORRECT, &done, 2).await;
    let order: Vec<&str> = [
        finished.recv().await.unwrap(),
        finished.recv().await.unwrap(),
    ]
    .iter()
    .map(|(owner, result)| {
        assert!(result.is_ok(), "{owner}: {result:?}");
        *owner
    })
    .collect();
    // First come, first served would run hog-a's second run first.
    assert_eq!(order, ["hog-b", "candidate"]);
    let (owner, _) = finished.recv().await.unwrap();
    assert_eq!(owner, "hog-a");
}

#[tokio::test]
async fn a_full_queue_refuses_at_once_with_when_to_try_again() {
    let sandbox = one_slot().await;
    let (done, _finished) = mpsc::unbounded_channel();
    let mut tasks = vec![start(&sandbox, "running", PY_SLEEPS, &done, 0).await];
    // Four runs may wait per slot.
    for (i, owner) in ["w1", "w2", "w3", "w4"].into_iter().enumerate() {
        tasks.push(start(&sandbox, owner, PY_SLEEPS, &done, i + 1).await);
    }
    let refused = sandbox
        .run(
            "late",
            CodeLanguage::Python,
            PY_CORRECT,
            &shipped_tests(QUESTION),
        )
        .await;
    let message = match &refused {
        Err(busy @ SandboxError::Busy { retry_after, .. }) => {
            // The run holding the slot and the four waiting, at most two
            // seconds each.
            assert_eq!(*retry_after, Duration::from_secs(10));
            busy.to_string()
        }
        other => panic!("a full queue refuses: {other:?}"),
    };
    assert!(message.contains("try again in about 10 s"), "{message}");
    // A session already waiting is not given a second place.
    let again = sandbox
        .run(
            "w1",
            CodeLanguage::Python,
            PY_CORRECT,
            &shipped_tests(QUESTION),
        )
        .await;
    assert!(
        matches!(
            again,
            Err(SandboxError::Busy {
                why: Refused::AlreadyWaiting,
                ..
            })
        ),
        "{again:?}"
    );
    for task in tasks {
        task.abort();
    }
}
