//! Finding code in a spoken or typed answer. Candidates rarely fence their
//! code, so most of this is telling an unfenced code line from a sentence.

use super::Lang;
use super::choose::choose_lang;

pub(super) fn extract(text: &str) -> Option<(Lang, String)> {
    let (code, hint) = match fenced(text) {
        Some(found) => found,
        None => (unfenced(text)?, None),
    };
    let lang = hint.unwrap_or_else(|| choose_lang(&code));
    Some((lang, code))
}

/// All fenced blocks that hold code. The fence's tag, when every block
/// agrees on one, names the language.
fn fenced(text: &str) -> Option<(String, Option<Lang>)> {
    let mut blocks: Vec<String> = Vec::new();
    let mut tags: Vec<Option<Lang>> = Vec::new();
    let mut open: Option<(String, Vec<&str>)> = None;
    for line in text.lines() {
        let fence = line.trim_start().starts_with("```") || line.trim_start().starts_with("~~~");
        match (&mut open, fence) {
            (None, true) => {
                let tag = line.trim().trim_start_matches(['`', '~']).trim();
                open = Some((tag.to_ascii_lowercase(), Vec::new()));
            }
            (Some(_), true) => {
                if let Some((tag, lines)) = open.take() {
                    keep_block(&tag, &lines, &mut blocks, &mut tags);
                }
            }
            (Some((_, lines)), false) => lines.push(line),
            (None, false) => {}
        }
    }
    // An unclosed fence runs to the end of the answer.
    if let Some((tag, lines)) = open {
        keep_block(&tag, &lines, &mut blocks, &mut tags);
    }
    if blocks.is_empty() {
        return None;
    }
    let hint = match tags.first() {
        Some(&first) if tags.iter().all(|t| *t == first) => first,
        _ => None,
    };
    Some((blocks.join("\n\n"), hint))
}

fn keep_block(tag: &str, lines: &[&str], blocks: &mut Vec<String>, tags: &mut Vec<Option<Lang>>) {
    let lang = match tag.split_whitespace().next().unwrap_or("") {
        "python" | "py" | "python3" => Some(Lang::Python),
        "js" | "javascript" | "jsx" | "node" | "ts" | "typescript" => Some(Lang::JavaScript),
        "java" => Some(Lang::Java),
        "cpp" | "c++" | "cc" | "cxx" | "h" | "hpp" => Some(Lang::Cpp),
        "csharp" | "cs" | "c#" => Some(Lang::Csharp),
        "" => None,
        // Output, shell sessions and data are not the candidate's program.
        _ => return,
    };
    let looks_like_code = lines.iter().any(|l| !is_prose(l) && !l.trim().is_empty());
    if lang.is_none() && !looks_like_code {
        return;
    }
    let body = dedent(lines).join("\n");
    if body.trim().is_empty() {
        return;
    }
    blocks.push(body);
    tags.push(lang);
}

/// Runs of code-looking lines between sentences, concatenated.
fn unfenced(text: &str) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut runs: Vec<String> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let strong = starts_code(lines[i]);
        if !strong && !weak_start(lines[i]) {
            i += 1;
            continue;
        }
        let end = run_end(&lines, i);
        let run = &lines[i..end];
        if strong || weak_run_is_code(run) {
            runs.push(dedent(run).join("\n"));
        }
        i = end.max(i + 1);
    }
    if runs.is_empty() {
        None
    } else {
        Some(runs.join("\n\n"))
    }
}

