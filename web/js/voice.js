// Spoken answers in the interview room: the microphone toggle and its level
// meter, the live transcript (stable words, tentative ones in grey; the
// store's `transcript`), "done speaking", and the review of what was heard
// (the store's `review`): corrected in its box and submitted, said again,
// or typed instead. The interviewer's voice is tts.js.

import { $, el } from "./dom.js";
import { HEADER_BYTES, encodeAudioFrame, startCapture } from "./voice-capture.js";
import { send, sendBinary } from "./connection.js";
import { MAX_ANSWER_CHARS, answerText, focusAnswer } from "./editor.js";
import { draftChanged, dropDraft } from "./draft.js";
import { reviewNotice } from "./reduce-voice.js";
import { store } from "./store.js";
import { showAlert } from "./views.js";

let capture = null;
// Frame numbers keep counting across microphone restarts and reconnects, so
// the server can drop frames it already has.
let nextSeq = 0;
// Push to talk: audio counts only while the talk button (or Space on it) is held.
let holding = false;

function pushToTalk() {
  const mode = document.querySelector('input[name="talk"]:checked');
  return Boolean(mode && mode.value === "push");
}

/**
 * In push-to-talk mode, audio while the button is up goes out as silence
 * with the same frame number: the stream stays continuous, so the server's
 * silence detection ends the utterance on release as it would after a pause.
 */
function gate(frame) {
  if (!pushToTalk() || holding) return frame;
  const view = new DataView(frame);
  return encodeAudioFrame(view.getUint32(4, true), new Int16Array((frame.byteLength - HEADER_BYTES) / 2));
}

export function setTalkMode() {
  const push = pushToTalk();
  $("talk-btn").hidden = !push;
  if (capture) {
    $("voice-status").textContent = push
      ? "Microphone on. Hold Hold to talk (or Space on it) while you speak."
      : "Microphone on. Speak your answer, then choose Done speaking.";
  }
}

export function setHolding(on) {
  holding = on;
  $("talk-btn").setAttribute("aria-pressed", String(on));
  $("talk-btn").textContent = on ? "Talking… release to stop" : "Hold to talk";
}

export function voiceSupported() {
  return Boolean(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
}

export async function toggleMic() {
  if (capture) {
    stopMic();
    return;
  }
  try {
    capture = await startCapture({
      send: (frame) => sendBinary(gate(frame)),
      onLevel: (level) => {
        $("mic-level").value = level;
      },
      startSeq: nextSeq,
    });
  } catch (err) {
    capture = null;
    $("voice-status").textContent = `The microphone could not start (${err.message || err}). You can type your answer.`;
    return;
  }
  $("mic-btn").textContent = "Stop microphone";
  $("mic-btn").setAttribute("aria-pressed", "true");
  $("done-btn").disabled = false;
  $("talk-btn").disabled = false;
  setTalkMode();
}

export function stopMic() {
  if (!capture) return;
  nextSeq = capture.nextSeq();
  capture.stop();
  capture = null;
  $("mic-level").value = 0;
  $("mic-btn").textContent = "Answer by voice";
  $("mic-btn").setAttribute("aria-pressed", "false");
  $("talk-btn").disabled = true;
  setHolding(false);
  $("voice-status").textContent = "Microphone off.";
}

export function doneSpeaking() {
  if (send({ type: "done" })) {
    $("voice-status").textContent = "Writing down what you said…";
  }
}

// Local answer ids, as actions.js makes for typed ones.
let nextSpokenId = 1;

/** Submits the reviewed answer as the box now has it. */
export function submitReview() {
  const text = $("review-text").value.trim();
  if (!text) {
    showAlert("There is nothing to submit: speak again, or type your answer.");
    return;
  }
  if (text.length > MAX_ANSWER_CHARS) {
    showAlert(`Answers can be at most ${MAX_ANSWER_CHARS} characters.`);
    return;
  }
  dropDraft();
  if (!send({ type: "submit_spoken", text })) return;
  const id = `s${Date.now()}-${nextSpokenId++}`;
  store.dispatch({ type: "answer_sent", id, text, typed: store.getState().sent, at: Date.now() });
  store.dispatch({ type: "review_closed" });
}

/** What was heard is dropped; the candidate says it again. */
export function speakAgain() {
  if (!send({ type: "discard_review" })) return;
  store.dispatch({ type: "review_closed" });
  $("voice-status").textContent = capture
    ? "Say your answer again, then choose Done speaking."
    : "Choose Answer by voice and say your answer again.";
  (capture ? $("done-btn") : $("mic-btn")).focus();
}

/** What was heard is dropped; the answer box takes over. */
export function typeInstead() {
  if (!send({ type: "discard_review" })) return;
  store.dispatch({ type: "review_closed" });
  stopMic();
  // The server dropped the review box's draft with the review: what is in
  // the answer box is the draft again.
  draftChanged(answerText());
  focusAnswer();
}

/**
 * Subscriber: the live transcript, and what the server says of the
 * candidate's speech. A new prompt starts the transcript afresh, and ends an
 * utterance in progress (the server starts listening afresh, without a
 * "listening" message to end the old one).
 */
export function renderVoice(state, prev) {
  const t = state.transcript;
  if (t !== prev.transcript) {
    renderTranscript(t);
    if (prev.transcript && t.prompt !== prev.transcript.prompt) setTalkMode();
  }
  if (state.review !== prev.review) renderReview(state.review, prev.review);
  const talk = state.talk || {};
  const interrupted = talk.interrupted && !(prev.talk && prev.talk.interrupted);
  if ((state.listening !== prev.listening || interrupted) && state.listening && capture && !state.review) {
    const stopped = talk.interrupted ? " The interviewer stopped so you can speak." : "";
    $("voice-status").textContent = state.listening.speaking ? `Listening…${stopped}` : `Microphone on.${stopped}`;
  }
}

/** The review: shown with what was heard in its box, hidden once settled. */
function renderReview(review, before) {
  const box = $("review");
  box.hidden = !review;
  if (!review) return;
  box.classList.toggle("unclear", review.unclear);
  $("review-notice").textContent = reviewNotice(review);
  // A review sent again (done pressed twice, a reconnect) keeps the
  // candidate's corrections.
  if (!before || $("review-text").value.trim() === "") $("review-text").value = review.text;
  $("voice-status").textContent = "Review what we heard, then submit it.";
  if (!before) $("review-text").focus();
}

function renderTranscript({ heard, partial }) {
  const nodes = heard.map((h) =>
    el("span", { class: h.low ? "heard final low-confidence" : "heard final", title: h.low ? "The recogniser was unsure here" : "" }, `${h.text} `),
  );
  if (partial) {
    nodes.push(el("span", { class: "heard" }, `${partial.stable} `));
    nodes.push(el("span", { class: "tentative" }, partial.tentative));
  }
  $("live-transcript").replaceChildren(...nodes);
}
