// The browser app's reducer (web/js/reduce.js): given a state and an
// action, then the state and the effects it asks for. Run by
// `cargo test web_store` (tests/integration/web_store.rs) or directly:
// `node --test tests/web/`.

import { test } from "node:test";
import assert from "node:assert/strict";

import { codeMode, initialState, reduce, remainingAt } from "../../web/js/reduce.js";

const AT = 1_700_000_000_000;
const ROUNDS = [{ index: 0, kind: "screen", title: "Screen" }, { index: 1, kind: "coding", title: "Coding" }];
const SCREEN = ROUNDS[0];
const CODING = ROUNDS[1];

const record = (extra = {}) => ({
  session_id: "s1", token: "t1", last_seq: 0, finished: false, mode: "text", events: [], ...extra,
});
const recv = (msg, at = AT) => ({ type: "received", msg, at });
const run = (state, ...actions) => actions.reduce(reduce, state);
const kinds = (state) => state.effects.map((e) => e.type);

const welcome = (extra = {}) => ({
  type: "welcome", protocol: 1, session_id: "s1", seq: 0, state: "active",
  loop: { id: "quick", title: "Quick practice", rounds: ROUNDS }, tts: "browser",
  code_execution: { enabled: true, languages: ["python"] }, ...extra,
});
const question = (seq, extra = {}) => ({
  type: "prompt", seq, kind: "question", round: SCREEN, question: { index: 0, count: 2, id: "screen-bug" },
  text: "Tell me about a hard bug.", intro: null, repeat: false, remaining_seconds: 600, ...extra,
});

/** A room entered from a stored session, its socket open, welcomed. */
function room(extra = {}, welcomeExtra = {}) {
  return run(initialState(),
    { type: "record_loaded", record: record(extra) },
    { type: "room_entered", at: AT },
    { type: "socket_opened" },
    recv(welcome(welcomeExtra)));
}

/** The room with a question on screen. */
function asked(extra = {}) {
  return run(room(), recv(question(1, extra)));
}

test("a live question is shown, logged, spoken, and sets the unsent text aside", () => {
  const s = run(room(), recv(question(1, { lead: "Thanks.", intro: "Next one." })));
  assert.equal(s.interview, "active");
  assert.equal(s.questionLabel, "Question 1 of 2");
  assert.deepEqual(s.timer, { remaining: 600, at: AT, running: true });
  assert.deepEqual(s.asked, { label: "Question 1 of 2", intro: "Next one.", text: "Tell me about a hard bug." });
  assert.deepEqual(s.prompt, { asked: s.asked, hints: [] });
  assert.equal(s.log.at(-1).kind, "prompt");
  assert.equal(s.log.at(-1).lead, "Thanks.");
  assert.deepEqual(kinds(s), ["set_aside", "asked", "clear_run_input", "offer_starter", "speak"]);
  assert.deepEqual(s.effects.find((e) => e.type === "asked"), { type: "asked", id: "screen-bug" });
  assert.deepEqual(s.effects.at(-1), { type: "speak", text: "Thanks. Next one. Tell me about a hard bug.", seq: 1 });
  // It is stored for a reload, and the place moves on.
  assert.equal(s.lastSeq, 1);
  assert.deepEqual(s.record.events.map((e) => e.msg.seq), [1]);
});

test("a muted interviewer says nothing, and a paused interview keeps its clock stopped", () => {
  const s = run(room({}, { state: "paused" }), { type: "mute_toggled" }, recv(question(1)));
  assert.equal(s.muted, true);
  assert.ok(!kinds(s).includes("speak"));
  assert.equal(s.interview, "paused");
  assert.equal(s.timer.running, false);
});

test("already seen events are dropped: the resume replay overlaps what is stored", () => {
  const once = asked();
  assert.equal(run(once, recv(question(1))), once);
});

