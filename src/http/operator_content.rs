//! The operator console's content routes: list and read the editable files,
//! check an edit against the whole catalog in memory, and save it (write the
//! file atomically, rebuild the catalog, swap it in). Sessions already
//! started keep the plan they pinned, so a save only changes new sessions.

use std::path::{Path, PathBuf};

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::AppState;
use super::edge::require_operator;
use super::error::AppError;
use crate::content::edit::{self, ContentPath, FileKind};
use crate::content::{ContentErrors, ContentSource, RoundKind};
use crate::validate::check;

/// The content directory the server runs on, and the lock that orders
/// edits: held from reading the tree to swapping the catalog, so two saves
/// never validate against a tree the other is about to change.
pub struct LiveContent {
    /// `None` while the server runs on the embedded content.
    dir: tokio::sync::Mutex<Option<PathBuf>>,
    /// Where the first save copies the embedded content to.
    data_dir: PathBuf,
}

impl LiveContent {
    pub fn new(dir: Option<PathBuf>, data_dir: PathBuf) -> LiveContent {
        LiveContent {
            dir: tokio::sync::Mutex::new(dir),
            data_dir,
        }
    }

    /// The directory now in use, `None` for the embedded content.
    pub async fn dir(&self) -> Option<PathBuf> {
        self.dir.lock().await.clone()
    }
}

/// Reads the content the server runs on now (off the executor: it is a
/// directory walk).
pub(super) async fn current_source(state: &AppState) -> Result<ContentSource, AppError> {
    let dir = state.content.dir().await;
    blocking(move || read_source(dir.as_deref())).await?
}

fn read_source(dir: Option<&Path>) -> Result<ContentSource, AppError> {
    ContentSource::configured(dir).map_err(|e| {
        AppError::Internal(anyhow::anyhow!(
            "the content directory cannot be read:\n{e}"
        ))
    })
}

pub(super) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("a content task failed: {e}")))
}

/// A JSON body, or the client's mistake as a clear error (413 when over the
/// route's size limit).
pub(super) fn body<T>(body: Result<Json<T>, JsonRejection>) -> Result<T, AppError> {
    match body {
        Ok(Json(body)) => Ok(body),
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(AppError::TooLarge(
            "the request body is larger than this route accepts".into(),
        )),
        Err(e) => Err(AppError::bad_request("bad_request", e.body_text())),
    }
}

pub(super) fn parse_path(path: &str) -> Result<ContentPath, AppError> {
    ContentPath::parse(path).map_err(|e| AppError::bad_request("bad_path", e.to_string()))
}

/// The edit failed validation: 422 with every problem, nothing written.
pub(super) struct Invalid(pub ContentErrors);

impl IntoResponse for Invalid {
    fn into_response(self) -> Response {
        let count = self.0.0.len();
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({
                "error": {
                    "code": "invalid_content",
                    "message": format!("the content has {count} problem(s); nothing was saved"),
                },
                "diagnostics": self.0.0,
            })),
        )
            .into_response()
    }
}

#[derive(Serialize)]
pub struct FileEntry {
    pub path: String,
    pub kind: FileKind,
    pub bytes: usize,
}

#[derive(Serialize)]
pub struct RubricEntry {
    pub id: String,
    pub kind: RoundKind,
    pub title: String,
    pub version: String,
}

#[derive(Serialize)]
pub struct QuestionEntry {
    pub id: String,
    pub kind: RoundKind,
    pub title: String,
}

/// What the console's file list and its "try a rubric" panel need.
#[derive(Serialize)]
pub struct Listing {
    /// The hash new sessions pin.
    pub hash: String,
    /// `false` while the server runs on the embedded content: the first
    /// save copies it into the data directory.
    pub on_disk: bool,
    pub files: Vec<FileEntry>,
    pub rubrics: Vec<RubricEntry>,
    pub questions: Vec<QuestionEntry>,
}

/// `GET /api/operator/content/files`.
pub async fn files(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Listing>, AppError> {
    require_operator(&state, &headers)?;
    let on_disk = state.content.dir().await.is_some();
    let source = current_source(&state).await?;
    let catalog = state.catalog();
    Ok(Json(Listing {
        hash: catalog.hash().to_owned(),
        on_disk,
        files: source
            .editable()
            .map(|(path, file)| FileEntry {
                kind: path.kind(),
                path: path.as_str().to_owned(),
                bytes: file.text.len(),
            })
            .collect(),
        rubrics: catalog
            .rubrics()
            .map(|r| RubricEntry {
                id: r.id.clone(),
                kind: r.kind,
                title: r.title.clone(),
                version: r.version.clone(),
            })
            .collect(),
        questions: RoundKind::ALL
            .iter()
            .flat_map(|&kind| catalog.questions(kind))
            .map(|q| QuestionEntry {
                id: q.id.clone(),
                kind: q.kind,
                title: q.title.clone(),
            })
            .collect(),
    }))
}

#[derive(Serialize)]
pub struct FileText {
    pub path: String,
    pub kind: FileKind,
    pub text: String,
}

/// `GET /api/operator/content/file/{path}`.
pub async fn read(
    State(state): State<AppState>,
    UrlPath(path): UrlPath<String>,
    headers: HeaderMap,
) -> Result<Json<FileText>, AppError> {
    require_operator(&state, &headers)?;
    let path = parse_path(&path)?;
    let source = current_source(&state).await?;
    let file = source
        .file(path.as_str())
        .ok_or_else(|| AppError::NotFound(format!("no content file {path}")))?;
    Ok(Json(FileText {
        kind: path.kind(),
        text: file.text.clone(),
        path: path.to_string(),
    }))
}

/// One edited file, as the editor holds it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Edit {
    pub path: String,
    pub text: String,
}

