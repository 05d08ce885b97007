// The prep plan view: what is due now and what comes back later, the next
// questions and why, "Practise these" (a drill from the plan), and each
// dimension's progress over the profile's sessions, drawn against the aim.

import { $, el } from "./dom.js";
import { formatScore, kindLabel } from "./format.js";
import { store } from "./store.js";
import { clearAlert, showAlert } from "./views.js";
import { answering, beginSession, mayReplaceSession } from "./lobby.js";
import { GONE, dropProfile, isGone, linked, readPlan, storedProfile } from "./profile-api.js";
import { lineChart } from "./line-chart.js";

/** Reads the stored profile's plan and shows it; says why not when it cannot. */
export async function openPlan() {
  const profile = storedProfile();
  if (!profile) {
    showAlert("There is no profile on this browser: save your résumé and a job posting in the lobby first.");
    return;
  }
  try {
    const plan = await readPlan(profile);
    renderPlan(plan && typeof plan === "object" ? plan : {}, profile);
    clearAlert();
    store.dispatch({ type: "show_view", view: "plan" });
  } catch (err) {
    if (isGone(err)) {
      dropProfile();
      showAlert(GONE);
    } else {
      showAlert(err.message);
    }
  }
}

function list(value) {
  return Array.isArray(value) ? value.filter((v) => v && typeof v === "object") : [];
}

function renderPlan(plan, profile) {
  const sessions = Number.isInteger(plan.sessions) ? plan.sessions : 0;
  const aim = plan.aim && typeof plan.aim.bar === "number" ? plan.aim : null;
  const due = list(plan.due);
  // A dimension's name, wherever the plan gives it.
  const names = new Map([...due, ...list(plan.progress)].map((d) => [`${d.round_kind}/${d.dimension}`, d.name]));
  $("plan").replaceChildren(...[
    el("p", {}, sessions === 0
      ? "No sessions with your profile yet: start a tailored loop in the lobby, and its debrief shapes this plan."
      : `From ${sessions} session${sessions === 1 ? "" : "s"} with your profile.`,
    aim && ` The aim: level ${formatScore(aim.bar)} of 4, the bar${aim.level ? ` for ${aim.level}` : ""}.`),
    renderDue(due, sessions),
    renderNext(list(plan.next_questions), names, profile),
    renderProgress(list(plan.progress), aim),
  ].filter(Boolean));
}

function dimensionLabel(d) {
  return `${d.name || d.dimension} (${kindLabel(d.round_kind)})`;
}

function dueDate(at) {
  const date = new Date(at);
  return el("time", { datetime: date.toISOString() },
    date.toLocaleDateString(undefined, { weekday: "short", month: "short", day: "numeric" }));
}

function renderDue(due, sessions) {
  if (due.length === 0) {
    return sessions > 0 && el("p", {}, "Nothing is due: each dimension scored at the bar twice in a row.");
  }
  const now = due.filter((d) => d.due_now === true);
  const later = due.filter((d) => d.due_now !== true && Number.isFinite(d.due_at));
  const item = (d, when) => el("li", { class: "due-item", "data-due-now": d.due_now === true ? "true" : "false" },
    el("strong", {}, dimensionLabel(d)),
    ` — average ${formatScore(d.average)} of 4`,
    d.successes > 0 ? `, scored well ${d.successes === 1 ? "once" : `${d.successes} times`}` : "",
    " — ", when);
  return el("section", { "aria-labelledby": "plan-due-heading" },
    el("h2", { id: "plan-due-heading" }, "What to practise"),
    el("p", { class: "hint" }, "Below the bar, a dimension is due at once; at or above it, it comes back after " +
      "2 days, then 6, and leaves the plan once scored well twice in a row."),
    now.length > 0 && [el("h3", {}, "Due now"),
      el("ul", { id: "plan-due-now", class: "due" }, now.map((d) => item(d, el("span", { class: "badge badge-missing" }, "due now"))))],
    later.length > 0 && [el("h3", {}, "Coming back later"),
      el("ul", { id: "plan-due-later", class: "due" }, later.map((d) => item(d, ["due ", dueDate(d.due_at)])))]);
}

function renderNext(questions, names, profile) {
  const status = el("p", { id: "plan-status", class: "doc-status", role: "status" });
  const button = el("button", { type: "button", id: "plan-practise-btn", class: "primary" }, "Practise these");
  button.addEventListener("click", () => practisePlan(profile, button, status));
  return el("section", { "aria-labelledby": "plan-next-heading" },
    el("h2", { id: "plan-next-heading" }, "Next questions"),
    questions.length === 0 ? el("p", {}, "No questions are waiting.")
      : el("ol", { id: "plan-next", class: "likely" }, questions.map((q) => el("li", {},
        el("p", {}, el("strong", {}, q.title || q.question_id || ""),
          ` · ${kindLabel(q.round_kind)}`,
          q.dimension && ` · ${names.get(`${q.round_kind}/${q.dimension}`) || q.dimension}`),
        q.why && el("p", { class: "small-text" }, q.why)))),
    el("div", { class: "actions" }, button),
    status);
}

/** "Practise these": a drill of the due dimensions' questions; `400 nothing_due` says so beside the button. */
async function practisePlan(profile, button, status) {
  if (!mayReplaceSession()) return;
  button.disabled = true;
  status.className = "doc-status";
  status.textContent = "Starting…";
  try {
    await beginSession(linked(profile, { practise: "plan" }), {
      loop: { title: "Practice from your plan" },
      ...answering(),
      profile_id: profile.profile_id,
    });
    status.textContent = "";
  } catch (err) {
    status.className = "doc-status doc-error";
    status.textContent = err.code === "nothing_due" ? err.detail || err.message : err.message;
  } finally {
    button.disabled = false;
  }
}

function renderProgress(series, aim) {
  const drawn = series.map((d) => ({ ...d, points: list(d.points)
    .filter((p) => Number.isFinite(p.at) && typeof p.level === "number").sort((a, b) => a.at - b.at) }))
    .filter((d) => d.points.length > 0);
  if (drawn.length === 0) return null;
  const bar = aim ? aim.bar : 2.5;
  const barName = aim && aim.level ? `${aim.level} bar` : "bar";
  return el("section", { "aria-labelledby": "plan-progress-heading" },
    el("h2", { id: "plan-progress-heading" }, "Progress by dimension"),
    el("p", { class: "small-text" }, "Your level (1 to 4) in each session, oldest on the left; the dashed line is " +
      `the aim, ${formatScore(bar)}${aim && aim.level ? ` for ${aim.level}` : ""}.`),
    el("div", { id: "plan-progress", class: "progress-grid" }, drawn.map((d) => {
      const latest = d.points[d.points.length - 1].level;
      const n = d.points.length;
      return el("figure", { class: "progress", "data-dimension": `${d.round_kind}/${d.dimension}` },
        el("figcaption", {}, dimensionLabel(d)),
        lineChart({
          at: d.points.map((p) => p.at),
          series: [d.points.map((p) => p.level)],
          mark: { value: bar, label: barName },
          label: `${dimensionLabel(d)}: ${n} session${n === 1 ? "" : "s"}, latest level ${formatScore(latest)} ` +
            `of 4; the aim is ${formatScore(bar)}`,
        }),
        el("p", { class: "small-text" }, `Latest ${formatScore(latest)} of 4; aim ${formatScore(bar)}.`));
    })));
}
