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
// How the page hangs together: one store (js/store.js) holds the state,
// and only the pure reducer (js/reduce.js) changes it, for every server
// event and every local action. Views render from the state as
// subscribers; speech, timers and the socket act on the effects the
// reducer returns as data. Actions that need the socket or the answer box
// live in js/actions.js, and this file hands them to the views that offer
// them, so no module imports one that imports it back
// (tests/integration/web_modules.rs checks).
//
// This file only wires the page together; the code lives in js/:
//   dom.js, format.js   small DOM and formatting helpers
//   api.js              REST calls and error shaping
//   store.js            the store: dispatch, subscribe, getState
//   reduce.js           the state and the reducer (reduce-events.js: server
//                       events; reduce-stream.js: streamed turns;
//                       reduce-code.js: code runs; reduce-voice.js: turn-
//                       taking and the spoken answer's review;
//                       reduce-common.js: shared)
//   storage.js          localStorage persistence, a subscriber for the record
//   views.js            view switching, alert region, connection banner
//   lobby.js            loop catalogue, start / resume / start over
//   connection.js       WebSocket, resume from last_seq, backoff
//   actions.js          entering and leaving the room, sending answers
//   room.js             the room's view: state, timer, prompt, controls
//   answers.js          the transcript log and each answer's status
//   editor.js           answer editor: code mode, count, keyboard
//   draft.js            the unsent text, told to the server for time-up
//   code-runner.js      "Run tests": the panel and its requests
//   timers.js           ack wait, report fallback, countdown clock
//   effects.js          performs the effects the reducer returns
//   debrief.js          the debrief and evidence highlighting
//   chart.js            the server-rendered dimension chart, inlined
//   history.js          past interviews in this browser, progress charts
//   line-chart.js       the levels-over-time SVG chart history and plan share
//   profile-api.js      the candidate's profile on the server, its key here
//   profile.js          the lobby's "Tailor to your résumé" panel
//   fit.js              the fit map: posting against résumé, risks, questions
//   plan.js             the prep plan: what is due, progress per dimension
//   devices.js          the lobby's microphone and speaker check
//   voice.js            microphone modes, live transcript, the review
//   tts.js              the interviewer's voice: server audio or synthesis,
//                       held and stopped when the candidate speaks

import { $ } from "./js/dom.js";
import { store } from "./js/store.js";
import { loadRecord, persistRecord, rememberAsked } from "./js/storage.js";
import { draftChanged, flushDraft, resendOnOpen } from "./js/draft.js";
import { focusViewHeading, showAlert, viewRenderer } from "./js/views.js";
import {
  beginSession,
  deleteSession,
  loadLoops,
  onStartSubmit,
  renderResumeBox,
  showHistory,
  startOver,
  viewStoredReport,
} from "./js/lobby.js";
import { giveUp, onOnline, reconnectNow, send, setBeforeSend, stopSocket } from "./js/connection.js";
import {
  clearSentAtTimeUp, enterRoom, fetchReport, leaveRoom, putBack, setAsideUnsent, submitAnswer, switchMode, togglePause,
} from "./js/actions.js";
import { renderControls, renderCountdown, renderRoom } from "./js/room.js";
import { logRenderer } from "./js/answers.js";
import {
  answerText, editorRenderer, onEditorKeydown, resetBox, saveAnswerDraft, saveNotesDraft, updateCount,
} from "./js/editor.js";
import { clearRunInput, languageChosen, offerStarter, renderCodeRunner, runInput, runTests } from "./js/code-runner.js";
import { timers } from "./js/timers.js";
import { effectRunner } from "./js/effects.js";
import { loadTopics, startTopicDrill } from "./js/topics.js";
import { debriefRenderer } from "./js/debrief.js";
import {
  renderVoice, doneSpeaking, setHolding, setTalkMode, speakAgain, stopMic, submitReview, toggleMic, typeInstead,
  voiceSupported,
} from "./js/voice.js";
import {
  holdVoice, releaseVoice, renderMute, silence, speakPrompt, speakSentence, stopSpeaking, stopVoice,
} from "./js/tts.js";
import { testMicrophone, testSpeaker } from "./js/devices.js";
import {
  initProfilePanel, onDeleteProfile, onProfileToggle, onResumeFile, onSaveText, onShowFit, onStartTailored,
} from "./js/profile.js";
import { openPlan } from "./js/plan.js";

// ---------------------------------------------------------------------------
// Start-up

