// Turn-taking between the candidate's voice and the interviewer's, and the
// review of a spoken answer before it is submitted. Pure, like the rest of
// the reducer: what the interviewer's voice should do comes back as
// effects (hold_voice, release_voice, stop_voice; speak effects queued).
//
// The interviewer never talks over the candidate, and stops when they
// start (a barge-in):
//
//   listening {speaking:true}   the voice playing is held (paused) at once
//   a word that is not a backchannel ("mm-hm", "right") in a transcript
//                               the held voice is stopped: the candidate has
//                               the turn, and the room says so
//   a backchannel final, or listening {speaking:false} with none
//                               the held voice carries on
//   anything the interviewer would say while the candidate speaks waits for
//   listening {speaking:false}
//
// The server marks backchannels (`backchannel` on transcripts), so the
// list of them lives in one place.

/** What the room knows of who is speaking. */
export function initialTalk() {
  return {
    candidate: false, // the server hears speech in the candidate's audio
    voice: "idle", // the interviewer's voice: idle | playing | held
    queue: [], // speak effects waiting for the candidate to stop
    interrupted: false, // the candidate barged in on the current prompt
  };
}

/** `listening`: speech started or stopped in the candidate's audio. */
export function onListening(s, msg, ctx, fx) {
  const speaking = Boolean(msg.speaking);
  let talk = { ...s.talk, candidate: speaking };
  if (speaking && talk.voice === "playing") {
    fx.push({ type: "hold_voice" });
    talk = { ...talk, voice: "held" };
  }
  if (!speaking) {
    if (talk.voice === "held") {
      fx.push({ type: "release_voice" });
      talk = { ...talk, voice: "playing" };
    }
    if (talk.queue.length > 0) {
      if (!s.muted) fx.push(...talk.queue);
      talk = { ...talk, queue: [] };
    }
  }
  return { ...s, listening: { speaking }, talk };
}

/**
 * A transcript (partial or final) as it bears on the interviewer's voice:
 * words the candidate means stop it; a backchannel lets it carry on.
 */
export function turnOnTranscript(s, msg, fx) {
  const talk = s.talk;
  if (talk.voice === "idle") return s;
  const words = `${msg.stable || ""} ${msg.tentative || ""}`.trim();
  if (words && !msg.backchannel) {
    fx.push({ type: "stop_voice" });
    return { ...s, talk: { ...talk, voice: "idle", interrupted: true } };
  }
  if (msg.final && msg.backchannel && talk.voice === "held") {
    fx.push({ type: "release_voice" });
    return { ...s, talk: { ...talk, voice: "playing" } };
  }
  return s;
}

/** `voice_playing {on}`: the page's report of the interviewer's voice. */
export function voicePlaying(s, a) {
  if (a.on) return s.talk.voice === "idle" ? { ...s, talk: { ...s.talk, voice: "playing" } } : s;
  return s.talk.voice === "idle" ? s : { ...s, talk: { ...s.talk, voice: "idle" } };
}

/**
 * After every action: speech the interviewer would start while the
 * candidate is speaking waits in the queue instead (muted, it is dropped
 * with everything else the mute silences).
 */
export function queueWhileSpeaking(s, fx) {
  if (!s.talk.candidate) return s;
  const held = [];
  for (let i = fx.length - 1; i >= 0; i -= 1) {
    if (fx[i].type === "speak" || fx[i].type === "speak_sentence") held.unshift(...fx.splice(i, 1));
  }
  if (held.length === 0) return s;
  // A whole new prompt replaces whatever was waiting, as it would cut it
  // off if spoken; sentences of a turn being written queue after it.
  const queue = held[0].type === "speak" ? held : [...s.talk.queue, ...held];
  return { ...s, talk: { ...s.talk, queue } };
}

/** A new prompt: the barge-in notice was about the last one. */
export function newPromptTalk(s) {
  return s.talk.interrupted ? { ...s, talk: { ...s.talk, interrupted: false } } : s;
}

/** `review`: what the server heard, to correct and submit. */
export function onReview(s, msg) {
  const confidence = typeof msg.confidence === "number" ? msg.confidence : null;
  return {
    ...s,
    review: {
      text: typeof msg.text === "string" ? msg.text : "",
      confidence,
      unclear: Boolean(msg.unclear),
      low: Boolean(msg.low_confidence),
    },
  };
}

/** What the review says of how well the answer was heard, or "". */
export function reviewNotice(review) {
  if (!review) return "";
  const pct = review.confidence == null ? "" : ` (confidence ${Math.round(review.confidence * 100)}%)`;
  if (review.unclear) {
    return `We could not hear this clearly${pct}. Speak it again, or type it: submitted as it is, ` +
      "it will be marked “could not assess”, not scored.";
  }
  if (review.low) return `The recogniser was unsure of some words${pct}: check them before you submit.`;
  return "Check what we heard and correct any word before you submit.";
}
