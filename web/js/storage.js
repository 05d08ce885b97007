// localStorage persistence: the session record with its replayable events,
// and the unsent answer draft and coding notes.

import { app } from "./state.js";

const STORAGE_KEY = "mockloop.session.v1";

const DRAFT_KEY = "mockloop.draft.v1";
const NOTES_KEY = "mockloop.notes.v1";

export function loadRecord() {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const r = JSON.parse(raw);
    if (!r || typeof r.session_id !== "string" || typeof r.token !== "string") return null;
    r.last_seq = Number.isInteger(r.last_seq) && r.last_seq > 0 ? r.last_seq : 0;
    r.events = Array.isArray(r.events) ? r.events : [];
    r.finished = Boolean(r.finished);
    return r;
  } catch {
    return null;
  }
}

export function saveRecord() {
  const r = app.record;
  if (!r) return;
  r.last_seq = app.lastSeq;
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(r));
  } catch {
    // Storage full or blocked: keep just the session. With last_seq 0 a reload
    // makes the server replay every event, which rebuilds the same room.
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify({ ...r, events: [], last_seq: 0 }));
    } catch {
      /* nothing more we can do; the live page still works */
    }
  }
}

export function clearRecord() {
  try {
    localStorage.removeItem(STORAGE_KEY);
    localStorage.removeItem(DRAFT_KEY);
    localStorage.removeItem(NOTES_KEY);
  } catch {
    /* ignore */
  }
  app.record = null;
}

/** The answer box's unsent text, kept across a reload. */
export const saveDraft = (text) => saveText(DRAFT_KEY, text);
export const loadDraft = (sessionId) => loadText(DRAFT_KEY, sessionId);
/** The coding notes' unsent text, likewise. */
export const saveNotes = (text) => saveText(NOTES_KEY, text);
export const loadNotes = (sessionId) => loadText(NOTES_KEY, sessionId);

function saveText(key, text) {
  if (!app.record) return;
  try {
    if (text) localStorage.setItem(key, JSON.stringify({ session_id: app.record.session_id, text }));
    else localStorage.removeItem(key);
  } catch {
    /* ignore */
  }
}

function loadText(key, sessionId) {
  try {
    const d = JSON.parse(localStorage.getItem(key) || "null");
    return d && d.session_id === sessionId && typeof d.text === "string" ? d.text : "";
  } catch {
    return "";
  }
}

/** Remember an event so a reload can rebuild the room without the server. */
export function recordEvent(msg) {
  if (!app.record || app.record.finished) return;
  app.record.events.push({ at: Date.now(), msg });
  saveRecord();
}