/// Index one past the last line of the run that starts at `start`.
fn run_end(lines: &[&str], start: usize) -> usize {
    let base = indent(lines[start]);
    let mut last_code = start;
    let mut previous = lines[start];
    for (offset, line) in lines[start + 1..].iter().enumerate() {
        let at = start + 1 + offset;
        if line.trim().is_empty() {
            continue;
        }
        let deeper = indent(line) > base;
        let continues = if deeper {
            // Prose is never indented, except a sentence right after a line
            // that opened nothing, which is a wrapped paragraph.
            !(is_prose(line) && indent(previous) == base && !opens_block(previous))
        } else {
            indent(line) == base && !is_prose(line) && (starts_code(line) || is_code_line(line))
        };
        if !continues {
            break;
        }
        last_code = at;
        previous = line;
    }
    last_code + 1
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

fn dedent(lines: &[&str]) -> Vec<String> {
    let base = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| indent(l))
        .min()
        .unwrap_or(0);
    let mut out: Vec<String> = lines
        .iter()
        .map(|l| {
            l.get(base..)
                .unwrap_or_else(|| l.trim_start())
                .trim_end()
                .to_string()
        })
        .collect();
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out
}

/// The part of a line before a trailing comment (a good-enough guess that
/// ignores `#` inside strings; it only feeds the prose test).
pub(super) fn code_part(line: &str) -> &str {
    let t = line.trim();
    let cut = t.find(" #").or_else(|| t.find("  //"));
    match cut {
        Some(at) => t[..at].trim_end(),
        None => t,
    }
}

fn opens_block(line: &str) -> bool {
    let t = code_part(line);
    t.ends_with(':') || t.ends_with('{') || t.ends_with('(') || t.ends_with('[') || t.ends_with(',')
}

pub(super) fn first_word(t: &str) -> &str {
    let end = t
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))
        .unwrap_or(t.len());
    &t[..end]
}

fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

/// A line only code starts with: `def`, `class`, imports, decorators,
/// `function`, declarations, `export`; in Java, C++ and C# also
/// `#include`, `using namespace`, `using System.Linq;`, modifiers and
/// type-led declarations (`int x = 0;`, `vector<int> seen;`,
/// `public int count(int[] nums) {`).
fn starts_code(line: &str) -> bool {
    let t = code_part(line);
    if t.starts_with("#include") && t[8..].trim_start().starts_with(['<', '"']) {
        return true;
    }
    let t = t.strip_prefix("async ").unwrap_or(t);
    let word = first_word(t);
    let rest = t[word.len()..].trim_start();
    let name = first_word(rest);
    let after_name = rest[name.len()..].trim_start();
    match word {
        "def" => is_ident(name) && after_name.starts_with('('),
        "class" | "struct" => {
            is_ident(name)
                && (after_name.starts_with([':', '(', '{'])
                    || after_name.starts_with("extends ")
                    || after_name.starts_with("implements "))
        }
        "import" => import_line(rest) || java_import(rest),
        "package" => java_import(rest),
        "using" => (rest.starts_with("namespace ") && t.ends_with(';')) || csharp_using(rest),
        "template" => rest.starts_with('<'),
        // `public class Solution {`, `private final int capacity;`,
        // `public static int count(int[] nums) {`, C#'s `internal`,
        // `readonly int capacity;`, `public override string ToString() {`.
        "public" | "private" | "protected" | "static" | "final" | "abstract" | "internal"
        | "readonly" | "override" | "sealed" | "virtual" => {
            let mut decl = rest;
            while MODIFIERS.contains(&first_word(decl)) {
                decl = decl[first_word(decl).len()..].trim_start();
            }
            !decl.is_empty() && (starts_code(decl) || typed_declaration(decl))
        }
        "from" => {
            let module = rest.split_whitespace().next().unwrap_or("");
            let after = rest[module.len()..].trim_start();
            !module.is_empty()
                && module
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
                && after.starts_with("import ")
        }
        "function" => {
            rest.starts_with(['(', '*']) || (is_ident(name) && after_name.starts_with('('))
        }
        "const" | "let" | "var" => {
            declaration(rest) || (word == "const" && typed_declaration(rest))
        }
        "export" => {
            matches!(
                first_word(rest),
                "default" | "function" | "const" | "let" | "var" | "class" | "async"
            ) || rest.starts_with('{')
        }
        _ if t.starts_with('@') => is_ident(first_word(&t[1..])) && !t.contains(' '),
        _ => typed_declaration(t),
    }
}

