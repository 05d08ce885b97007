// "Run tests" in coding rounds: a language select and a button under the
// code editor, and the per-test results the server sends back. The panel
// renders from the store (the question's tests, a run in flight, its
// results); the language chosen is the select's.

import { $, el } from "./dom.js";
import { languageName, testSummary } from "./reduce-code.js";
import { store } from "./store.js";
import { send } from "./connection.js";
import { setAnswer, setCodeLanguage } from "./editor.js";

/** Subscriber: the panel as the state says. */
export function renderCodeRunner(state, prev) {
  if (state.tests !== prev.tests) renderLanguages(state.tests);
  if (state.testResults !== prev.testResults) renderResults(state.testResults);
  if (state.runOutput !== prev.runOutput) renderOutput(state.runOutput, state.tests);
  const status = state.codeExecution || {};
  const has = Boolean(state.tests && (state.tests.functions || []).length);
  $("code-runner").hidden = !has;
  const button = $("run-tests-btn");
  button.disabled = !has || !status.enabled || state.running;
  $("run-input-btn").disabled = button.disabled;
  // The server's "off" stands in for any other status: nothing runs then.
  const off = has && status.enabled === false && !status.checking;
  const line = off ? `Running code is off on this server${status.reason ? `: ${status.reason}` : "."}` : state.runStatus;
  if ($("run-status").textContent !== line) $("run-status").textContent = line;
}

/** The question's languages (keeping the one chosen), example and note. */
function renderLanguages(tests) {
  const select = $("code-language");
  const previous = select.value;
  const functions = tests ? tests.functions || [] : [];
  select.replaceChildren(...functions.map((f) =>
    el("option", { value: f.language }, f.name || languageName(f.language))));
  if (functions.some((f) => f.language === previous)) select.value = previous;
  setCodeLanguage(select.value);
  const first = tests && (tests.examples || [])[0];
  $("run-input").placeholder = first ? first.args.map((a) => JSON.stringify(a)).join(", ") : "";
  const note = $("tests-note");
  note.textContent = (tests && tests.note) || "";
  note.hidden = !note.textContent;
}

/** A new question: the last one's input goes (the reducer clears its results). */
export function clearRunInput() {
  $("run-input").value = "";
}

/**
 * An empty editor on a question with tests starts from the function to
 * write. Asked for by a live prompt, and once a rebuilt room has its draft
 * back (an empty draft on a coding question gets the stub again).
 */
export function offerStarter() {
  const tests = store.getState().tests;
  const functions = tests ? tests.functions || [] : [];
  const ta = $("answer");
  if (!functions.length || ta.value.trim()) return;
  const chosen = $("code-language").value;
  setAnswer(starter(functions.find((f) => f.language === chosen) || functions[0]));
  store.dispatch({ type: "starter_offered", text: ta.value });
  ta.dispatchEvent(new Event("input", { bubbles: true }));
}

/**
 * The candidate picked another language: the editor reads it, and a stub
 * nobody has typed into yet becomes that language's stub (typed code stays).
 */
export function languageChosen(language) {
  setCodeLanguage(language);
  if ($("answer").value === store.getState().starter) {
    setAnswer("");
    offerStarter();
  }
}

/** The server writes each language's stub (Java's has its class around it). */
function starter(f) {
  if (f.starter) return f.starter;
  return f.language === "python" ? `${f.signature}\n    ` : `${f.signature}\n  \n}\n`;
}

export function runTests() {
  const code = $("answer").value;
  if (!code.trim()) return;
  if (send({ type: "run_tests", language: $("code-language").value, code })) {
    store.dispatch({ type: "run_started", what: "tests" });
  }
}

/** "Run": the function once, on the candidate's own arguments. */
export function runInput() {
  const code = $("answer").value;
  const input = $("run-input").value.trim();
  if (!code.trim()) return;
  if (!input) {
    store.dispatch({ type: "run_input_missing" });
    $("run-input").focus();
    return;
  }
  if (send({ type: "run_input", language: $("code-language").value, code, input })) {
    store.dispatch({ type: "run_started", what: "input" });
  }
}

/** What the function returned and printed for the candidate's input. */
function renderOutput(output, tests) {
  if (!output) {
    $("run-output").replaceChildren();
    return;
  }
  if (output.missingInput) {
    $("run-output").replaceChildren(el("p", { class: "fail" },
      "Type the arguments to call your function with, for example the ones shown greyed out."));
    return;
  }
  const run = output.run;
  const c = (run.cases || [])[0];
  const call = `${tests ? functionName(tests) : "f"}(${c ? (c.args || []).map(fmt).join(", ") : ""})`;
  const result = run.status !== "completed"
    ? el("p", { class: "fail" }, `${call}: ${run.message || run.status}`)
    : c && c.error
      ? el("p", { class: "fail" }, `${call} raised ${c.error}`)
      : el("p", {}, `${call} returned `, el("code", {}, fmt(c && c.actual !== undefined ? c.actual : null)));
  $("run-output").replaceChildren(...[
    result,
    c && c.output && el("pre", { class: "output" }, c.output),
    run.output && el("pre", { class: "output" }, run.output),
  ].filter(Boolean));
}

function functionName(tests) {
  const chosen = $("code-language").value;
  const f = (tests.functions || []).find((x) => x.language === chosen) || (tests.functions || [])[0];
  return f ? f.function : "f";
}

function renderResults(run) {
  if (!run) {
    $("test-results").replaceChildren();
    return;
  }
  const hidden = (run.cases || []).filter((c) => c.hidden);
  const summary = testSummary(run);
  const shown = (run.cases || []).filter((c) => !c.hidden);
  // replaceChildren would print null or false as text: keep only nodes.
  $("test-results").replaceChildren(...[
    el("p", { class: run.passed === run.total ? "pass" : "fail" }, summary),
    el("ol", {}, shown.map((c) => el("li", { class: c.passed ? "pass" : "fail" },
      el("strong", {}, c.passed ? "Passed" : "Failed"),
      ` (${(c.args || []).map(fmt).join(", ")}) → expected ${fmt(c.expected)}`,
      c.actual !== undefined && `, got ${fmt(c.actual)}`,
      c.error && el("div", { class: "error" }, c.error),
      c.output && el("pre", { class: "output" }, c.output)))),
    hidden.length > 0 && el("p", {}, `Hidden tests: ${hidden.filter((c) => c.passed).length} of ${hidden.length} passed.`),
    run.output && el("pre", { class: "output" }, run.output),
  ].filter(Boolean));
}

function fmt(value) {
  return JSON.stringify(value);
}
