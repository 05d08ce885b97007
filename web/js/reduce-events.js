// Each server event (or a local event this page recorded itself) applied
// to the room's state. `ctx.live` is false while a reload replays stored
// events: those rebuild the room but say nothing, speak nothing and leave
// the answer box alone. `ctx.at` is when the event arrived (ms).

import { CODE_KINDS, describeUnder, formatScore, kindLabel, roundLabel } from "./format.js";
import {
  addLog, finishSession, markFailed, markSaved, markUnconfirmed, recordEvent, sessionGone, setInterview, setTimer,
  systemEntry,
} from "./reduce-common.js";
import { composing, finishStream, promptDelta, promptDiscarded } from "./reduce-stream.js";
import { promptTests, runOutput, runRefused, testResults } from "./reduce-code.js";
import { newPromptTalk, onListening, onReview, turnOnTranscript } from "./reduce-voice.js";

/** Apply one event; unknown types are ignored on purpose: newer servers may send more. */
export function applyEvent(s, msg, ctx, fx) {
  const handler = HANDLERS[msg.type];
  return handler ? handler(s, msg, ctx, fx) : s;
}

const HANDLERS = {
  prompt: onPrompt,
  composing,
  prompt_delta: promptDelta,
  prompt_discarded: promptDiscarded,
  ack: onAck,
  sent_at_time_up: onSentAtTimeUp,
  time_warning: onTimeWarning,
  round_ended: onRoundEnded,
  paused: (s, msg, ctx) => addLog(setTimer(setInterview(s, "paused", ctx.at), msg.remaining_seconds, ctx.at, false),
    systemEntry("Paused", "The interview is paused.")),
  resumed: (s, msg, ctx) => addLog(setTimer(setInterview(s, "active", ctx.at), msg.remaining_seconds, ctx.at, true),
    systemEntry("Resumed", "The interview continues.")),
  scored: onScored,
  interview_ended: onInterviewEnded,
  debrief: onDebrief,
  error: onError,
  listening: onListening,
  transcript: onTranscript,
  review: onReview,
  test_results: testResults,
  run_output: runOutput,
  // Local events this page records itself, so a reload shows its own answers.
  local_answer: onLocalAnswer,
  local_answer_failed: (s, msg) => (s.pending && s.log[s.pending.entry].id === msg.id
    ? markFailed(s, s.pending.entry, msg.message || "") : s),
};

function questionLabel(q) {
  return Number.isInteger(q.index) ? `${q.index + 1}${Number.isInteger(q.count) ? ` of ${q.count}` : ""}` : "";
}

function promptLabel(msg) {
  let label = msg.kind === "follow_up" ? "Follow-up" : msg.kind === "hint" ? "Hint" : "Question";
  const n = questionLabel(msg.question || {});
  if (msg.kind === "question" && n) label += ` ${n}`;
  if (msg.repeat) label += " (repeated)";
  return label;
}

function onPrompt(s, msg, ctx, fx) {
  const round = msg.round || {};
  if (!s.round || s.round.index !== round.index) s = { ...s, timeWarning: null };
  const n = questionLabel(msg.question || {});
  s = { ...s, round, questionLabel: n ? `Question ${n}` : "" };
  if (s.interview !== "paused") s = setInterview(s, "active", ctx.at);
  s = setTimer(s, msg.remaining_seconds, ctx.at, s.interview === "active");

  const label = promptLabel(msg);
  // A hint is help with the question, shown beside it: the question stays
  // in view. A new question or follow-up starts without hints.
  if (msg.kind === "hint") {
    s = { ...s, hints: [...s.hints, msg.text || ""] };
  } else {
    const hints = !msg.repeat || !s.asked ? [] : s.hints;
    s = { ...s, hints, asked: { label, intro: msg.intro || null, text: msg.text || "" } };
  }
  // A new object each time: the view replaces the nodes, so a repeated
  // question is announced again by the aria-live region.
  const asked = s.asked || { label, intro: null, text: msg.text || "" };
  s = { ...s, prompt: { asked, hints: s.hints } };
  s = addLog(s, { kind: "prompt", label, lead: msg.lead || null, intro: msg.intro || null, text: msg.text || "" });
  // What was heard belongs to the previous prompt, and so does its review.
  if (!msg.repeat) {
    s = newPromptTalk({ ...s, transcript: { prompt: s.transcript.prompt + 1, heard: [], partial: null }, review: null });
  }
  // A new question never inherits the last one's text: what was typed and
  // not sent is set aside (the answer box's owner does it; see actions.js).
  if (ctx.live && msg.kind === "question" && !msg.repeat) fx.push({ type: "set_aside" });
  // This browser has now been asked it (a replay says so again, harmlessly).
  if (msg.kind === "question" && msg.question && typeof msg.question.id === "string") {
    fx.push({ type: "asked", id: msg.question.id });
  }
  s = promptTests(s, msg, ctx, fx);
  // Only prompts that arrive now are spoken, not ones replayed from storage.
  // A streamed turn may have spoken its first sentences already; the rest
  // is queued after them.
  let rest = msg.text || "";
  let continues = false;
  if (!msg.repeat) [s, { rest, continues }] = finishStream(s, rest);
  if (ctx.live && !s.muted && rest && continues) fx.push({ type: "speak_sentence", text: rest });
  else if (ctx.live && !s.muted && !continues) {
    const text = [msg.lead, msg.intro, rest].filter(Boolean).join(" ");
    if (text) fx.push({ type: "speak", text, seq: msg.seq });
  }
  return s;
}

