// The interviewer's voice. From the server when its welcome says
// `"tts": "server"`: each prompt's audio comes from
// api/sessions/{id}/speech/{seq}. Any failure (the server's 404/503, a
// network error, a blocked autoplay) falls back to the browser's own
// speech synthesis, so the candidate always hears the prompt. Otherwise
// the browser speaks (no server cost). The reducer decides what is said
// (`speak`, `speak_sentence` effects) and whether muted; this performs it.
// It also reports whether the voice is playing (`voice_playing`), and holds,
// releases or stops it when the candidate speaks (reduce-voice.js decides).

import { $ } from "./dom.js";
import { sessionPath } from "./api.js";
import { store } from "./store.js";

let playing = null;
// Utterances started and not yet ended or cancelled, and whether the
// server's audio is playing (a pause of ours does not count as an end).
const live = new Set();
let audioPlaying = false;
let reported = false;
// The voice is paused for the candidate, to resume or stop.
let holding = false;

/** Tells the store when the interviewer's voice starts or stops. */
function report() {
  const on = live.size > 0 || audioPlaying;
  if (on === reported) return;
  reported = on;
  store.dispatch({ type: "voice_playing", on });
}

function track(utterance) {
  // A page's stand-in for speech synthesis may hand out plain objects.
  if (typeof utterance.addEventListener !== "function") return utterance;
  utterance.addEventListener("start", () => {
    live.add(utterance);
    report();
  });
  const over = () => {
    live.delete(utterance);
    report();
  };
  utterance.addEventListener("end", over);
  utterance.addEventListener("error", over);
  return utterance;
}

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
  window.speechSynthesis.speak(track(new SpeechSynthesisUtterance(text)));
}

export function stopSpeaking() {
  if ("speechSynthesis" in window) window.speechSynthesis.cancel();
  // Cancelled utterances may not all say so; none is playing now.
  live.clear();
  holding = false;
  report();
}

/** The candidate started speaking: pause the voice, at once. */
export function holdVoice() {
  if (holding || (live.size === 0 && !audioPlaying)) return;
  holding = true;
  if ("speechSynthesis" in window) window.speechSynthesis.pause();
  if (playing) playing.pause();
}

/** It was a backchannel, or nothing: the voice carries on. */
export function releaseVoice() {
  if (!holding) return;
  holding = false;
  if ("speechSynthesis" in window) window.speechSynthesis.resume();
  if (playing) playing.play().catch(() => {});
}

/** The candidate took the turn: the voice stops (barge-in). */
export function stopVoice() {
  silence();
}

/** Muted: whatever is playing stops. */
export function silence() {
  stopServerVoice();
  stopSpeaking();
}

function synthesize(text) {
  if (!("speechSynthesis" in window)) return;
  stopSpeaking();
  window.speechSynthesis.speak(track(new SpeechSynthesisUtterance(text)));
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
  audio.addEventListener("error", () => {
    if (playing === audio) audioPlaying = false;
    report();
    fail();
  });
  audio.addEventListener("playing", () => {
    if (playing !== audio) return;
    audioPlaying = true;
    report();
  });
  audio.addEventListener("ended", () => {
    if (playing !== audio) return;
    playing = null;
    audioPlaying = false;
    report();
  });
  audio.play().catch(fail);
  return true;
}

function stopServerVoice() {
  if (!playing) return;
  const audio = playing;
  playing = null;
  audioPlaying = false;
  holding = false;
  audio.pause();
  audio.removeAttribute("src");
  report();
}
