// History: the finished interviews taken in this browser (kept in
// localStorage, never on the server) and progress over time: a chart per
// round kind (its rubric's dimensions), full loops apart from practice.

import { $, el } from "./dom.js";
import { formatScore, kindLabel, verdictLabel } from "./format.js";
import { lineChart, SERIES } from "./line-chart.js";

const HISTORY_KEY = "mockloop.history.v1";
// Enough for months of practice; the oldest entries go first.
const MAX_ENTRIES = 100;

export function loadHistory() {
  try {
    const list = JSON.parse(localStorage.getItem(HISTORY_KEY) || "[]");
    return Array.isArray(list) ? list.filter((h) => h && typeof h.session_id === "string") : [];
  } catch {
    return [];
  }
}

function saveHistory(list) {
  try {
    localStorage.setItem(HISTORY_KEY, JSON.stringify(list.slice(-MAX_ENTRIES)));
  } catch {
    /* storage full or blocked: history is a convenience */
  }
}

/**
 * Adds (or refreshes) a finished report. Dimensions are kept per round kind
 * (a rubric's family: "Problem solving" in coding is not the one in a
 * design round) and averaged over that kind's rounds; `practice` marks
 * quick practice and drills, charted apart from full loops.
 */
export function rememberReport(report, session) {
  const families = {};
  for (const round of Array.isArray(report.rounds) ? report.rounds : []) {
    const family = (families[round.kind] = families[round.kind] || {});
    for (const d of Array.isArray(round.dimensions) ? round.dimensions : []) {
      if (typeof d.average !== "number") continue;
      const name = d.name || d.id;
      const s = family[name] || { total: 0, n: 0 };
      family[name] = { total: s.total + d.average, n: s.n + 1 };
    }
  }
  for (const family of Object.values(families)) {
    for (const [name, s] of Object.entries(family)) family[name] = s.total / s.n;
  }
  const loopId = report.loop && report.loop.id;
  const list = loadHistory().filter((h) => h.session_id !== session.session_id);
  const previous = loadHistory().find((h) => h.session_id === session.session_id);
  list.push({
    session_id: session.session_id,
    token: session.token,
    loop: (report.loop && report.loop.title) || "Interview",
    practice: loopId === "quick-practice" || Boolean(session.previous),
    // A session linked to a profile: its debrief, reopened, leads to the plan.
    profile_id: typeof session.profile_id === "string" ? session.profile_id : undefined,
    at: previous ? previous.at : Date.now(),
    overall: report.overall,
    verdict: report.verdict,
    families,
  });
  list.sort((a, b) => a.at - b.at);
  saveHistory(list);
}

export function forgetSession(sessionId) {
  saveHistory(loadHistory().filter((h) => h.session_id !== sessionId));
}

export function renderHistory({ onOpen }) {
  const list = loadHistory();
  const root = $("history");
  if (list.length === 0) {
    root.replaceChildren(el("p", {}, "No finished interviews in this browser yet."));
    return;
  }
  // replaceChildren would print a null (an empty section) as "null".
  root.replaceChildren(...[
    el("h2", {}, "Past interviews"),
    el("ol", { id: "history-list", class: "history-list", reversed: true }, [...list].reverse().map((h) => el("li", {},
      el("strong", {}, h.loop), ` — ${new Date(h.at).toLocaleString()} — `,
      `${verdictLabel(h.verdict)}, ${formatScore(h.overall)} of 4 `,
      el("button", { type: "button", class: "small", onclick: () => onOpen(h) }, "Open report"),
    ))),
    el("h2", {}, "Progress by round"),
    el("p", { class: "small-text" },
      "Average level (1 to 4) of each dimension per interview, oldest on the left; the dashed line is 2.5."),
    progressSection("Full loops", list.filter((h) => h.families && !h.practice)),
    progressSection("Quick practice and drills", list.filter((h) => h.families && h.practice)),
  ].filter(Boolean));
}

/** One chart per round kind, its sessions in time order. */
function progressSection(title, list) {
  if (list.length === 0) return null;
  const kinds = [...new Set(list.flatMap((h) => Object.keys(h.families)))];
  return el("section", { class: "progress-section" },
    el("h3", {}, title),
    el("div", { class: "progress-grid" }, kinds.map((kind) => {
      const sessions = list.filter((h) => h.families[kind]);
      const names = [...new Set(sessions.flatMap((h) => Object.keys(h.families[kind])))];
      return el("figure", { class: "progress", "data-kind": kind },
        el("figcaption", {}, kindLabel(kind)),
        lineChart({
          at: sessions.map((h) => h.at),
          series: names.map((name) => sessions.map((h) => h.families[kind][name])),
          mark: { value: 2.5 },
          label: `${kindLabel(kind)}: ${sessions.length} interview${sessions.length === 1 ? "" : "s"}`,
        }),
        el("ul", { class: "legend" }, names.map((name, i) => {
          const latest = sessions.map((h) => h.families[kind][name]).filter((v) => typeof v === "number").pop();
          return el("li", { class: `series-${i % SERIES}` }, `${name}: ${formatScore(latest)}`);
        })));
    })));
}