const MODIFIERS: &[&str] = &[
    "public",
    "private",
    "protected",
    "static",
    "final",
    "abstract",
    "synchronized",
    "internal",
    "readonly",
    "override",
    "sealed",
    "virtual",
    "async",
];

/// C#'s `using System;`, `using static System.Math;`, `using Pair =
/// System.Tuple<int, int>;`: a capitalised dotted name and a `;`, which no
/// sentence that starts "using" ends with.
fn csharp_using(rest: &str) -> bool {
    let Some(name) = rest.strip_suffix(';') else {
        return false;
    };
    let name = name.strip_prefix("static ").unwrap_or(name).trim();
    let name = match name.split_once('=') {
        Some((alias, target)) if is_ident(alias.trim()) => target.trim(),
        Some(_) => return false,
        None => name,
    };
    let head = first_word(name);
    head.starts_with(|c: char| c.is_ascii_uppercase())
        && type_prefix(&format!("{name} x")).is_some_and(|(_, rest)| rest.trim() == "x")
}

/// Java's `import java.util.*;` and `package app;`: a dotted name and a `;`.
fn java_import(rest: &str) -> bool {
    let Some(name) = rest.strip_suffix(';') else {
        return false;
    };
    let name = name.strip_prefix("static ").unwrap_or(name).trim();
    let parts: Vec<&str> = name.split('.').collect();
    parts.len() >= 2
        && parts
            .iter()
            .enumerate()
            .all(|(i, p)| is_ident(p) || (*p == "*" && i == parts.len() - 1))
}

/// Words that are only ever a type in Java or C++; a sentence may start
/// with `String` or `I`, never with `int`.
const TYPE_WORDS: &[&str] = &[
    "int", "long", "short", "double", "float", "char", "bool", "boolean", "void", "byte", "auto",
    "size_t", "unsigned", "signed",
];

/// A Java or C++ declaration: a type, a name, then `=`, `;`, `(`, `[`, `{`
/// or `,`. The type is a primitive (`long long`), a generic (`vector<int>`,
/// `Map<String, Integer>`), a qualified name (`std::string`) or a plain
/// name followed by `*`, `&` or `[]`; a plain name alone (`String s = ...`,
/// `ListNode reverse(ListNode head) {`) only when the line ends as a
/// statement or a block opens, since prose can start "I think (...)".
fn typed_declaration(t: &str) -> bool {
    let mut s = t.trim_start();
    loop {
        let word = first_word(s);
        if matches!(word, "const" | "static" | "final" | "constexpr" | "inline") {
            s = s[word.len()..].trim_start();
        } else {
            break;
        }
    }
    let Some((plain, rest)) = type_prefix(s) else {
        return false;
    };
    let rest = rest.trim_start();
    let name = first_word(rest);
    if !is_ident(name) || TYPE_WORDS.contains(&name) {
        return false;
    }
    let after = rest[name.len()..].trim_start();
    let Some(next) = after.chars().next() else {
        return false;
    };
    let ends_statement = t.ends_with(';') || t.ends_with('{');
    match next {
        '=' => !after.starts_with("==") && (!plain || t.ends_with(';')),
        ';' | '[' | '{' => !plain || ends_statement,
        '(' | ',' => !plain || (ends_statement && !is_prose(t)),
        _ => false,
    }
}

