// What the candidate has typed and not sent, told to the server as it
// changes (after a short pause in typing), so that if the round's time runs
// out first the server takes it as the answer, as an interviewer hears what
// you were saying when time ran out.

import { store } from "./store.js";
import { MAX_ANSWER_CHARS, answerText } from "./editor.js";
import { sendQuietly } from "./connection.js";

/** Typing pauses this long before the draft is sent: one frame per pause, not per key. */
const PAUSE_MS = 700;

let timer = null;
let pending = null;

/** The box changed: send its text once typing pauses. */
export function draftChanged(text) {
  clearTimeout(timer);
  pending = text;
  timer = setTimeout(flushDraft, PAUSE_MS);
}

/**
 * Sends the waiting draft now. Every other message flushes it first, so the
 * server (which handles frames in order) has it before whatever follows.
 */
export function flushDraft() {
  clearTimeout(timer);
  timer = null;
  const text = pending;
  pending = null;
  if (text == null || text.length > MAX_ANSWER_CHARS || store.getState().interview !== "active") return;
  sendQuietly({ type: "draft", text });
}

/** The text is being sent as the answer: the waiting draft is moot. */
export function dropDraft() {
  clearTimeout(timer);
  timer = null;
  pending = null;
}

/**
 * Subscriber: after a (re)connect the server has no draft, so the box's
 * text goes again, right after the resume that opened the socket.
 */
export function resendOnOpen(state, prev) {
  if (!state.open || prev.open) return;
  const text = answerText();
  if (!text.trim()) return;
  pending = text;
  flushDraft();
}
