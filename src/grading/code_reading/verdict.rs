//! From facts to a reviewer's call: which names and functions a strict
//! senior interviewer would flag, what they would praise, and the level.
//!
//! The level rule is meant to be explained in one breath: 4 is clean, one
//! minor problem is 3, several (or one serious) is 2, code that does not
//! parse or barely exists is 1. Every problem that lowers the level writes
//! the finding that says so.

use std::collections::HashSet;

use super::facts::{Bind, Binding, Facts};
use super::{Lang, Reading};

/// Say nothing whoever wrote them and wherever they are bound.
const MEANINGLESS: &[&str] = &[
    "tmp",
    "temp",
    "foo",
    "bar",
    "baz",
    "qux",
    "thing",
    "things",
    "stuff",
    "blah",
    "dummy",
    "junk",
    "whatever",
    "something",
    "var",
    "obj",
    "data",
];
/// Clipped words. Flagged on locals only: a question's own signature may
/// use them for parameters.
const ABBREVIATIONS: &[&str] = &["res", "ret", "cnt", "val", "arr", "lst", "ans"];
/// Bases whose numbered copies (`arr2`, `x1`) read as copy-paste.
const GENERIC_BASES: &[&str] = &[
    "tmp", "temp", "data", "arr", "array", "res", "result", "val", "value", "x", "y", "list",
    "lst", "node", "num", "ans", "var", "obj", "item", "str", "string", "dict", "foo", "bar",
    "cur", "curr",
];
/// Loop indices and elements everyone reads at a glance.
const CONVENTIONAL: &[&str] = &[
    "i", "j", "k", "n", "m", "x", "y", "_", "N", "M", "K", "X", "Y",
];

const LONG: usize = 25;
const TOO_LONG: usize = 40;
const COMPLEX: usize = 8;
const TOO_COMPLEX: usize = 12;
const DEEP: usize = 3;
const TOO_DEEP: usize = 5;

#[derive(Clone, Copy, PartialEq)]
enum Vague {
    Meaningless,
    Abbreviation,
    SingleLetter,
}

