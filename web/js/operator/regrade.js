// Regrade: pick stored sessions, rescore them with the current rubrics (or
// their pinned ones) and a grader, and show old against new per answer,
// changed answers marked in words as well as colour.

import { $, el } from "../dom.js";
import { operatorApi } from "./session.js";
import { showAlert, clearAlert } from "./alerts.js";

export function initRegrade() {
  $("regrade-form").addEventListener("submit", (e) => {
    e.preventDefault();
    regrade();
  });
  $("refresh-sessions-btn").addEventListener("click", () => loadSessions().catch((err) => showAlert(err.message)));
}

export async function loadSessions() {
  const sessions = await operatorApi("GET", "api/operator/sessions");
  const list = $("session-list");
  if (!sessions.length) {
    list.replaceChildren(el("p", { class: "muted" }, "No stored sessions yet."));
    return;
  }
  list.replaceChildren(el("ul", { class: "session-list" }, sessions.map((s) => {
    const id = `pick-${s.id}`;
    const when = new Date(s.created_at).toLocaleString();
    const overall = s.overall == null ? "not scored" : `overall ${s.overall.toFixed(2)}`;
    // Only finished sessions are regraded (the server skips the others).
    const finished = s.state === "finished";
    return el("li", { class: "field check" },
      el("input", { type: "checkbox", id, name: "session", value: s.id, disabled: !finished }),
      el("label", { for: id },
        el("span", { class: "session-id" }, s.id.slice(0, 8)), ` ${s.loop} · ${s.state} · ${overall}`,
        el("span", { class: "small-text" }, ` · ${when}`, finished ? "" : " · can be regraded once finished")));
  })));
}

async function regrade() {
  clearAlert();
  const ids = [...document.querySelectorAll('#session-list input[name="session"]:checked')].map((i) => i.value);
  if (!ids.length) {
    showAlert("Choose at least one session to regrade.");
    return;
  }
  const body = {
    sessions: ids,
    grader: $("regrade-grader").value,
    rubrics: document.querySelector('input[name="rubrics"]:checked').value,
  };
  const button = $("regrade-btn");
  button.disabled = true;
  $("regrade-result").replaceChildren(el("p", { class: "muted" }, "Regrading…"));
  try {
    renderReport(await operatorApi("POST", "api/operator/regrade", body));
    await loadSessions();
  } catch (err) {
    $("regrade-result").replaceChildren();
    showAlert(err.message);
  } finally {
    button.disabled = false;
  }
}

function changed(answer) {
  return (answer.change != null && Math.abs(answer.change) >= 0.005) ||
    answer.dimensions.some((d) => d.old !== d.new);
}

const level = (l) => (l == null ? "–" : String(l));
const overall = (s) => (s ? s.overall.toFixed(2) : "–");

function renderReport(report) {
  const s = report.summary;
  const summary = `${s.regraded} of ${s.sessions} session(s) regraded with ${report.grader} against ` +
    `${report.rubrics} rubrics: ${s.changed} of ${s.answers} answer(s) changed` +
    (s.mean_change == null ? "." : `, mean change ${signed(s.mean_change)}.`);
  $("regrade-result").replaceChildren(
    el("h3", { id: "regrade-summary", tabindex: "-1" }, "Result"),
    el("p", {}, summary),
    ...report.sessions.map(renderSession),
  );
  $("regrade-summary").focus();
}

function signed(x) {
  return `${x > 0 ? "+" : ""}${x.toFixed(2)}`;
}

function renderSession(session) {
  const head = el("h4", {}, `Session ${session.session_id.slice(0, 8)}: ${session.status}`,
    session.reason ? ` (${session.reason})` : "");
  if (!session.answers.length) return el("div", { class: "regrade-session" }, head);
  // Two columns, the change under each answer's name, so the table fits a
  // phone without scrolling sideways.
  return el("div", { class: "regrade-session" }, head, el("div", { class: "table-wrap" },
    el("table", { class: "regrade-table" },
      el("caption", {}, "Old and new scores per answer and dimension"),
      el("thead", {}, el("tr", {},
        el("th", { scope: "col" }, "Answer"),
        el("th", { scope: "col", class: "num" }, "Old → new"))),
      session.answers.map(renderAnswer))));
}

function renderAnswer(a) {
  const moved = changed(a);
  const rows = [el("tr", { class: moved ? "answer-row changed" : "answer-row", "data-changed": String(moved) },
    el("th", { scope: "row" }, `Round ${a.round + 1} · ${a.kind} · ${a.question_id}`,
      el("span", { class: "change-line" },
        a.change == null ? "first score" : `change ${signed(a.change)}`,
        moved ? el("strong", { class: "changed-tag" }, " · changed") : "")),
    el("td", { class: "num scores", "data-old": overall(a.old), "data-new": overall(a.new) },
      `${overall(a.old)} → ${overall(a.new)}`))];
  for (const d of a.dimensions) {
    const dimMoved = d.old !== d.new;
    rows.push(el("tr", { class: dimMoved ? "dimension-row changed" : "dimension-row" },
      el("th", { scope: "row", class: "dimension-name" }, d.name,
        dimMoved ? el("strong", { class: "changed-tag" }, " · changed") : ""),
      el("td", { class: "num" }, `${level(d.old)} → ${level(d.new)}`)));
  }
  return el("tbody", {}, rows);
}
