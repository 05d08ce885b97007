// Spoken answers in the interview room: the microphone toggle and its level
// meter, the live transcript (stable words, tentative ones in grey; the
// store's `transcript`), and "done speaking". The interviewer's voice is
// tts.js.

import { $, el } from "./dom.js";
import { HEADER_BYTES, encodeAudioFrame, startCapture } from "./voice-capture.js";
import { send, sendBinary } from "./connection.js";

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
    $("voice-status").textContent = "Submitting what you said…";
  }
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
  if (state.listening !== prev.listening && state.listening && capture) {
    $("voice-status").textContent = state.listening.speaking ? "Listening…" : "Microphone on.";
  }
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
