// The interviewer's voice from the server, when its welcome says
// `"tts": "server"`: each prompt's audio comes from
// api/sessions/{id}/speech/{seq}. Any failure (the server's 404/503, a
// network error, a blocked autoplay) falls back to the browser's own
// speech synthesis, so the candidate always hears the prompt.

import { app } from "./state.js";
import { sessionPath } from "./api.js";

let serverSpeaks = false;
let playing = null;

/** Reads the `tts` field of a welcome; older servers send none. */
export function setVoiceSource(welcome) {
  serverSpeaks = Boolean(welcome && welcome.tts === "server");
}

/** Whether the server speaks prompts (then streamed text is not spoken). */
export function speaksOnServer() {
  return serverSpeaks;
}

/**
 * Plays the prompt stored at `seq` from the server. Returns false when the
 * server does not speak prompts (the caller speaks it itself); otherwise
 * calls `fallback` if playback fails.
 */
export function playFromServer(seq, fallback) {
  if (!serverSpeaks || !app.record || typeof seq !== "number" || typeof Audio !== "function") {
    return false;
  }
  stopServerVoice();
  const audio = new Audio(sessionPath(app.record, `speech/${seq}`));
  playing = audio;
  let fellBack = false;
  const fail = () => {
    if (fellBack || playing !== audio) return;
    fellBack = true;
    playing = null;
    if (!app.muted) fallback();
  };
  audio.addEventListener("error", fail);
  audio.addEventListener("ended", () => {
    if (playing === audio) playing = null;
  });
  audio.play().catch(fail);
  return true;
}

export function stopServerVoice() {
  if (!playing) return;
  const audio = playing;
  playing = null;
  audio.pause();
  audio.removeAttribute("src");
}
