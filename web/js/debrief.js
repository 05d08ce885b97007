// The debrief: the scored report, with the evidence quotes
// highlighted in the answer text by <mark>.

import { $, el } from "./dom.js";
import { CODE_KINDS, formatScore, kindLabel, roundLabel, verdictLabel } from "./format.js";
import { api, sessionPath } from "./api.js";
import { store } from "./store.js";
import { showAlert } from "./views.js";
import { serverChart } from "./chart.js";
import { rememberReport } from "./history.js";
import { storedProfile } from "./profile-api.js";

// Starting a drill, deleting a session and opening the prep plan, handed
// in by app.js (lobby.js and plan.js have them): the debrief offers all three.
let actions = { beginSession: async () => {}, deleteSession: () => {}, openPlan: () => {} };

/** Subscriber: the debrief view shows `state.debrief`. */
export function debriefRenderer(handed) {
  actions = handed;
  return (state, prev) => {
    if (state.debrief !== prev.debrief && state.debrief) renderDebrief(state.debrief.report, state.debrief.session);
  };
}

// ---------------------------------------------------------------------------
// Report rendering

function renderDebrief(report, session) {
  const root = $("debrief");
  const loopTitle = (report.loop && report.loop.title) || (session && session.loop && session.loop.title);
  $("debrief-title").textContent = loopTitle ? `Your debrief: ${loopTitle}` : "Your debrief";
  // replaceChildren would print a null as the text "null".
  root.replaceChildren(...[
    renderSummary(report),
    renderWorkOn(report),
    renderPlanLink(session),
    session ? renderDownloads(session) : null,
    session && session.previous ? renderAgain(report, session.previous) : null,
    renderRoundScores(report, session),
    renderAnswers(report, session),
  ].filter(Boolean));
  if (session && report.complete) rememberReport(report, session);
}

function renderSummary(report) {
  const verdict = verdictLabel(report.verdict);
  const atLevel = typeof report.verdict_at_level === "string" && report.verdict_at_level
    ? report.verdict_at_level : null;
  return el("section", { class: "panel summary", "aria-labelledby": "summary-heading" },
    el("h2", { id: "summary-heading" }, "Result"),
    el("p", { class: `verdict verdict-${report.verdict || "none"}` }, "Verdict: ", el("strong", {}, atLevel || verdict)),
    report.estimates > 0 && el("p", { class: "warning" },
      `${report.estimates === 1 ? "One answer's score is" : `${report.estimates} answers' scores are`} an estimate: ` +
      "the offline grader's signals disagreed. An LLM grader would judge those answers better."),
    el("p", {}, "Overall score: ", el("strong", {}, formatScore(report.overall)), " out of 4"),
    report.complete === false &&
      el("p", { class: "warning" }, "This report is incomplete: some answers were not graded."),
    el("p", { class: "muted" }, "Scored by software, not a person. Treat it as practice feedback."),
  );
}

const EXPORTS = [
  ["report.html", "Report (HTML)"],
  ["report.md", "Report (Markdown)"],
  ["report.json", "Report (JSON)"],
  ["transcript.md", "Transcript (Markdown)"],
  ["transcript.vtt", "Transcript (WebVTT)"],
  ["transcript.json", "Transcript (JSON)"],
];

function renderDownloads(session) {
  return el("section", { "aria-labelledby": "downloads-heading" },
    el("h2", { id: "downloads-heading" }, "Export"),
    el("ul", { class: "downloads" }, EXPORTS.map(([file, label]) => el("li", {},
      el("a", { class: "button-link", href: sessionPath(session, file), download: `mockloop-${session.session_id}-${file}` },
        label)))),
    el("p", {},
      el("button", { type: "button", class: "small", onclick: () => actions.deleteSession(session) },
        "Delete this interview from the server")),
  );
}

function renderRoundScores(report, session) {
  const rounds = Array.isArray(report.rounds) ? report.rounds : [];
  return el("section", { "aria-labelledby": "rounds-heading" },
    el("h2", { id: "rounds-heading" }, "Scores by round"),
    session && rounds.length > 0 && serverChart(session),
    rounds.length === 0 ? el("p", {}, "No rounds were scored.")
      : el("details", { class: "turns" }, el("summary", {}, "The same scores as tables"), rounds.map(renderRoundTable)),
  );
}

