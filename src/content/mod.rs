//! Content: loops, question banks and rubrics, loaded from files into a typed,
//! validated [`Catalog`]. The files come from a directory an operator edits or,
//! by default, from the copies embedded in the binary at build time.
//!
//! The catalog carries a hash of every file it was built from. A session pins
//! the hash (and a copy of what it uses) when it starts, so a later edit never
//! changes an interview in flight.

mod cases;
pub mod edit;
mod files;
pub mod model;
pub mod pattern;

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use rust_embed::RustEmbed;
use sha2::{Digest, Sha256};

pub use model::{
    Band, BankEntry, CodeLanguage, CodeTests, CoreValue, Difficulty, Dimension, FunctionSignature,
    KeyPoint, Level, Loop, LoopRound, Probe, Question, Requirement, RoundKind, Rubric, Signal,
    TestCase, ValuesAside,
};

/// The most follow-ups one question may have: an hour-long design round is
/// one question and a conversation about it.
pub const MAX_FOLLOW_UPS: u32 = 10;

/// One problem in one content file.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, thiserror::Error)]
#[error("{file}:{line}: {field}: {message}")]
pub struct ContentError {
    pub file: String,
    pub line: usize,
    pub field: String,
    pub message: String,
}

/// Every problem found in a content tree.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct ContentErrors(pub Vec<ContentError>);

impl fmt::Display for ContentErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_lines(f, &self.0)
    }
}

/// One item per line, for error lists that report every problem at once.
pub fn write_lines<T: fmt::Display>(f: &mut fmt::Formatter<'_>, items: &[T]) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            writeln!(f)?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}

/// A content file: its path relative to the content root, with `/` separators.
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
}

#[derive(RustEmbed)]
#[folder = "prompts/"]
#[prefix = "prompts/"]
struct EmbeddedPrompts;

#[derive(RustEmbed)]
#[folder = "rubrics/"]
#[prefix = "rubrics/"]
struct EmbeddedRubrics;

/// The files a catalog is built from.
#[derive(Clone, Debug)]
pub struct ContentSource {
    files: Vec<SourceFile>,
}

impl ContentSource {
    /// The content shipped inside the binary.
    pub fn embedded() -> ContentSource {
        let mut files = Vec::new();
        type Get = fn(&str) -> Option<rust_embed::EmbeddedFile>;
        let paths = EmbeddedPrompts::iter()
            .map(|p| (p, EmbeddedPrompts::get as Get))
            .chain(EmbeddedRubrics::iter().map(|p| (p, EmbeddedRubrics::get as Get)));
        for (path, get) in paths {
            if let Some(file) = get(&path) {
                // Shipped files are UTF-8; a lossy read keeps a bad byte visible
                // to the validator instead of silently dropping the file.
                let text = String::from_utf8_lossy(&file.data).into_owned();
                files.push(SourceFile {
                    path: path.into_owned(),
                    text,
                });
            }
        }
        ContentSource::new(files)
    }

    /// Reads `DIR/prompts/**` and `DIR/rubrics/**`.
    pub fn from_dir(dir: &Path) -> Result<ContentSource, ContentErrors> {
        let mut files = Vec::new();
        let mut errors = Vec::new();
        for top in ["prompts", "rubrics"] {
            let root = dir.join(top);
            if !root.is_dir() {
                errors.push(ContentError {
                    file: root.display().to_string(),
                    line: 0,
                    field: "(directory)".into(),
                    message: "missing: a content directory holds prompts/ and rubrics/".into(),
                });
                continue;
            }
            // Resolved once, so a file is checked against where the tree
            // really is (the content path may itself be a link).
            let base = dir.canonicalize().unwrap_or_else(|_| dir.to_owned());
            collect(&base, &base.join(top), &mut files, &mut errors);
        }
        if errors.is_empty() {
            Ok(ContentSource::new(files))
        } else {
            Err(ContentErrors(errors))
        }
    }

    pub fn new(mut files: Vec<SourceFile>) -> ContentSource {
        files.sort_by(|a, b| a.path.cmp(&b.path));
        ContentSource { files }
    }

    pub fn files(&self) -> &[SourceFile] {
        &self.files
    }

    /// The file at `path` (relative to the content root, `/` separators),
    /// for content read whole, such as the grader's prompt templates.
    pub fn file(&self, path: &str) -> Option<&SourceFile> {
        self.files.iter().find(|f| f.path == path)
    }

