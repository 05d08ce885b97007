//! Editing content while the server runs: which files an operator may
//! touch, a content tree with one file replaced in memory (to validate an
//! edit before anything is written), and atomic writes into the content
//! directory.

use std::fmt;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{ContentSource, SourceFile};

/// The folders an operator edits, and the kind of file each holds. Grader
/// templates are not editable here: a broken one would only show when the
/// LLM grader next runs, and they change with the code, not with tuning.
const KINDS: [(&str, FileKind); 3] = [
    ("prompts/loops/", FileKind::Loop),
    ("prompts/questions/", FileKind::QuestionBank),
    ("rubrics/", FileKind::Rubric),
];

/// Longest file name (without `.toml`) accepted: far above any real one.
const MAX_NAME: usize = 64;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    Loop,
    QuestionBank,
    Rubric,
}

/// A path an operator may read or write: `prompts/loops/NAME.toml`,
/// `prompts/questions/NAME.toml` or `rubrics/NAME.toml`, where NAME is
/// lowercase letters, digits, `-` and `_`. Nothing else parses, so `..`, an
/// absolute path, a backslash or a hidden file can never reach the disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContentPath {
    path: String,
    kind: FileKind,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not an editable content file: expected prompts/loops/NAME.toml, \
     prompts/questions/NAME.toml or rubrics/NAME.toml (NAME: a-z, 0-9, - and _)"
)]
pub struct BadContentPath(pub String);

impl ContentPath {
    pub fn parse(path: &str) -> Result<ContentPath, BadContentPath> {
        let bad = || BadContentPath(path.chars().take(200).collect());
        let (folder, kind) = KINDS
            .iter()
            .find(|(folder, _)| path.starts_with(folder))
            .ok_or_else(bad)?;
        let name = path[folder.len()..].strip_suffix(".toml").ok_or_else(bad)?;
        let valid = !name.is_empty()
            && name.len() <= MAX_NAME
            && name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if !valid {
            return Err(bad());
        }
        Ok(ContentPath {
            path: path.to_owned(),
            kind: *kind,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.path
    }

    pub fn kind(&self) -> FileKind {
        self.kind
    }
}

impl fmt::Display for ContentPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path)
    }
}

impl ContentSource {
    /// The same tree with `path` holding `text` (added if it was not there).
    pub fn with_file(&self, path: &ContentPath, text: String) -> ContentSource {
        let mut files: Vec<SourceFile> = self
            .files
            .iter()
            .filter(|f| f.path != path.as_str())
            .cloned()
            .collect();
        files.push(SourceFile {
            path: path.as_str().to_owned(),
            text,
        });
        ContentSource::new(files)
    }

    /// The files an operator may edit, in path order.
    pub fn editable(&self) -> impl Iterator<Item = (ContentPath, &SourceFile)> {
        self.files
            .iter()
            .filter_map(|f| ContentPath::parse(&f.path).ok().map(|p| (p, f)))
    }
}

/// Where the console saves when the server started on the embedded content.
pub fn saved_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("content")
}

/// The content directory to run on: the configured one, else the copy a
/// previous save made in the data directory (so an edit survives a
/// restart), else none (the embedded content).
pub fn effective_dir(configured: Option<&Path>, data_dir: &Path) -> Option<PathBuf> {
    match configured {
        Some(dir) => Some(dir.to_owned()),
        None => Some(saved_dir(data_dir)).filter(|dir| dir.is_dir()),
    }
}

/// Writes `text` to `dir/path` through a temporary file in the same folder
/// and a rename, so a reader (or a crash) sees the old file or the new one,
/// never half of one.
pub fn write_file(dir: &Path, path: &ContentPath, text: &str) -> std::io::Result<()> {
    let target = dir.join(path.as_str());
    let folder = target
        .parent()
        .ok_or_else(|| std::io::Error::other("a content file has a folder"))?;
    std::fs::create_dir_all(folder)?;
    let mut temp = tempfile::Builder::new()
        .prefix(".edit-")
        .suffix(".tmp")
        .tempfile_in(folder)?;
    temp.write_all(text.as_bytes())?;
    temp.as_file().sync_all()?;
    temp.persist(&target).map_err(|e| e.error)?;
    sync_dir(folder);
    Ok(())
}

