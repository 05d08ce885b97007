// Lobby: the loop catalogue, the start form, and the box for the session
// stored on this device (resume, view report, start over).

import { $, el } from "./dom.js";
import { formatMinutes, roundName } from "./format.js";
import { api, ApiError, sessionPath } from "./api.js";
import { store } from "./store.js";
import { clearAlert, focusViewHeading, showAlert } from "./views.js";
import { enterRoom } from "./actions.js";
import { forgetSession, renderHistory } from "./history.js";
import { seenQuestions } from "./storage.js";

let loops = []; // the catalogue as the server sent it

export async function loadLoops() {
  const list = $("loop-list");
  try {
    const sent = await api("GET", "api/loops");
    loops = Array.isArray(sent) ? sent : [];
    renderLoops(loops);
  } catch (err) {
    list.replaceChildren(
      el("p", {}, "The interview loops could not be loaded."),
      el("button", { type: "button", onclick: () => { clearAlert(); loadLoops(); } }, "Try again"),
    );
    showAlert(err.message);
  }
}

function renderLoops() {
  const list = $("loop-list");
  list.replaceChildren();
  if (loops.length === 0) {
    list.append(el("p", {}, "No interview loops are configured on this server."));
  }
  loops.forEach((loop, i) => list.append(renderLoopOption(loop, i)));
  $("start-btn").disabled = loops.length === 0;
}

function renderLoopOption(loop, i) {
  const id = `loop-${i}`;
  const detailsId = `${id}-details`;
  const radio = el("input", {
    type: "radio", name: "loop", id, value: loop.id, "aria-describedby": detailsId, checked: i === 0,
  });
  const rounds = Array.isArray(loop.rounds) ? loop.rounds : [];
  const levels = Array.isArray(loop.levels) ? loop.levels : [];
  // A loop run at several levels offers them; one at a single level names it.
  const chooser = levels.length > 1 && el("p", { class: "loop-level" },
    el("label", { for: `${id}-level` }, "Level "),
    el("select", { id: `${id}-level`, "data-loop": loop.id },
      levels.map((l) => el("option", { value: l.id }, l.name))));
  // Said once each: "Any" says nothing, a role the title already says is
  // not repeated, the level is in the chooser when there is one, and the
  // product's own practice loops name no company.
  const company = /^mockloop$/i.test(loop.company || "") ? "" : loop.company;
  const said = [loop.role === loop.title ? "" : loop.role, levels.length > 1 ? "" : loop.level]
    .filter((v) => v && !/^any$/i.test(v));
  const meta = [company, ...said].filter(Boolean).join(" · ");
  const minutes = rounds.reduce((n, r) => n + (Number.isFinite(r.minutes) ? r.minutes : 0), 0);
  const details = el("div", { id: detailsId, class: "loop-details" },
    meta && el("p", { class: "loop-meta" }, meta),
    chooser,
    loop.description && el("p", {}, loop.description),
    minutes > 0 && el("p", { class: "loop-duration" },
      `About ${formatMinutes(minutes)} in all, in ${rounds.length} round${rounds.length === 1 ? "" : "s"}.`),
    rounds.length > 0 && el("ol", { class: "rounds" }, rounds.map(renderRoundItem)),
  );
  const option = el("div", { class: "loop-option" },
    el("div", { class: "loop-choice" }, radio, el("label", { for: id, class: "loop-title" }, loop.title || loop.id)),
    details,
  );
  // The details are not inside the <label> (block content is not allowed
  // there), so make a click anywhere on the card pick the loop too.
  option.addEventListener("click", (e) => {
    if (e.target !== radio) radio.checked = true;
  });
  return option;
}

function renderRoundItem(round) {
  const parts = [roundName(round)];
  if (round.minutes != null) parts.push(`${round.minutes} min`);
  if (round.questions != null) parts.push(`${round.questions} question${round.questions === 1 ? "" : "s"}`);
  if (Number.isFinite(round.values_minutes)) parts.push("and one on how you work");
  return el("li", {}, parts.join(" · "));
}

/** Subscriber: the box for the session stored on this device. */
export function renderResumeBox(state, prev) {
  if (state.record === prev.record) return;
  const box = $("resume-box");
  const r = state.record;
  box.hidden = !r;
  if (!r) return;
  const title = (r.loop && r.loop.title) || "an interview";
  $("resume-text").textContent = r.finished
    ? `Your interview “${title}” is finished. You can read its report again.`
    : `You have an interview in progress: “${title}”.`;
  $("resume-btn").hidden = r.finished;
  $("report-btn").hidden = !r.finished;
}

