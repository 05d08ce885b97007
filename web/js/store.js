// The page's one store: the state (see reduce.js), changed only by
// dispatching actions through the pure reducer, and read by subscribers
// that render it or perform the effects it asks for (speech, timers, the
// socket). Nothing here touches the DOM, so node can import it in tests.

import { initialState, reduce } from "./reduce.js";

/**
 * A store over `reduce`. `dispatch(action)` reduces it and calls each
 * subscriber with `(state, previous)`, in the order they subscribed.
 *
 * An action dispatched from inside a subscriber (a view answering an
 * effect) is queued and reduced once every subscriber has seen the current
 * state: so each subscriber sees every state, in order, and the `effects`
 * of each action exactly once. `onError` hears a subscriber's or the
 * reducer's exception; the others still run, as a rendering bug must not
 * take the interview down with it.
 */
export function createStore(reducer, initial, { onError = (err) => console.error("mockloop:", err) } = {}) {
  let state = initial;
  const listeners = [];
  const queue = [];
  let busy = false;

  function dispatch(action) {
    queue.push(action);
    if (busy) return;
    busy = true;
    try {
      while (queue.length > 0) {
        const next = queue.shift();
        const previous = state;
        try {
          state = reducer(state, next);
        } catch (err) {
          onError(err, next);
          continue;
        }
        if (state === previous) continue;
        for (const listener of listeners.slice()) {
          try {
            listener(state, previous);
          } catch (err) {
            onError(err, next);
          }
        }
      }
    } finally {
      busy = false;
    }
  }

  function subscribe(listener) {
    listeners.push(listener);
    return () => {
      const at = listeners.indexOf(listener);
      if (at >= 0) listeners.splice(at, 1);
    };
  }

  return { dispatch, subscribe, getState: () => state };
}

/** The page's store; app.js subscribes the views and effects to it. */
export const store = createStore(reduce, initialState());
