// The LLM interviewer's turns as they are written: `composing` opens a
// turn, `prompt_delta`s fill it in, `prompt_discarded` withdraws what was
// shown (it failed a guard rail or the model stalled), and the stored
// `prompt` that follows is the final text. The browser's voice starts at the
// first complete sentence instead of waiting for the whole prompt.

import { $, el } from "./dom.js";
import { app } from "./state.js";
import { updateControls } from "./room.js";
import { speaksOnServer } from "./tts.js";
import { speakSentence, stopSpeaking } from "./voice.js";

// A sentence ends at . ! or ? followed by a space (or the end once the
// turn is complete); "e.g." mid-sentence may split early, which only means
// a shorter first utterance.
const SENTENCE_END = /[.!?]["')\]]?\s/g;

let turn = null;

export function onComposing(msg, ctx) {
  turn = { id: msg.seq, text: "", spoken: 0, live: Boolean(ctx.live), discarded: false };
  // Answers and hints wait for the turn (the server would refuse them).
  app.composing = true;
  updateControls();
  const label = msg.kind === "hint" ? "Hint" : "Follow-up";
  $("prompt").replaceChildren(
    el("p", { class: "prompt-kind" }, label),
    el("div", { class: "prompt-text streaming", id: "streaming-text", "aria-busy": "true" }, "…"),
  );
}

export function onPromptDelta(msg) {
  if (!turn || turn.id !== msg.id || turn.discarded || typeof msg.text !== "string") return;
  turn.text += msg.text;
  const shown = $("streaming-text");
  if (shown) shown.textContent = turn.text;
  speakCompleteSentences();
}

export function onPromptDiscarded(msg) {
  if (!turn || turn.id !== msg.id) return;
  turn.discarded = true;
  if (turn.spoken > 0) stopSpeaking();
  const shown = $("streaming-text");
  if (shown) shown.textContent = "…";
}

/**
 * The final prompt arrived. Returns `{ rest, continues }`: `continues` when
 * this turn's first sentences were already spoken and the final text goes
 * on from them, so only `rest` is left to say (after them, not over them).
 */
export function finishStream(text) {
  const streamed = turn;
  turn = null;
  app.composing = false;
  if (!streamed || streamed.discarded || streamed.spoken === 0) return { rest: text, continues: false };
  const said = streamed.text.slice(0, streamed.spoken);
  return text.startsWith(said)
    ? { rest: text.slice(said.length).trim(), continues: true }
    : { rest: text, continues: false };
}

function speakCompleteSentences() {
  if (!turn.live || app.muted || speaksOnServer()) return;
  const pending = turn.text.slice(turn.spoken);
  let end = 0;
  for (const match of pending.matchAll(SENTENCE_END)) end = match.index + match[0].length;
  const sentence = pending.slice(0, end).trim();
  if (!sentence) return;
  turn.spoken += end;
  speakSentence(sentence);
}
