//! The one content validator: `mockloop content check` and the operator
//! console's check and save both call [`check`], so a file the console
//! accepts is a file the command line accepts, and the other way round.
//!
//! It sits above `content`, `grading` and `interviewer` because it compiles
//! their prompt templates too; `content` itself depends on neither.

mod near_duplicates;

pub use near_duplicates::{NearDuplicate, THRESHOLD as NEAR_DUPLICATE, near_duplicates};

use crate::content::{Catalog, ContentErrors, ContentSource};
use crate::grading::llm::prompt::{self, Templates};

/// A content tree that passed every check.
pub struct Checked {
    pub catalog: Catalog,
    /// The grader templates' hash; `None` when the tree has no
    /// `prompts/grader/` (the offline grader needs none).
    pub templates: Option<String>,
}

/// Builds the catalog and, where the tree has them, compiles the LLM
/// grader's and interviewer's templates; on any problem returns every
/// problem found.
pub fn check(source: &ContentSource) -> Result<Checked, ContentErrors> {
    let catalog = Catalog::build(source);
    let has_templates = source
        .files()
        .iter()
        .any(|f| f.path.starts_with(prompt::DIR));
    let templates = has_templates.then(|| Templates::load(source));
    let mut errors = Vec::new();
    if let Err(e) = &catalog {
        errors.extend(e.0.iter().cloned());
    }
    if let Some(Err(e)) = &templates {
        errors.extend(e.0.iter().cloned());
    }
    // Likewise the LLM interviewer's, when the tree has them.
    if source
        .files()
        .iter()
        .any(|f| f.path.starts_with(crate::interviewer::prompt::DIR))
        && let Err(e) = crate::interviewer::prompt::Templates::load(source)
    {
        errors.extend(e.0.iter().cloned());
    }
    match catalog {
        Ok(catalog) if errors.is_empty() => Ok(Checked {
            catalog,
            templates: templates.and_then(Result::ok).map(|t| t.hash().to_owned()),
        }),
        _ => Err(ContentErrors(errors)),
    }
}