test("a hint shows beside the question, a repeat keeps it, a new question or follow-up starts without", () => {
  let s = run(asked(), recv(question(2, { kind: "hint", text: "Think about logs." })));
  assert.equal(s.asked.text, "Tell me about a hard bug.");
  assert.deepEqual(s.hints, ["Think about logs."]);
  assert.deepEqual(s.prompt.hints, ["Think about logs."]);
  assert.equal(s.log.at(-1).label, "Hint");
  // A hint is not a new question: nothing is set aside, nothing newly asked.
  assert.ok(!kinds(s).includes("set_aside"));
  assert.ok(!kinds(s).includes("asked"));

  s = run(s, recv(question(3, { repeat: true })));
  assert.equal(s.asked.label, "Question 1 of 2 (repeated)");
  assert.deepEqual(s.hints, ["Think about logs."]);
  assert.notEqual(s.prompt, undefined);
  assert.ok(!kinds(s).includes("set_aside"), "a repeat keeps the typed text");
  assert.deepEqual(s.effects.at(-1), { type: "speak", text: "Tell me about a hard bug.", seq: 3 });

  const followUp = run(s, recv(question(4, { kind: "follow_up", text: "Why that tool?" })));
  assert.deepEqual(followUp.hints, []);
  assert.equal(followUp.asked.label, "Follow-up");
  const next = run(s, recv(question(4, { question: { index: 1, count: 2 }, text: "Another." })));
  assert.deepEqual(next.hints, []);
  assert.equal(next.asked.label, "Question 2 of 2");
});

test("each prompt is a new prompt object, so the same question is announced again", () => {
  const s = asked();
  const again = run(s, recv(question(2, { repeat: true })));
  assert.notEqual(again.prompt, s.prompt);
});

test("a time warning is said once and stays until the round ends, which clears the question asked", () => {
  let s = run(asked(), recv({ type: "time_warning", seq: 2, round: SCREEN, remaining_seconds: 90 }, AT + 5000));
  assert.deepEqual(s.timeWarning, { text: "Under 2 minutes left in this round." });
  assert.deepEqual(s.timer, { remaining: 90, at: AT + 5000, running: true });
  s = run(s, recv({ type: "round_ended", seq: 3, round: SCREEN, reason: "time_up" }));
  assert.equal(s.timer, null);
  assert.equal(s.timeWarning, null);
  assert.equal(s.asked, null);
  assert.deepEqual(s.hints, []);
  assert.deepEqual(s.log.at(-1), { kind: "system", label: "Round ended", lines: ["Round 1 · Screen: time is up."] });
  // The next round's question starts afresh.
  s = run(s, recv(question(4, { round: CODING, question: { index: 0, count: 1 } })));
  assert.equal(codeMode(s), true);
  assert.equal(s.timeWarning, null);
});

test("a new round clears the last round's warning; the same round keeps it", () => {
  const warned = run(asked(), recv({ type: "time_warning", seq: 2, round: SCREEN, remaining_seconds: 30 }));
  assert.ok(run(warned, recv(question(3, { kind: "follow_up" }))).timeWarning);
  assert.equal(run(warned, recv(question(3, { round: CODING }))).timeWarning, null);
});

test("a sent answer waits for its ack, and the ack marks it saved", () => {
  let s = run(asked(), { type: "sent", what: "answer" },
    { type: "answer_sent", id: "a1", text: "I bisected it.", typed: "I bisected it.", at: AT + 1 });
  const entry = s.log.length - 1;
  assert.deepEqual(s.log[entry], {
    kind: "answer", label: "Your answer", text: "I bisected it.", code: false, id: "a1", status: "pending",
  });
  assert.equal(s.pending.entry, entry);
  assert.ok(s.pending.armed > 0, "its timer starts");
  assert.equal(s.sent, "I bisected it.");
  assert.deepEqual(s.record.events.at(-1).msg,
    { type: "local_answer", id: "a1", text: "I bisected it.", round_kind: "screen" });

  s = run(s, recv({ type: "ack", seq: 2 }));
  assert.equal(s.pending, null);
  assert.equal(s.log[entry].status, "saved");
});

