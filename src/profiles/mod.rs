//! A candidate's profile without an account: résumé and job description,
//! the fit map, the practice plan. See docs/profiles.md.

pub mod documents;
pub mod fit;
pub mod likely;
pub mod prep;
pub mod risks;
pub mod tailor;
pub mod text;
