//! How a coding answer's test results move its score. Whatever graded the
//! words (offline or LLM), code that passes the question's tests shows a
//! working solution, and code that fails most of them shows none; the
//! adjustment is applied in code, after grading, so both graders and a
//! regrade treat a run the same way.

use crate::content::Rubric;
use crate::sandbox::TestRun;

use super::AnswerScore;

/// The dimension test results move: a rubric's `correctness` if it has one,
/// else `problem_solving` (in the shipped coding rubrics, the dimension
/// about reaching a working approach).
const DIMENSIONS: [&str; 2] = ["correctness", "problem_solving"];

/// All tests passing raises the level by one and to at least 3 ("hire");
/// half or more passing caps it at 3; fewer (including code that does not
/// load, loops or crashes) caps it at 2. The feedback says so, and the
/// score's provenance records the run.
pub fn apply(score: &mut AnswerScore, rubric: &Rubric, run: &TestRun) {
    let Some(dimension) = DIMENSIONS.iter().find_map(|id| {
        score
            .dimensions
            .iter()
            .position(|d| d.id == *id && rubric.dimensions.iter().any(|r| r.id == d.id))
    }) else {
        return;
    };
    let ratio = run.pass_ratio();
    let dim = &mut score.dimensions[dimension];
    let before = dim.level;
    dim.level = if run.total > 0 && run.passed == run.total {
        (before + 1).clamp(3, 4)
    } else if ratio >= 0.5 {
        before.min(3)
    } else {
        before.min(2)
    };
    let summary = format!(
        "{} of {} tests passed ({})",
        run.passed, run.total, run.language
    );
    dim.feedback = format!("{} Code run: {summary}.", dim.feedback.trim_end())
        .trim_start()
        .to_owned();
    if run.passed == run.total && run.total > 0 {
        score
            .strengths
            .push(format!("The final code passed every test: {summary}."));
    } else {
        let why = run
            .message
            .as_deref()
            .map(|m| format!(" ({m})"))
            .unwrap_or_default();
        score.improvements.push(format!(
            "The final code did not pass every test: {summary}{why}."
        ));
    }
    score.provenance.passes.push(format!(
        "tests {}/{} {}",
        run.passed, run.total, run.language
    ));
    score.overall = AnswerScore::weighted_overall(rubric, &score.dimensions);
}
