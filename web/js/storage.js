// localStorage persistence: the session record with its replayable events,
// the unsent answer draft and coding notes, the ids of the questions
// this browser has been asked (later sessions ask others first), and the
// key to the candidate's profile (never the résumé itself: that lives on
// the server). The record is the store's (`state.record`); `persistRecord`
// keeps the stored copy in step with it.

const STORAGE_KEY = "mockloop.session.v1";

const DRAFT_KEY = "mockloop.draft.v1";
const NOTES_KEY = "mockloop.notes.v1";
const SEEN_KEY = "mockloop.seen.v1";
const PROFILE_KEY = "mockloop.profile.v1";
// The latest this many are kept and sent; the server takes up to 1,000.
const MAX_SEEN = 500;

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

function saveRecord(r) {
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

function remove(...keys) {
  try {
    for (const key of keys) localStorage.removeItem(key);
  } catch {
    /* ignore */
  }
}

/**
 * Subscriber: the stored session follows `state.record`, with
 * `state.lastSeq` as its place. Another session (or none) drops the old
 * one's drafts with it; a finished one keeps no drafts.
 */
export function persistRecord(state, prev) {
  const r = state.record;
  const old = prev.record;
  if (r === old) return;
  if (old && (!r || r.session_id !== old.session_id)) remove(STORAGE_KEY, DRAFT_KEY, NOTES_KEY);
  else if (r && r.finished && !(old && old.finished)) remove(DRAFT_KEY, NOTES_KEY);
  if (r) saveRecord({ ...r, last_seq: state.lastSeq });
}

/** The answer box's unsent text, kept across a reload. */
export const saveDraft = (record, text) => saveText(DRAFT_KEY, record, text);
export const loadDraft = (sessionId) => loadText(DRAFT_KEY, sessionId);
/** The coding notes' unsent text, likewise. */
export const saveNotes = (record, text) => saveText(NOTES_KEY, record, text);
export const loadNotes = (sessionId) => loadText(NOTES_KEY, sessionId);

function saveText(key, record, text) {
  if (!record) return;
  try {
    if (text) localStorage.setItem(key, JSON.stringify({ session_id: record.session_id, text }));
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

/** The ids of the questions this browser has been asked, oldest first. */
export function seenQuestions() {
  try {
    const list = JSON.parse(localStorage.getItem(SEEN_KEY) || "[]");
    return Array.isArray(list) ? list.filter((id) => typeof id === "string") : [];
  } catch {
    return [];
  }
}

/** Remembers that question `id` was asked (again: it moves to the end). */
export function rememberAsked(id) {
  if (typeof id !== "string" || !id) return;
  const list = seenQuestions().filter((seen) => seen !== id);
  list.push(id);
  try {
    localStorage.setItem(SEEN_KEY, JSON.stringify(list.slice(-MAX_SEEN)));
  } catch {
    /* storage full or blocked: sessions just may repeat a question */
  }
}

/** The profile this browser holds the key to: {profile_id, token}, or null. */
export function loadProfile() {
  try {
    const p = JSON.parse(localStorage.getItem(PROFILE_KEY) || "null");
    return p && typeof p.profile_id === "string" && typeof p.token === "string"
      ? { profile_id: p.profile_id, token: p.token } : null;
  } catch {
    return null;
  }
}

/** Keeps the profile's key; false when storage refused it (the profile then lasts this page only). */
export function saveProfile(profile) {
  try {
    localStorage.setItem(PROFILE_KEY, JSON.stringify({ profile_id: profile.profile_id, token: profile.token }));
    return true;
  } catch {
    return false;
  }
}

/** Forgets the profile's key (deleted, or gone from the server). */
export function forgetProfile() {
  remove(PROFILE_KEY);
}
