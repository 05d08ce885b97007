// "Run tests" in coding rounds: a language select and a button under the
// code editor, and the per-test results the server sends back.

import { $, el } from "./dom.js";
import { app } from "./state.js";
import { send } from "./connection.js";
import { setAnswer, setCodeLanguage } from "./editor.js";

const LANGUAGE_NAMES = { python: "Python 3", javascript: "JavaScript (Node)" };

/** The welcome says whether this server can run code at all. */
export function onCodeStatus(msg) {
  app.codeExecution = msg.code_execution || { enabled: false, languages: [] };
  showRunner();
}

/**
 * A prompt of a question with tests: offer its languages, and a live one
 * its stub. A prompt replayed from storage (rebuilding the room) puts no
 * stub in the box: that would overwrite the saved draft of whatever
 * question came after it (see `offerStarter`).
 */
export function onPromptTests(msg, { live = true } = {}) {
  if (!msg.repeat && msg.kind === "question") $("test-results").replaceChildren();
  app.tests = msg.tests || null;
  const select = $("code-language");
  const previous = select.value;
  const functions = app.tests ? app.tests.functions || [] : [];
  select.replaceChildren(...functions.map((f) =>
    el("option", { value: f.language }, LANGUAGE_NAMES[f.language] || f.language)));
  if (functions.some((f) => f.language === previous)) select.value = previous;
  setCodeLanguage(select.value);
  const first = app.tests && (app.tests.examples || [])[0];
  $("run-input").placeholder = first ? first.args.map((a) => JSON.stringify(a)).join(", ") : "";
  if (!msg.repeat && msg.kind === "question") {
    $("run-input").value = "";
    $("run-output").replaceChildren();
    $("run-status").textContent = "";
  }
  const note = $("tests-note");
  note.textContent = (app.tests && app.tests.note) || "";
  note.hidden = !note.textContent;
  if (live) offerStarter();
  showRunner();
}

/**
 * An empty editor on a question with tests starts from the function to
 * write. Called for a live prompt, and once a rebuilt room has its draft
 * back (an empty draft on a coding question gets the stub again).
 */
export function offerStarter() {
  const functions = app.tests ? app.tests.functions || [] : [];
  const ta = $("answer");
  if (!functions.length || ta.value.trim()) return;
  const chosen = $("code-language").value;
  setAnswer(starter(functions.find((f) => f.language === chosen) || functions[0]));
  app.starter = ta.value;
  ta.dispatchEvent(new Event("input", { bubbles: true }));
}

function starter(f) {
  return f.language === "python" ? `${f.signature}\n    ` : `${f.signature}\n  \n}\n`;
}

function showRunner() {
  const status = app.codeExecution || {};
  const has = Boolean(app.tests && (app.tests.functions || []).length);
  $("code-runner").hidden = !has;
  const button = $("run-tests-btn");
  button.disabled = !has || !status.enabled || app.running;
  $("run-input-btn").disabled = button.disabled;
  // Only the server's "off" is said here: clearing the line would also wipe
  // a refusal (busy, bad input) the moment it is shown.
  if (has && status.enabled === false && !status.checking) {
    $("run-status").textContent = `Running code is off on this server${status.reason ? `: ${status.reason}` : "."}`;
  }
}

export function runTests() {
  const code = $("answer").value;
  if (!code.trim()) return;
  if (send({ type: "run_tests", language: $("code-language").value, code })) {
    app.running = true;
    $("run-status").textContent = "Running the tests…";
    showRunner();
  }
}

/** "Run": the function once, on the candidate's own arguments. */
export function runInput() {
  const code = $("answer").value;
  const input = $("run-input").value.trim();
  if (!code.trim()) return;
  if (!input) {
    $("run-output").replaceChildren(el("p", { class: "fail" },
      "Type the arguments to call your function with, for example the ones shown greyed out."));
    $("run-input").focus();
    return;
  }
  if (send({ type: "run_input", language: $("code-language").value, code, input })) {
    app.running = true;
    $("run-status").textContent = "Running your input…";
    showRunner();
  }
}

/** What the function returned and printed for the candidate's input. */
export function onRunOutput(msg) {
  const run = msg.run || {};
  app.running = false;
  $("run-status").textContent = "";
  const c = (run.cases || [])[0];
  const call = `${app.tests ? functionName() : "f"}(${c ? (c.args || []).map(fmt).join(", ") : ""})`;
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
  showRunner();
}

function functionName() {
  const chosen = $("code-language").value;
  const f = (app.tests.functions || []).find((x) => x.language === chosen) || (app.tests.functions || [])[0];
  return f ? f.function : "f";
}

/** A refused run (busy, no tests, disabled): the button comes back. */
export function onRunRefused(text) {
  if (!app.running) return;
  app.running = false;
  $("run-status").textContent = text;
  showRunner();
}

export function onTestResults(msg) {
  const run = msg.run || {};
  app.running = false;
  const hidden = (run.cases || []).filter((c) => c.hidden);
  const summary = `${run.passed} of ${run.total} tests passed (${LANGUAGE_NAMES[run.language] || run.language})` +
    (run.message ? ` — ${run.message}` : "");
  $("run-status").textContent = summary;
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
  showRunner();
}

function fmt(value) {
  return JSON.stringify(value);
}
