// Turn-taking and the spoken answer's review in the reducer
// (web/js/reduce-voice.js): the interviewer's voice is held when the
// candidate starts speaking, stopped by a word that is not a backchannel,
// carried on after one, and never started over the candidate; "done" ends
// in a review the candidate corrects before submitting.

import { test } from "node:test";
import assert from "node:assert/strict";

import { initialState, reduce } from "../../web/js/reduce.js";
import { reviewNotice } from "../../web/js/reduce-voice.js";

const AT = 1_700_000_000_000;
const SCREEN = { index: 0, kind: "screen", title: "Screen" };
const recv = (msg, at = AT) => ({ type: "received", msg, at });
const run = (state, ...actions) => actions.reduce(reduce, state);
const kinds = (state) => state.effects.map((e) => e.type);
const question = (seq, extra = {}) => ({
  type: "prompt", seq, kind: "question", round: SCREEN, question: { index: 0, count: 2, id: "q" },
  text: "Tell me about a hard bug.", intro: null, repeat: false, remaining_seconds: 600, ...extra,
});
const listening = (speaking) => recv({ type: "listening", speaking });
const partial = (stable, backchannel = false) =>
  recv({ type: "transcript", final: false, stable, tentative: "", low_confidence: false, backchannel });
const final = (stable, backchannel = false) =>
  recv({ type: "transcript", final: true, stable, tentative: "", low_confidence: false, backchannel });
const playing = { type: "voice_playing", on: true };

/** A room whose interviewer is speaking its first question. */
function speaking() {
  const s = run(initialState(),
    { type: "record_loaded", record: { session_id: "s1", token: "t", last_seq: 0, events: [], mode: "voice" } },
    { type: "room_entered", at: AT },
    { type: "socket_opened" },
    recv({ type: "welcome", protocol: 1, seq: 0, state: "active", tts: "browser" }),
    recv(question(1)),
    playing);
  assert.equal(s.talk.voice, "playing");
  return s;
}

test("the candidate starting to speak holds the interviewer's voice at once", () => {
  const s = run(speaking(), listening(true));
  assert.deepEqual(kinds(s), ["hold_voice"]);
  assert.equal(s.talk.voice, "held");
  assert.deepEqual(s.listening, { speaking: true });
});

test("a word that is not a backchannel stops the held voice and the room says so", () => {
  let s = run(speaking(), listening(true), partial("Mm-hmm", true));
  assert.deepEqual(kinds(s), [], "a backchannel so far decides nothing");
  s = run(s, partial("Mm-hmm, actually"));
  assert.deepEqual(kinds(s), ["stop_voice"]);
  assert.equal(s.talk.voice, "idle");
  assert.equal(s.talk.interrupted, true);
  // The next prompt starts without the notice.
  s = run(s, listening(false), recv(question(2)));
  assert.equal(s.talk.interrupted, false);
});

test("after a backchannel the interviewer carries on, and it is not part of the answer", () => {
  let s = run(speaking(), listening(true), final("Mm-hmm.", true));
  assert.deepEqual(kinds(s), ["release_voice"]);
  assert.equal(s.talk.voice, "playing");
  assert.deepEqual(s.transcript.heard, [], "not heard as an answer");
  // Speech too short to transcribe ends with listening off: carry on too.
  s = run(s, listening(false), listening(true));
  assert.deepEqual(kinds(s), ["hold_voice"]);
  s = run(s, listening(false));
  assert.deepEqual(kinds(s), ["release_voice"]);
  assert.equal(s.talk.interrupted, false);
});

test("the interviewer never starts speaking over the candidate: its prompt waits", () => {
  let s = run(speaking(), listening(true), final("I think the cache"), { type: "voice_playing", on: false });
  s = run(s, recv(question(2, { text: "And then?" })));
  assert.ok(!kinds(s).includes("speak"), "not while they speak");
  assert.equal(s.talk.queue.length, 1);
  s = run(s, listening(false));
  assert.deepEqual(s.effects, [{ type: "speak", text: "And then?", seq: 2 }]);
  assert.deepEqual(s.talk.queue, []);
  // Muted meanwhile: what waited is dropped, not spoken.
  s = run(s, listening(true), recv(question(3, { text: "Last one." })), { type: "mute_toggled" }, listening(false));
  assert.ok(!kinds(s).includes("speak"));
  assert.deepEqual(s.talk.queue, []);
});

test("done ends in a review the candidate corrects; submitting or a new prompt closes it", () => {
  let s = run(speaking(), recv({ type: "review", text: "the cash is warm", confidence: 0.81, unclear: false,
    low_confidence: false }));
  assert.deepEqual(s.review, { text: "the cash is warm", confidence: 0.81, unclear: false, low: false });
  s = run(s, { type: "review_closed" });
  assert.equal(s.review, null);
  s = run(s, recv({ type: "review", text: "x", confidence: 0.3, unclear: true, low_confidence: true }),
    recv(question(2)));
  assert.equal(s.review, null, "a review belongs to its prompt");
});

test("a refused reviewed answer is marked failed, as a typed one is", () => {
  let s = run(speaking(),
    { type: "sent", what: "submit_spoken" },
    { type: "answer_sent", id: "a1", text: "the cache is warm", typed: "", at: AT });
  s = run(s, recv({ type: "error", code: "not_allowed", message: "Paused.", fatal: false }));
  assert.equal(s.log.at(-1).status, "failed");
});

test("the review says how well the answer was heard", () => {
  assert.match(reviewNotice({ unclear: true, confidence: 0.38, low: true }), /could not hear this clearly \(confidence 38%\)/);
  assert.match(reviewNotice({ unclear: false, confidence: 0.55, low: true }), /unsure of some words \(confidence 55%\)/);
  assert.match(reviewNotice({ unclear: false, confidence: 0.9, low: false }), /correct any word/);
  assert.equal(reviewNotice(null), "");
});