#[derive(Serialize)]
pub struct CheckReport {
    pub ok: bool,
    /// The content hash new sessions would pin if this edit were saved.
    pub hash: String,
    /// Every problem in the whole tree with the edit applied: an edit can
    /// break another file (a question's probe naming a removed signal).
    pub diagnostics: Vec<crate::content::ContentError>,
}

/// `POST /api/operator/content/check`: validates without writing anything.
pub async fn check_edit(
    State(state): State<AppState>,
    headers: HeaderMap,
    edit: Result<Json<Edit>, JsonRejection>,
) -> Result<Json<CheckReport>, AppError> {
    require_operator(&state, &headers)?;
    let edit = body(edit)?;
    let path = parse_path(&edit.path)?;
    let source = current_source(&state).await?;
    let report = blocking(move || {
        let edited = source.with_file(&path, edit.text);
        let hash = edited.hash();
        let diagnostics = match check(&edited) {
            Ok(_) => Vec::new(),
            Err(errors) => errors.0,
        };
        CheckReport {
            ok: diagnostics.is_empty(),
            hash,
            diagnostics,
        }
    })
    .await?;
    Ok(Json(report))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Save {
    pub text: String,
}

#[derive(Serialize)]
pub struct Saved {
    pub path: String,
    /// The hash new sessions now pin.
    pub hash: String,
    pub previous_hash: String,
    /// The first save on the embedded content copied it to the data
    /// directory; the server runs on that copy from now on.
    pub copied_embedded: bool,
}

/// `PUT /api/operator/content/file/{path}`.
pub async fn save(
    State(state): State<AppState>,
    UrlPath(path): UrlPath<String>,
    headers: HeaderMap,
    save: Result<Json<Save>, JsonRejection>,
) -> Result<Response, AppError> {
    require_operator(&state, &headers)?;
    let text = body(save)?.text;
    let path = parse_path(&path)?;
    let mut dir = state.content.dir.lock().await;
    let current = dir.clone();
    let data_dir = state.content.data_dir.clone();
    let outcome = {
        let path = path.clone();
        blocking(move || write_edit(current.as_deref(), &data_dir, &path, text)).await??
    };
    let (new_dir, catalog) = match outcome {
        Err(errors) => return Ok(Invalid(errors).into_response()),
        Ok(done) => done,
    };
    let copied_embedded = dir.is_none();
    *dir = Some(new_dir);
    let hash = catalog.hash().to_owned();
    let previous_hash = state.replace_catalog(catalog);
    drop(dir);
    tracing::info!(%path, %hash, %previous_hash, copied_embedded, "content file saved; catalog reloaded");
    Ok(Json(Saved {
        path: path.to_string(),
        hash,
        previous_hash,
        copied_embedded,
    })
    .into_response())
}

/// Validates the tree with `path` replaced and, if it passes, writes it:
/// into `dir`, or (on the embedded content) as a full copy under the data
/// directory. Returns the directory now in use and the new catalog.
fn write_edit(
    dir: Option<&Path>,
    data_dir: &Path,
    path: &ContentPath,
    text: String,
) -> Result<Result<(PathBuf, crate::content::Catalog), ContentErrors>, AppError> {
    let edited = read_source(dir)?.with_file(path, text);
    let checked = match check(&edited) {
        Ok(checked) => checked,
        Err(errors) => return Ok(Err(errors)),
    };
    let written = match dir {
        Some(dir) => {
            let text = edited.file(path.as_str()).map_or("", |f| f.text.as_str());
            edit::write_file(dir, path, text).map(|()| dir.to_owned())
        }
        None => {
            let target = edit::saved_dir(data_dir);
            edit::export_to(&edited, &target).map(|()| target)
        }
    };
    let dir = written.map_err(|e| {
        AppError::Internal(anyhow::Error::new(e).context(format!("writing {path}")))
    })?;
    Ok(Ok((dir, checked.catalog)))
}