test("an answer without an ack in time is unconfirmed, and a late ack still confirms it", () => {
  let s = run(asked(), { type: "answer_sent", id: "a1", text: "One.", typed: "One.", at: AT });
  const entry = s.pending.entry;
  // A timer that is not the answer's (an old one) changes nothing.
  assert.equal(run(s, { type: "ack_timed_out", armed: s.pending.armed - 1 }), s);
  // Offline it cannot be known yet: the replay may still bring the ack.
  assert.equal(run(s, { type: "socket_closed" }, { type: "ack_timed_out", armed: s.pending.armed }).pending.entry, entry);

  s = run(s, { type: "ack_timed_out", armed: s.pending.armed });
  assert.equal(s.pending, null);
  assert.deepEqual(s.unconfirmed, [entry]);
  assert.equal(s.log[entry].status, "unconfirmed");
  s = run(s, recv({ type: "ack", seq: 2 }));
  assert.deepEqual(s.unconfirmed, []);
  assert.equal(s.log[entry].status, "saved");
  // Nothing left to confirm: the ack changes no answer.
  const after = run(s, recv({ type: "ack", seq: 3 }));
  assert.deepEqual(after.log, s.log);
});

test("a second answer marks the first unconfirmed; the reconnect's welcome restarts the wait", () => {
  let s = run(asked(), { type: "answer_sent", id: "a1", text: "One.", typed: "One.", at: AT });
  const first = s.pending.entry;
  s = run(s, { type: "answer_sent", id: "a2", text: "Two.", typed: "Two.", at: AT });
  assert.equal(s.log[first].status, "unconfirmed");
  assert.deepEqual(s.unconfirmed, [first]);
  const armed = s.pending.armed;
  s = run(s, { type: "socket_closed" }, { type: "socket_opened" }, recv(welcome()));
  assert.ok(s.pending.armed > armed);
});

test("an error right after an answer fails it, and the failure is stored for a reload", () => {
  let s = run(asked(), { type: "sent", what: "answer" },
    { type: "answer_sent", id: "a1", text: "x".repeat(5), typed: "xxxxx", at: AT });
  const entry = s.pending.entry;
  s = run(s, recv({ type: "error", code: "too_long", message: "Too long.", fatal: false }));
  assert.equal(s.pending, null);
  assert.equal(s.log[entry].status, "failed");
  assert.equal(s.log[entry].detail, "Too long.");
  assert.equal(s.lastOutbound, null);
  assert.deepEqual(s.effects, [{ type: "alert", text: "Too long. (too_long)" }]);
  assert.deepEqual(s.record.events.at(-1).msg, { type: "local_answer_failed", id: "a1", message: "Too long." });

  // The reload shows it failed too.
  const reloaded = run(initialState(), { type: "record_loaded", record: s.record }, { type: "room_entered", at: AT });
  assert.equal(reloaded.log[entry].status, "failed");
  assert.equal(reloaded.pending, null);
});

test("an error about something else leaves the pending answer waiting", () => {
  let s = run(asked(), { type: "sent", what: "answer" }, { type: "answer_sent", id: "a1", text: "A", typed: "A", at: AT },
    { type: "sent", what: "hint" });
  s = run(s, recv({ type: "error", code: "busy", message: "Wait.", fatal: false }));
  assert.equal(s.log[s.pending.entry].status, "pending");
});

test("a fatal error stops the retries; a deleted session is gone and forgotten", () => {
  const fatal = run(asked(), recv({ type: "error", code: "internal", message: "Bye.", fatal: true }));
  assert.deepEqual(kinds(fatal), ["alert", "give_up_socket"]);
  assert.deepEqual(fatal.banner, { kind: "disconnected" });

  const gone = run(asked(), recv({ type: "error", code: "deleted", message: "Deleted.", fatal: true }));
  assert.deepEqual(kinds(gone), ["stop_socket"]);
  assert.equal(gone.record, null);
  assert.deepEqual(gone.banner, { kind: "gone" });
  assert.equal(gone.open, false);
  assert.deepEqual(run(asked(), { type: "session_gone" }).banner, { kind: "gone" });
});

