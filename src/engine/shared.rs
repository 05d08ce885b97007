//! Questions and rubrics shared between the sessions that hold them.
//!
//! Every session stores its own copy of its questions and rubrics (so an
//! edit never changes an interview in flight), and each live session used to
//! hold that copy decoded: about 170 KB per session, most of a held
//! session's memory (heaptrack on 1,000 idle sessions). Sessions of one loop
//! and content version hold equal copies, so a loaded plan swaps each one for
//! an identical one already in memory. Entries are weak: a question no
//! session holds any more is freed with its last session.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, Weak};

use crate::content::{Question, Rubric};

static QUESTIONS: LazyLock<Interner<Question>> = LazyLock::new(Interner::default);
static RUBRICS: LazyLock<Interner<Rubric>> = LazyLock::new(Interner::default);

/// The one copy in memory of a question equal to `question`.
pub fn question(question: Arc<Question>) -> Arc<Question> {
    let key = question.id.clone();
    QUESTIONS.get(key, question)
}

/// The one copy in memory of a rubric equal to `rubric`.
pub fn rubric(rubric: Arc<Rubric>) -> Arc<Rubric> {
    let key = rubric.id.clone();
    RUBRICS.get(key, rubric)
}

/// Values by id; an id can hold several versions (content edited while
/// sessions of the old version are still loaded).
struct Interner<T> {
    table: Mutex<HashMap<String, Vec<Weak<T>>>>,
}

impl<T> Default for Interner<T> {
    fn default() -> Self {
        Interner {
            table: Mutex::new(HashMap::new()),
        }
    }
}

impl<T: PartialEq> Interner<T> {
    fn get(&self, key: String, value: Arc<T>) -> Arc<T> {
        // A poisoned lock only means another thread panicked mid-lookup; the
        // table is still a valid cache.
        let mut table = self.table.lock().unwrap_or_else(|e| e.into_inner());
        let versions = table.entry(key).or_default();
        versions.retain(|weak| weak.strong_count() > 0);
        if let Some(same) = versions
            .iter()
            .filter_map(Weak::upgrade)
            .find(|held| **held == *value)
        {
            return same;
        }
        versions.push(Arc::downgrade(&value));
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_values_share_one_allocation_and_different_ones_do_not() {
        let shared = Interner::<Vec<u32>>::default();
        let a = shared.get("k".into(), Arc::new(vec![1, 2]));
        let b = shared.get("k".into(), Arc::new(vec![1, 2]));
        assert!(Arc::ptr_eq(&a, &b));
        let edited = shared.get("k".into(), Arc::new(vec![1, 3]));
        assert!(!Arc::ptr_eq(&a, &edited));
        assert_eq!(*edited, vec![1, 3]);
    }

    #[test]
    fn a_value_nobody_holds_is_freed_and_its_entry_dropped() {
        let shared = Interner::<String>::default();
        let first = shared.get("k".into(), Arc::new("x".into()));
        let weak = Arc::downgrade(&first);
        drop(first);
        assert!(weak.upgrade().is_none(), "the table does not keep it alive");
        let again = shared.get("k".into(), Arc::new("x".into()));
        assert_eq!(Arc::strong_count(&again), 1);
        assert_eq!(shared.table.lock().unwrap()["k"].len(), 1);
    }
}
