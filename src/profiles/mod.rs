//! A candidate's profile without an account: résumé and job description, the
//! fit map, the practice plan.

pub mod documents;
