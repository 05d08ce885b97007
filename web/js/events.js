// Incoming messages: each server event (or a local event this page recorded
// itself) applied to the room.

import { $, el } from "./dom.js";
import { CODE_KINDS, describeUnder, formatScore, kindLabel, roundLabel } from "./format.js";
import { app } from "./state.js";
import { recordEvent, saveRecord } from "./storage.js";
import { focusViewHeading, hideBanner, showAlert, showBanner, showView } from "./views.js";
import { renderCountdown, setPromptMessage, setState, setTimer, updateControls } from "./room.js";
import { clearAnswer, setCodeMode } from "./editor.js";
import {
  addLogEntry,
  armPendingTimer,
  clearPendingTimer,
  markAnswerFailed,
  markUnconfirmed,
  setAnswerStatus,
} from "./answers.js";
import { fetchReportFallback, finishSession, renderDebrief } from "./debrief.js";
import { sessionGone } from "./connection.js";
import { onListening, onTranscript, resetLiveTranscript, speakPrompt, speakSentence } from "./voice.js";
import { setVoiceSource } from "./tts.js";
import { finishStream, onComposing, onPromptDelta, onPromptDiscarded } from "./streaming.js";
import { onCodeStatus, onPromptTests, onRunOutput, onRunRefused, onTestResults } from "./code-runner.js";

const PROTOCOL = 1;

// If the server says the session is finished but no debrief arrives in the
// replay, fall back to report.json after this delay.
const REPORT_FALLBACK_MS = 2000;

/** Apply one server event (or a stored local one) to the room. */
export function applyEvent(msg, ctx) {
  const handler = EVENT_HANDLERS[msg.type];
  if (handler) handler(msg, ctx);
  // Unknown types are ignored on purpose: newer servers may send more.
}

const EVENT_HANDLERS = {
  prompt: onPrompt,
  composing: onComposing,
  prompt_delta: onPromptDelta,
  prompt_discarded: onPromptDiscarded,
  ack: onAck,
  sent_at_time_up: onSentAtTimeUp,
  time_warning: onTimeWarning,
  round_ended: onRoundEnded,
  paused: onPaused,
  resumed: onResumed,
  scored: onScored,
  interview_ended: onInterviewEnded,
  debrief: onDebrief,
  error: onError,
  listening: (msg) => onListening(msg),
  transcript: (msg) => onTranscript(msg),
  test_results: (msg) => onTestResults(msg),
  run_output: (msg) => onRunOutput(msg),
  // Local events this page records itself, so a reload shows its own answers.
  local_answer: onLocalAnswer,
  local_answer_failed: onLocalAnswerFailed,
};

export function handleWelcome(msg) {
  app.attempt = 0;
  hideBanner();
  setVoiceSource(msg);
  onCodeStatus(msg);
  if (msg.protocol !== PROTOCOL) {
    showAlert(`This server speaks protocol ${msg.protocol}; this page was written for protocol ${PROTOCOL}. Some things may not work.`);
  }
  if (msg.loop && typeof msg.loop === "object") {
    app.loop = msg.loop;
    $("room-title").textContent = msg.loop.title || "Interview";
    if (app.record) {
      app.record.loop = { id: msg.loop.id, title: msg.loop.title, rounds: msg.loop.rounds };
      saveRecord();
    }
    if (app.round) showRound(app.round);
  }
  setState(msg.state);
  if (msg.state === "lobby") setPromptMessage("Starting your interview…");
  if (msg.state === "grading") setPromptMessage("Grading your answers…");
  if (msg.state === "finished") {
    // The replay should bring the debrief; if it does not, read report.json.
    clearTimeout(app.reportTimer);
    app.reportTimer = setTimeout(fetchReportFallback, REPORT_FALLBACK_MS);
  }
  if (app.pending) armPendingTimer();
  updateControls();
}

