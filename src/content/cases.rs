//! A coding question's `[questions.tests]`: the function to write in each
//! language and the cases it is run against. Parsed and checked here so the
//! sandbox only ever sees well-formed, bounded tests.

use serde::Deserialize;
use toml::Spanned;

use super::files::Diagnostics;
use super::model::{CodeTests, FunctionSignature, RoundKind, TestCase};

/// Enough for any interview question; bounds what one run carries into
/// the sandbox and what each stored run records.
const MAX_CASES: usize = 50;
const MAX_ARGS: usize = 16;
const MAX_CASE_JSON_BYTES: usize = 64 * 1024;
const DEFAULT_TOLERANCE: f64 = 1e-6;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TestsFile {
    python: Option<SignatureFile>,
    javascript: Option<SignatureFile>,
    java: Option<SignatureFile>,
    cpp: Option<SignatureFile>,
    csharp: Option<SignatureFile>,
    tolerance: Option<Spanned<f64>>,
    #[serde(default)]
    any_order: bool,
    note: Option<String>,
    cases: Spanned<Vec<CaseFile>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignatureFile {
    function: Spanned<String>,
    signature: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    args: Spanned<Vec<toml::Value>>,
    expected: Spanned<toml::Value>,
    #[serde(default)]
    hidden: bool,
}

pub(super) fn parse(
    raw: Spanned<TestsFile>,
    kind: RoundKind,
    at: &str,
    r: &mut Diagnostics<'_>,
) -> Option<CodeTests> {
    let span = raw.span();
    let raw = raw.into_inner();
    let before = r.errors.len();
    if !kind.is_coding() {
        r.error(
            span.clone(),
            format!("{at}.tests"),
            format!("only coding and ml-coding questions run tests, not {kind}"),
        );
    }
    if raw.python.is_none() && raw.javascript.is_none() && raw.java.is_none() && raw.cpp.is_none() {
        r.error(
            span,
            format!("{at}.tests"),
            "needs a function for at least one language: python, javascript, java, cpp or csharp",
        );
    }
    let mut signature = |file: Option<SignatureFile>, language: &str| {
        let file = file?;
        let name = file.function.get_ref();
        if !is_identifier(name) {
            r.error(
                file.function.span(),
                format!("{at}.tests.{language}.function"),
                format!("{name:?} is not a function name (letters, digits and _)"),
            );
        } else if !file.signature.contains(name.as_str()) {
            r.error(
                file.function.span(),
                format!("{at}.tests.{language}.signature"),
                format!("must name the function {name:?}"),
            );
        }
        Some(FunctionSignature {
            function: file.function.into_inner(),
            signature: file.signature.trim_end().to_owned(),
        })
    };
    let python = signature(raw.python, "python");
    let javascript = signature(raw.javascript, "javascript");
    let java = signature(raw.java, "java");
    let cpp = signature(raw.cpp, "cpp");
    let csharp = signature(raw.csharp, "csharp");
    let tolerance = match &raw.tolerance {
        Some(t) if !(*t.get_ref() > 0.0 && *t.get_ref() < 1.0) => {
            r.error(
                t.span(),
                format!("{at}.tests.tolerance"),
                "must be greater than 0 and less than 1",
            );
            DEFAULT_TOLERANCE
        }
        Some(t) => *t.get_ref(),
        None => DEFAULT_TOLERANCE,
    };
    let cases_span = raw.cases.span();
    let raw_cases = raw.cases.into_inner();
    if raw_cases.is_empty() || raw_cases.len() > MAX_CASES {
        r.error(
            cases_span,
            format!("{at}.tests.cases"),
            format!("needs 1 to {MAX_CASES} cases, has {}", raw_cases.len()),
        );
    }
    let mut cases = Vec::new();
    for (i, case) in raw_cases.into_iter().enumerate() {
        let field = format!("{at}.tests.cases[{i}]");
        let args_span = case.args.span();
        let args: Result<Vec<_>, _> = case.args.into_inner().into_iter().map(to_json).collect();
        let expected_span = case.expected.span();
        let expected = to_json(case.expected.into_inner());
        let (args, expected) = match (args, expected) {
            (Ok(args), Ok(expected)) => (args, expected),
            (Err(message), _) => {
                r.error(args_span, format!("{field}.args"), message);
                continue;
            }
            (_, Err(message)) => {
                r.error(expected_span, format!("{field}.expected"), message);
                continue;
            }
        };
        if args.len() > MAX_ARGS {
            r.error(
                args_span.clone(),
                format!("{field}.args"),
                format!("at most {MAX_ARGS} arguments"),
            );
        }
        let size = serde_json::to_vec(&(&args, &expected)).map_or(usize::MAX, |v| v.len());
        if size > MAX_CASE_JSON_BYTES {
            r.error(
                args_span,
                field.clone(),
                format!("is {size} bytes as JSON; the limit is {MAX_CASE_JSON_BYTES}"),
            );
        }
        cases.push(TestCase {
            args,
            expected,
            hidden: case.hidden,
        });
    }
    if r.errors.len() > before {
        return None;
    }
    Some(CodeTests {
        python,
        javascript,
        java,
        cpp,
        csharp,
        tolerance,
        any_order: raw.any_order,
        note: raw
            .note
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty()),
        cases,
    })
}

fn is_identifier(s: &str) -> bool {
    s.len() <= 64
        && s.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// TOML values as JSON: tables become objects, and the two things JSON
/// lacks (dates, non-finite floats) are errors.
fn to_json(value: toml::Value) -> Result<serde_json::Value, String> {
    use serde_json::Value as J;
    Ok(match value {
        toml::Value::String(s) => J::String(s),
        toml::Value::Integer(i) => J::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f)
            .map(J::Number)
            .ok_or("NaN and infinity are not JSON values")?,
        toml::Value::Boolean(b) => J::Bool(b),
        toml::Value::Datetime(_) => return Err("dates are not JSON values".into()),
        toml::Value::Array(items) => {
            J::Array(items.into_iter().map(to_json).collect::<Result<_, _>>()?)
        }
        toml::Value::Table(table) => J::Object(
            table
                .into_iter()
                .map(|(k, v)| Ok((k, to_json(v)?)))
                .collect::<Result<_, String>>()?,
        ),
    })
}
