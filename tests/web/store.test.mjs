// The store (web/js/store.js): dispatch, subscribe, getState, and the
// order in which subscribers see states when one of them dispatches.

import { test } from "node:test";
import assert from "node:assert/strict";

import { createStore } from "../../web/js/store.js";

const counter = (state, action) => (action.type === "add" ? { n: state.n + action.by } : state);

test("subscribers see each new state with the one before it, in the order they subscribed", () => {
  const store = createStore(counter, { n: 0 });
  const seen = [];
  store.subscribe((s, prev) => seen.push(["a", prev.n, s.n]));
  const stop = store.subscribe((s, prev) => seen.push(["b", prev.n, s.n]));
  store.dispatch({ type: "add", by: 2 });
  stop();
  store.dispatch({ type: "add", by: 1 });
  // An action that changes nothing tells no one.
  store.dispatch({ type: "other" });
  assert.deepEqual(seen, [["a", 0, 2], ["b", 0, 2], ["a", 2, 3]]);
  assert.deepEqual(store.getState(), { n: 3 });
});

test("an action dispatched by a subscriber waits until every subscriber has seen the current state", () => {
  const store = createStore(counter, { n: 0 });
  const seen = [];
  store.subscribe((s) => {
    seen.push(["first", s.n]);
    if (s.n === 1) store.dispatch({ type: "add", by: 10 });
  });
  store.subscribe((s) => seen.push(["second", s.n]));
  store.dispatch({ type: "add", by: 1 });
  assert.deepEqual(seen, [["first", 1], ["second", 1], ["first", 11], ["second", 11]]);
});

test("a failing subscriber or action is reported and the rest still run", () => {
  const errors = [];
  const store = createStore((s, a) => {
    if (a.type === "bad") throw new Error("bad action");
    return counter(s, a);
  }, { n: 0 }, { onError: (err) => errors.push(err.message) });
  const seen = [];
  store.subscribe(() => {
    throw new Error("bad view");
  });
  store.subscribe((s) => seen.push(s.n));
  store.dispatch({ type: "bad" });
  store.dispatch({ type: "add", by: 1 });
  assert.deepEqual(errors, ["bad action", "bad view"]);
  assert.deepEqual(seen, [1]);
});