test("time up with a typed draft: the server's copy is logged and a live box is cleared", () => {
  const s = run(asked({ round: CODING }), recv({ type: "sent_at_time_up", seq: 2, text: "def f(): pass" }));
  assert.deepEqual(s.log.at(-1), {
    kind: "answer", label: "Your answer, sent when time ran out", text: "def f(): pass", code: true,
  });
  assert.deepEqual(kinds(s), ["clear_answer"]);
  // Replayed, it is logged the same but the box is left alone.
  const replayed = run(initialState(), { type: "record_loaded", record: s.record }, { type: "room_entered", at: AT });
  assert.deepEqual(replayed.log.at(-1), s.log.at(-1));
  assert.ok(!kinds(replayed).includes("clear_answer"));
});

test("pause and resume stop and restart the clock, and are logged", () => {
  let s = run(asked(), recv({ type: "paused", seq: 2, remaining_seconds: 500 }, AT + 100_000));
  assert.equal(s.interview, "paused");
  assert.deepEqual(s.timer, { remaining: 500, at: AT + 100_000, running: false });
  assert.equal(s.log.at(-1).label, "Paused");
  s = run(s, recv({ type: "resumed", seq: 3, remaining_seconds: 500 }, AT + 200_000));
  assert.equal(s.interview, "active");
  assert.deepEqual(s.timer, { remaining: 500, at: AT + 200_000, running: true });
  assert.deepEqual(s.log.at(-1), { kind: "system", label: "Resumed", lines: ["The interview continues."] });
});

test("the clock freezes where it stood when the interview stops", () => {
  const s = run(asked(), recv(welcome({ state: "paused" }), AT + 30_000));
  assert.deepEqual(s.timer, { remaining: 570, at: AT + 30_000, running: false });
  assert.equal(remainingAt(s.timer, AT + 90_000), 570);
  assert.equal(remainingAt(asked().timer, AT + 90_000), 510);
});

test("scores show as they come only in a drill that asked for them", () => {
  const scored = { type: "scored", seq: 2, round: SCREEN, question: { index: 0, count: 2 }, overall: 3.25 };
  assert.equal(run(asked(), recv(scored)).log.at(-1).kind, "prompt");
  const drill = run(room({ live_scores: true }), recv(question(1)), recv(scored));
  assert.deepEqual(drill.log.at(-1).lines, ["Question 1 of 2 in Screen: 3.25 out of 4."]);
});

test("the interview's end shows grading; the debrief finishes the session and shows the report", () => {
  let s = run(asked(), recv({ type: "interview_ended", seq: 2 }));
  assert.equal(s.interview, "grading");
  assert.equal(s.timer, null);
  assert.deepEqual(s.prompt, { message: "Grading your answers…" });
  assert.equal(s.log.at(-1).label, "Interview complete");

  const report = { complete: true, answers: [] };
  s = run(s, recv({ type: "debrief", seq: 3, report }));
  assert.equal(s.interview, "finished");
  assert.equal(s.record.finished, true);
  assert.deepEqual(s.record.events, [], "the report is on the server now");
  assert.deepEqual(s.debrief, { report, session: s.record });
  assert.equal(s.view, "debrief");
  assert.equal(s.open, false);
  assert.deepEqual(kinds(s), ["stop_socket", "focus_heading"]);
  // Nothing more is stored once finished.
  assert.deepEqual(run(s, recv({ type: "ack", seq: 4 })).record.events, []);
});

test("a debrief without a report reads report.json; a finished welcome waits for the debrief first", () => {
  const s = run(asked(), recv({ type: "debrief", seq: 2, report: null }));
  assert.deepEqual(kinds(s), ["stop_socket", "fetch_report"]);
  assert.equal(s.view, "room");
  const finished = room({}, { state: "finished" });
  assert.ok(finished.reportWait > 0);
  const loaded = run(finished, { type: "report_loaded", report: { answers: [] }, at: AT });
  assert.equal(loaded.reportWait, null);
  assert.equal(loaded.view, "debrief");
  assert.ok(kinds(loaded).includes("focus_heading"), "the room had focus");
});