function renderRoundTable(round) {
  const dims = Array.isArray(round.dimensions) ? round.dimensions : [];
  const caption = `${roundLabel(round, null)} — overall ${formatScore(round.overall)} out of 4`;
  return el("div", { class: "table-wrap" },
    el("table", {},
      el("caption", {}, caption),
      el("thead", {}, el("tr", {},
        el("th", { scope: "col" }, "Dimension"),
        el("th", { scope: "col", class: "num" }, "Average (out of 4)"))),
      el("tbody", {}, dims.length === 0
        ? el("tr", {}, el("td", { colspan: "2" }, "No scores for this round."))
        : dims.map((d) => el("tr", {},
          el("th", { scope: "row" }, d.name || d.id),
          el("td", { class: "num" }, formatScore(d.average))))),
    ),
  );
}

function renderAnswers(report, session) {
  const answers = Array.isArray(report.answers) ? report.answers : [];
  const perRound = new Map(); // numbers questions within each round
  return el("section", { "aria-labelledby": "answers-heading" },
    el("h2", { id: "answers-heading" }, "Your answers"),
    answers.length === 0 ? el("p", {}, "No answers were recorded.")
      : answers.map((a) => {
        const n = (perRound.get(a.round) || 0) + 1;
        perRound.set(a.round, n);
        return renderAnswerCard(a, n, report, session);
      }),
  );
}

function renderAnswerCard(answer, number, report, session) {
  const round = (report.rounds || []).find((r) => r.index === answer.round);
  const roundName = round ? round.title || kindLabel(round.kind) : kindLabel(answer.round_kind);
  const roundNo = Number.isInteger(answer.round) ? `Round ${answer.round + 1} · ` : "";
  const dims = Array.isArray(answer.dimensions) ? answer.dimensions : [];
  const text = typeof answer.answer === "string" ? answer.answer : "";
  const { fragment, missing } = highlightEvidence(text, dims);
  const turns = Array.isArray(answer.turns) ? answer.turns : [];

  return el("article", { class: "card" },
    el("h3", {}, `${roundNo}${roundName} — question ${number}`),
    el("p", { class: "question" }, answer.question || ""),
    typeof answer.not_assessed === "string"
      ? [el("p", { class: "card-meta" }, "Score for this answer: ", el("strong", {}, "could not assess")),
        el("p", { class: "warning not-assessed" }, answer.not_assessed,
          " It counts toward no score. Next time, say it again or type it.")]
      : el("p", { class: "card-meta" },
        "Score for this answer: ", el("strong", {}, formatScore(answer.overall)), " out of 4",
        graderLabel(answer)),
    renderGradingFlags(answer),
    el("h4", {}, "Your answer"),
    answer.skipped && el("p", { class: "warning" }, "You skipped this question."),
    text
      ? el("div", { class: CODE_KINDS.has(answer.round_kind) ? "answer-text code" : "answer-text" }, fragment)
      : el("p", { class: "muted" }, "No answer text."),
    turns.length > 1 && renderTurns(turns, answer.round_kind),
    renderTests(answer.tests),
    renderSpeech(turns),
    renderCorrections(turns),
    el("h4", {}, "Feedback"),
    dims.length === 0 ? el("p", { class: "muted" }, "No feedback for this answer.")
      : el("ul", { class: "dimensions" }, dims.map((d) => renderDimension(d, missing.get(d) || []))),
    renderKeyPoints(answer.key_points),
    renderOutline(answer.outline),
    renderNotes("Strengths", answer.strengths),
    renderNotes("To improve", answer.improvements),
    session && report.complete && typeof answer.question_id === "string" &&
      el("p", {}, el("button", { type: "button", class: "try-again", onclick: () => tryAgain(report, answer, session) },
        "Try this question again")),
  );
}

/**
 * "Try this question again": a one-question drill on it, as this loop asks
 * it. The drill remembers this attempt, so its debrief shows both.
 */
