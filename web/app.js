// mockloop text interview client: lobby -> interview room -> debrief.
// Plain ES modules, no build step. Speaks protocol v1 (REST + one WebSocket).
//
// How state survives a reload: the session {session_id, token, last_seq} lives
// in localStorage together with the seq-bearing events this page has received
// (and the answers it sent). Resuming replays those events locally to rebuild
// the room, then asks the server only for what came after last_seq.
//
// Safety rule: user and server text only ever reaches the page through
// textContent / text nodes (see el()), never through innerHTML.
//
// This file only wires the page together; the code lives in js/:
//   dom.js, format.js   small DOM and formatting helpers
//   api.js              REST calls and error shaping
//   storage.js          localStorage persistence
//   state.js            the shared application state
//   views.js            view switching, alert region, connection banner
//   lobby.js            loop catalogue, start / resume / start over
//   connection.js       WebSocket, resume from last_seq, dedupe, backoff
//   events.js           incoming events applied to the room
//   room.js             room setup, interview state, timer, controls
//   editor.js           answer editor: code mode, count, keyboard
//   answers.js          sending answers, acks, transcript log
//   draft.js            the unsent text, told to the server for time-up
//   debrief.js          session end, debrief and evidence highlighting
//   chart.js            the server-rendered dimension chart, inlined
//   history.js          past interviews in this browser, progress charts
//   devices.js          the lobby's microphone and speaker check
//   voice.js            microphone modes, live transcript, spoken prompts
//
// The modules import each other in cycles (room, connection and events call
// one another). That is safe because nothing but init() below runs at import
// time, and every binding used across modules is a function declaration or a
// const from a module that imports nothing (dom, format, api, state).

import { $ } from "./js/dom.js";
import { app } from "./js/state.js";
import { loadRecord, saveDraft, saveNotes } from "./js/storage.js";
import { draftChanged } from "./js/draft.js";
import { showView } from "./js/views.js";
import {
  loadLoops,
  onStartSubmit,
  renderResumeBox,
  showHistory,
  startOver,
  viewStoredReport,
} from "./js/lobby.js";
import { connect, send } from "./js/connection.js";
import { enterRoom, leaveRoom, renderCountdown, switchMode, togglePause, updateControls } from "./js/room.js";
import { answerText, onEditorKeydown, setCodeLanguage, updateCount } from "./js/editor.js";
import { submitAnswer } from "./js/answers.js";
import { runInput, runTests } from "./js/code-runner.js";
import {
  doneSpeaking, setHolding, setTalkMode, toggleMic, toggleMute, voiceSupported,
} from "./js/voice.js";
import { testMicrophone, testSpeaker } from "./js/devices.js";

// ---------------------------------------------------------------------------
// Start-up

function bindEvents() {
  $("start-form").addEventListener("submit", onStartSubmit);
  $("resume-btn").addEventListener("click", () => {
    if (app.record) enterRoom();
  });
  $("report-btn").addEventListener("click", viewStoredReport);
  $("start-over-btn").addEventListener("click", startOver);
  $("leave-btn").addEventListener("click", leaveRoom);
  for (const id of ["debrief-lobby-btn", "history-lobby-btn"]) {
    $(id).addEventListener("click", () => {
      renderResumeBox();
      showView("lobby");
    });
  }
  $("history-btn").addEventListener("click", showHistory);
  $("lobby-history-btn").addEventListener("click", showHistory);
  $("test-mic-btn").addEventListener("click", testMicrophone);
  // The microphone check is for those who will speak.
  for (const radio of document.querySelectorAll('input[name="mode"]')) {
    radio.addEventListener("change", () => {
      $("device-test").hidden = !document.querySelector('input[name="mode"][value="voice"]').checked;
    });
  }
  $("test-speaker-btn").addEventListener("click", testSpeaker);
  $("switch-mode-btn").addEventListener("click", switchMode);

  const ta = $("answer");
  ta.addEventListener("keydown", onEditorKeydown);
  ta.addEventListener("input", () => {
    saveDraft(ta.value);
    draftChanged(answerText());
    updateCount();
    updateControls();
  });
  const notes = $("notes");
  notes.addEventListener("keydown", onEditorKeydown);
  notes.addEventListener("input", () => {
    saveNotes(notes.value);
    draftChanged(answerText());
    updateCount();
    updateControls();
  });
  $("code-language").addEventListener("change", (e) => setCodeLanguage(e.target.value));
  $("answer-form").addEventListener("submit", (e) => {
    e.preventDefault();
    submitAnswer();
  });
  $("repeat-btn").addEventListener("click", () => send({ type: "repeat" }));
  $("skip-btn").addEventListener("click", () => {
    // A skip cannot be taken back: the question is scored unanswered.
    if (window.confirm("Skip this question? It is scored as unanswered, and you cannot come back to it.")) {
      send({ type: "skip" });
    }
  });
  $("hint-btn").addEventListener("click", () => send({ type: "hint" }));
  $("run-tests-btn").addEventListener("click", runTests);
  $("run-input-btn").addEventListener("click", runInput);
  $("run-input").addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      runInput();
    }
  });
  $("pause-btn").addEventListener("click", togglePause);
  if (voiceSupported()) {
    $("mic-btn").addEventListener("click", toggleMic);
    $("done-btn").addEventListener("click", doneSpeaking);
    bindPushToTalk();
  } else {
    $("mic-btn").disabled = true;
    $("voice-status").textContent = "This browser cannot record audio; type your answers.";
  }
  $("mute-btn").addEventListener("click", toggleMute);

  // Back online: do not wait out the backoff.
  window.addEventListener("online", () => {
    if (app.wantSocket && !app.ws) connect();
  });
}

function bindPushToTalk() {
  for (const radio of document.querySelectorAll('input[name="talk"]')) {
    radio.addEventListener("change", setTalkMode);
  }
  const talk = $("talk-btn");
  talk.addEventListener("pointerdown", () => setHolding(true));
  for (const type of ["pointerup", "pointerleave", "pointercancel", "blur"]) {
    talk.addEventListener(type, () => setHolding(false));
  }
  // Keyboard users hold Space on the focused button; repeats are ignored,
  // and the click Space would fire on release does nothing here.
  talk.addEventListener("keydown", (e) => {
    if (e.key === " " || e.key === "Enter") {
      e.preventDefault();
      if (!e.repeat) setHolding(true);
    }
  });
  talk.addEventListener("keyup", (e) => {
    if (e.key === " " || e.key === "Enter") {
      e.preventDefault();
      setHolding(false);
    }
  });
}

function init() {
  bindEvents();
  app.record = loadRecord();
  renderResumeBox();
  showView("lobby", { focus: false });
  setInterval(renderCountdown, 1000);
  loadLoops();
}

init();
