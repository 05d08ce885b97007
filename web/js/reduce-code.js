// "Run tests" in coding rounds: the question's tests, whether this server
// runs code, a run in flight, and what came back. The panel (code-runner.js)
// renders these.

/** The welcome says whether this server can run code at all. */
export function codeStatus(s, msg) {
  return { ...s, codeExecution: msg.code_execution || { enabled: false, languages: [] } };
}

/**
 * A prompt of a question with tests: its languages, and for a live one its
 * stub. A prompt replayed from storage (rebuilding the room) asks for no
 * stub: that would overwrite the saved draft of whatever question came
 * after it (the room offers it once the draft is back; see actions.js).
 */
export function promptTests(s, msg, ctx, fx) {
  s = { ...s, tests: msg.tests || null };
  if (!msg.repeat && msg.kind === "question") {
    s = { ...s, testResults: null, runOutput: null, runStatus: "" };
    fx.push({ type: "clear_run_input" });
  }
  if (ctx.live) fx.push({ type: "offer_starter" });
  return s;
}

export function runStarted(s, action) {
  return { ...s, running: true, runStatus: action.what === "tests" ? "Running the tests…" : "Running your input…" };
}

/** What the function returned and printed for the candidate's input. */
export function runOutput(s, msg) {
  return { ...s, running: false, runStatus: "", runOutput: { run: msg.run || {} } };
}

/** A refused run (busy, no tests, disabled): the button comes back. */
export function runRefused(s, text) {
  if (!s.running) return s;
  return { ...s, running: false, runStatus: text };
}

export function testResults(s, msg) {
  const run = msg.run || {};
  return { ...s, running: false, runStatus: testSummary(run), testResults: run };
}

const LANGUAGE_NAMES = {
  python: "Python 3", javascript: "JavaScript (Node)", java: "Java", cpp: "C++17", csharp: "C#",
};

export function languageName(language) {
  return LANGUAGE_NAMES[language] || language;
}

export function testSummary(run) {
  return `${run.passed} of ${run.total} tests passed (${languageName(run.language)})` +
    (run.message ? ` — ${run.message}` : "");
}