/// Splits a leading type off `s`: (whether it is a plain name, the rest).
fn type_prefix(s: &str) -> Option<(bool, &str)> {
    let word = first_word(s);
    if !is_ident(word) {
        return None;
    }
    let mut rest = &s[word.len()..];
    let mut plain = !TYPE_WORDS.contains(&word);
    // `long long`, `unsigned int`.
    while TYPE_WORDS.contains(&word) {
        let next = first_word(rest.trim_start());
        if TYPE_WORDS.contains(&next) && rest.starts_with(' ') {
            rest = &rest.trim_start()[next.len()..];
        } else {
            break;
        }
    }
    // `std::string`, `Map.Entry`.
    while let Some(tail) = rest.strip_prefix("::").or_else(|| rest.strip_prefix('.')) {
        let part = first_word(tail);
        if !is_ident(part) {
            return None;
        }
        rest = &tail[part.len()..];
        plain = false;
    }
    if rest.starts_with('<') {
        let mut depth = 0i32;
        let mut end = None;
        for (i, c) in rest.char_indices() {
            match c {
                '<' => depth += 1,
                '>' => {
                    depth -= 1;
                    if depth == 0 {
                        end = Some(i + 1);
                        break;
                    }
                }
                c if c.is_ascii_alphanumeric() || " ,_:.[]*&?".contains(c) => {}
                _ => return None,
            }
        }
        rest = &rest[end?..];
        plain = false;
    }
    loop {
        let trimmed = rest.trim_start();
        if let Some(tail) = trimmed.strip_prefix("[]") {
            rest = tail;
        } else if let Some(tail) = trimmed.strip_prefix(['*', '&']) {
            rest = tail;
        } else {
            break;
        }
        plain = false;
    }
    // A type and its name are separate words (`int*p` aside).
    if !(rest.starts_with(' ') || !plain && !rest.is_empty()) {
        return None;
    }
    Some((plain, rest))
}

fn import_line(rest: &str) -> bool {
    // JS: `import x from 'y'`, `import { a } from "b"`, `import 'side-effect'`.
    if rest.contains(" from '") || rest.contains(" from \"") || rest.starts_with(['\'', '"']) {
        return true;
    }
    // Python: `import a.b as c, d`, and nothing after it but a `;`.
    let rest = rest.trim_end_matches(';');
    !rest.is_empty()
        && rest.split(',').all(|part| {
            let words: Vec<&str> = part.split_whitespace().collect();
            let module_ok = |m: &str| !m.is_empty() && m.split('.').all(is_ident);
            match words.as_slice() {
                [m] => module_ok(m),
                [m, "as", alias] => module_ok(m) && is_ident(alias),
                _ => false,
            }
        })
}

/// `name =`, `{ a, b } =`, `[x, y] =` after `const`/`let`/`var`.
fn declaration(rest: &str) -> bool {
    let Some(eq) = rest.find('=') else {
        return false;
    };
    let target = rest[..eq].trim();
    let target = target.split(':').next().unwrap_or("").trim();
    let after = &rest[eq + 1..];
    !after.starts_with('=')
        && (is_ident(target)
            || (target.starts_with('{') && target.ends_with('}'))
            || (target.starts_with('[') && target.ends_with(']')))
}

const KEYWORDS_ALWAYS: &[&str] = &[
    "return", "yield", "raise", "pass", "break", "continue", "del", "assert", "global", "nonlocal",
    "throw", "await", "print",
];
const BLOCK_KEYWORDS: &[&str] = &[
    "if", "elif", "else", "for", "while", "try", "except", "finally", "with", "match", "case",
    "switch", "do", "default",
];

/// A top-level line that continues a run: a statement, not a sentence.
fn is_code_line(line: &str) -> bool {
    let t = code_part(line);
    if t.starts_with('#') || t.starts_with("//") {
        return true;
    }
    // No statement in either language ends with a full stop.
    if t.ends_with('.') && !t.ends_with("...") {
        return false;
    }
    // C++ access specifiers sit at a class's own indent.
    if t.starts_with(['}', ')', ']']) || matches!(t, "public:" | "private:" | "protected:") {
        return true;
    }
    let word = first_word(t);
    if BLOCK_KEYWORDS.contains(&word) {
        return t.ends_with(':') || t.ends_with('{') || t.ends_with(';') || t.ends_with('}');
    }
    if KEYWORDS_ALWAYS.contains(&word) {
        return true;
    }
    if t.ends_with('{') || t.ends_with(';') {
        return true;
    }
    assignment(t) || call_statement(t)
}