    /// The content `dir` names, else the content built into the binary.
    pub fn configured(dir: Option<&Path>) -> Result<ContentSource, ContentErrors> {
        match dir {
            Some(dir) => ContentSource::from_dir(dir),
            None => Ok(ContentSource::embedded()),
        }
    }

    /// SHA-256 over every path and its contents, in path order.
    pub fn hash(&self) -> String {
        let mut hasher = Sha256::new();
        for f in &self.files {
            hasher.update(f.path.as_bytes());
            hasher.update([0]);
            hasher.update(f.text.as_bytes());
            hasher.update([0]);
        }
        hasher
            .finalize()
            .iter()
            .take(8)
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    fn under<'a>(&'a self, folder: &'a str) -> impl Iterator<Item = &'a SourceFile> {
        self.files.iter().filter(move |f| {
            f.path
                .strip_prefix(folder)
                .is_some_and(|rest| !rest.contains('/') && rest.ends_with(".toml"))
        })
    }
}

fn collect(base: &Path, dir: &Path, files: &mut Vec<SourceFile>, errors: &mut Vec<ContentError>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            errors.push(io_error(dir, e));
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        // Directories are walked only when they are real ones (a link to a
        // parent would loop); files are read only when, resolved, they are
        // regular files inside the content directory: a link planted there
        // must not serve /etc/shadow through the content API.
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            collect(base, &path, files, errors);
            continue;
        }
        let inside = path
            .canonicalize()
            .is_ok_and(|real| real.starts_with(base) && real.is_file());
        if !inside {
            errors.push(ContentError {
                file: path.display().to_string(),
                line: 0,
                field: "(file)".into(),
                message: "not a regular file inside the content directory (links out of it, \
                          and links to folders, are refused)"
                    .into(),
            });
            continue;
        }
        let relative = path
            .strip_prefix(base)
            .unwrap_or(&path)
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        match std::fs::read_to_string(&path) {
            Ok(text) => files.push(SourceFile {
                path: relative,
                text,
            }),
            Err(e) => errors.push(io_error(&path, e)),
        }
    }
}

fn io_error(path: &Path, e: std::io::Error) -> ContentError {
    ContentError {
        file: path.display().to_string(),
        line: 0,
        field: "(file)".into(),
        message: e.to_string(),
    }
}

/// Rubric files on their own, parsed and checked exactly as the catalog
/// parses them: for regrading stored answers against an edited rubric.
/// Reads `DIR/rubrics/*.toml` when `DIR` holds a `rubrics/` folder (a content
/// directory), else `DIR/*.toml`.
pub fn load_rubrics(dir: &Path) -> Result<Vec<Rubric>, ContentErrors> {
    let folder = if dir.join("rubrics").is_dir() {
        dir.join("rubrics")
    } else {
        dir.to_owned()
    };
    let entries =
        std::fs::read_dir(&folder).map_err(|e| ContentErrors(vec![io_error(&folder, e)]))?;
    let mut paths: Vec<_> = entries
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.is_file() && path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    paths.sort();
    let mut errors = Vec::new();
    let mut rubrics: Vec<Rubric> = Vec::new();
    for path in &paths {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) => {
                errors.push(io_error(path, e));
                continue;
            }
        };
        let file = SourceFile {
            path: path.display().to_string(),
            text,
        };
        let before = errors.len();
        let Some(rubric) = files::parse_rubric(&file, &mut errors) else {
            continue;
        };
        if rubrics.iter().any(|r| r.id == rubric.id) {
            errors.push(ContentError {
                file: file.path.clone(),
                line: 1,
                field: "id".into(),
                message: format!("duplicate rubric id {:?}", rubric.id),
            });
        } else if errors.len() == before {
            rubrics.push(rubric);
        }
    }
    if paths.is_empty() {
        errors.push(ContentError {
            file: folder.display().to_string(),
            line: 0,
            field: "(directory)".into(),
            message: "no rubric files (*.toml) found".into(),
        });
    }
    if errors.is_empty() {
        Ok(rubrics)
    } else {
        Err(ContentErrors(errors))
    }
}

/// Where the company's core values are listed.
pub const CORE_VALUES: &str = "prompts/core-values.toml";

/// Everything the server and the CLI know about loops, questions and rubrics.
#[derive(Clone, Debug)]
pub struct Catalog {
    hash: String,
    loops: Vec<Loop>,
    rubrics: BTreeMap<String, Rubric>,
    questions: BTreeMap<RoundKind, Vec<Question>>,
    /// The company's core values (`prompts/core-values.toml`; none without it).
    core_values: Vec<CoreValue>,
}

