// The lobby's "Tailor to your résumé" panel: what is stored and for how
// long, the résumé (pasted or a file) and the job posting, and the ways
// on: the fit map, a tailored loop, deleting it all (the plan's button
// opens plan.js's view). What the candidate typed stays in its box
// whatever the server says.

import { $, el } from "./dom.js";
import {
  answering, beginSession, checkedLoop, chosenLoop, loopRecord, mayReplaceSession,
} from "./lobby.js";
import {
  DOCUMENT_TYPES, GONE, deleteProfile, dropProfile, isGone, linked, readProfile, saveDocument, storedProfile,
  watchProfile,
} from "./profile-api.js";
import { showFit } from "./fit.js";

const NAMES = { resume: "résumé", job: "job posting" };
// What the server keeps a profile for when it does not say (docs/profiles.md).
const DEFAULT_DAYS = 30;

let info = null; // GET /api/profiles/{id} as last read: what the server holds
// The text each box last saved: unchanged text is not sent again, and a
// file saved since is not overwritten by the box's older text.
const saved = { resume: null, job: null };

/** Shows the panel as it is before the server was asked anything. */
export function initProfilePanel() {
  renderNotice();
  renderButtons();
  // Made here, or found gone by the fit map or the plan: the buttons follow.
  watchProfile(() => {
    if (!storedProfile()) info = null;
    renderNotice();
    renderButtons();
  });
}

/** The panel was opened or closed: opened, read what the server holds. */
export function onProfileToggle() {
  if ($("profile-box").open) refresh();
}

async function refresh() {
  const profile = storedProfile();
  if (!profile) {
    info = null;
  } else {
    try {
      info = await readProfile(profile);
    } catch (err) {
      if (isGone(err)) forget(GONE);
      else say(err.message);
      info = null;
    }
  }
  renderNotice();
  renderButtons();
  for (const kind of Object.keys(NAMES)) {
    if (!$(`profile-${kind}-status`).classList.contains("doc-error")) showKept(kind);
  }
}

let noticeSaid = null; // what the notice says now: its region announces each change, so only changes

function renderNotice() {
  const said = info ? `${info.unused_days}|${info.llm}` : "";
  if (said === noticeSaid) return;
  noticeSaid = said;
  const days = info && Number.isFinite(info.unused_days) ? `${info.unused_days} days` : `${DEFAULT_DAYS} days by default`;
  const model = !info ? "Whether they are sent to a language model depends on how this server is set up; " +
      "this note says which once you save one."
    : info.llm ? [el("strong", {}, "Sent to a language model: "),
      "to map the posting against your résumé and choose questions, this server sends both texts to the " +
      "language model its operator configured."]
      : "They never leave this server: no language model sees them.";
  $("profile-notice").replaceChildren(
    el("p", {}, el("strong", {}, "What is stored: "),
      "the text of your résumé and of the job posting (not the files themselves), on this server, until you " +
      `delete them or they go unused for ${days}. They are never written to the server's logs.`),
    el("p", {}, model),
    el("p", {}, "This browser keeps only the key to your profile."),
  );
}

function renderButtons() {
  const has = Boolean(storedProfile());
  $("plan-btn").hidden = !has;
  $("profile-delete-btn").hidden = !has;
}

/** What the server holds of `kind`, beside its box. */
function showKept(kind) {
  const kept = info && info[kind];
  setStatus(kind, "", kept ? `On the server: ${counts(kept)}${when(kept.updated_at)}.` : "");
}

function counts(doc) {
  const n = (v) => (Number.isFinite(v) ? v.toLocaleString() : "?");
  return `${n(doc.chars)} characters, ${n(doc.lines)} line${doc.lines === 1 ? "" : "s"}`;
}

function when(at) {
  return Number.isFinite(at) ? `, saved ${new Date(at).toLocaleString()}` : "";
}

/** A field's status line; a refusal also marks its box invalid. */
function setStatus(kind, tone, text) {
  const status = $(`profile-${kind}-status`);
  status.className = `doc-status${tone ? ` doc-${tone}` : ""}`;
  status.textContent = text;
  const box = $(`profile-${kind}`);
  if (tone === "error") box.setAttribute("aria-invalid", "true");
  else box.removeAttribute("aria-invalid");
}

/** The panel's own status line, under its buttons. */
function say(text, tone = "") {
  const status = $("profile-status");
  status.className = `doc-status${tone ? ` doc-${tone}` : ""}`;
  status.textContent = text;
}

function forget(text) {
  saved.resume = null;
  saved.job = null;
  dropProfile();
  say(text, "error");
}

// ---------------------------------------------------------------------------
// Saving the documents

/** "Save résumé" / "Save posting": the box's text, as plain text. */
export async function onSaveText(kind) {
  const box = $(`profile-${kind}`);
  if (!box.value.trim()) {
    setStatus(kind, "error", `Paste your ${NAMES[kind]} first.`);
    box.focus();
    return false;
  }
  const button = $(`profile-${kind}-save`);
  const text = box.value;
  return busy(button, "Saving…", () => keep(kind, text, DOCUMENT_TYPES.txt, "Saved", () => {
    saved[kind] = text;
  }));
}