function onPrompt(msg, ctx) {
  const round = msg.round || {};
  const isNewRound = !app.round || app.round.index !== round.index;
  app.round = round;
  showRound(round);
  if (isNewRound) {
    $("time-warning").textContent = "";
    $("countdown").classList.remove("warn");
  }
  const q = msg.question || {};
  $("question-label").textContent = Number.isInteger(q.index)
    ? `Question ${q.index + 1}${Number.isInteger(q.count) ? ` of ${q.count}` : ""}` : "";
  if (app.state !== "paused") setState("active");
  setTimer(msg.remaining_seconds, ctx.at, app.state === "active");

  const label = promptLabel(msg);
  // A hint is help with the question, shown beside it: the question stays
  // in view. A new question or follow-up starts without hints.
  if (msg.kind === "hint") {
    app.hints = [...(app.hints || []), msg.text || ""];
  } else {
    if (!msg.repeat || !app.asked) app.hints = [];
    app.asked = { label, intro: msg.intro, text: msg.text || "" };
  }
  const asked = app.asked || { label, intro: null, text: msg.text || "" };
  // Replace the nodes (not just their text) so a repeated question is
  // announced again by the aria-live region.
  $("prompt").replaceChildren(...[
    el("p", { class: "prompt-kind" }, asked.label),
    // replaceChildren would print a null intro as "null".
    asked.intro && el("p", { class: "intro" }, asked.intro),
    el("div", { class: "prompt-text" }, asked.text),
    app.hints.length > 0 && el("div", { class: "prompt-hints" },
      app.hints.map((hint) => el("p", { class: "prompt-hint" }, el("strong", {}, "Hint: "), hint))),
  ].filter(Boolean));
  addLogEntry("prompt", label, [
    // What the interviewer says first: a word on the last answer, or why
    // it is moving on.
    msg.lead && el("p", { class: "lead" }, msg.lead),
    msg.intro && el("p", { class: "intro" }, msg.intro),
    el("div", { class: "text" }, msg.text || ""),
  ]);
  if (!msg.repeat) resetLiveTranscript();
  if (ctx.live && msg.kind === "question" && !msg.repeat) setAsideUnsent();
  onPromptTests(msg, ctx);
  // Only prompts that arrive now are spoken, not ones replayed from storage.
  // A streamed turn may have spoken its first sentences already; the rest
  // is queued after them.
  const { rest, continues } = msg.repeat ? { rest: msg.text, continues: false } : finishStream(msg.text || "");
  if (ctx.live && continues) speakSentence(rest);
  else if (ctx.live) speakPrompt([msg.lead, msg.intro, rest].filter(Boolean).join(" "), msg.seq);
  updateControls();
}

function promptLabel(msg) {
  let label = msg.kind === "follow_up" ? "Follow-up" : msg.kind === "hint" ? "Hint" : "Question";
  const q = msg.question || {};
  if (msg.kind === "question" && Number.isInteger(q.index)) {
    label += ` ${q.index + 1}${Number.isInteger(q.count) ? ` of ${q.count}` : ""}`;
  }
  if (msg.repeat) label += " (repeated)";
  return label;
}

function showRound(round) {
  const total = app.loop && Array.isArray(app.loop.rounds) ? app.loop.rounds.length : null;
  $("round-label").textContent = roundLabel(round, total);
  document.body.dataset.roundKind = round.kind || "";
  setCodeMode(CODE_KINDS.has(round.kind));
}

function onAck() {
  // Acks do not say which answer they confirm. Only one answer is in flight
  // at a time, so the pending one is it; otherwise the oldest unconfirmed.
  const answer = app.pending || app.unconfirmed.shift();
  if (!answer) return;
  if (answer === app.pending) {
    clearPendingTimer();
    app.pending = null;
  }
  setAnswerStatus(answer, "saved");
  updateControls();
}

/**
 * A new question never inherits the last one's text (it would be one click
 * from being sent as the wrong answer): what was typed and not sent goes
 * into the transcript, marked, and the box empties. A function stub the
 * box was given is not the candidate's text, and code kept in the editor
 * after it was sent was sent.
 */
function setAsideUnsent() {
  const typed = $("answer").value;
  const notes = $("notes").value;
  if (!typed.trim() && !notes.trim()) return;
  const unsent = [typed !== app.starter && typed !== app.sent && typed, notes].filter((t) => t && t.trim());
  if (unsent.length) {
    addLogEntry("system", "Not sent", [
      el("p", { class: "small-text" }, "What you had typed for the last question (it was not sent):"),
      ...unsent.map((t) => el("div", { class: "text" }, t)),
    ]);
  }
  clearAnswer();
}

/** Time ran out with text typed: the server took it as the answer. */
function onSentAtTimeUp(msg, ctx) {
  addLogEntry("answer", "Your answer, sent when time ran out", [
    el("div", { class: CODE_KINDS.has(app.round && app.round.kind) ? "text code" : "text" }, msg.text || ""),
  ]);
  if (!ctx.live) return;
  clearAnswer();
  updateControls();
}

