// The interviewer's voice. From the server when its welcome says
// `"tts": "server"`: each prompt's audio comes from
// api/sessions/{id}/speech/{seq}. Any failure (the server's 404/503, a
// network error, a blocked autoplay) falls back to the browser's own
// speech synthesis, so the candidate always hears the prompt. Otherwise
// the browser speaks (no server cost). The reducer decides what is said
// (`speak`, `speak_sentence` effects) and whether muted; this performs it.

import { $ } from "./dom.js";
import { sessionPath } from "./api.js";
import { store } from "./store.js";

let playing = null;

/** Subscriber: the mute button says whether the interviewer is muted. */
export function renderMute(state, prev) {
  if (state.muted === prev.muted) return;
  $("mute-btn").textContent = state.muted ? "Unmute interviewer" : "Mute interviewer";
  $("mute-btn").setAttribute("aria-pressed", String(state.muted));
}

/** Reads a prompt aloud: from the server's audio for prompt `seq` when it speaks prompts, else by speech synthesis. */
export function speakPrompt(text, seq) {
  if (playFromServer(seq, () => synthesize(text))) return;
  synthesize(text);
}

/** Queues one sentence of a prompt still being written (no cancel: the
 * sentences before it keep playing). */
export function speakSentence(text) {
  if (!("speechSynthesis" in window)) return;
  window.speechSynthesis.speak(new SpeechSynthesisUtterance(text));
}

export function stopSpeaking() {
  if ("speechSynthesis" in window) window.speechSynthesis.cancel();
}

/** Muted: whatever is playing stops. */
export function silence() {
  stopServerVoice();
  stopSpeaking();
}

function synthesize(text) {
  if (!("speechSynthesis" in window)) return;
  window.speechSynthesis.cancel();
  window.speechSynthesis.speak(new SpeechSynthesisUtterance(text));
}

/**
 * Plays the prompt stored at `seq` from the server. Returns false when the
 * server does not speak prompts (the caller speaks it itself); otherwise
 * calls `fallback` if playback fails.
 */
function playFromServer(seq, fallback) {
  const { serverSpeaks, record } = store.getState();
  if (!serverSpeaks || !record || typeof seq !== "number" || typeof Audio !== "function") {
    return false;
  }
  stopServerVoice();
  const audio = new Audio(sessionPath(record, `speech/${seq}`));
  playing = audio;
  let fellBack = false;
  const fail = () => {
    if (fellBack || playing !== audio) return;
    fellBack = true;
    playing = null;
    if (!store.getState().muted) fallback();
  };
  audio.addEventListener("error", fail);
  audio.addEventListener("ended", () => {
    if (playing === audio) playing = null;
  });
  audio.play().catch(fail);
  return true;
}

function stopServerVoice() {
  if (!playing) return;
  const audio = playing;
  playing = null;
  audio.pause();
  audio.removeAttribute("src");
}