function onAck(s) {
  // Acks do not say which answer they confirm. Only one answer is in flight
  // at a time, so the pending one is it; otherwise the oldest unconfirmed.
  if (s.pending) return markSaved({ ...s, pending: null }, s.pending.entry);
  if (s.unconfirmed.length === 0) return s;
  const [oldest, ...rest] = s.unconfirmed;
  return markSaved({ ...s, unconfirmed: rest }, oldest);
}

/** Time ran out with text typed: the server took it as the answer. */
function onSentAtTimeUp(s, msg, ctx, fx) {
  s = addLog(s, {
    kind: "answer", label: "Your answer, sent when time ran out", text: msg.text || "", code: CODE_KINDS.has(s.round && s.round.kind),
  });
  if (ctx.live) fx.push({ type: "clear_answer" });
  return s;
}

function onTimeWarning(s, msg, ctx) {
  s = setTimer(s, msg.remaining_seconds, ctx.at, s.interview === "active");
  // Said once, and true until the round ends: the countdown beside it
  // gives the exact time.
  const text = typeof msg.remaining_seconds === "number"
    ? `${describeUnder(msg.remaining_seconds)} left in this round.` : (s.timeWarning && s.timeWarning.text) || "";
  return { ...s, timeWarning: { text } };
}

function onRoundEnded(s, msg) {
  const round = msg.round || s.round || {};
  const why = msg.reason === "time_up" ? "time is up" : "completed";
  s = addLog(s, systemEntry("Round ended", `${roundLabel(round, null)}: ${why}.`));
  // The question asked is over with its round; its hints go with it.
  return { ...s, timer: null, timeWarning: null, asked: null, hints: [] };
}

/** Scores belong to the debrief; a drill may ask to see each as it comes. */
function onScored(s, msg) {
  if (!(s.record && s.record.live_scores)) return s;
  const n = questionLabel(msg.question || {});
  const round = msg.round || {};
  const where = `${n ? `Question ${n}` : "An answer"} in ${round.title || kindLabel(round.kind)}`;
  if (typeof msg.not_assessed === "string") {
    return addLog(s, systemEntry("Could not assess", `${where}: ${msg.not_assessed}`));
  }
  return addLog(s, systemEntry("Scored", `${where}: ${formatScore(msg.overall)} out of 4.`));
}

function onInterviewEnded(s, msg, ctx) {
  s = { ...setInterview(s, "grading", ctx.at), timer: null, prompt: { message: "Grading your answers…" } };
  return addLog(s, systemEntry("Interview complete", "All rounds are done."));
}

function onDebrief(s, msg, ctx, fx) {
  s = finishSession(s, ctx.at, fx);
  if (!msg.report || typeof msg.report !== "object") {
    // Nothing to render; report.json has the same content.
    fx.push({ type: "fetch_report" });
    return s;
  }
  if (ctx.live) fx.push({ type: "focus_heading" });
  return { ...s, debrief: { report: msg.report, session: s.record }, view: "debrief" };
}

function onError(s, msg, ctx, fx) {
  const text = msg.message || "The server reported an error.";
  // The server handles frames in order, so an error right after an answer
  // (typed, or spoken and reviewed) is about that answer: it will never be acked.
  if (s.pending && (s.lastOutbound === "answer" || s.lastOutbound === "submit_spoken")) {
    const index = s.pending.entry;
    s = recordEvent(s, { type: "local_answer_failed", id: s.log[index].id, message: text }, ctx.at);
    s = markFailed(s, index, text);
  }
  // A refused run is said beside the Run buttons, where the candidate acted.
  const aboutRun = s.lastOutbound === "run_tests" || s.lastOutbound === "run_input";
  if (aboutRun) s = runRefused(s, text);
  s = { ...s, lastOutbound: null };
  if (aboutRun && !msg.fatal) return s;
  // Deleted while the room is open (by the candidate elsewhere, or an
  // operator): say so once, and offer the lobby, not a retry.
  if (msg.fatal && msg.code === "deleted") return sessionGone(s, fx);
  fx.push({ type: "alert", text: `${text}${msg.code ? ` (${msg.code})` : ""}` });
  if (!msg.fatal) return s;
  // The server is closing on purpose; retrying blindly would loop.
  fx.push({ type: "give_up_socket" });
  return { ...s, banner: { kind: "disconnected" } };
}

/** What the recogniser heard; a backchannel ("mm-hm") is not part of the answer. */
function onTranscript(s, msg, ctx, fx) {
  const t = s.transcript;
  const kept = msg.final && !msg.backchannel;
  const heard = kept ? [...t.heard, { text: msg.stable || "", low: Boolean(msg.low_confidence) }] : t.heard;
  const partial = msg.final ? null : { stable: msg.stable || "", tentative: msg.tentative || "" };
  return turnOnTranscript({ ...s, transcript: { ...t, heard, partial } }, msg, fx);
}

function onLocalAnswer(s, msg) {
  // A newer answer means the previous one was never confirmed.
  if (s.pending) s = markUnconfirmed(s, s.pending.entry);
  s = addLog(s, {
    kind: "answer", label: "Your answer", text: msg.text, code: CODE_KINDS.has(msg.round_kind), id: msg.id, status: "pending",
  });
  return { ...s, pending: { entry: s.log.length - 1, armed: null } };
}
