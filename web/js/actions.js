// What the candidate does in the room that needs more than the store:
// entering and leaving (the socket, the saved drafts), sending an answer,
// putting one back, pausing. Each reads the answer box, talks to the
// socket, and tells the store what happened.

import { $ } from "./dom.js";
import { api, sessionPath } from "./api.js";
import { codeMode } from "./reduce.js";
import { store } from "./store.js";
import { loadDraft, loadNotes } from "./storage.js";
import { showAlert } from "./views.js";
import { connect, send } from "./connection.js";
import {
  MAX_ANSWER_CHARS, answerText, clearAnswer, clearNotes, focusAnswer, saveAnswerDraft, setAnswer, updateCount,
} from "./editor.js";
import { dropDraft } from "./draft.js";
import { offerStarter } from "./code-runner.js";
import { renderControls } from "./room.js";

// Local answer ids: unique on this page, and across reloads by the time.
let nextLocalId = 1;

/** Rebuild the room from stored events, then connect for anything newer. */
export function enterRoom() {
  const record = store.getState().record;
  if (!record) return;
  store.dispatch({ type: "room_entered", at: Date.now() });
  setAnswer(loadDraft(record.session_id));
  $("notes").value = loadNotes(record.session_id);
  offerStarter();
  updateCount();
  renderControls();
  connect();
}

export function leaveRoom() {
  store.dispatch({ type: "room_left" });
}

export function switchMode() {
  store.dispatch({ type: "mode_switched" });
}

export function togglePause() {
  const s = store.getState();
  if (s.interview === "paused") send({ type: "resume", last_seq: s.lastSeq });
  else send({ type: "pause" });
}

export function submitAnswer() {
  const s = store.getState();
  const typed = $("answer").value;
  const text = answerText();
  if (!text.trim() || s.pending || $("send-btn").disabled) return;
  if (text.length > MAX_ANSWER_CHARS) {
    showAlert(`Answers can be at most ${MAX_ANSWER_CHARS} characters.`);
    return;
  }
  dropDraft();
  if (!send({ type: "answer", text })) return;
  const id = `a${Date.now()}-${nextLocalId++}`;
  store.dispatch({ type: "answer_sent", id, text, typed, at: Date.now() });
  // Code stays in the editor for the follow-ups about it, until the
  // candidate changes it; prose is done with once sent.
  if (!codeMode(s)) {
    setAnswer("");
    saveAnswerDraft("");
  }
  // The notes were said with that code; the next answer starts its own.
  clearNotes();
  updateCount();
  renderControls();
  focusAnswer();
}

/** An unconfirmed or failed answer's text goes back in the editor, after what is there. */
export function putBack(text) {
  const typed = $("answer").value;
  setAnswer(typed.trim() ? `${typed}\n\n${text}` : text);
  saveAnswerDraft($("answer").value);
  updateCount();
  renderControls();
  focusAnswer();
}

/**
 * A new question never inherits the last one's text (it would be one click
 * from being sent as the wrong answer): what was typed and not sent goes
 * into the transcript, marked, and the box empties. A function stub the
 * box was given is not the candidate's text, and code kept in the editor
 * after it was sent was sent.
 */
export function setAsideUnsent() {
  const s = store.getState();
  const typed = $("answer").value;
  const notes = $("notes").value;
  if (!typed.trim() && !notes.trim()) return;
  const unsent = [typed !== s.starter && typed !== s.sent && typed, notes].filter((t) => t && t.trim());
  if (unsent.length) store.dispatch({ type: "set_aside", texts: unsent });
  clearAnswer();
}

/** Time ran out and the server took the typed text: the box empties. */
export function clearSentAtTimeUp() {
  clearAnswer();
  renderControls();
}

/** No debrief came (or it had no report): report.json has the same content. */
export async function fetchReport() {
  const record = store.getState().record;
  if (!record) return;
  try {
    const report = await api("GET", sessionPath(record, "report.json"));
    store.dispatch({ type: "report_loaded", report, at: Date.now() });
  } catch (err) {
    showAlert(err.message);
  }
}