pub(super) fn judge(lang: Lang, facts: &Facts) -> Reading {
    let functions: Vec<_> = facts.units.iter().filter(|u| u.is_function).collect();
    let vague = vague_names(&facts.bindings);
    let mut serious: Vec<String> = Vec::new();
    let mut minor: Vec<String> = Vec::new();
    // Problems said in the same sentence as another one still count.
    let mut unsaid = 0;

    for dead in &facts.dead {
        serious.push(if dead.count == 1 {
            format!(
                "Line {}: the statement after `{}` never runs.",
                dead.row + 1,
                dead.after
            )
        } else {
            format!(
                "Line {}: the {} statements after `{}` never run.",
                dead.row + 1,
                dead.count,
                dead.after
            )
        });
    }
    for unit in &facts.units {
        let branches = unit.complexity.saturating_sub(1);
        let long = unit.is_function && unit.lines > LONG;
        let complex = unit.complexity > COMPLEX;
        if long || complex {
            let sentence = if long {
                format!(
                    "`{}` is {} lines with {} branches: split it into named steps.",
                    unit.name, unit.lines, branches
                )
            } else {
                format!(
                    "`{}` has cyclomatic complexity {} ({} branches): pull the branches into named helpers or return early.",
                    unit.name, unit.complexity, branches
                )
            };
            let is_serious =
                (unit.is_function && unit.lines > TOO_LONG) || unit.complexity > TOO_COMPLEX;
            if is_serious {
                serious.push(sentence);
            } else {
                minor.push(sentence);
            }
            // Long and complex are two problems even when said in one breath.
            if long && complex && !is_serious {
                unsaid += 1;
            }
        }
        if unit.max_nesting > DEEP {
            let sentence = format!(
                "Line {}: {} nests control flow {} levels deep: flatten it with early returns or a helper.",
                unit.deepest_row + 1,
                if unit.is_function {
                    format!("`{}`", unit.name)
                } else {
                    unit.name.clone()
                },
                unit.max_nesting
            );
            if unit.max_nesting >= TOO_DEEP {
                serious.push(sentence);
            } else {
                minor.push(sentence);
            }
        }
    }
    for (binding, why) in &vague {
        let (n, name) = (binding.row + 1, &binding.name);
        minor.push(match (why, binding.kind) {
            (_, Bind::Function) => {
                format!("Line {n}: the name `{name}` does not say what the function does.")
            }
            (Vague::Meaningless, _) => format!("Line {n}: `{name}` does not say what it holds."),
            (Vague::Abbreviation, _) => {
                format!("Line {n}: `{name}` is an abbreviation that does not say what it holds.")
            }
            (Vague::SingleLetter, _) => {
                format!("Line {n}: `{name}` is a single letter that does not say what it holds.")
            }
        });
    }
    for (name, row, import) in &facts.unused {
        minor.push(if *import {
            format!("Line {}: `{name}` is imported but never used.", row + 1)
        } else {
            format!("Line {}: `{name}` is assigned but never read.", row + 1)
        });
    }
    for (expr, rows) in &facts.repeated {
        let at: Vec<String> = rows.iter().map(|r| (r + 1).to_string()).collect();
        minor.push(format!(
            "Lines {}: `{}` is written out {} times: compute it once and name it.",
            join_words(&at),
            expr.trim(),
            rows.len()
        ));
    }
    let mut magic_numbers: Vec<String> = Vec::new();
    for (literal, row) in &facts.magic {
        if !magic_numbers.contains(literal) {
            magic_numbers.push(literal.clone());
            minor.push(format!(
                "Line {}: `{literal}` is an unexplained constant: name it or derive it from the input.",
                row + 1
            ));
        }
    }

    let mut fatal: Vec<String> = Vec::new();
    let parses = facts.error_rows.is_empty();
    let mut rows: Vec<usize> = facts.error_rows.clone();
    rows.sort_unstable();
    rows.dedup();
    let trailing = !parses && !facts.unread && rows.iter().all(|&r| r >= facts.last_code_row);
    if facts.unread {
        fatal
            .push("The code could not be read: it is too long or too broken to parse.".to_string());
    } else if trailing {
        minor.push(format!(
            "Line {}: the last line is cut off and does not parse.",
            facts.last_code_row + 1
        ));
    } else if !parses {
        let at: Vec<String> = rows.iter().take(5).map(|r| (r + 1).to_string()).collect();
        fatal.push(if rows.len() == 1 {
            format!("Line {}: the code does not parse here.", at.join(""))
        } else {
            format!(
                "The code does not parse: syntax errors on lines {}.",
                join_words(&at)
            )
        });
    }
    if facts.lines < 3 {
        fatal.push(format!(
            "Only {} line{} of code: too little to judge how it reads.",
            facts.lines,
            if facts.lines == 1 { "" } else { "s" }
        ));
    }

    let problems = minor.len() + unsaid;
    let level = if facts.lines < 3 {
        1
    } else if !fatal.is_empty() {
        // One local syntax slip in otherwise clean code is not "unreadable".
        if rows.len() == 1 && problems == 0 && serious.is_empty() {
            fatal.push("Apart from that one slip it reads cleanly.".to_string());
            2
        } else {
            1
        }
    } else if !serious.is_empty() || problems >= 2 {
        2
    } else if problems == 1 {
        3
    } else {
        4
    };

    let strengths = if fatal.is_empty() {
        strengths(lang, facts, &vague)
    } else {
        Vec::new()
    };
    let mut findings = fatal;
    findings.extend(serious);
    findings.extend(minor);
    if facts.clipped {
        findings.push(format!(
            "Only the first {} lines were read: that is far more code than an interview answer needs.",
            facts.lines
        ));
    }

    let mut unused: Vec<String> = Vec::new();
    for (name, _, _) in &facts.unused {
        if !unused.contains(name) {
            unused.push(name.clone());
        }
    }
    Reading {
        lang,
        parses,
        lines: facts.lines,
        functions: functions.len(),
        longest_function: functions.iter().map(|u| u.lines).max().unwrap_or(0),
        max_nesting: facts.units.iter().map(|u| u.max_nesting).max().unwrap_or(0),
        max_complexity: facts.units.iter().map(|u| u.complexity).max().unwrap_or(1),
        vague_names: vague.iter().map(|(b, _)| b.name.clone()).collect(),
        unused,
        unreachable: facts.dead.iter().map(|d| d.count).sum(),
        repeated: facts.repeated.iter().map(|(e, _)| e.clone()).collect(),
        magic_numbers,
        findings,
        strengths,
        level,
    }
}

