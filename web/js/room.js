// The interview room's view: title, round and question, the interview
// state line, the round clock, the prompt, and which controls work. All of
// it rendered from the store's state; the log, the answer box, the code
// runner and the voice controls have their own modules.

import { $, el } from "./dom.js";
import { formatClock, roundLabel, roundName } from "./format.js";
import { remainingAt } from "./reduce.js";
import { store } from "./store.js";
import { answerText } from "./editor.js";
import { focusViewHeading } from "./views.js";

const STATE_LINES = {
  lobby: "Starting…",
  active: "",
  paused: "Paused — the clock is stopped. Choose Resume to continue.",
  grading: "",
  finished: "The interview is finished.",
};

/** Writes text only when it changed: a live region would announce every write. */
function setText(id, text) {
  const node = $(id);
  if (node.textContent !== text) node.textContent = text;
}

/** Subscriber: the room as the state says. */
export function renderRoom(state, prev) {
  if (state.loop !== prev.loop || state.round !== prev.round) {
    setText("room-title", (state.loop && state.loop.title) || "Interview");
    const total = state.loop && Array.isArray(state.loop.rounds) ? state.loop.rounds.length : null;
    setText("round-label", state.round ? roundLabel(state.round, total) : "Connecting…");
    if (state.round) document.body.dataset.roundKind = state.round.kind || "";
  }
  setText("question-label", state.questionLabel);
  if (state.timeWarning !== prev.timeWarning) {
    setText("time-warning", state.timeWarning ? state.timeWarning.text : "");
    $("countdown").classList.toggle("warn", Boolean(state.timeWarning));
  }
  if (state.interview !== prev.interview) {
    setText("state-line", STATE_LINES[state.interview] || "");
    const form = $("answer-form");
    const hide = state.interview === "grading" || state.interview === "finished";
    // The answer form disappears; do not leave keyboard focus on nothing.
    const hadFocus = hide && !form.hidden && form.contains(document.activeElement);
    form.hidden = hide;
    if (hadFocus) focusViewHeading();
  }
  if (state.timer !== prev.timer) renderCountdown();
  if (state.prompt !== prev.prompt) renderPrompt(state.prompt, prev.prompt);
  if (state.record !== prev.record) renderMode(state.record);
  const tailored = state.record && state.record.tailored;
  if (tailored !== (prev.record && prev.record.tailored)) renderTailored(tailored, state.record);
  renderControls();
}

/**
 * A tailored loop: the questions chosen for the candidate's posting and
 * risks, and why each, from the session's creation (kept with the record,
 * so a reload shows them again).
 */
function renderTailored(tailored, record) {
  const items = Array.isArray(tailored) ? tailored.filter((t) => t && typeof t.title === "string") : [];
  $("tailored").hidden = items.length === 0;
  if (items.length === 0) return;
  const rounds = record.loop && Array.isArray(record.loop.rounds) ? record.loop.rounds : [];
  setText("tailored-summary", `Chosen for you: ${items.length} question${items.length === 1 ? "" : "s"}`);
  $("tailored-list").replaceChildren(...items.map((t) => {
    const round = Number.isInteger(t.round) && rounds[t.round];
    return el("li", {},
      round ? el("span", { class: "small-text" }, `${roundName(round)}: `) : "",
      el("strong", {}, t.title),
      t.why ? ` — ${t.why}` : "");
  }));
}

/** Redrawn every second by the page's clock (timers.js) and on each change. */
export function renderCountdown() {
  const left = remainingAt(store.getState().timer, Date.now());
  setText("countdown", left == null ? "--:--" : formatClock(left));
}

function renderPrompt(prompt, before) {
  const box = $("prompt");
  if (prompt.streaming != null) {
    const shown = $("streaming-text");
    // The same turn written further: only its text changes.
    if (before && before.streaming === prompt.streaming && shown) {
      shown.textContent = prompt.text || "…";
      return;
    }
    box.replaceChildren(
      el("p", { class: "prompt-kind" }, prompt.label),
      el("div", { class: "prompt-text streaming", id: "streaming-text", "aria-busy": "true" }, prompt.text || "…"),
    );
    return;
  }
  if (prompt.message != null) {
    box.replaceChildren(el("p", { class: "muted" }, prompt.message));
    return;
  }
  const { asked, hints } = prompt;
  // Replace the nodes (not just their text) so a repeated question is
  // announced again by the aria-live region.
  box.replaceChildren(...[
    el("p", { class: "prompt-kind" }, asked.label),
    // replaceChildren would print a null intro as "null".
    asked.intro && el("p", { class: "intro" }, asked.intro),
    el("div", { class: "prompt-text" }, asked.text),
    hints.length > 0 && el("div", { class: "prompt-hints" },
      hints.map((hint) => el("p", { class: "prompt-hint" }, el("strong", {}, "Hint: "), hint))),
  ].filter(Boolean));
}

/** Typing mode folds the voice controls away; the text box is always there. */
function renderMode(record) {
  const voice = Boolean(record && record.mode === "voice");
  $("voice-controls").hidden = !voice;
  setText("switch-mode-btn", voice ? "Type only (hide voice controls)" : "Answer by voice instead");
}

/** Which controls work now; also called as the candidate types. */
export function renderControls() {
  const s = store.getState();
  const canAct = s.open && s.interview === "active";
  const hasText = answerText().trim().length > 0;
  $("send-btn").disabled = !canAct || !hasText || Boolean(s.pending) || s.composing;
  $("repeat-btn").disabled = !canAct;
  $("skip-btn").disabled = !canAct;
  $("hint-btn").disabled = !canAct || s.composing;
  const pause = $("pause-btn");
  setText("pause-btn", s.interview === "paused" ? "Resume" : "Pause");
  pause.disabled = !s.open || !(s.interview === "active" || s.interview === "paused");
}
