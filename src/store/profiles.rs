//! Candidates' profiles: a résumé and a posting as text, and the sessions
//! run with them. Both backends run the same statements (`$n` parameters
//! are read by SQLite and PostgreSQL alike); writes go straight to the pool
//! rather than through SQLite's session writer, being rare and never on an
//! interview's path.

use async_trait::async_trait;
use sqlx::Row;

use super::{PostgresStore, SessionRow, SqliteStore, StoreError};
use crate::engine::EpochMs;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileRow {
    pub id: String,
    /// SHA-256 of the profile's token, as for sessions.
    pub token_hash: String,
    pub created_at: EpochMs,
    pub used_at: EpochMs,
}

/// Which of a profile's documents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocumentKind {
    Resume,
    Job,
}

impl DocumentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::Resume => "resume",
            DocumentKind::Job => "job",
        }
    }

    fn parse(s: &str) -> Option<DocumentKind> {
        match s {
            "resume" => Some(DocumentKind::Resume),
            "job" => Some(DocumentKind::Job),
            _ => None,
        }
    }
}

/// A document's extracted text. Its Debug leaves the text out, so a
/// résumé never reaches a log through a `{:?}`.
#[derive(Clone, PartialEq, Eq)]
pub struct DocumentRow {
    pub kind: DocumentKind,
    pub media_type: String,
    pub text: String,
    pub updated_at: EpochMs,
}

impl std::fmt::Debug for DocumentRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DocumentRow")
            .field("kind", &self.kind)
            .field("media_type", &self.media_type)
            .field("chars", &self.text.chars().count())
            .field("updated_at", &self.updated_at)
            .finish()
    }
}

#[async_trait]
pub trait ProfileStore: Send + Sync {
    async fn create_profile(&self, row: &ProfileRow) -> Result<(), StoreError>;

    async fn profile(&self, id: &str) -> Result<Option<ProfileRow>, StoreError>;

    /// Marks the profile used at `at` (it then lives `unused_days` more).
    async fn touch_profile(&self, id: &str, at: EpochMs) -> Result<(), StoreError>;

    /// Stores `document` in place of the profile's one of its kind.
    async fn put_document(&self, profile: &str, document: &DocumentRow) -> Result<(), StoreError>;

    async fn documents(&self, profile: &str) -> Result<Vec<DocumentRow>, StoreError>;

    /// Links a session to the profile (again: no change).
    async fn link_session(
        &self,
        profile: &str,
        session: &str,
        at: EpochMs,
    ) -> Result<(), StoreError>;

    /// The sessions run with the profile, oldest first.
    async fn profile_sessions(&self, profile: &str) -> Result<Vec<SessionRow>, StoreError>;

    /// Removes the profile, its documents and its links to sessions.
    async fn delete_profile(&self, id: &str) -> Result<bool, StoreError>;

    /// Removes every profile last used before `cutoff`; how many.
    async fn delete_profiles_unused_since(&self, cutoff: EpochMs) -> Result<u64, StoreError>;
}

fn profile_row<R>(row: &R) -> Result<ProfileRow, sqlx::Error>
where
    R: Row,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    &'static str: sqlx::ColumnIndex<R>,
{
    Ok(ProfileRow {
        id: row.try_get("id")?,
        token_hash: row.try_get("token_hash")?,
        created_at: row.try_get("created_at")?,
        used_at: row.try_get("used_at")?,
    })
}

fn document_row<R>(row: &R) -> Result<Option<DocumentRow>, sqlx::Error>
where
    R: Row,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    &'static str: sqlx::ColumnIndex<R>,
{
    let kind: String = row.try_get("kind")?;
    // A kind this version does not know (written by a newer one) is skipped.
    Ok(DocumentKind::parse(&kind).map(|kind| DocumentRow {
        kind,
        media_type: row.try_get("media_type").unwrap_or_default(),
        text: row.try_get("body").unwrap_or_default(),
        updated_at: row.try_get("updated_at").unwrap_or_default(),
    }))
}

/// The same statements for each backend's pool.
macro_rules! profile_store {
    ($store:ty) => {
        #[async_trait]
        impl ProfileStore for $store {
            async fn create_profile(&self, row: &ProfileRow) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO profiles (id, token_hash, created_at, used_at) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(&row.id)
                .bind(&row.token_hash)
                .bind(row.created_at)
                .bind(row.used_at)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn profile(&self, id: &str) -> Result<Option<ProfileRow>, StoreError> {
                let row = sqlx::query("SELECT * FROM profiles WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(row.as_ref().map(profile_row).transpose()?)
            }

            async fn touch_profile(&self, id: &str, at: EpochMs) -> Result<(), StoreError> {
                sqlx::query("UPDATE profiles SET used_at = $2 WHERE id = $1 AND used_at < $2")
                    .bind(id)
                    .bind(at)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn put_document(
                &self,
                profile: &str,
                document: &DocumentRow,
            ) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO profile_documents (profile_id, kind, media_type, body, updated_at) \
                     VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (profile_id, kind) DO UPDATE SET media_type = excluded.media_type, \
                     body = excluded.body, updated_at = excluded.updated_at",
                )
                .bind(profile)
                .bind(document.kind.as_str())
                .bind(&document.media_type)
                .bind(&document.text)
                .bind(document.updated_at)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn documents(&self, profile: &str) -> Result<Vec<DocumentRow>, StoreError> {
                let rows = sqlx::query(
                    "SELECT * FROM profile_documents WHERE profile_id = $1 ORDER BY kind",
                )
                .bind(profile)
                .fetch_all(&self.pool)
                .await?;
                let mut documents = Vec::new();
                for row in &rows {
                    documents.extend(document_row(row)?);
                }
                Ok(documents)
            }

            async fn link_session(
                &self,
                profile: &str,
                session: &str,
                at: EpochMs,
            ) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO profile_sessions (profile_id, session_id, linked_at) \
                     VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                )
                .bind(profile)
                .bind(session)
                .bind(at)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn profile_sessions(
                &self,
                profile: &str,
            ) -> Result<Vec<SessionRow>, StoreError> {
                let rows = sqlx::query(
                    "SELECT s.* FROM sessions s JOIN profile_sessions p ON p.session_id = s.id \
                     WHERE p.profile_id = $1 ORDER BY s.created_at, s.id",
                )
                .bind(profile)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .iter()
                    .map(super::session_row)
                    .collect::<Result<_, _>>()?)
            }

            async fn delete_profile(&self, id: &str) -> Result<bool, StoreError> {
                let result = sqlx::query("DELETE FROM profiles WHERE id = $1")
                    .bind(id)
                    .execute(&self.pool)
                    .await?;
                Ok(result.rows_affected() > 0)
            }

            async fn delete_profiles_unused_since(
                &self,
                cutoff: EpochMs,
            ) -> Result<u64, StoreError> {
                let result = sqlx::query("DELETE FROM profiles WHERE used_at < $1")
                    .bind(cutoff)
                    .execute(&self.pool)
                    .await?;
                Ok(result.rows_affected())
            }
        }
    };
}

profile_store!(SqliteStore);
profile_store!(PostgresStore);