function onTimeWarning(msg, ctx) {
  setTimer(msg.remaining_seconds, ctx.at, app.state === "active");
  if (typeof msg.remaining_seconds === "number") {
    // Said once, and true until the round ends: the countdown beside it
    // gives the exact time.
    $("time-warning").textContent = `${describeUnder(msg.remaining_seconds)} left in this round.`;
  }
  $("countdown").classList.add("warn");
}

function onRoundEnded(msg) {
  const round = msg.round || app.round || {};
  const why = msg.reason === "time_up" ? "time is up" : "completed";
  addLogEntry("system", "Round ended", [`${roundLabel(round, null)}: ${why}.`]);
  app.timer = null;
  renderCountdown();
  $("time-warning").textContent = "";
  $("countdown").classList.remove("warn");
}

function onPaused(msg, ctx) {
  setState("paused");
  setTimer(msg.remaining_seconds, ctx.at, false);
  addLogEntry("system", "Paused", ["The interview is paused."]);
}

function onResumed(msg, ctx) {
  setState("active");
  setTimer(msg.remaining_seconds, ctx.at, true);
  addLogEntry("system", "Resumed", ["The interview continues."]);
}

/** Scores belong to the debrief; a drill may ask to see each as it comes. */
function onScored(msg) {
  if (!(app.record && app.record.live_scores)) return;
  const q = msg.question || {};
  const round = msg.round || {};
  const which = Number.isInteger(q.index)
    ? `Question ${q.index + 1}${Number.isInteger(q.count) ? ` of ${q.count}` : ""}` : "An answer";
  addLogEntry("system", "Scored",
    [`${which} in ${round.title || kindLabel(round.kind)}: ${formatScore(msg.overall)} out of 4.`]);
}

function onInterviewEnded(msg, ctx) {
  const hadFocus = $("answer-form").contains(document.activeElement);
  setState("grading");
  app.timer = null;
  renderCountdown();
  setPromptMessage("Grading your answers…");
  addLogEntry("system", "Interview complete", ["All rounds are done."]);
  // The answer form disappears; do not leave keyboard focus on nothing.
  if (ctx.live && hadFocus) focusViewHeading();
}

function onDebrief(msg, ctx) {
  clearTimeout(app.reportTimer);
  finishSession();
  if (!msg.report || typeof msg.report !== "object") {
    // Nothing to render; report.json has the same content.
    fetchReportFallback();
    return;
  }
  renderDebrief(msg.report, app.record);
  showView("debrief", { focus: ctx.live });
}

function onError(msg) {
  const text = msg.message || "The server reported an error.";
  const code = msg.code ? ` (${msg.code})` : "";
  // The server handles frames in order, so an error right after an answer
  // is about that answer: it will never be acked.
  if (app.pending && app.lastOutbound === "answer") {
    const failed = app.pending;
    recordEvent({ type: "local_answer_failed", id: failed.id, message: text });
    markAnswerFailed(failed, text);
  }
  if (app.lastOutbound === "run_tests" || app.lastOutbound === "run_input") onRunRefused(text);
  app.lastOutbound = null;
  if (msg.fatal && msg.code === "deleted") {
    // Deleted while the room is open (by the candidate elsewhere, or an
    // operator): say so once, and offer the lobby, not a retry.
    sessionGone();
    return;
  }
  showAlert(`${text}${code}`);
  if (msg.fatal) {
    // The server is closing on purpose; retrying blindly would loop.
    app.wantSocket = false;
    clearTimeout(app.reconnectTimer);
    showBanner("Disconnected from the interview.", { retry: true });
  }
}

export function onLocalAnswer(msg) {
  // A newer answer means the previous one was never confirmed.
  if (app.pending) markUnconfirmed(app.pending);
  const node = addLogEntry("answer", "Your answer", [
    el("div", { class: CODE_KINDS.has(msg.round_kind) ? "text code" : "text" }, msg.text),
  ]);
  const status = el("span", { class: "status" });
  node.querySelector(".entry-label").append(" ", status);
  app.pending = { id: msg.id, text: msg.text, node, status, timer: null };
  setAnswerStatus(app.pending, "pending");
  updateControls();
}

function onLocalAnswerFailed(msg) {
  if (app.pending && app.pending.id === msg.id) markAnswerFailed(app.pending, msg.message || "");
}
