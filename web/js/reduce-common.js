// Pieces the reducer's cases share: the interview state and its clock,
// the transcript log and the answers' statuses, the stored events, and
// ending a session. All pure: each takes a state and returns a new one;
// `fx` is the array the current action's effects are pushed onto.

import { CODE_KINDS } from "./format.js";

const INTERVIEW_STATES = ["lobby", "active", "paused", "grading", "finished"];

/** Whether the answer box is a code editor: in coding rounds. */
export function codeMode(state) {
  return Boolean(state.round && CODE_KINDS.has(state.round.kind));
}

/** Seconds left on `timer` at time `now` (ms), or null with no timer. */
export function remainingAt(timer, now) {
  if (!timer) return null;
  if (!timer.running) return timer.remaining;
  return Math.max(0, timer.remaining - (now - timer.at) / 1000);
}

/** The server's interview state; the clock freezes where it stood when it stops. */
export function setInterview(s, interview, at) {
  if (!INTERVIEW_STATES.includes(interview)) return s;
  let timer = s.timer;
  if (timer && timer.running && interview !== "active") {
    timer = { remaining: remainingAt(timer, at), at, running: false };
  }
  return { ...s, interview, timer };
}

/** `seconds` was true at time `at` (when the event arrived). */
export function setTimer(s, seconds, at, running) {
  if (typeof seconds !== "number" || !Number.isFinite(seconds)) return s;
  return { ...s, timer: { remaining: seconds, at, running } };
}

/** A fresh id for a timer the page should (re)start: timers are data here. */
export function nextTimer(s) {
  const id = s.timerIds + 1;
  return [{ ...s, timerIds: id }, id];
}

export function addLog(s, entry) {
  return { ...s, log: [...s.log, entry] };
}

/** A line of the log about the interview itself ("Paused", "Round ended"). */
export function systemEntry(label, ...lines) {
  return { kind: "system", label, lines };
}

function setStatus(s, index, status, detail = "") {
  const log = s.log.slice();
  log[index] = { ...log[index], status, detail };
  return { ...s, log };
}

export function markSaved(s, index) {
  return setStatus(s, index, "saved");
}

/** No ack came: the candidate may put the answer back in the editor. */
export function markUnconfirmed(s, index) {
  const pending = s.pending && s.pending.entry === index ? null : s.pending;
  return setStatus({ ...s, pending, unconfirmed: [...s.unconfirmed, index] }, index, "unconfirmed");
}

export function markFailed(s, index, detail) {
  const pending = s.pending && s.pending.entry === index ? null : s.pending;
  return setStatus({ ...s, pending }, index, "failed", detail);
}

/** Remember an event so a reload can rebuild the room without the server. */
export function recordEvent(s, msg, at) {
  if (!s.record || s.record.finished) return s;
  return { ...s, record: { ...s.record, events: [...s.record.events, { at, msg }] } };
}

/** The socket is closed on purpose: its banner and report wait go with it. */
export function socketStopped(s, fx) {
  fx.push({ type: "stop_socket" });
  return { ...s, open: false, banner: null, reportWait: null };
}

/** The session is over: stop, keep no events (the report is on the server). */
export function finishSession(s, at, fx) {
  s = socketStopped(s, fx);
  // The pending answer's timer stops; the answer keeps its status.
  if (s.pending) s = { ...s, pending: { ...s.pending, armed: null } };
  if (s.record) s = { ...s, record: { ...s.record, finished: true, events: [] } };
  return setInterview(s, "finished", at);
}

/** The server no longer has this interview: stop, forget it, say so. */
export function sessionGone(s, fx) {
  s = socketStopped(s, fx);
  // It can never be resumed: forget it here too, so the lobby offers no
  // Resume that would fail the same way.
  return { ...s, record: null, banner: { kind: "gone" } };
}
