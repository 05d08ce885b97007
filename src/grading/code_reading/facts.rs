//! The facts a reviewer reads off code, and the entry points that parse
//! and collect them. Every walk over a tree uses an explicit stack:
//! candidate input is hostile by assumption, and recursion over a
//! 5,000-deep tree would overflow the thread's stack.

use std::time::{Duration, Instant};

use tree_sitter::{Node, ParseOptions, ParseState, Parser, Tree};

use super::Lang;
use super::walk::Walk;

/// How a name came to be bound; the naming and dead-code rules differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Bind {
    Param,
    /// A plain `name = ...` (a declaration in JavaScript): the only kind
    /// that can be reported unused.
    Local,
    /// `x += 1`, `x++`, or a JavaScript `x = ...`: writes to a name that may
    /// belong to an outer scope, so never "unused" on their own.
    Write,
    /// Bound by unpacking or `with ... as`: read rules are looser there.
    Unpacked,
    LoopVar,
    /// Comprehension variables live for one expression.
    CompVar,
    ExceptVar,
    Function,
    Class,
    Import,
}

#[derive(Clone, Debug)]
pub(super) struct Binding {
    pub name: String,
    pub row: usize,
    pub kind: Bind,
    pub unit: usize,
}

/// A function, or the top-level code (always unit 0).
#[derive(Clone, Debug)]
pub(super) struct Unit {
    pub name: String,
    pub is_function: bool,
    pub start_row: usize,
    pub end_row: usize,
    pub start_byte: usize,
    pub end_byte: usize,
    pub lines: usize,
    pub complexity: usize,
    pub max_nesting: usize,
    pub deepest_row: usize,
    pub has_guard_clause: bool,
}

#[derive(Clone, Debug)]
pub(super) struct DeadCode {
    pub row: usize,
    pub after: &'static str,
    pub count: usize,
}

#[derive(Clone, Debug, Default)]
pub(super) struct Facts {
    pub error_rows: Vec<usize>,
    pub last_code_row: usize,
    pub lines: usize,
    pub units: Vec<Unit>,
    pub bindings: Vec<Binding>,
    /// (name, row, is_import)
    pub unused: Vec<(String, usize, bool)>,
    pub dead: Vec<DeadCode>,
    /// (expression, rows it appears on)
    pub repeated: Vec<(String, Vec<usize>)>,
    /// (literal, row)
    pub magic: Vec<(String, usize)>,
    /// The code was longer than `MAX_CODE_BYTES` and only its head was read.
    pub clipped: bool,
    /// tree-sitter gave up within `PARSE_BUDGET`: nothing was read.
    pub unread: bool,
}

/// Longest code read; the rest is cut at a line break. Interview answers
/// hold a few KiB of code, and tree-sitter's error recovery on long broken
/// input grows faster than linearly (1.2 MB of prose: minutes).
pub(super) const MAX_CODE_BYTES: usize = 32 * 1024;
/// Backstop for inputs under the cap that still make recovery crawl.
const PARSE_BUDGET: Duration = Duration::from_secs(2);

/// The head of `code` that will be read: at most `MAX_CODE_BYTES`, cut at
/// the last line break before that.
pub(super) fn clip(code: &str) -> &str {
    if code.len() <= MAX_CODE_BYTES {
        return code;
    }
    let mut end = MAX_CODE_BYTES;
    while !code.is_char_boundary(end) {
        end -= 1;
    }
    let head = &code[..end];
    head.rfind('\n').map_or(head, |at| &head[..at])
}

/// Parses `code`; `None` when tree-sitter refuses the grammar or the parse
/// runs past `PARSE_BUDGET`.
pub(super) fn parse(lang: Lang, code: &str) -> Option<Tree> {
    let mut parser = Parser::new();
    parser.set_language(&lang.grammar()).ok()?;
    let bytes = clip(code).as_bytes();
    let started = Instant::now();
    let mut give_up = |_: &ParseState| started.elapsed() > PARSE_BUDGET;
    let options = ParseOptions::new().progress_callback(&mut give_up);
    parser.parse_with_options(
        &mut |at: usize, _| bytes.get(at..).unwrap_or_default(),
        None,
        Some(options),
    )
}

/// ERROR and MISSING nodes: how badly `code` fails to be `lang`.
pub(super) fn error_count(lang: Lang, code: &str) -> usize {
    let Some(tree) = parse(lang, code) else {
        return usize::MAX;
    };
    let mut count = 0;
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        if node.is_error() || node.is_missing() {
            count += 1;
        }
        if node.has_error() {
            stack.extend(children(node).into_iter().map(|(_, child)| child));
        }
    }
    count
}

pub(super) fn analyse(lang: Lang, code: &str) -> Facts {
    let whole = code;
    let code = clip(whole);
    let has_code = code_rows(lang, code);
    let mut facts = Facts {
        lines: has_code.iter().filter(|&&b| b).count(),
        last_code_row: has_code.iter().rposition(|&b| b).unwrap_or(0),
        clipped: code.len() < whole.len(),
        ..Facts::default()
    };
    let Some(tree) = parse(lang, code) else {
        facts.error_rows.push(0);
        facts.unread = true;
        return facts;
    };
    let mut walk = Walk::new(lang, code, facts);
    walk.run(tree.root_node());
    walk.finish(&has_code)
}

/// Rows holding something other than whitespace or a comment.
fn code_rows(lang: Lang, code: &str) -> Vec<bool> {
    code.lines()
        .map(|line| {
            let t = line.trim();
            let comment = match lang {
                Lang::Python => t.starts_with('#'),
                Lang::JavaScript => {
                    t.starts_with("//") || t.starts_with("/*") || t.starts_with('*')
                }
                // C++'s `*head = node;` starts with a star too: only a
                // lone star or `* ` continues a block comment.
                Lang::Java | Lang::Cpp | Lang::Csharp => {
                    t.starts_with("//")
                        || t.starts_with("/*")
                        || t == "*"
                        || t.starts_with("* ")
                        || t.starts_with("*/")
                }
            };
            !t.is_empty() && !comment
        })
        .collect()
}

pub(super) fn children(node: Node<'_>) -> Vec<(Option<&'static str>, Node<'_>)> {
    let mut out = Vec::with_capacity(node.child_count());
    let mut cursor = node.walk();
    if cursor.goto_first_child() {
        loop {
            out.push((cursor.field_name(), cursor.node()));
            if !cursor.goto_next_sibling() {
                break;
            }
        }
    }
    out
}