/// Gives every question of one kind the same [`Question::bank`].
fn share_bank(questions: &mut [Question]) {
    let bank: std::sync::Arc<[BankEntry]> = questions
        .iter()
        .map(|q| BankEntry {
            id: q.id.clone(),
            title: q.title.clone(),
            text: q.text.clone(),
            key_points: q.key_point_texts().map(str::to_owned).collect(),
        })
        .collect();
    for question in questions {
        question.bank = std::sync::Arc::clone(&bank);
    }
}

impl Catalog {
    /// Validates every file; on any problem returns all of them.
    pub fn build(source: &ContentSource) -> Result<Catalog, ContentErrors> {
        let mut errors = Vec::new();
        let mut rubrics = BTreeMap::new();
        for file in source.under("rubrics/") {
            if let Some(rubric) = files::parse_rubric(file, &mut errors) {
                if rubrics.contains_key(&rubric.id) {
                    errors.push(ContentError {
                        file: file.path.clone(),
                        line: 1,
                        field: "id".into(),
                        message: format!("duplicate rubric id {:?}", rubric.id),
                    });
                }
                rubrics.insert(rubric.id.clone(), rubric);
            }
        }
        let mut questions: BTreeMap<RoundKind, Vec<Question>> = BTreeMap::new();
        let mut seen = std::collections::HashSet::new();
        for file in source.under("prompts/questions/") {
            if let Some((kind, parsed)) = files::parse_bank(file, &rubrics, &mut errors) {
                for (question, span) in parsed {
                    if !seen.insert(question.id.clone()) {
                        files::duplicate_question(file, span, &question.id, &mut errors);
                    }
                    questions.entry(kind).or_default().push(question);
                }
            }
        }
        for bank in questions.values_mut() {
            share_bank(bank);
        }
        let mut loops = Vec::new();
        for file in source.under("prompts/loops/") {
            if let Some(l) = files::parse_loop(file, &rubrics, &questions, &mut errors) {
                loops.push(l);
            }
        }
        if source.under("prompts/loops/").next().is_none() {
            errors.push(ContentError {
                file: "prompts/loops".into(),
                line: 0,
                field: "(directory)".into(),
                message: "no loops defined".into(),
            });
        }
        let core_values = match source.file(CORE_VALUES) {
            Some(file) => files::parse_core_values(
                file,
                questions
                    .get(&RoundKind::Values)
                    .map(Vec::as_slice)
                    .unwrap_or_default(),
                &mut errors,
            ),
            None => Vec::new(),
        };
        if !errors.is_empty() {
            return Err(ContentErrors(errors));
        }
        Ok(Catalog {
            hash: source.hash(),
            loops,
            rubrics,
            questions,
            core_values,
        })
    }

    /// The catalog built into the binary. Its files are checked by the test
    /// suite, so failing here is a build defect, reported as an error anyway.
    pub fn embedded() -> Result<Catalog, ContentErrors> {
        Catalog::build(&ContentSource::embedded())
    }

    pub fn hash(&self) -> &str {
        &self.hash
    }

    /// The company's core values, which every loop's interviewers listen for.
    pub fn core_values(&self) -> &[CoreValue] {
        &self.core_values
    }

    pub fn loops(&self) -> &[Loop] {
        &self.loops
    }

    pub fn find_loop(&self, id: &str) -> Option<&Loop> {
        self.loops.iter().find(|l| l.id == id)
    }

    pub fn rubric(&self, id: &str) -> Option<&Rubric> {
        self.rubrics.get(id)
    }

    /// The rubric whose id is the kind's name, else the first of that kind.
    pub fn rubric_for_kind(&self, kind: RoundKind) -> Option<&Rubric> {
        self.rubrics
            .get(kind.as_str())
            .or_else(|| self.rubrics.values().find(|r| r.kind == kind))
    }

    pub fn questions(&self, kind: RoundKind) -> &[Question] {
        self.questions.get(&kind).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn question_count(&self) -> usize {
        self.questions.values().map(Vec::len).sum()
    }

    /// Every rubric, in id order.
    pub fn rubrics(&self) -> impl Iterator<Item = &Rubric> {
        self.rubrics.values()
    }

    /// The question with `id`, of any kind.
    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions.values().flatten().find(|q| q.id == id)
    }

    pub fn rubric_count(&self) -> usize {
        self.rubrics.len()
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_levels;
#[cfg(test)]
mod tests_values_aside;