function bindEvents() {
  $("start-form").addEventListener("submit", onStartSubmit);
  // The topics offered are the chosen loop's: listed when the box opens,
  // again when another loop is picked (a card's click checks its radio).
  $("topic-drill").addEventListener("toggle", loadTopics);
  $("loop-list").addEventListener("change", loadTopics);
  $("loop-list").addEventListener("click", loadTopics);
  $("topic-start-btn").addEventListener("click", startTopicDrill);
  $("resume-btn").addEventListener("click", enterRoom);
  $("report-btn").addEventListener("click", viewStoredReport);
  $("start-over-btn").addEventListener("click", startOver);
  $("leave-btn").addEventListener("click", leaveRoom);
  $("profile-box").addEventListener("toggle", onProfileToggle);
  $("profile-resume-save").addEventListener("click", () => onSaveText("resume"));
  $("profile-job-save").addEventListener("click", () => onSaveText("job"));
  $("profile-resume-file").addEventListener("change", onResumeFile);
  $("fit-btn").addEventListener("click", onShowFit);
  $("tailored-btn").addEventListener("click", onStartTailored);
  $("profile-delete-btn").addEventListener("click", onDeleteProfile);
  for (const id of ["plan-btn", "fit-plan-btn"]) $(id).addEventListener("click", openPlan);
  for (const id of ["debrief-lobby-btn", "history-lobby-btn", "fit-lobby-btn", "plan-lobby-btn"]) {
    $(id).addEventListener("click", () => store.dispatch({ type: "show_view", view: "lobby" }));
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
    saveAnswerDraft(ta.value);
    draftChanged(answerText());
    updateCount();
    renderControls();
  });
  const notes = $("notes");
  notes.addEventListener("keydown", onEditorKeydown);
  notes.addEventListener("input", () => {
    saveNotesDraft(notes.value);
    draftChanged(answerText());
    updateCount();
    renderControls();
  });
  $("code-language").addEventListener("change", (e) => languageChosen(e.target.value));
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
    // The review box's text is the answer's draft while it is open: time
    // running out takes the spoken answer as the candidate left it.
    const review = $("review-text");
    review.addEventListener("input", () => draftChanged(review.value));
    $("review-submit-btn").addEventListener("click", submitReview);
    $("review-again-btn").addEventListener("click", speakAgain);
    $("review-type-btn").addEventListener("click", typeInstead);
    bindPushToTalk();
  } else {
    $("mic-btn").disabled = true;
    $("voice-status").textContent = "This browser cannot record audio; type your answers.";
  }
  $("mute-btn").addEventListener("click", () => store.dispatch({ type: "mute_toggled" }));

  // Back online: do not wait out the backoff.
  window.addEventListener("online", onOnline);
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

/**
 * The subscribers, in the order they run on each new state: the stored
 * record first, then the views, then the timers and the draft, and last the
 * effects, so each effect finds the page already rendered.
 */
function subscribe() {
  const subscribers = [
    persistRecord,
    viewRenderer({ reconnectNow, leaveRoom }),
    renderRoom,
    logRenderer({ putBack }),
    editorRenderer({ onSubmit: submitAnswer }),
    renderCodeRunner,
    renderVoice,
    renderMute,
    debriefRenderer({ beginSession, deleteSession, openPlan }),
    renderResumeBox,
    timers({ tick: renderCountdown, fetchReport }),
    resendOnOpen,
    effectRunner({
      focus_heading: focusViewHeading,
      alert: (e) => showAlert(e.text),
      speak: (e) => speakPrompt(e.text, e.seq),
      speak_sentence: (e) => speakSentence(e.text),
      stop_speaking: stopSpeaking,
      silence,
      hold_voice: holdVoice,
      release_voice: releaseVoice,
      stop_voice: stopVoice,
      set_aside: setAsideUnsent,
      asked: (e) => rememberAsked(e.id),
      clear_answer: clearSentAtTimeUp,
      reset_box: resetBox,
      offer_starter: offerStarter,
      clear_run_input: clearRunInput,
      stop_socket: stopSocket,
      give_up_socket: giveUp,
      stop_mic: stopMic,
      fetch_report: fetchReport,
      log_error: (e) => console.error(`mockloop: ${e.message}`, ...e.detail),
    }),
  ];
  for (const subscriber of subscribers) {
    // Each renders the state as it is first, as if everything had changed.
    subscriber(store.getState(), {});
    store.subscribe(subscriber);
  }
}

function init() {
  // Every message the user would be told of failing waits for the draft
  // first: the server handles frames in order.
  setBeforeSend(flushDraft);
  subscribe();
  bindEvents();
  initProfilePanel();
  store.dispatch({ type: "record_loaded", record: loadRecord() });
  store.dispatch({ type: "show_view", view: "lobby", focus: false });
  loadLoops();
}

init();