/// Names a reviewer would flag, first binding of each, in source order.
fn vague_names(bindings: &[Binding]) -> Vec<(&Binding, Vague)> {
    let bound: HashSet<&str> = bindings.iter().map(|b| b.name.as_str()).collect();
    let in_unit =
        |unit: usize, name: &str| bindings.iter().any(|b| b.unit == unit && b.name == name);
    let mut seen: HashSet<&str> = HashSet::new();
    let mut out = Vec::new();
    for b in bindings {
        if b.kind == Bind::Import || seen.contains(b.name.as_str()) {
            continue;
        }
        let why = vague_reason(b, &bound, &in_unit);
        if let Some(why) = why {
            seen.insert(&b.name);
            out.push((b, why));
        }
    }
    out
}

fn vague_reason(
    b: &Binding,
    bound: &HashSet<&str>,
    in_unit: &dyn Fn(usize, &str) -> bool,
) -> Option<Vague> {
    let name = b.name.as_str();
    let lower = name.to_ascii_lowercase();
    let base = lower
        .trim_end_matches(|c: char| c.is_ascii_digit())
        .trim_end_matches('_');
    let numbered = base.len() < lower.len() && !base.is_empty();
    let local = matches!(
        b.kind,
        Bind::Local | Bind::Write | Bind::Unpacked | Bind::LoopVar | Bind::Function | Bind::Class
    );
    // `data` is a fair parameter name; a method `var` computes a variance.
    let excused = matches!(
        (base, b.kind),
        ("data", Bind::Param) | ("var", Bind::Function)
    );
    if MEANINGLESS.contains(&base) && !excused {
        return Some(Vague::Meaningless);
    }
    if numbered && b.kind != Bind::Param {
        let original = name
            .trim_end_matches(|c: char| c.is_ascii_digit())
            .trim_end_matches('_');
        if GENERIC_BASES.contains(&base) || bound.contains(original) {
            return Some(Vague::Meaningless);
        }
    }
    if local && ABBREVIATIONS.contains(&lower.as_str()) {
        return Some(Vague::Abbreviation);
    }
    let single = name.chars().count() == 1;
    if !single || CONVENTIONAL.contains(&name) || !(local || b.kind == Bind::ExceptVar) {
        return None;
    }
    let pair =
        |a: &str, b2: &str| [a, b2].contains(&name) && in_unit(b.unit, a) && in_unit(b.unit, b2);
    let excused = match b.kind {
        Bind::ExceptVar => name == "e",
        // `a`/`b` as two compared values, `r`/`c` as a row and a column.
        _ => pair("a", "b") || pair("r", "c"),
    };
    (!excused).then_some(Vague::SingleLetter)
}

fn strengths(lang: Lang, facts: &Facts, vague: &[(&Binding, Vague)]) -> Vec<String> {
    let mut out = Vec::new();
    if vague.is_empty() {
        let mut names: Vec<&str> = Vec::new();
        for b in &facts.bindings {
            let telling = matches!(b.kind, Bind::Local | Bind::Unpacked | Bind::LoopVar)
                && b.name.chars().count() >= 3
                && !b.name.starts_with('_');
            if telling && !names.contains(&b.name.as_str()) && names.len() < 3 {
                names.push(&b.name);
            }
        }
        if !names.is_empty() {
            let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
            out.push(format!("Names say what they hold ({}).", quoted.join(", ")));
        }
    }
    let functions: Vec<_> = facts.units.iter().filter(|u| u.is_function).collect();
    let longest = functions.iter().map(|u| u.lines).max().unwrap_or(0);
    let simple = facts
        .units
        .iter()
        .all(|u| u.complexity <= COMPLEX && u.max_nesting <= DEEP);
    if functions.len() >= 2 && longest <= LONG && simple {
        out.push(format!(
            "Each function does one thing ({} functions, the longest {} lines).",
            functions.len(),
            longest
        ));
    } else if let [only] = functions.as_slice()
        && only.lines <= LONG
        && simple
    {
        out.push(format!(
            "`{}` is short and simple ({} lines, complexity {}).",
            only.name, only.lines, only.complexity
        ));
    }
    if let Some(guarded) = functions.iter().find(|u| u.has_guard_clause) {
        out.push(format!(
            "`{}` returns early instead of nesting the rest in an `else`.",
            guarded.name
        ));
    }
    if facts.unused.is_empty() && facts.dead.is_empty() {
        // Java imports, C++ includes and C# usings are not checked (see
        // `Reading`).
        out.push(if lang.is_c_family() {
            "No dead code: every variable is used.".to_string()
        } else {
            "No dead code: every variable and import is used.".to_string()
        });
    }
    out
}

fn join_words(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {}", init.join(", "), last),
    }
}