test("the welcome says who speaks, whether code runs, the loop, and clears the banner", () => {
  let s = run(initialState(), { type: "record_loaded", record: record({ last_seq: 4 }) },
    { type: "reconnecting", attempt: 1 });
  assert.deepEqual(s.banner, { kind: "lost" });
  assert.equal(run(s, { type: "reconnecting", attempt: 2 }).banner, s.banner);
  assert.deepEqual(run(s, { type: "reconnecting", attempt: 6 }).banner, { kind: "still_trying" });
  s = run(s, recv(welcome({ seq: 9, tts: "server", state: "lobby" })));
  assert.equal(s.banner, null);
  assert.equal(s.serverSpeaks, true);
  assert.deepEqual(s.codeExecution, { enabled: true, languages: ["python"] });
  assert.equal(s.record.loop.title, "Quick practice");
  assert.deepEqual(s.prompt, { message: "Starting your interview…" });
  assert.equal(s.lastSeq, 4, "the welcome's seq is not an event");
  assert.deepEqual(run(s, recv(welcome({ protocol: 2 }))).effects[0].type, "alert");
  assert.deepEqual(run(s, recv(welcome({ state: "grading" }))).prompt, { message: "Grading your answers…" });
});

test("a stored session keeps its place: saving it again does not send the server back to the start", () => {
  const s = run(initialState(), { type: "record_loaded", record: record({ last_seq: 7 }) });
  assert.equal(s.lastSeq, 7);
  assert.equal(run(initialState(), { type: "record_loaded", record: null }).lastSeq, 0);
});

test("a reload rebuilds the same room from the stored events, quietly", () => {
  let live = run(room(), recv(question(1)), { type: "sent", what: "answer" },
    { type: "answer_sent", id: "a1", text: "Bisect.", typed: "Bisect.", at: AT },
    recv({ type: "ack", seq: 2 }), recv(question(3, { kind: "hint", text: "Logs?" })),
    { type: "answer_sent", id: "a2", text: "Logs.", typed: "Logs.", at: AT });
  const reloaded = run(initialState(), { type: "record_loaded", record: { ...live.record, last_seq: live.lastSeq } },
    { type: "room_entered", at: AT + 60_000 });
  for (const key of ["log", "asked", "hints", "round", "interview", "lastSeq", "loop"]) {
    assert.deepEqual(reloaded[key], live[key], key);
  }
  assert.equal(reloaded.pending.entry, live.pending.entry);
  assert.equal(reloaded.pending.armed, null, "the wait starts again with the welcome");
  assert.equal(reloaded.view, "room");
  for (const effect of ["speak", "speak_sentence", "set_aside", "offer_starter", "clear_answer"]) {
    assert.ok(!kinds(reloaded).includes(effect), `a replay asks for no ${effect}`);
  }
});

test("a stored event that cannot be replayed is skipped and reported", () => {
  const s = run(initialState(),
    { type: "record_loaded", record: record({ events: [{ at: AT, msg: { type: "ack" } }, { at: AT, msg: question(2) }] }) },
    { type: "room_entered", at: AT });
  // An ack with no answer changes nothing; the question after it is shown.
  assert.equal(s.asked.text, "Tell me about a hard bug.");
});

