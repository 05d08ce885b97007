//! Reads the code in a candidate's answer so that "Code quality" is judged
//! from the code itself (names, decomposition, complexity, dead code,
//! whether it parses) rather than from what the prose claims about it.
//!
//! Layout: `extract` finds code in prose; `facts` parses it and `walk`
//! (with `bindings` for names) collects what a reviewer reads off it in one
//! pass over the tree-sitter tree; `verdict` turns the facts into findings,
//! strengths and a level.

mod bindings;
mod extract;
mod facts;
mod verdict;
mod walk;

#[cfg(test)]
mod tests;

/// The languages the grader can read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    /// Python 3.
    Python,
    /// JavaScript (TypeScript-free).
    JavaScript,
}

impl Lang {
    fn grammar(self) -> tree_sitter::Language {
        match self {
            Lang::Python => tree_sitter_python::LANGUAGE.into(),
            Lang::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
        }
    }
}

/// Code found in a prose answer: fenced blocks if there are any, otherwise
/// the unfenced runs of code-looking lines, concatenated. `None` when the
/// answer holds no code (prose that mentions `dict` or `O(n)` is not code).
pub fn extract(text: &str) -> Option<(Lang, String)> {
    extract::extract(text)
}

/// What a reviewer sees when reading the candidate's code.
///
/// Functions are `def`s in Python and function declarations, function
/// expressions, methods and block-bodied arrow functions in JavaScript.
/// Lambdas and expression-bodied arrows are not counted as functions: their
/// branches count towards the function that contains them. Code outside any
/// function is read as one more unit, "the top-level code", for complexity
/// and nesting, but it is not a function.
#[derive(Clone, Debug, PartialEq)]
pub struct Reading {
    /// The grammar the code was read with.
    pub lang: Lang,
    /// No ERROR or MISSING nodes anywhere in the tree.
    pub parses: bool,
    /// Non-blank lines that are not only a comment. Code past 32 KiB is not
    /// read (a finding says so).
    pub lines: usize,
    /// Function and method definitions (lambdas excluded, see above).
    pub functions: usize,
    /// Length of the longest function, in non-blank non-comment lines, not
    /// counting the lines of functions nested inside it.
    pub longest_function: usize,
    /// Deepest nesting of control-flow statements inside one unit.
    pub max_nesting: usize,
    /// Cyclomatic complexity of the most complex unit: 1 + decision points.
    pub max_complexity: usize,
    /// Names the candidate bound that say nothing, in order of appearance.
    pub vague_names: Vec<String>,
    /// Locals assigned but never read, and imports never used.
    pub unused: Vec<String>,
    /// Statements after return/raise/throw/continue/break in the same block.
    pub unreachable: usize,
    /// Non-trivial expressions written out more than once in one unit.
    pub repeated: Vec<String>,
    /// Large unexplained numeric literals.
    pub magic_numbers: Vec<String>,
    /// One sentence per problem, addressed to the candidate.
    pub findings: Vec<String>,
    /// What is good about the code, in plain English.
    pub strengths: Vec<String>,
    /// Code-quality level, 1 (unreadable or not code) to 4 (reviewer-ready).
    pub level: u8,
}

/// Reads `code` as `lang`. Never panics, whatever the input.
pub fn read(lang: Lang, code: &str) -> Reading {
    let facts = facts::analyse(lang, code);
    verdict::judge(lang, &facts)
}