/**
 * Creates a session (`body` as `POST /api/sessions` takes it) and enters
 * its room; `record` is what this device remembers with it (the loop, the
 * answer mode, a drill's earlier attempt). Throws what the server said.
 */
export async function beginSession(body, record) {
  // Questions this browser has had go last, until the bank runs out.
  const created = await api("POST", "api/sessions", { ...body, seen: seenQuestions() });
  if (!created || typeof created.session_id !== "string" || typeof created.token !== "string") {
    throw new ApiError("bad_response", "The server did not return a session.");
  }
  // A tailored loop says which questions it chose and why; the room shows them.
  const tailored = Array.isArray(created.tailored) ? created.tailored : null;
  // The room starts afresh: started from a debrief, it still holds the
  // last session's place (its last_seq).
  store.dispatch({
    type: "session_started",
    record: {
      session_id: created.session_id,
      token: created.token,
      last_seq: 0,
      finished: false,
      mode: "text",
      events: [],
      ...record,
      ...(tailored && tailored.length > 0 ? { tailored } : {}),
    },
  });
  clearAlert();
  enterRoom();
}

export async function onStartSubmit(event) {
  event.preventDefault();
  const chosen = checkedLoop();
  if (!chosen) {
    showAlert("Choose an interview loop first.");
    return;
  }
  if (!mayReplaceSession()) return;
  const button = $("start-btn");
  button.disabled = true;
  button.textContent = "Starting…";
  try {
    await beginSession(chosenLoop(chosen), { loop: loopRecord(chosen.value), ...answering() });
  } catch (err) {
    showAlert(err.message);
  } finally {
    button.disabled = loops.length === 0;
    button.textContent = "Start interview";
  }
}

/** The loop radio checked in the lobby's list, or null. */
export function checkedLoop() {
  return document.querySelector('input[name="loop"]:checked');
}

/** A loop of the catalogue as a session's record keeps it (null if unknown). */
export function loopRecord(id) {
  const loop = loops.find((l) => l.id === id);
  return loop ? { id: loop.id, title: loop.title, rounds: loop.rounds } : null;
}

/** How the candidate chose to answer, as a session's record keeps it. */
export function answering() {
  const mode = document.querySelector('input[name="mode"]:checked');
  return { mode: mode ? mode.value : "text", live_scores: $("live-scores").checked };
}

/** Whether a new session may replace the one in progress on this device (asks first). */
export function mayReplaceSession() {
  const current = store.getState().record;
  return !(current && !current.finished) ||
    window.confirm("Starting a new interview forgets the one in progress on this device. Continue?");
}

/** The loop picked (a checked radio) and its level: a session body. */
export function chosenLoop(radio) {
  const body = { loop_id: radio.value };
  const level = $(`${radio.id}-level`);
  if (level) body.level = level.value;
  return body;
}

export function startOver() {
  const current = store.getState().record;
  if (current && !current.finished &&
      !window.confirm("Forget the interview in progress on this device? You will not be able to resume it.")) {
    return;
  }
  store.dispatch({ type: "session_forgotten" });
  store.dispatch({ type: "show_view", view: "lobby", focus: false });
  const first = document.querySelector('input[name="loop"]');
  if (first) first.focus();
  else focusViewHeading();
}

export async function viewStoredReport() {
  const record = store.getState().record;
  if (!record) return;
  const button = $("report-btn");
  button.disabled = true;
  await openPastReport(record);
  button.disabled = false;
}

export function showHistory() {
  renderHistory({ onOpen: openPastReport });
  store.dispatch({ type: "show_view", view: "history" });
}

/** Fetches a session's report and shows it as the debrief. */
async function openPastReport(entry) {
  try {
    const report = await api("GET", sessionPath(entry, "report.json"));
    clearAlert();
    store.dispatch({ type: "report_opened", report, session: entry });
  } catch (err) {
    showAlert(err.message);
  }
}

/** Deletes an interview on the server, then everything this browser kept of it. */
export async function deleteSession(session) {
  if (!window.confirm("Delete this interview, its answers and scores from the server? This cannot be undone.")) {
    return;
  }
  try {
    await api("DELETE", `api/sessions/${encodeURIComponent(session.session_id)}?token=${encodeURIComponent(session.token)}`);
  } catch (err) {
    showAlert(err.message);
    return;
  }
  forgetSession(session.session_id);
  const current = store.getState().record;
  if (current && current.session_id === session.session_id) store.dispatch({ type: "session_forgotten" });
  store.dispatch({ type: "show_view", view: "lobby" });
  showAlert("The interview was deleted from the server.");
}