/** A résumé file chosen: sent at once, typed by its extension. */
export async function onResumeFile(event) {
  const input = event.target;
  const file = input.files && input.files[0];
  if (!file) return;
  const ext = (file.name.match(/\.([a-z0-9]+)$/i) || [])[1];
  const type = ext && DOCUMENT_TYPES[ext.toLowerCase()];
  if (!type) {
    setStatus("resume", "error", `Not saved: ${file.name} is not a PDF, a Word .docx or a plain-text (.txt) file.`);
    input.value = "";
    return;
  }
  await keep("resume", file, type, `Read from ${file.name}`, () => {
    // The file is the résumé now: the box's text is not sent over it.
    saved.resume = $("profile-resume").value;
  });
  // Cleared, so choosing the same file again (fixed) sends it again.
  input.value = "";
}

async function keep(kind, body, type, done, onSaved) {
  setStatus(kind, "", "Saving…");
  try {
    const kept = await saveDocument(kind, body, type);
    onSaved();
    say("");
    await refresh();
    setStatus(kind, "ok", `${done}: ${counts(kept || {})} kept on the server.`);
    return true;
  } catch (err) {
    // A 413 from the server says the limit; one from a proxy in front may say nothing.
    const reason = err.status === 413 && !(err.data && err.data.error) ? "the file is larger than this server accepts."
      : err.detail || err.message;
    const before = info && info[kind] ? ` Your earlier ${NAMES[kind]} is still in place.` : "";
    setStatus(kind, "error", `Not saved: ${reason}${before}`);
    return false;
  }
}

/** Saves each box whose text changed since it was last saved; false if one was refused. */
async function saveChanged() {
  for (const kind of Object.keys(NAMES)) {
    const text = $(`profile-${kind}`).value;
    if (!text.trim() || text === saved[kind]) continue;
    if (!(await keep(kind, text, DOCUMENT_TYPES.txt, "Saved", () => { saved[kind] = text; }))) {
      $(`profile-${kind}`).focus();
      return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------
// The ways on: fit map, tailored loop, plan, delete

/**
 * What the fit map and the tailored loop both need first: a loop chosen,
 * the boxes saved, a profile. Returns {profile, radio}, or null (said why).
 */
async function ready() {
  const radio = checkedLoop();
  if (!radio) {
    say("Choose an interview loop above first.", "error");
    return null;
  }
  if (!(await saveChanged())) {
    say("Fix what the server refused above, then try again.", "error");
    return null;
  }
  const profile = storedProfile();
  if (!profile) {
    say("Paste your résumé and a job posting first: the fit map and a tailored loop compare the two.", "error");
    $("profile-resume").focus();
    return null;
  }
  return { profile, radio };
}

/** The server's refusal of a fit map or a tailored loop, in the panel. */
function refused(err) {
  if (err.code === "missing_documents") {
    say("Add both a résumé and a job posting first: the fit map and a tailored loop compare the two.", "error");
  } else if (isGone(err)) {
    forget(GONE);
  } else {
    say(err.message, "error");
  }
}

export async function onShowFit() {
  say("");
  await busy($("fit-btn"), "Mapping…", async () => {
    const got = await ready();
    if (!got) return;
    try {
      await showFit(got.profile, chosenLoop(got.radio));
    } catch (err) {
      refused(err);
    }
  });
}

export async function onStartTailored() {
  say("");
  if (!mayReplaceSession()) return;
  await busy($("tailored-btn"), "Starting…", async () => {
    const got = await ready();
    if (!got) return;
    try {
      await beginSession(linked(got.profile, chosenLoop(got.radio)), {
        loop: loopRecord(got.radio.value),
        ...answering(),
        profile_id: got.profile.profile_id,
      });
    } catch (err) {
      refused(err);
    }
  });
}

export async function onDeleteProfile() {
  const profile = storedProfile();
  if (!profile || !window.confirm("Delete your profile from this server: your résumé, the job posting and your " +
      "prep plan? Your interviews stay until you delete them. This cannot be undone.")) {
    return;
  }
  try {
    await deleteProfile(profile);
  } catch (err) {
    // Already gone is as good as deleted; anything else, nothing changed.
    if (!isGone(err)) {
      say(err.message, "error");
      return;
    }
  }
  for (const kind of Object.keys(NAMES)) {
    $(`profile-${kind}`).value = "";
    setStatus(kind, "", "");
  }
  forget("");
  say("Your profile was deleted from this server, with its résumé, posting and plan.", "ok");
  // The button pressed is gone now; keep keyboard users in the panel.
  $("profile-box").querySelector("summary").focus();
}

/** Runs `work` with `button` disabled and relabelled, then puts it back. */
async function busy(button, label, work) {
  const text = button.textContent;
  button.disabled = true;
  button.textContent = label;
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.textContent = text;
  }
}
