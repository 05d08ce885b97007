// History: the finished interviews taken in this browser (kept in
// localStorage, never on the server) and progress over time per rubric
// dimension, drawn as small line charts.

import { $, el } from "./dom.js";
import { formatScore, verdictLabel } from "./format.js";

const HISTORY_KEY = "mockloop.history.v1";
// Enough for months of practice; the oldest entries go first.
const MAX_ENTRIES = 100;
const SVG_NS = "http://www.w3.org/2000/svg";

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

/** Adds (or refreshes) a finished report; dimensions are averaged over rounds. */
export function rememberReport(report, session) {
  const sums = new Map();
  for (const round of Array.isArray(report.rounds) ? report.rounds : []) {
    for (const d of Array.isArray(round.dimensions) ? round.dimensions : []) {
      if (typeof d.average !== "number") continue;
      const name = d.name || d.id;
      const s = sums.get(name) || { total: 0, n: 0 };
      sums.set(name, { total: s.total + d.average, n: s.n + 1 });
    }
  }
  const dimensions = Object.fromEntries([...sums].map(([name, s]) => [name, s.total / s.n]));
  const list = loadHistory().filter((h) => h.session_id !== session.session_id);
  const previous = loadHistory().find((h) => h.session_id === session.session_id);
  list.push({
    session_id: session.session_id,
    token: session.token,
    loop: (report.loop && report.loop.title) || "Interview",
    at: previous ? previous.at : Date.now(),
    overall: report.overall,
    verdict: report.verdict,
    dimensions,
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
  root.replaceChildren(
    el("h2", {}, "Past interviews"),
    el("ol", { id: "history-list", class: "history-list", reversed: true }, [...list].reverse().map((h) => el("li", {},
      el("strong", {}, h.loop), ` — ${new Date(h.at).toLocaleString()} — `,
      `${verdictLabel(h.verdict)}, ${formatScore(h.overall)} of 4 `,
      el("button", { type: "button", class: "small", onclick: () => onOpen(h) }, "Open report"),
    ))),
    el("h2", {}, "Progress by dimension"),
    el("p", { class: "small-text" }, "Average level (1 to 4) in each interview, oldest on the left."),
    el("div", { class: "progress-grid" }, progressCharts(list)),
  );
}

function progressCharts(list) {
  const names = [...new Set(list.flatMap((h) => Object.keys(h.dimensions || {})))].sort();
  return names.map((name) => {
    const points = list.map((h) => (h.dimensions || {})[name]).filter((v) => typeof v === "number");
    const latest = points[points.length - 1];
    return el("figure", { class: "progress" },
      sparkline(points, `${name}: ${points.map((p) => p.toFixed(1)).join(", ")}`),
      el("figcaption", {}, `${name}: ${formatScore(latest)}`));
  });
}

/** A line over levels 1–4, built node by node (text never parsed as markup). */
function sparkline(values, label) {
  const w = 160;
  const h = 48;
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", label);
  const x = (i) => (values.length === 1 ? w / 2 : 6 + (i * (w - 12)) / (values.length - 1));
  const y = (v) => h - 4 - ((Math.min(4, Math.max(1, v)) - 1) * (h - 8)) / 3;
  const axis = document.createElementNS(SVG_NS, "line");
  for (const [k, v] of [["x1", 0], ["x2", w], ["y1", y(2.5)], ["y2", y(2.5)], ["class", "hire-line"]]) axis.setAttribute(k, v);
  svg.append(axis);
  const line = document.createElementNS(SVG_NS, "polyline");
  line.setAttribute("points", values.map((v, i) => `${x(i)},${y(v)}`).join(" "));
  line.setAttribute("class", "trend");
  svg.append(line);
  values.forEach((v, i) => {
    const dot = document.createElementNS(SVG_NS, "circle");
    for (const [k, val] of [["cx", x(i)], ["cy", y(v)], ["r", 3], ["class", "dot"]]) dot.setAttribute(k, val);
    svg.append(dot);
  });
  return svg;
}