test("a streamed follow-up is shown as written and spoken from its first sentence", () => {
  let s = run(asked(), { type: "answer_sent", id: "a1", text: "A.", typed: "A.", at: AT },
    recv({ type: "composing", seq: 2, kind: "follow_up" }));
  assert.equal(s.composing, true);
  assert.deepEqual(s.prompt, { streaming: 2, label: "Follow-up", text: "" });
  s = run(s, recv({ type: "prompt_delta", id: 2, text: "Interesting choice. What made" }));
  assert.equal(s.prompt.text, "Interesting choice. What made");
  assert.deepEqual(s.effects, [{ type: "speak_sentence", text: "Interesting choice." }]);
  s = run(s, recv({ type: "prompt_delta", id: 2, text: " you pick it?" }));
  assert.deepEqual(s.effects, []);
  // Another turn's delta is not this one's.
  assert.equal(run(s, recv({ type: "prompt_delta", id: 9, text: "x" })), s);
  s = run(s, recv(question(3, { kind: "follow_up", text: "Interesting choice. What made you pick it?" })));
  assert.equal(s.composing, false);
  assert.equal(s.stream, null);
  assert.deepEqual(s.effects.at(-1), { type: "speak_sentence", text: "What made you pick it?" });
});

test("a discarded turn stops its voice; a server that speaks prompts gets no browser sentences", () => {
  let s = run(asked(), recv({ type: "composing", seq: 2, kind: "hint" }),
    recv({ type: "prompt_delta", id: 2, text: "Try this. " }), recv({ type: "prompt_discarded", id: 2, reason: "guard" }));
  assert.deepEqual(s.effects, [{ type: "stop_speaking" }]);
  assert.deepEqual(s.prompt, { streaming: 2, label: "Hint", text: "" });
  // The final prompt is spoken whole.
  s = run(s, recv(question(3, { kind: "hint", text: "Something else." })));
  assert.deepEqual(s.effects.at(-1), { type: "speak", text: "Something else.", seq: 3 });

  const server = run(room({}, { tts: "server" }), recv(question(1)), recv({ type: "composing", seq: 2, kind: "hint" }),
    recv({ type: "prompt_delta", id: 2, text: "Try this. " }));
  assert.deepEqual(server.effects, []);
});

test("what the recogniser hears belongs to the current prompt", () => {
  let s = run(asked(), recv({ type: "listening", speaking: true }));
  assert.deepEqual(s.listening, { speaking: true });
  s = run(s, recv({ type: "transcript", final: false, stable: "I would", tentative: "count", low_confidence: false }));
  assert.deepEqual(s.transcript.partial, { stable: "I would", tentative: "count" });
  s = run(s, recv({ type: "transcript", final: true, stable: "I would count.", tentative: "", low_confidence: true }));
  assert.deepEqual(s.transcript.heard, [{ text: "I would count.", low: true }]);
  assert.equal(s.transcript.partial, null);
  const repeated = run(s, recv(question(2, { repeat: true })));
  assert.equal(repeated.transcript, s.transcript);
  const next = run(s, recv(question(2, { kind: "follow_up" })));
  assert.deepEqual(next.transcript.heard, []);
  assert.ok(next.transcript.prompt > s.transcript.prompt);
});

test("a question with tests offers them; runs show their results; a refusal brings the button back", () => {
  const tests = { functions: [{ language: "python", function: "f", signature: "def f(x):" }], examples: [] };
  let s = run(asked({ round: CODING, tests }));
  assert.deepEqual(s.tests, tests);
  s = run(s, { type: "run_started", what: "tests" });
  assert.equal(s.running, true);
  assert.equal(s.runStatus, "Running the tests…");
  const testRun = { language: "python", passed: 2, total: 3, cases: [] };
  s = run(s, recv({ type: "test_results", seq: 2, round: CODING, question: {}, run: testRun }));
  assert.equal(s.running, false);
  assert.equal(s.runStatus, "2 of 3 tests passed (Python 3)");
  assert.deepEqual(s.testResults, testRun);

  s = run(s, { type: "run_input_missing" });
  assert.deepEqual(s.runOutput, { missingInput: true });
  s = run(s, { type: "run_started", what: "input" });
  assert.equal(s.runStatus, "Running your input…");
  s = run(s, recv({ type: "run_output", run: { status: "completed", cases: [] } }));
  assert.equal(s.running, false);
  assert.deepEqual(s.runOutput, { run: { status: "completed", cases: [] } });

  s = run(s, { type: "run_started", what: "input" }, { type: "sent", what: "run_input" },
    recv({ type: "error", code: "busy", message: "The runner is busy.", fatal: false }));
  assert.equal(s.running, false);
  assert.equal(s.runStatus, "The runner is busy.");
  // Said where the candidate pressed Run, not again at the top of the page.
  assert.ok(!kinds(s).includes("alert"), `no page alert for a refused run: ${kinds(s)}`);
  // A new question clears what the last one's runs showed.
  s = run(s, recv(question(4, { round: CODING, tests })));
  assert.equal(s.testResults, null);
  assert.equal(s.runOutput, null);
  assert.equal(s.runStatus, "");
});