async function tryAgain(report, answer, session) {
  const current = store.getState().record;
  if (current && !current.finished && current.session_id !== session.session_id &&
      !window.confirm("Starting a new interview forgets the one in progress on this device. Continue?")) {
    return;
  }
  const loopId = report.loop && report.loop.id;
  const body = { loop_id: loopId, question_id: answer.question_id };
  // Asked at the level the interview was (older reports name none).
  if (typeof report.level_id === "string" && report.level_id) body.level = report.level_id;
  try {
    await actions.beginSession(body, {
      loop: { id: loopId, title: `Again: ${answer.question_title || "one question"}` },
      mode: session.mode || "text",
      previous: {
        session_id: session.session_id,
        token: session.token,
        question_id: answer.question_id,
        overall: answer.overall,
        key_points: Array.isArray(answer.key_points) ? answer.key_points : [],
      },
    });
  } catch (err) {
    showAlert(err.message);
  }
}

/** A drill's debrief: this attempt beside the one it tried again. */
function renderAgain(report, previous) {
  const now = (Array.isArray(report.answers) ? report.answers : [])
    .find((a) => a.question_id === previous.question_id);
  if (!now) return null;
  const covered = (points) => (Array.isArray(points) ? points : []).filter((p) => p.status === "covered").length;
  const total = Math.max((now.key_points || []).length, (previous.key_points || []).length);
  const row = (label, score, points) => el("tr", {},
    el("th", { scope: "row" }, label),
    el("td", { class: "num" }, formatScore(score)),
    el("td", { class: "num" }, total ? `${covered(points)} of ${total}` : "—"));
  return el("section", { class: "panel again", "aria-labelledby": "again-heading" },
    el("h2", { id: "again-heading" }, "This attempt beside your last one"),
    el("table", {},
      el("thead", {}, el("tr", {},
        el("th", { scope: "col" }, "Attempt"),
        el("th", { scope: "col", class: "num" }, "Score (out of 4)"),
        el("th", { scope: "col", class: "num" }, "Key points covered"))),
      el("tbody", {},
        row("Before", previous.overall, previous.key_points),
        row("Now", now.overall, now.key_points))),
    el("p", {}, el("a", { href: `#`, onclick: (e) => { e.preventDefault(); showPrevious(previous); } },
      "Show the earlier attempt's full debrief")),
  );
}

async function showPrevious(previous) {
  try {
    const report = await api("GET", sessionPath(previous, "report.json"));
    store.dispatch({ type: "report_opened", report, session: null });
  } catch (err) {
    showAlert(err.message);
  }
}

const COVERAGE = { covered: "Covered", mentioned: "Mentioned, without the substance", missed: "Missed" };

/** What a strong answer to this question covers, and what this one showed. */
function renderKeyPoints(points) {
  const items = Array.isArray(points) ? points.filter((p) => p && typeof p.text === "string") : [];
  if (items.length === 0) return null;
  return [el("h4", {}, "What a strong answer covers"),
    el("ul", { class: "key-points" }, items.map((p) => {
      const status = COVERAGE[p.status] ? p.status : "missed";
      return el("li", { class: `key-point key-point-${status}`, "data-status": status },
        el("span", { class: "key-point-status" }, `${COVERAGE[status]}: `),
        p.text,
        typeof p.quote === "string" && p.quote && el("span", { class: "small-text" }, " — you said ", el("q", {}, p.quote)));
    }))];
}

/** A model answer's outline: a shape to practise, not a script. */
function renderOutline(steps) {
  const items = Array.isArray(steps) ? steps.filter((s) => typeof s === "string" && s) : [];
  if (items.length === 0) return null;
  return [el("h4", {}, "How a strong answer could go"),
    el("ol", { class: "outline" }, items.map((s) => el("li", {}, s)))];
}

/** The loop's three things to work on, ranked by weight times gap. */
function renderWorkOn(report) {
  const items = Array.isArray(report.work_on) ? report.work_on.filter((w) => w && typeof w.name === "string") : [];
  if (items.length === 0) return null;
  return el("section", { class: "panel", "aria-labelledby": "work-on-heading" },
    el("h2", { id: "work-on-heading" }, "Three things to work on"),
    el("ol", { class: "work-on" }, items.map((w) => el("li", {},
      el("strong", {}, w.name), ` (${kindLabel(w.round_kind)}, average level ${formatScore(w.average)} of 4): `,
      w.advice || "",
      Array.isArray(w.questions) && w.questions.length > 0 &&
        el("span", { class: "small-text" }, ` Seen in: ${sentence(w.questions.join("; "))}`)))));
}

