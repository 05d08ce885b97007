//! The bounded queue between async callers and the whisper worker threads.
//!
//! Callers never wait for room: a full queue answers `Busy` at once so the
//! session can tell the client to slow down. A final clip may take the
//! place of the oldest waiting partial one (partials are refreshed on a
//! cadence anyway, finals are what the candidate's answer is made of).
//!
//! **Fair between sessions.** A session (a job's `owner`) has at most one
//! partial clip waiting (a newer one replaces it). When the queue is full,
//! the session holding the most waiting clips gives up its newest to a
//! session holding fewer, rather than the newcomer being refused; and
//! workers take the waiting clip whose session was served longest ago. So a
//! session flooding the recogniser (its audio is already paced to real time
//! at the socket) slows only itself.
//!
//! **Cores.** The workers share a budget of cores (`workers × threads`),
//! and a pass runs only with cores granted from it, so whisper.cpp's
//! spinning threads never outnumber the cores (which stalls every pass).
//! A partial pass gets `threads`. A final one is what the candidate waits
//! for at the end of speech, so it goes first and gets every core free:
//! when partial passes hold cores it asks them to give way (see
//! [`Queue::final_waiting`]) and waits for them, rather than starting
//! beside them on a share of the machine. Measured on 2 cores: 10.3 s of
//! speech took 403 ms on both against 667 ms on one.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};

use tokio::sync::oneshot;

use super::{Request, SpeechError, Transcript};

pub struct Job {
    pub request: Request,
    /// The caller's span, entered on the worker so logs stay attributed.
    pub span: tracing::Span,
    pub reply: oneshot::Sender<Result<Transcript, SpeechError>>,
}

pub struct Queue {
    capacity: usize,
    /// The cores all passes together may use.
    cores: usize,
    /// A partial pass's threads, and the fewest a final one starts with.
    threads: usize,
    inner: Mutex<Inner>,
    /// Signalled when a job arrives or cores are released.
    ready: Condvar,
    /// Final jobs in the queue (kept outside the lock for running passes
    /// to poll cheaply).
    finals_waiting: AtomicUsize,
}

struct Inner {
    jobs: VecDeque<Job>,
    closed: bool,
    /// Cores not granted to a running pass.
    free: usize,
    /// Cores granted to running partial passes.
    partial_cores: usize,
    /// When each owner was last served (a count of grants), for taking
    /// turns; owners never served (or anonymous) count as 0.
    served: HashMap<Arc<str>, u64>,
    grants: u64,
}

/// Above this many remembered owners, those with nothing waiting are
/// forgotten (they would simply count as never served).
const FORGET_ABOVE: usize = 1_024;

impl Inner {
    fn last_served(&self, job: &Job) -> u64 {
        job.request
            .owner
            .as_ref()
            .and_then(|o| self.served.get(o))
            .copied()
            .unwrap_or(0)
    }

    /// The waiting job of this kind whose owner was served longest ago,
    /// the oldest among equals.
    fn next(&self, partial: bool) -> Option<usize> {
        self.jobs
            .iter()
            .enumerate()
            .filter(|(_, j)| j.request.partial == partial)
            .min_by_key(|&(i, j)| (self.last_served(j), i))
            .map(|(i, _)| i)
    }