test("leaving the room, starting over and a new session stop or reset what they should", () => {
  const s = asked();
  const left = run(s, { type: "room_left" });
  assert.deepEqual(kinds(left), ["stop_mic", "stop_socket", "focus_heading"]);
  assert.equal(left.view, "lobby");
  assert.equal(left.open, false);
  assert.ok(left.record, "the session can be resumed");

  const forgotten = run(s, { type: "session_forgotten" });
  assert.equal(forgotten.record, null);
  assert.deepEqual(forgotten.log, []);
  assert.ok(kinds(forgotten).includes("reset_box"));

  const fresh = run(s, { type: "session_started", record: record({ session_id: "s2" }) });
  assert.equal(fresh.record.session_id, "s2");
  assert.ok(fresh.room > s.room, "views that keep nodes per entry start over");
  assert.equal(fresh.lastSeq, 0, "the last session's place is not carried over");
  assert.deepEqual(fresh.log, []);
});

test("local actions: views, the answer mode, mute, the unsent text set aside, the stub", () => {
  let s = asked();
  assert.equal(run(s, { type: "show_view", view: "history" }).view, "history");
  assert.deepEqual(kinds(run(s, { type: "show_view", view: "lobby", focus: false })), []);
  assert.equal(run(s, { type: "mode_switched" }).record.mode, "voice");
  assert.deepEqual(kinds(run(s, { type: "mute_toggled" })), ["silence"]);
  assert.deepEqual(run(s, { type: "set_aside", texts: ["half an answer"] }).log.at(-1),
    { kind: "system", label: "Not sent", unsent: ["half an answer"] });
  assert.equal(run(s, { type: "starter_offered", text: "def f():\n    " }).starter, "def f():\n    ");
  assert.equal(run(s, { type: "socket_closed" }).open, false);
  assert.equal(run(s, { type: "sent", what: "hint" }).lastOutbound, "hint");
  const opened = run(s, { type: "report_opened", report: { answers: [] }, session: null });
  assert.equal(opened.view, "debrief");
  assert.deepEqual(opened.debrief, { report: { answers: [] }, session: null });
});

test("every server event is handled, and unknown ones are ignored", () => {
  const events = [
    question(10), { type: "ack", seq: 11 }, { type: "sent_at_time_up", seq: 12, text: "t" },
    { type: "time_warning", seq: 13, remaining_seconds: 60 }, { type: "round_ended", seq: 14, reason: "completed" },
    { type: "paused", seq: 15, remaining_seconds: 1 }, { type: "resumed", seq: 16, remaining_seconds: 1 },
    { type: "interview_ended", seq: 18 }, { type: "error", message: "m", fatal: false },
    { type: "listening", speaking: false }, { type: "transcript", final: true, stable: "s" },
    { type: "test_results", seq: 19, run: { passed: 0, total: 0 } }, { type: "run_output", run: {} },
    { type: "composing", seq: 20, kind: "follow_up" }, { type: "debrief", seq: 21, report: {} },
  ];
  for (const msg of events) {
    const before = room();
    assert.notDeepEqual(run(before, recv(msg)), before, msg.type);
  }
  const s = room();
  assert.equal(run(s, recv({ type: "something_new" })), s);
  assert.throws(() => reduce(s, { type: "no_such_action" }), /unknown action/);
});