/** A session run with the profile on this browser: its scores now shape the prep plan. */
function renderPlanLink(session) {
  const profile = storedProfile();
  if (!session || !profile || session.profile_id !== profile.profile_id) return null;
  return el("section", { class: "panel", "aria-labelledby": "plan-link-heading" },
    el("h2", { id: "plan-link-heading" }, "What to practise next"),
    el("p", {}, "This interview was run with your profile: its scores are in your prep plan, with what is due and " +
      "when."),
    el("p", {}, el("button", { type: "button", id: "debrief-plan-btn", onclick: () => actions.openPlan() },
      "Your prep plan")));
}

/** Ends `text` with a full stop unless it already ends a sentence ("…loop?"). */
function sentence(text) {
  return /[.?!…]$/.test(text) ? text : `${text}.`;
}

// ---------------------------------------------------------------------------
// Grading provenance: who scored the answer, and what a reviewer should check

function strings(value) {
  return Array.isArray(value) ? value.filter((s) => typeof s === "string" && s.trim()) : [];
}

function graderLabel(answer) {
  if (typeof answer.grader !== "string" || !answer.grader) return "";
  const model = typeof answer.model === "string" && answer.model ? ` (model ${answer.model})` : "";
  return ` · graded by ${answer.grader}${model}`;
}

function renderGradingFlags(answer) {
  const quotes = strings(answer.suspect_quotes);
  const reason = typeof answer.fallback_reason === "string" && answer.fallback_reason
    ? answer.fallback_reason : "no reason recorded";
  return [
    answer.regraded === true && el("p", { class: "small-text muted" },
      `Regraded: this answer has ${answer.scores} scores; the latest is shown.`),
    answer.fallback === true && el("p", { class: "warning" },
      "The configured grader failed (", reason, "), so the offline grader scored this answer."),
    answer.injection_suspected === true && el("div", { class: "warning", role: "note" },
      el("p", {}, el("strong", {}, "Suspected prompt injection: "),
        "parts of this answer spoke to the grader instead of answering the question. They earn nothing and are shown here for review."),
      quotes.length > 0 && el("ul", {}, quotes.map((q) => el("li", {}, el("q", {}, q))))),
  ];
}

/** Pace, fillers, pauses and recogniser confidence of each spoken turn. */
function renderSpeech(turns) {
  const spoken = turns.filter((t) => t.speech && typeof t.speech === "object");
  if (spoken.length === 0) return null;
  return [el("h4", {}, "How you spoke"), el("ul", { class: "speech" }, spoken.map((t) => {
    const s = t.speech;
    const parts = [`${s.words} words`];
    if (typeof s.words_per_minute === "number") parts.push(`${Math.round(s.words_per_minute)} words per minute`);
    parts.push(`${s.fillers} filler words`, `${s.long_pauses} long pauses`);
    if (typeof s.confidence === "number") parts.push(`recogniser confidence ${Math.round(s.confidence * 100)}%`);
    return el("li", {}, parts.join(", "),
      s.low_confidence ? el("span", { class: "warning" }, " The recogniser was unsure; a low score may be its fault.") : "");
  }))];
}

/**
 * The words corrected in each spoken turn before it was submitted, and what
 * the recogniser heard: the grader read the corrected text.
 */
function renderCorrections(turns) {
  const corrected = turns.filter((t) => t.corrections && Array.isArray(t.corrections.edits) && t.speech);
  if (corrected.length === 0) return null;
  return [el("h4", {}, "What you corrected"), el("ul", { class: "corrections" }, corrected.map((t) => {
    const c = t.corrections;
    const edits = c.edits.map((e) => (!e.heard ? `added “${e.wrote}”`
      : !e.wrote ? `removed “${e.heard}”` : `heard “${e.heard}” → you wrote “${e.wrote}”`));
    return el("li", {},
      `${c.changed_words} of ${c.heard_words} words: ${edits.join("; ")}`,
      typeof t.speech.heard === "string" && el("p", { class: "muted heard" }, `Heard: “${t.speech.heard}”`));
  }))];
}

