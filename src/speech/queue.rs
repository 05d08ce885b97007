//! The bounded queue between async callers and the whisper worker threads.
//!
//! Callers never wait for room: a full queue answers `Busy` at once so the
//! session can tell the client to slow down. A final clip may take the
//! place of the oldest waiting partial one (partials are refreshed on a
//! cadence anyway, finals are what the candidate's answer is made of).

use std::collections::VecDeque;
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
    inner: Mutex<Inner>,
    ready: Condvar,
}

struct Inner {
    jobs: VecDeque<Job>,
    closed: bool,
}

impl Queue {
    pub fn new(capacity: usize) -> Queue {
        Queue {
            capacity: capacity.max(1),
            inner: Mutex::new(Inner {
                jobs: VecDeque::new(),
                closed: false,
            }),
            ready: Condvar::new(),
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
        if inner.jobs.len() >= self.capacity {
            let waiting = inner.jobs.len();
            let partial = inner.jobs.iter().position(|j| j.request.partial);
            match partial {
                Some(i) if !job.request.partial => {
                    if let Some(dropped) = inner.jobs.remove(i) {
                        let _ = dropped.reply.send(Err(SpeechError::Busy(waiting)));
                    }
                }
                _ => return Err(SpeechError::Busy(waiting)),
            }
        }
        inner.jobs.push_back(job);
        drop(inner);
        self.ready.notify_one();
        Ok(())
    }

    /// Blocks a worker until a job arrives; `None` once closed and drained.
    pub fn pop(&self) -> Option<Job> {
        let mut inner = self.lock();
        loop {
            if let Some(job) = inner.jobs.pop_front() {
                return Some(job);
            }
            if inner.closed {
                return None;
            }
            inner = self.ready.wait(inner).unwrap_or_else(|e| e.into_inner());
        }
    }

    pub fn len(&self) -> usize {
        self.lock().jobs.len()
    }

    pub fn close(&self) {
        self.lock().closed = true;
        self.ready.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(partial: bool) -> (Job, oneshot::Receiver<Result<Transcript, SpeechError>>) {
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
        let queue = Queue::new(2);
        let (p, mut p_rx) = job(true);
        queue.push(p).unwrap();
        queue.push(job(false).0).unwrap();
        assert!(matches!(queue.push(job(true).0), Err(SpeechError::Busy(2))));
        queue.push(job(false).0).unwrap();
        assert!(matches!(p_rx.try_recv(), Ok(Err(SpeechError::Busy(_)))));
        assert!(matches!(
            queue.push(job(false).0),
            Err(SpeechError::Busy(2))
        ));
        assert_eq!(queue.len(), 2);
        queue.close();
        assert!(queue.pop().is_some() && queue.pop().is_some());
        assert!(queue.pop().is_none());
    }
}
