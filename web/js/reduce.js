// The page's state and the one pure function that changes it:
// `reduce(state, action)` returns a new state for every server event and
// every local action. No DOM, no timers, no sockets: what the page should
// do besides render (speak, focus, start a timer, close the socket) comes
// back as data, in `state.effects`, for subscribers to perform. Node
// imports this module in tests (tests/web/).
//
// Actions:
//   received {msg, at}           a frame from the socket (welcome, events)
//   record_loaded {record}       the session stored on this device
//   session_started {record}     a new session (the room starts afresh)
//   session_forgotten            start over / deleted here: nothing stored
//   session_gone                 the server no longer has it
//   room_reset, room_entered {at}, room_left
//   show_view {view, focus}, mode_switched, mute_toggled
//   socket_opened, socket_closed, reconnecting {attempt}, sent {what}
//   answer_sent {id, text, typed, at}, ack_timed_out {armed}
//   review_closed                the spoken answer's review was submitted or set aside
//   voice_playing {on}           the interviewer's voice started or stopped (tts.js)
//   set_aside {texts}, starter_offered {text}
//   run_started {what}, run_input_missing
//   report_loaded {report, at}, report_opened {report, session}

import { applyEvent } from "./reduce-events.js";
import {
  finishSession, markUnconfirmed, nextTimer, recordEvent, sessionGone, setInterview, socketStopped,
} from "./reduce-common.js";
import { codeStatus, runStarted } from "./reduce-code.js";
import { initialTalk, queueWhileSpeaking, voicePlaying } from "./reduce-voice.js";

export { codeMode, remainingAt } from "./reduce-common.js";

const PROTOCOL = 1;

/** What the room shows before anything arrived. */
function emptyRoom() {
  return {
    lastSeq: 0,
    loop: null, // the loop as the welcome (or the stored record) has it, with its rounds
    interview: null, // the server's interview state: lobby, active, paused, grading, finished
    round: null,
    questionLabel: "",
    timer: null, // {remaining, at, running}: remaining seconds as of time `at` (ms)
    timeWarning: null, // {text}: said once a round, until it ends
    prompt: { message: "Connecting to the interview…" }, // {message} | {asked, hints} | {streaming, label, text}
    asked: null, // the question or follow-up on screen: {label, intro, text}
    hints: [], // hints given for it, shown beside it
    log: [], // the transcript: {kind: prompt|system|answer, label, …}
    pending: null, // the one answer awaiting its ack: {entry (its log index), armed (its timer's id)}
    unconfirmed: [], // log indexes of answers whose ack did not come in time, oldest first
    starter: null, // the function stub the editor was last given (not the candidate's text)
    sent: null, // the text of the last answer sent (code stays in the editor after it)
    lastOutbound: null, // the type of the last frame sent: an error is about it
    reportWait: null, // id of the timer that fetches report.json if no debrief comes
    stream: null, // the interviewer's turn being written (reduce-stream.js)
    composing: false,
    review: null, // a spoken answer as heard, to correct and submit: {text, confidence, unclear, low}
    talk: initialTalk(), // who is speaking, and the interviewer's voice (reduce-voice.js)
  };
}

export function initialState() {
  return {
    view: "lobby",
    record: null, // the session stored on this device (storage.js has its format)
    room: 0, // counts fresh rooms: a view that keeps nodes per entry starts over when it moves
    ...emptyRoom(),
    open: false, // the socket is open
    banner: null, // the connection banner: {kind: lost|still_trying|gone|disconnected}
    timerIds: 0,
    serverSpeaks: false, // the welcome said the server speaks prompts
    muted: false,
    codeExecution: null, // whether this server runs code (the welcome's code_execution)
    tests: null, // the current question's tests, when it has them
    running: false, // a run of the candidate's code is in flight
    runStatus: "",
    runOutput: null, // {run} | {missingInput: true}
    testResults: null, // the last run of the tests
    transcript: { prompt: 0, heard: [], partial: null }, // what the recogniser heard for this prompt
    listening: null, // {speaking}: the last word on speech in the candidate's audio
    debrief: null, // {report, session}: the report on the debrief view
    effects: [], // what the last action asks the page to do; performed, never kept
  };
}

/** The next state: `action` applied, with the effects it asks for. */
export function reduce(state, action) {
  const fx = [];
  const next = queueWhileSpeaking(step(state, action, fx), fx);
  if (next === state && fx.length === 0) return state;
  return { ...next, effects: fx };
}

function step(s, action, fx) {
  const handler = ACTIONS[action.type];
  if (!handler) throw new Error(`unknown action ${action.type}`);
  return handler(s, action, fx);
}

