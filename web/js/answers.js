// Answers: sending, ack tracking (pending / saved / unconfirmed / failed)
// and the transcript log.

import { $, el } from "./dom.js";
import { app } from "./state.js";
import { recordEvent, saveDraft } from "./storage.js";
import { showAlert } from "./views.js";
import { send } from "./connection.js";
import { onLocalAnswer } from "./events.js";
import { updateControls } from "./room.js";
import { MAX_ANSWER_CHARS, answerText, clearNotes, focusAnswer, setAnswer, updateCount } from "./editor.js";
import { dropDraft } from "./draft.js";

// An answer that has had no "ack" after this long is shown as unconfirmed and
// the candidate can put it back in the editor, so a lost frame never loses text.
const ACK_TIMEOUT_MS = 10000;

// ---------------------------------------------------------------------------
// Transcript log and answer status

export function addLogEntry(kind, label, body) {
  const item = el("li", { class: `entry entry-${kind}` },
    el("p", { class: "entry-label" }, label),
    body,
  );
  $("log").append(item);
  return item;
}

export function setAnswerStatus(answer, status, detail = "") {
  const texts = {
    pending: "— sending…",
    saved: "— saved",
    unconfirmed: "— not confirmed by the server",
    failed: `— not saved${detail ? `: ${detail}` : ""}`,
  };
  answer.status.textContent = texts[status];
  answer.node.dataset.status = status;
  const old = answer.node.querySelector(".put-back");
  if (old) old.remove();
  if (status === "unconfirmed" || status === "failed") {
    answer.node.append(el("button", {
      type: "button", class: "small put-back", onclick: () => putBack(answer.text),
    }, "Put this answer back in the editor"));
  }
}

export function markUnconfirmed(answer) {
  if (answer === app.pending) {
    clearPendingTimer();
    app.pending = null;
  }
  app.unconfirmed.push(answer);
  setAnswerStatus(answer, "unconfirmed");
  updateControls();
}

export function markAnswerFailed(answer, detail) {
  if (answer === app.pending) {
    clearPendingTimer();
    app.pending = null;
  }
  setAnswerStatus(answer, "failed", detail);
  updateControls();
}

export function armPendingTimer() {
  const answer = app.pending;
  if (!answer) return;
  clearTimeout(answer.timer);
  answer.timer = setTimeout(() => {
    if (app.pending !== answer) return;
    // While offline we cannot know yet; the replay after reconnecting may
    // still bring the ack, so wait for the next connection.
    if (!app.open) return;
    markUnconfirmed(answer);
  }, ACK_TIMEOUT_MS);
}

export function clearPendingTimer() {
  if (app.pending) clearTimeout(app.pending.timer);
}

function putBack(text) {
  const typed = $("answer").value;
  setAnswer(typed.trim() ? `${typed}\n\n${text}` : text);
  saveDraft($("answer").value);
  updateCount();
  updateControls();
  focusAnswer();
}

// ---------------------------------------------------------------------------
// Sending

export function submitAnswer() {
  const typed = $("answer").value;
  const text = answerText();
  if (!text.trim() || app.pending || $("send-btn").disabled) return;
  if (text.length > MAX_ANSWER_CHARS) {
    showAlert(`Answers can be at most ${MAX_ANSWER_CHARS} characters.`);
    return;
  }
  dropDraft();
  if (!send({ type: "answer", text })) return;
  const local = {
    type: "local_answer",
    id: `a${Date.now()}-${app.nextLocalId++}`,
    text,
    round_kind: app.round && app.round.kind,
  };
  recordEvent(local);
  onLocalAnswer(local);
  armPendingTimer();
  // Code stays in the editor for the follow-ups about it, until the
  // candidate changes it; prose is done with once sent.
  app.sent = typed;
  if (!app.codeMode) {
    setAnswer("");
    saveDraft("");
  }
  // The notes were said with that code; the next answer starts its own.
  clearNotes();
  updateCount();
  updateControls();
  focusAnswer();
}