/// `name = ...`, `a, b = ...`, `seen[x] += 1`, `self.count = 0`.
fn assignment(t: &str) -> bool {
    let bytes = t.as_bytes();
    let mut depth = 0i32;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'[' | b'(' => depth += 1,
            b']' | b')' => depth -= 1,
            b'=' if depth == 0 => {
                let next = bytes.get(i + 1).copied();
                let prev = if i > 0 { bytes[i - 1] } else { b' ' };
                if next == Some(b'=') || matches!(prev, b'=' | b'!' | b'<' | b'>') {
                    return false;
                }
                let target = t[..i].trim_end_matches(['+', '-', '*', '/', '%', '&', '|', '^', ':']);
                return !target.trim().is_empty() && is_target(target.trim());
            }
            _ => {}
        }
    }
    false
}

/// An assignment target: names, attributes, subscripts, tuples of them.
fn is_target(target: &str) -> bool {
    target.split(',').all(|part| {
        let part = part.trim().trim_start_matches('*');
        let head = first_word(part);
        if !is_ident(head) {
            return false;
        }
        let tail = &part[head.len()..];
        let mut depth = 0i32;
        let mut ok = true;
        for c in tail.chars() {
            match c {
                '[' | '(' => depth += 1,
                ']' | ')' => depth -= 1,
                _ if depth > 0 => {}
                '.' | '_' | '$' => {}
                c if c.is_ascii_alphanumeric() => {}
                _ => ok = false,
            }
        }
        ok && depth == 0
    })
}

/// `main()`, `print(solve(xs))`, `nums.sort()`.
fn call_statement(t: &str) -> bool {
    let Some(open) = t.find('(') else {
        return false;
    };
    let callee = &t[..open];
    !callee.is_empty() && callee.split('.').all(is_ident) && (t.ends_with(')') || t.ends_with(");"))
}

/// A run may also start at a bare statement (scripts without a `def`), but
/// only a run that proves itself code is kept; see `weak_run_is_code`.
fn weak_start(line: &str) -> bool {
    if indent(line) > 0 || is_prose(line) {
        return false;
    }
    let t = code_part(line);
    let word = first_word(t);
    let header = matches!(word, "for" | "while" | "if" | "with" | "try") && t.ends_with(':');
    header || (assignment(t) && !t.ends_with('.'))
}

/// Two or more lines with a block that opens on `:` or `{` and has an
/// indented body: formulas in prose never do that.
fn weak_run_is_code(run: &[&str]) -> bool {
    let code: Vec<&&str> = run.iter().filter(|l| !l.trim().is_empty()).collect();
    code.len() >= 2
        && code.windows(2).any(|pair| {
            let t = code_part(pair[0]);
            (t.ends_with(':') || t.ends_with('{')) && indent(pair[1]) > indent(pair[0])
        })
}

/// A sentence: mostly plain words and little code punctuation.
fn is_prose(line: &str) -> bool {
    let t = code_part(line);
    if t.starts_with('#') || t.starts_with("//") {
        return false;
    }
    let tokens: Vec<&str> = t.split_whitespace().collect();
    let words = tokens
        .iter()
        .filter(|tok| {
            let w = tok.trim_end_matches([',', '.', ';', ':', '!', '?']);
            !w.is_empty()
                && w.chars()
                    .all(|c| c.is_alphabetic() || c == '\'' || c == '-')
        })
        .count();
    let punctuation = t.chars().filter(|c| "=(){}[]".contains(*c)).count();
    (words >= 4 && punctuation == 0) || (words >= 6 && words * 10 >= tokens.len() * 6)
}
