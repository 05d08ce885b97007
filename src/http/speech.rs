//! `GET /api/sessions/{id}/speech/{seq}`: the interviewer's voice for one
//! prompt, synthesised by the server when `[tts] backend = "remote"`. The
//! browser falls back to its own speech synthesis on any error, so a
//! failing speech server never stalls an interview.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::error::AppError;
use super::sessions::{TokenQuery, authorize, presented_token};
use crate::config::{Config, TtsBackend};
use crate::engine::{Event, Session};
use crate::speech::tts::RemoteSpeaker;
use crate::ws::protocol::ServerMsg;

/// The server's speaker, when one is configured. One that cannot be built
/// (the HTTP client failed) leaves the browser speaking, with an error in
/// the log, rather than refusing to start an otherwise working server.
pub(super) fn speaker(config: &Config) -> Option<Arc<RemoteSpeaker>> {
    if config.tts.backend != TtsBackend::Remote {
        return None;
    }
    match RemoteSpeaker::new(&config.tts) {
        Ok(speaker) => Some(Arc::new(speaker)),
        Err(e) => {
            tracing::error!(
                error = e,
                "server voice disabled; browsers will speak prompts"
            );
            None
        }
    }
}

pub async fn prompt_audio(
    State(state): State<AppState>,
    Path((id, seq)): Path<(String, String)>,
    Query(query): Query<TokenQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    authorize(&state, &id, presented_token(&query, &headers)).await?;
    let Some(speaker) = &state.speaker else {
        return Err(AppError::NotFound(
            "this server does not speak prompts ([tts] backend is \"browser\"); \
             use the browser's speech synthesis"
                .into(),
        ));
    };
    let no_prompt = || AppError::NotFound(format!("no prompt with seq {seq:?} in this session"));
    let seq: u64 = seq.parse().map_err(|_| no_prompt())?;
    let text = spoken_text(&state, &id, seq).await?.ok_or_else(no_prompt)?;
    let audio = speaker.speak(&text).await.map_err(|e| {
        tracing::warn!(session_id = id, seq, error = %e, "speech synthesis failed");
        AppError::SpeechUnavailable(e.to_string())
    })?;
    Ok((
        [
            (header::CONTENT_TYPE, speaker.content_type()),
            // The audio speaks one candidate's interview.
            (header::CACHE_CONTROL, "private, max-age=3600"),
        ],
        audio,
    )
        .into_response())
}

/// What the browser would speak for the prompt stored at `seq`: the round's
/// intro (on its first question) and the prompt, exactly as the `prompt`
/// message carries them.
async fn spoken_text(state: &AppState, id: &str, seq: u64) -> Result<Option<String>, AppError> {
    let events = state.store.events(id, 0).await?;
    let Some(stored) = events
        .iter()
        .find(|e| e.seq == seq && matches!(e.event, Event::Prompted { .. }))
    else {
        return Ok(None);
    };
    let session = Session::replay(&events).map_err(|e| AppError::Internal(e.into()))?;
    Ok(match ServerMsg::from_event(id, stored, &session, 0) {
        Some(ServerMsg::Prompt {
            lead, intro, text, ..
        }) => Some(
            [lead.unwrap_or_default(), intro.unwrap_or_default(), text]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" "),
        ),
        _ => None,
    })
}
