// The lobby's microphone and speaker check: a few seconds of input level
// from the microphone (nothing is sent anywhere) and a spoken sentence
// through the same speech synthesis the interviewer uses.

import { $ } from "./dom.js";
import { levelOf } from "./voice-capture.js";

// Long enough to say a sentence and watch the meter move.
const MIC_TEST_MS = 5000;

let running = null;

export async function testMicrophone() {
  const status = $("device-status");
  if (running) return;
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    status.textContent = "This browser cannot record audio; you can still type your answers.";
    return;
  }
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  } catch (err) {
    status.textContent = `The microphone could not start (${err.message || err}). You can type your answers.`;
    return;
  }
  const context = new AudioContext();
  const analyser = context.createAnalyser();
  analyser.fftSize = 2048;
  context.createMediaStreamSource(stream).connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  let loudest = 0;
  status.textContent = "Say something: the meter should move.";
  const tick = setInterval(() => {
    analyser.getFloatTimeDomainData(samples);
    const level = levelOf(samples);
    loudest = Math.max(loudest, level);
    $("test-level").value = level;
  }, 100);
  running = { stream, context, tick };
  setTimeout(() => {
    clearInterval(tick);
    stream.getTracks().forEach((t) => t.stop());
    context.close();
    running = null;
    $("test-level").value = 0;
    status.textContent = loudest > 0.2
      ? "Your microphone works."
      : "We heard almost nothing. Check that the right microphone is selected and not muted.";
  }, MIC_TEST_MS);
}

export function testSpeaker() {
  const status = $("device-status");
  if (!("speechSynthesis" in window)) {
    status.textContent = "This browser cannot speak the questions aloud; they are always shown as text.";
    return;
  }
  window.speechSynthesis.cancel();
  window.speechSynthesis.speak(new SpeechSynthesisUtterance("This is how the interviewer will sound."));
  status.textContent = "You should hear: “This is how the interviewer will sound.”";
}