    /// Positions of `owner`'s waiting jobs of this kind.
    fn waiting_for(&self, owner: &str, partial: bool) -> Vec<usize> {
        self.jobs
            .iter()
            .enumerate()
            .filter(|(_, j)| {
                j.request.partial == partial && j.request.owner.as_deref() == Some(owner)
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// The newest waiting clip of the session holding the most, when that
    /// session holds at least two more than `owner` (so after the swap it
    /// still holds at least as many): `None` when shares are even.
    fn largest_share(&self, owner: Option<&str>) -> Option<usize> {
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for job in &self.jobs {
            if let Some(o) = job.request.owner.as_deref() {
                *counts.entry(o).or_default() += 1;
            }
        }
        let mine = owner.and_then(|o| counts.get(o)).copied().unwrap_or(0);
        let (largest, held) = counts
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map(|(o, n)| (*o, *n))?;
        (held >= mine + 2)
            .then(|| {
                self.jobs
                    .iter()
                    .rposition(|j| j.request.owner.as_deref() == Some(largest))
            })
            .flatten()
    }

    fn served_now(&mut self, owner: Option<Arc<str>>) {
        self.grants += 1;
        if let Some(owner) = owner {
            self.served.insert(owner, self.grants);
        }
        if self.served.len() > FORGET_ABOVE {
            let jobs = &self.jobs;
            self.served
                .retain(|o, _| jobs.iter().any(|j| j.request.owner.as_ref() == Some(o)));
        }
    }
}

/// A job and the threads it may run with; give the threads back with
/// [`Queue::release`].
pub struct Grant {
    pub job: Job,
    pub threads: usize,
}

impl Queue {
    /// A queue of `capacity` waiting jobs, for `workers` passes of `threads`
    /// threads each.
    pub fn new(capacity: usize, workers: usize, threads: usize) -> Queue {
        let threads = threads.max(1);
        let cores = workers.max(1) * threads;
        Queue {
            capacity: capacity.max(1),
            cores,
            threads,
            inner: Mutex::new(Inner {
                jobs: VecDeque::new(),
                closed: false,
                free: cores,
                partial_cores: 0,
                served: HashMap::new(),
                grants: 0,
            }),
            ready: Condvar::new(),
            finals_waiting: AtomicUsize::new(0),
        }
    }

    /// A poisoned lock only means a worker panicked mid-push; the queue
    /// itself is still consistent, so keep serving.
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn push(&self, job: Job) -> Result<(), SpeechError> {
        let mut inner = self.lock();
        if inner.closed {
            return Err(SpeechError::Failed(
                "the recogniser is shutting down".into(),
            ));
        }
        self.forget_abandoned(&mut inner);
        let waiting = inner.jobs.len();
        if let Some(owner) = job.request.owner.as_deref()
            && job.request.partial
        {
            // A newer partial of the same session supersedes one waiting.
            let old = inner.waiting_for(owner, true).first().copied();
            if let Some(dropped) = old.and_then(|i| inner.jobs.remove(i)) {
                let _ = dropped.reply.send(Err(SpeechError::Busy(waiting)));
            }
        }
        if inner.jobs.len() >= self.capacity {
            let partial = inner.jobs.iter().position(|j| j.request.partial);
            let make_room = match partial {
                // A final takes the place of a partial…
                Some(i) if !job.request.partial => Some(i),
                // …or of the newest clip of the session holding the most,
                // if that is not this one's and holds more than it will.
                _ if !job.request.partial => inner.largest_share(job.request.owner.as_deref()),
                _ => None,
            };
            let Some(dropped) = make_room.and_then(|i| inner.jobs.remove(i)) else {
                return Err(SpeechError::Busy(waiting));
            };
            if !dropped.request.partial {
                self.finals_waiting.fetch_sub(1, Ordering::Relaxed);
            }
            let _ = dropped.reply.send(Err(SpeechError::Busy(waiting)));
        }
        if !job.request.partial {
            self.finals_waiting.fetch_add(1, Ordering::Relaxed);
        }
        inner.jobs.push_back(job);
        drop(inner);
        // Every worker may be waiting for cores rather than for work.
        self.ready.notify_all();
        Ok(())
    }

    /// Drops waiting clips whose caller gave up (a session withdraws an
    /// early pass once the candidate speaks on): a worker would skip them
    /// anyway, and while they wait they would count against their session's
    /// share and could cost it a final it still wants.
    fn forget_abandoned(&self, inner: &mut Inner) {
        let before = inner.jobs.len();
        let finals_before = inner.jobs.iter().filter(|j| !j.request.partial).count();
        inner.jobs.retain(|j| !j.reply.is_closed());
        if inner.jobs.len() < before {
            let finals = inner.jobs.iter().filter(|j| !j.request.partial).count();
            self.finals_waiting
                .fetch_sub(finals_before - finals, Ordering::Relaxed);
        }
    }

    /// Blocks a worker until a job can run: the first final one, else the
    /// oldest, once cores are free for it. `None` once closed and drained.
    pub fn pop(&self) -> Option<Grant> {
        let mut inner = self.lock();
        loop {
            if let Some(grant) = self.runnable(&mut inner) {
                return Some(grant);
            }
            if inner.closed && inner.jobs.is_empty() {
                return None;
            }
            inner = self.ready.wait(inner).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// The job [`Queue::pop`] would take now, if one can run now.
    fn runnable(&self, inner: &mut Inner) -> Option<Grant> {
        let i = inner.next(false).or_else(|| inner.next(true))?;
        let partial = inner.jobs[i].request.partial;
        let threads = if partial {
            (inner.free >= self.threads).then_some(self.threads)
        } else if inner.partial_cores > 0 {
            // Partial passes are giving way (they poll `final_waiting`);
            // wait for all of the cores.
            None
        } else {
            (inner.free >= self.threads).then_some(inner.free)
        }?;
        inner.free -= threads;
        if partial {
            inner.partial_cores += threads;
        } else {
            self.finals_waiting.fetch_sub(1, Ordering::Relaxed);
        }
        let job = inner.jobs.remove(i)?;
        inner.served_now(job.request.owner.clone());
        Some(Grant { job, threads })
    }

    /// Gives back the cores of a finished pass.
    pub fn release(&self, grant_threads: usize, partial: bool) {
        let mut inner = self.lock();
        inner.free = (inner.free + grant_threads).min(self.cores);
        if partial {
            inner.partial_cores = inner.partial_cores.saturating_sub(grant_threads);
        }
        drop(inner);
        self.ready.notify_all();
    }

    /// A final job is waiting: a running partial pass should stop early
    /// (its transcript would only be shown, and is refreshed anyway).
    pub fn final_waiting(&self) -> bool {
        self.finals_waiting.load(Ordering::Relaxed) > 0
    }

    pub fn len(&self) -> usize {
        self.lock().jobs.len()
    }

    /// A partial pass holds cores now.
    pub fn partial_running(&self) -> bool {
        self.lock().partial_cores > 0
    }

    pub fn close(&self) {
        self.lock().closed = true;
        self.ready.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Reply = oneshot::Receiver<Result<Transcript, SpeechError>>;

    thread_local! {
        /// Replies of jobs pushed by [`waiting`]: a job whose caller is
        /// gone is forgotten, so the test keeps its callers waiting.
        static CALLERS: std::cell::RefCell<Vec<Reply>> = const { std::cell::RefCell::new(Vec::new()) };
    }

    /// The job, its caller still waiting for the reply.
    fn waiting((job, reply): (Job, Reply)) -> Job {
        CALLERS.with(|c| c.borrow_mut().push(reply));
        job
    }

    fn job(partial: bool) -> (Job, Reply) {
        let (reply, rx) = oneshot::channel();
        let request = Request {
            partial,
            ..Request::default()
        };
        let span = tracing::Span::none();
        (
            Job {
                request,
                span,
                reply,
            },
            rx,
        )
    }

    #[test]
    fn a_full_queue_is_busy_but_a_final_clip_displaces_a_partial_one() {
        let queue = Queue::new(2, 1, 1);
        let (p, mut p_rx) = job(true);
        queue.push(p).unwrap();
        queue.push(waiting(job(false))).unwrap();
        assert!(matches!(
            queue.push(waiting(job(true))),
            Err(SpeechError::Busy(2))
        ));
        queue.push(waiting(job(false))).unwrap();
        assert!(matches!(p_rx.try_recv(), Ok(Err(SpeechError::Busy(_)))));
        assert!(matches!(
            queue.push(waiting(job(false))),
            Err(SpeechError::Busy(2))
        ));
        assert_eq!(queue.len(), 2);
        queue.close();
        for _ in 0..2 {
            let grant = queue.pop().unwrap();
            queue.release(grant.threads, grant.job.request.partial);
        }
        assert!(queue.pop().is_none());
    }

    fn owned(owner: &str, partial: bool) -> (Job, Reply) {
        let (mut job, rx) = job(partial);
        job.request.owner = Some(Arc::from(owner));
        (job, rx)
    }

    #[test]
    fn a_flooding_session_only_slows_itself() {
        let queue = Queue::new(3, 1, 1);
        // The flooder fills the queue; a newer partial of its own replaces
        // its waiting one.
        let (first_partial, mut replaced) = owned("flooder", true);
        queue.push(first_partial).unwrap();
        queue.push(waiting(owned("flooder", true))).unwrap();
        assert!(matches!(replaced.try_recv(), Ok(Err(SpeechError::Busy(_)))));
        queue.push(waiting(owned("flooder", false))).unwrap();
        queue.push(waiting(owned("flooder", false))).unwrap();
        let (newest, mut evicted) = owned("flooder", false);
        queue.push(newest).unwrap();
        assert_eq!(queue.len(), 3, "the final took the partial's place");
        assert!(
            matches!(
                queue.push(waiting(owned("flooder", false))),
                Err(SpeechError::Busy(3))
            ),
            "a full queue refuses the session that fills it"
        );

        // A bystander's final is not refused: the flooder gives up its
        // newest clip, and the bystander is served as soon as the flooder
        // has had a turn.
        queue.push(waiting(owned("bystander", false))).unwrap();
        assert!(matches!(evicted.try_recv(), Ok(Err(SpeechError::Busy(_)))));
        let owners: Vec<String> = (0..3)
            .map(|_| {
                let grant = queue.pop().unwrap();
                queue.release(grant.threads, grant.job.request.partial);
                grant.job.request.owner.as_deref().unwrap().to_owned()
            })
            .collect();
        assert_eq!(owners, ["flooder", "bystander", "flooder"]);
        assert!(!queue.final_waiting());
    }

    #[test]
    fn a_clip_whose_caller_gave_up_holds_no_place() {
        let queue = Queue::new(3, 1, 1);
        // The candidate's early passes, each withdrawn as they speak on,
        // would otherwise make them the largest share, and the flooder's
        // next final would take the place of the candidate's real one.
        let withdrawn: Vec<_> = (0..2).map(|_| owned("candidate", false)).collect();
        let mut dropped = Vec::new();
        for (job, rx) in withdrawn {
            queue.push(job).unwrap();
            dropped.push(rx);
        }
        let (wanted, mut wanted_rx) = owned("candidate", false);
        queue.push(wanted).unwrap();
        drop(dropped);
        assert!(queue.final_waiting());
        queue.push(waiting(owned("flooder", false))).unwrap();
        queue.push(waiting(owned("flooder", false))).unwrap();
        assert!(
            matches!(
                queue.push(waiting(owned("flooder", false))),
                Err(SpeechError::Busy(3))
            ),
            "the flooder holds the most once the withdrawn clips are gone"
        );
        assert!(wanted_rx.try_recv().is_err(), "the candidate's final waits");
        let grant = queue.pop().unwrap();
        assert_eq!(grant.job.request.owner.as_deref(), Some("candidate"));
        queue.release(grant.threads, false);
        for _ in 0..2 {
            let grant = queue.pop().unwrap();
            queue.release(grant.threads, false);
        }
        assert!(!queue.final_waiting(), "the count of finals stayed true");
    }

    #[test]
    fn a_final_goes_first_with_every_free_core_and_partials_get_their_share() {
        let queue = Queue::new(8, 2, 1);
        queue.push(waiting(job(true))).unwrap();
        queue.push(waiting(job(false))).unwrap();
        assert!(queue.final_waiting());
        let first = queue.pop().unwrap();
        assert!(
            !first.job.request.partial,
            "the final overtakes the partial"
        );
        assert_eq!(first.threads, 2, "both cores are free");
        assert!(!queue.final_waiting());
        queue.release(first.threads, false);
        let second = queue.pop().unwrap();
        assert!(second.job.request.partial);
        assert_eq!(second.threads, 1);
        // A final arriving while a partial holds a core asks it to give way,
        // then runs on both cores once it has.
        queue.push(waiting(job(false))).unwrap();
        assert!(queue.final_waiting());
        assert!(
            queue.runnable(&mut queue.lock()).is_none(),
            "the final waits for the partial's core"
        );
        queue.release(second.threads, true);
        assert_eq!(queue.pop().unwrap().threads, 2);
    }

    #[test]
    fn a_partial_waits_while_a_final_holds_every_core() {
        let queue = Queue::new(8, 2, 1);
        queue.push(waiting(job(false))).unwrap();
        let final_pass = queue.pop().unwrap();
        assert_eq!(final_pass.threads, 2);
        queue.push(waiting(job(true))).unwrap();
        assert!(
            queue.runnable(&mut queue.lock()).is_none(),
            "no core is free for the partial"
        );
        queue.release(final_pass.threads, false);
        assert_eq!(queue.pop().unwrap().threads, 1);
    }
}