/// Copies every file of `source` into a new directory `target`, built
/// beside it and renamed into place, so a crash never leaves a half-copied
/// content directory that the next start would pick up.
pub fn export_to(source: &ContentSource, target: &Path) -> std::io::Result<()> {
    let parent = target
        .parent()
        .ok_or_else(|| std::io::Error::other("the content directory has a parent"))?;
    std::fs::create_dir_all(parent)?;
    let staging = tempfile::Builder::new()
        .prefix(".content-")
        .tempdir_in(parent)?;
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(staging.path(), std::fs::Permissions::from_mode(0o700))?;
    }
    for file in source.files() {
        let to = staging.path().join(&file.path);
        if let Some(folder) = to.parent() {
            std::fs::create_dir_all(folder)?;
        }
        // Private like the database: 0600 in a 0700 folder.
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&to)?
            .write_all(file.text.as_bytes())?;
    }
    std::fs::rename(staging.keep(), target)?;
    sync_dir(parent);
    Ok(())
}

/// Makes a rename durable. Best effort: not every platform can open a
/// directory, and the rename itself already happened.
fn sync_dir(dir: &Path) {
    if let Ok(handle) = std::fs::File::open(dir) {
        let _ = handle.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_files_of_the_known_kinds_parse_as_editable_paths() {
        for good in [
            "rubrics/values.toml",
            "prompts/loops/quick-practice.toml",
            "prompts/questions/ml_coding.toml",
        ] {
            assert!(ContentPath::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "../rubrics/values.toml",
            "rubrics/../../etc/passwd.toml",
            "/etc/rubrics/values.toml",
            "rubrics/values.txt",
            "rubrics/.hidden.toml",
            "rubrics/sub/values.toml",
            "rubrics\\values.toml",
            "prompts/grader/system.j2",
            "rubrics/.toml",
            "rubrics/Values.toml",
            "",
        ] {
            assert!(ContentPath::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_replaced_file_replaces_and_a_new_one_is_added() {
        let source = ContentSource::new(vec![SourceFile {
            path: "rubrics/a.toml".into(),
            text: "old".into(),
        }]);
        let path = ContentPath::parse("rubrics/a.toml").unwrap();
        let edited = source.with_file(&path, "new".into());
        assert_eq!(edited.files().len(), 1);
        assert_eq!(edited.file("rubrics/a.toml").unwrap().text, "new");
        assert_ne!(edited.hash(), source.hash());
        let added = source.with_file(&ContentPath::parse("rubrics/b.toml").unwrap(), "b".into());
        assert_eq!(added.files().len(), 2);
    }

    #[test]
    fn a_written_file_replaces_the_old_one_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = ContentPath::parse("rubrics/a.toml").unwrap();
        write_file(dir.path(), &path, "one").unwrap();
        write_file(dir.path(), &path, "two").unwrap();
        let folder = dir.path().join("rubrics");
        assert_eq!(
            std::fs::read_to_string(folder.join("a.toml")).unwrap(),
            "two"
        );
        assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 1);
    }

    #[test]
    fn copied_and_written_content_is_private_to_the_server_user() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let parent = tempfile::tempdir().unwrap();
        let target = parent.path().join("content");
        export_to(&ContentSource::embedded(), &target).unwrap();
        assert_eq!(mode(&target), 0o700);
        assert_eq!(mode(&target.join("rubrics/coding.toml")), 0o600);
        let path = ContentPath::parse("rubrics/coding.toml").unwrap();
        write_file(&target, &path, "edited").unwrap();
        assert_eq!(mode(&target.join("rubrics/coding.toml")), 0o600);
    }
}