/** The last code run before the question closed: what grading saw. */
function renderTests(tests) {
  if (!tests || typeof tests !== "object") return null;
  const runs = tests.runs === 1 ? "1 run" : `${tests.runs} runs`;
  return [
    el("h4", {}, "Your code's tests"),
    el("p", {}, `${tests.passed} of ${tests.total} tests passed (${tests.language}, ${runs})` +
      (tests.message ? ` — ${tests.message}` : "")),
    el("pre", { class: "answer-text code" }, tests.code || ""),
  ];
}

function renderNotes(title, notes) {
  const items = strings(notes);
  if (items.length === 0) return null;
  return [el("h4", {}, title), el("ul", {}, items.map((n) => el("li", {}, n)))];
}

function renderTurns(turns, roundKind) {
  return el("details", { class: "turns" },
    el("summary", {}, `Show the conversation (${turns.length} turns)`),
    el("dl", {}, turns.map((t) => [
      el("dt", {}, t.kind === "follow_up" ? "Follow-up" : t.kind === "hint" ? "Hint (asked for)" : "Question", ": ", t.prompt || ""),
      el("dd", { class: CODE_KINDS.has(roundKind) ? "code" : "" }, t.answer || "(no answer)"),
    ])),
  );
}

function renderDimension(dim, missingQuotes) {
  const level = Number.isInteger(dim.level) ? dim.level : null;
  const quotes = Array.isArray(dim.evidence) ? dim.evidence.filter((q) => typeof q === "string" && q.trim()) : [];
  return el("li", { class: "dimension" },
    el("p", { class: "dimension-head" },
      el("strong", {}, dim.name || dim.id || "Dimension"),
      " — ",
      level == null ? "not scored" : `level ${level} of 4`,
      level != null && renderLevelBar(level)),
    dim.feedback && el("p", {}, dim.feedback),
    quotes.length > 0 && el("div", { class: "evidence" },
      el("p", { class: "small-text" }, "Evidence from your answer (highlighted above):"),
      el("ul", {}, quotes.map((q) => el("li", {},
        el("q", {}, q),
        missingQuotes.includes(q) ? " (not found word for word in the answer)" : ""))),
    ),
  );
}

function renderLevelBar(level) {
  // Purely visual; the text "level N of 4" carries the meaning.
  const bar = el("span", { class: "level-bar", "aria-hidden": "true" });
  for (let i = 1; i <= 4; i += 1) bar.append(el("span", { class: i <= level ? "on" : "" }));
  return bar;
}

// ---------------------------------------------------------------------------
// Evidence highlighting

/**
 * Wrap each evidence quote found verbatim in `text` in a <mark>. Overlapping
 * quotes are merged into one mark. Returns the DOM fragment and, per
 * dimension, the quotes that could not be found.
 */
function highlightEvidence(text, dims) {
  const ranges = [];
  const missing = new Map();
  for (const dim of dims) {
    const quotes = Array.isArray(dim.evidence) ? dim.evidence : [];
    for (const quote of quotes) {
      if (typeof quote !== "string" || !quote.trim()) continue;
      // A long quote is cut at a word and ends in an ellipsis.
      const needle = quote.endsWith("…") ? quote.slice(0, -1) : quote;
      const start = text.indexOf(needle);
      if (start < 0) {
        if (!missing.has(dim)) missing.set(dim, []);
        missing.get(dim).push(quote);
        continue;
      }
      ranges.push({ start, end: start + needle.length, names: [dim.name || dim.id] });
    }
  }
  ranges.sort((a, b) => a.start - b.start || b.end - a.end);
  const merged = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r.start < last.end) {
      last.end = Math.max(last.end, r.end);
      for (const n of r.names) if (!last.names.includes(n)) last.names.push(n);
    } else merged.push({ ...r, names: [...r.names] });
  }
  const fragment = document.createDocumentFragment();
  let pos = 0;
  for (const r of merged) {
    if (r.start > pos) fragment.append(document.createTextNode(text.slice(pos, r.start)));
    fragment.append(el("mark", { title: `Evidence for: ${r.names.join(", ")}` }, text.slice(r.start, r.end)));
    pos = r.end;
  }
  if (pos < text.length) fragment.append(document.createTextNode(text.slice(pos)));
  return { fragment, missing };
}