const ACTIONS = {
  received,
  record_loaded: (s, a) => ({ ...s, record: a.record, lastSeq: a.record ? a.record.last_seq : 0 }),
  session_started: (s, a, fx) => ({ ...resetRoom(s, fx), record: a.record }),
  session_forgotten: (s, a, fx) => ({ ...resetRoom(socketStopped(s, fx), fx), record: null }),
  session_gone: (s, a, fx) => sessionGone(s, fx),
  room_reset: (s, a, fx) => resetRoom(s, fx),
  room_entered: enterRoom,
  room_left: (s, a, fx) => {
    fx.push({ type: "stop_mic" });
    s = socketStopped(s, fx);
    if (s.pending) s = { ...s, pending: { ...s.pending, armed: null } };
    return showView(s, "lobby", true, fx);
  },
  show_view: (s, a, fx) => showView(s, a.view, a.focus !== false, fx),
  mode_switched: (s) => (s.record
    ? { ...s, record: { ...s.record, mode: s.record.mode === "voice" ? "text" : "voice" } } : s),
  mute_toggled: (s, a, fx) => {
    if (!s.muted) fx.push({ type: "silence" });
    return { ...s, muted: !s.muted };
  },
  socket_opened: (s) => ({ ...s, open: true }),
  socket_closed: (s) => ({ ...s, open: false }),
  // The banner's text is set once per outage (and once more after a
  // while), so screen readers are not told the same thing on every attempt.
  reconnecting: (s, a) => (a.attempt === 1 ? { ...s, banner: { kind: "lost" } }
    : a.attempt === 6 ? { ...s, banner: { kind: "still_trying" } } : s),
  sent: (s, a) => (s.lastOutbound === a.what ? s : { ...s, lastOutbound: a.what }),
  answer_sent: answerSent,
  ack_timed_out: (s, a) => {
    if (!s.pending || s.pending.armed !== a.armed) return s;
    // While offline we cannot know yet; the replay after reconnecting may
    // still bring the ack, and the welcome starts the wait again.
    if (!s.open) return s;
    return markUnconfirmed(s, s.pending.entry);
  },
  set_aside: (s, a) => ({
    ...s,
    log: [...s.log, { kind: "system", label: "Not sent", unsent: a.texts }],
  }),
  starter_offered: (s, a) => ({ ...s, starter: a.text }),
  run_started: runStarted,
  review_closed: (s) => (s.review ? { ...s, review: null } : s),
  voice_playing: voicePlaying,
  run_input_missing: (s) => ({ ...s, runOutput: { missingInput: true } }),
  report_loaded: (s, a, fx) => {
    const focus = s.view === "room";
    s = finishSession(s, a.at, fx);
    return showView({ ...s, debrief: { report: a.report, session: s.record } }, "debrief", focus, fx);
  },
  report_opened: (s, a, fx) => showView({ ...s, debrief: { report: a.report, session: a.session } }, "debrief", true, fx),
};

function showView(s, view, focus, fx) {
  if (focus) fx.push({ type: "focus_heading" });
  return s.view === view ? s : { ...s, view };
}

/** The room starts afresh: no events, no place in them, an empty answer box. */
function resetRoom(s, fx) {
  fx.push({ type: "reset_box" });
  return { ...s, ...emptyRoom(), room: s.room + 1 };
}

/** Rebuild the room from the stored events; the page then connects for anything newer. */
function enterRoom(s, action, fx) {
  const r = s.record;
  if (!r) return s;
  s = { ...resetRoom(s, fx), loop: r.loop || null, lastSeq: r.last_seq };
  for (const entry of r.events) {
    try {
      s = applyEvent(s, entry.msg, { live: false, at: entry.at }, fx);
    } catch (err) {
      fx.push({ type: "log_error", message: "could not replay a stored event", detail: [err, entry] });
    }
  }
  return showView(s, "room", true, fx);
}

/** A frame from the socket: the welcome, or an event (dropped if already seen). */
function received(s, { msg, at }, fx) {
  if (msg.type === "welcome") return welcome(s, msg, at, fx);
  if (typeof msg.seq === "number") {
    if (msg.seq <= s.lastSeq) return s; // already seen: replays overlap
    s = recordEvent({ ...s, lastSeq: msg.seq }, msg, at);
  }
  return applyEvent(s, msg, { live: true, at }, fx);
}

/**
 * The welcome carries the server's current seq but is never re-sent and is
 * not an event itself, so it does not advance lastSeq (that would drop the
 * replay that follows it).
 */
function welcome(s, msg, at, fx) {
  s = codeStatus({ ...s, banner: null, serverSpeaks: msg.tts === "server" }, msg);
  if (msg.protocol !== PROTOCOL) {
    fx.push({
      type: "alert",
      text: `This server speaks protocol ${msg.protocol}; this page was written for protocol ${PROTOCOL}. ` +
        "Some things may not work.",
    });
  }
  if (msg.loop && typeof msg.loop === "object") {
    s = { ...s, loop: msg.loop };
    if (s.record) {
      s = { ...s, record: { ...s.record, loop: { id: msg.loop.id, title: msg.loop.title, rounds: msg.loop.rounds } } };
    }
  }
  s = setInterview(s, msg.state, at);
  if (msg.state === "lobby") s = { ...s, prompt: { message: "Starting your interview…" } };
  if (msg.state === "grading") s = { ...s, prompt: { message: "Grading your answers…" } };
  if (msg.state === "finished") {
    // The replay should bring the debrief; if it does not, read report.json.
    let id;
    [s, id] = nextTimer(s);
    s = { ...s, reportWait: id };
  }
  // An answer still unconfirmed from before the outage waits again.
  if (s.pending) {
    let id;
    [s, id] = nextTimer(s);
    s = { ...s, pending: { ...s.pending, armed: id } };
  }
  return s;
}

/** The candidate sent an answer: recorded as a local event, so a reload shows it. */
function answerSent(s, action, fx) {
  const local = {
    type: "local_answer", id: action.id, text: action.text, round_kind: s.round && s.round.kind,
  };
  s = applyEvent(recordEvent(s, local, action.at), local, { live: true, at: action.at }, fx);
  let id;
  [s, id] = nextTimer(s);
  // Code stays in the editor for the follow-ups about it, until the
  // candidate changes it: `sent` tells the next question it was sent.
  return { ...s, pending: { ...s.pending, armed: id }, sent: action.typed };
}
