// Interview room: enter / leave, interview state, round timer, controls.

import { $, el } from "./dom.js";
import { formatClock } from "./format.js";
import { app } from "./state.js";
import { loadDraft, loadNotes, saveRecord } from "./storage.js";
import { showView } from "./views.js";
import { renderResumeBox } from "./lobby.js";
import { connect, send, stopSocket } from "./connection.js";
import { applyEvent } from "./events.js";
import { answerText, setAnswer, setCodeMode, updateCount } from "./editor.js";
import { clearPendingTimer } from "./answers.js";
import { offerStarter } from "./code-runner.js";
import { stopMic } from "./voice.js";

// ---------------------------------------------------------------------------
// Setup

export function resetRoom() {
  clearPendingTimer();
  clearTimeout(app.reportTimer);
  app.lastSeq = 0;
  app.loop = null;
  app.state = "lobby";
  app.round = null;
  app.timer = null;
  app.pending = null;
  app.unconfirmed = [];
  app.asked = null;
  app.hints = [];
  app.starter = null;
  app.sent = null;
  app.lastOutbound = null;
  $("log").replaceChildren();
  $("prompt").replaceChildren(el("p", { class: "muted" }, "Connecting to the interview…"));
  $("round-label").textContent = "Connecting…";
  $("question-label").textContent = "";
  $("time-warning").textContent = "";
  $("state-line").textContent = "";
  $("countdown").classList.remove("warn");
  setAnswer("");
  $("notes").value = "";
  setCodeMode(false);
  renderCountdown();
}

/** Rebuild the room from stored events, then connect for anything newer. */
export function enterRoom() {
  resetRoom();
  const r = app.record;
  app.loop = r.loop || null;
  $("room-title").textContent = (r.loop && r.loop.title) || "Interview";
  app.lastSeq = r.last_seq;
  for (const entry of r.events) {
    try {
      applyEvent(entry.msg, { live: false, at: entry.at });
    } catch (err) {
      console.error("mockloop: could not replay a stored event", err, entry);
    }
  }
  setAnswer(loadDraft(r.session_id));
  $("notes").value = loadNotes(r.session_id);
  offerStarter();
  updateCount();
  applyMode();
  showView("room");
  updateControls();
  connect();
}

/** Typing mode folds the voice controls away; the text box is always there. */
export function applyMode() {
  const voice = app.record && app.record.mode === "voice";
  $("voice-controls").hidden = !voice;
  $("switch-mode-btn").textContent = voice ? "Type only (hide voice controls)" : "Answer by voice instead";
}

export function switchMode() {
  if (!app.record) return;
  app.record.mode = app.record.mode === "voice" ? "text" : "voice";
  saveRecord();
  applyMode();
}

export function leaveRoom() {
  stopMic();
  stopSocket();
  clearPendingTimer();
  renderResumeBox();
  showView("lobby");
}

// ---------------------------------------------------------------------------
// State, timer, controls

export function setState(state) {
  const known = ["lobby", "active", "paused", "grading", "finished"];
  if (!known.includes(state)) return;
  // Freeze the countdown at its current value when the clock stops.
  if (app.timer && app.timer.running && state !== "active") {
    app.timer = { remaining: remainingNow(), at: Date.now(), running: false };
  }
  app.state = state;
  const lines = {
    lobby: "Starting…",
    active: "",
    paused: "Paused — the clock is stopped. Choose Resume to continue.",
    grading: "",
    finished: "The interview is finished.",
  };
  $("state-line").textContent = lines[state];
  $("answer-form").hidden = state === "grading" || state === "finished";
  updateControls();
}

/** remaining_seconds was true at time `at` (when the event arrived). */
export function setTimer(seconds, at, running) {
  if (typeof seconds !== "number" || !Number.isFinite(seconds)) return;
  app.timer = { remaining: seconds, at: at || Date.now(), running };
  renderCountdown();
}

function remainingNow() {
  const t = app.timer;
  if (!t) return null;
  if (!t.running) return t.remaining;
  return Math.max(0, t.remaining - (Date.now() - t.at) / 1000);
}

export function renderCountdown() {
  const left = remainingNow();
  $("countdown").textContent = left == null ? "--:--" : formatClock(left);
}

export function setPromptMessage(text) {
  $("prompt").replaceChildren(el("p", { class: "muted" }, text));
}

export function updateControls() {
  const canAct = app.open && app.state === "active";
  const hasText = answerText().trim().length > 0;
  $("send-btn").disabled = !canAct || !hasText || Boolean(app.pending) || Boolean(app.composing);
  $("repeat-btn").disabled = !canAct;
  $("skip-btn").disabled = !canAct;
  $("hint-btn").disabled = !canAct || Boolean(app.composing);
  const pause = $("pause-btn");
  pause.textContent = app.state === "paused" ? "Resume" : "Pause";
  pause.disabled = !app.open || !(app.state === "active" || app.state === "paused");
}

export function togglePause() {
  if (app.state === "paused") send({ type: "resume", last_seq: app.lastSeq });
  else send({ type: "pause" });
}
