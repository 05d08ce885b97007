// Performs the effects the reducer asks for (`state.effects`), in the order
// it asked: clearing the box before offering a stub, speaking after the
// views show the prompt. Subscribed after every view, so each effect finds
// the page already rendered. The handlers are handed in by app.js.

/** Subscriber: each effect of each new state, by its type. */
export function effectRunner(handlers) {
  return (state) => {
    for (const effect of state.effects) {
      const handler = handlers[effect.type];
      if (handler) handler(effect, state);
      else console.warn("mockloop: no handler for effect", effect.type);
    }
  };
}
