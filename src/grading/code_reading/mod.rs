//! Reads the code in a candidate's answer so that "Code quality" is judged
//! from the code itself (names, decomposition, complexity, dead code,
//! whether it parses) rather than from what the prose claims about it.
//!
//! It reads Python, JavaScript, Java, C++ and C#, the languages the code
//! sandbox runs, each with its own tree-sitter grammar.
//!
//! Layout: `extract` finds code in prose and tells which language it is;
//! `facts` parses it and `walk` (with `bindings` for names, `c_family` for
//! the typed declarations of Java, C++ and C#) collects what a reviewer reads off
//! it in one pass over the tree-sitter tree; `verdict` turns the facts into
//! findings, strengths and a level.

mod bindings;
mod c_family;
mod choose;
mod extract;
mod facts;
mod verdict;
mod walk;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_csharp;
#[cfg(test)]
mod tests_java_cpp;

/// The languages the grader can read: those the code sandbox runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    /// Python 3.
    Python,
    /// JavaScript (TypeScript-free).
    JavaScript,
    /// Java: a `class Solution` with methods, or methods alone.
    Java,
    /// C++17: free functions, classes, lambdas.
    Cpp,
    /// C# (Mono's `mcs`): a `public class Solution` with methods, local
    /// functions and lambdas; `using` directives, `var`, properties, LINQ.
    Csharp,
}

impl Lang {
    fn grammar(self) -> tree_sitter::Language {
        match self {
            Lang::Python => tree_sitter_python::LANGUAGE.into(),
            Lang::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
            Lang::Java => tree_sitter_java::LANGUAGE.into(),
            Lang::Cpp => tree_sitter_cpp::LANGUAGE.into(),
            Lang::Csharp => tree_sitter_c_sharp::LANGUAGE.into(),
        }
    }

    /// Java, C++ and C# have braces, C-style comments and typed
    /// declarations; much of what is read off them is the same.
    fn is_c_family(self) -> bool {
        matches!(self, Lang::Java | Lang::Cpp | Lang::Csharp)
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
/// Functions are `def`s in Python; function declarations, function
/// expressions, methods and block-bodied arrow functions in JavaScript;
/// methods, constructors and block-bodied lambdas in Java; function
/// definitions (free, member, constructors) and lambdas in C++ (whose
/// bodies are always blocks); methods, constructors, local functions,
/// property accessors with a block, anonymous `delegate`s and block-bodied
/// lambdas in C#. Python lambdas and expression-bodied arrows and lambdas
/// are not counted as functions: their branches count towards the function
/// that contains them. Code outside any function is read as one more unit,
/// "the top-level code", for complexity and nesting, but it is not a
/// function; a Java or C# class body (`class Solution { ... }`) holds
/// methods and fields, nothing that branches, so it adds nothing there.
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
    /// Locals assigned but never read, and imports never used (Python and
    /// JavaScript only: a Java `import`, a C++ `#include` or a C# `using`
    /// names a type, a header or a namespace, and which one a name came
    /// from cannot be told reliably).
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
