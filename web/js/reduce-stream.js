// The LLM interviewer's turns as they are written: `composing` opens a
// turn, `prompt_delta`s fill it in, `prompt_discarded` withdraws what was
// shown (it failed a guard rail or the model stalled), and the stored
// `prompt` that follows is the final text. The browser's voice starts at the
// first complete sentence instead of waiting for the whole prompt.

// A sentence ends at . ! or ? followed by a space (or the end once the
// turn is complete); "e.g." mid-sentence may split early, which only means
// a shorter first utterance.
const SENTENCE_END = /[.!?]["')\]]?\s/g;

export function composing(s, msg, ctx) {
  const stream = { id: msg.seq, text: "", spoken: 0, live: Boolean(ctx.live), discarded: false };
  // Answers and hints wait for the turn (the server would refuse them).
  return {
    ...s,
    stream,
    composing: true,
    prompt: { streaming: msg.seq, label: msg.kind === "hint" ? "Hint" : "Follow-up", text: "" },
  };
}

export function promptDelta(s, msg, ctx, fx) {
  const turn = s.stream;
  if (!turn || turn.id !== msg.id || turn.discarded || typeof msg.text !== "string") return s;
  const text = turn.text + msg.text;
  let spoken = turn.spoken;
  // Spoken here only when the browser speaks prompts, live, and unmuted.
  if (turn.live && !s.muted && !s.serverSpeaks) {
    const pending = text.slice(spoken);
    let end = 0;
    for (const match of pending.matchAll(SENTENCE_END)) end = match.index + match[0].length;
    const sentence = pending.slice(0, end).trim();
    if (sentence) {
      spoken += end;
      fx.push({ type: "speak_sentence", text: sentence });
    }
  }
  s = { ...s, stream: { ...turn, text, spoken } };
  if (s.prompt.streaming === turn.id) s = { ...s, prompt: { ...s.prompt, text } };
  return s;
}

export function promptDiscarded(s, msg, ctx, fx) {
  const turn = s.stream;
  if (!turn || turn.id !== msg.id) return s;
  if (turn.spoken > 0) fx.push({ type: "stop_speaking" });
  s = { ...s, stream: { ...turn, discarded: true } };
  if (s.prompt.streaming === turn.id) s = { ...s, prompt: { ...s.prompt, text: "" } };
  return s;
}

/**
 * The final prompt arrived. Returns the state without the turn, and
 * `{ rest, continues }`: `continues` when this turn's first sentences were
 * already spoken and the final text goes on from them, so only `rest` is
 * left to say (after them, not over them).
 */
export function finishStream(s, text) {
  const streamed = s.stream;
  s = { ...s, stream: null, composing: false };
  if (!streamed || streamed.discarded || streamed.spoken === 0) return [s, { rest: text, continues: false }];
  const said = streamed.text.slice(0, streamed.spoken);
  return [s, text.startsWith(said)
    ? { rest: text.slice(said.length).trim(), continues: true }
    : { rest: text, continues: false }];
}
