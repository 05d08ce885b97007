// Content: the file list and the editor. Every edit is checked by the
// server (the same validator as `mockloop content check`) a moment after
// typing stops; Save writes the file and reloads the catalog.

import { $, el } from "../dom.js";
import { ApiError } from "../api.js";
import { filePath, operatorApi } from "./session.js";
import { showAlert, clearAlert } from "./alerts.js";

// Long enough not to check on every keystroke, short enough to feel live.
const CHECK_DELAY_MS = 400;

const KIND_LABELS = { loop: "Loops", question_bank: "Question banks", rubric: "Rubrics" };

export const editor = {
  path: null,
  kind: null,
  saved: "",
  timer: null,
  // Each check gets a number; an answer to an older one is dropped.
  checkSeq: 0,
  listing: null,
};

/** Called with the fresh listing after a load or a save (the try panel's lists). */
let onListing = () => {};

export function initContent(listingChanged) {
  onListing = listingChanged;
  const area = $("content-editor");
  area.addEventListener("input", () => {
    updateButtons();
    scheduleCheck();
  });
  $("save-btn").addEventListener("click", save);
  $("revert-btn").addEventListener("click", () => {
    area.value = editor.saved;
    updateButtons();
    scheduleCheck();
  });
}

export async function loadListing() {
  const listing = await operatorApi("GET", "api/operator/content/files");
  editor.listing = listing;
  $("content-source").textContent = listing.on_disk
    ? `Content ${listing.hash}, from the server's content directory.`
    : `Content ${listing.hash}, built into the server. The first save copies it to the data directory and ` +
      "the server runs on that copy from then on.";
  renderFiles(listing.files);
  onListing(listing);
  return listing;
}

function renderFiles(files) {
  const groups = [];
  for (const [kind, label] of Object.entries(KIND_LABELS)) {
    const items = files.filter((f) => f.kind === kind).map((f) => {
      const current = f.path === editor.path;
      return el("li", {},
        el("button", {
          type: "button",
          class: "file-link",
          "data-path": f.path,
          "aria-current": current ? "true" : null,
          onclick: () => openFile(f.path),
        }, f.path.split("/").pop()));
    });
    if (items.length) groups.push(el("h3", { class: "file-group" }, label), el("ul", { class: "file-list" }, items));
  }
  $("file-list").replaceChildren(...groups);
}

export function isDirty() {
  return editor.path !== null && $("content-editor").value !== editor.saved;
}

export async function openFile(path) {
  if (isDirty() && !window.confirm(`Discard the unsaved changes to ${editor.path}?`)) return;
  clearAlert();
  const file = await operatorApi("GET", filePath(path));
  editor.path = file.path;
  editor.kind = file.kind;
  editor.saved = file.text;
  const area = $("content-editor");
  area.value = file.text;
  area.disabled = false;
  $("editor-title").textContent = file.path;
  showDiagnostics([], "");
  renderFiles(editor.listing ? editor.listing.files : []);
  updateButtons();
  document.dispatchEvent(new CustomEvent("operator-file-opened"));
  area.focus();
}

/** Save waits for a check that passed: the server would refuse the rest. */
function updateButtons() {
  const dirty = isDirty();
  const state = $("check-status").dataset.state;
  $("save-btn").disabled = !dirty || state === "invalid" || state === "checking";
  $("revert-btn").disabled = !dirty;
}

function scheduleCheck() {
  clearTimeout(editor.timer);
  $("check-status").textContent = "Checking…";
  $("check-status").dataset.state = "checking";
  editor.timer = setTimeout(check, CHECK_DELAY_MS);
}

async function check() {
  const seq = ++editor.checkSeq;
  try {
    const report = await operatorApi("POST", "api/operator/content/check", {
      path: editor.path,
      text: $("content-editor").value,
    });
    if (seq !== editor.checkSeq) return;
    showDiagnostics(report.diagnostics, report.ok ? "ok" : "invalid");
  } catch (err) {
    if (seq !== editor.checkSeq) return;
    showDiagnostics([], "");
    showAlert(err.message);
  } finally {
    if (seq === editor.checkSeq) updateButtons();
  }
}

/**
 * Lists the problems, this file's first and in line order: an edit's own
 * mistake is the root cause, and problems it causes in other files (a loop
 * naming a question this file no longer defines) are grouped after it,
 * folded. Each problem in this file moves the caret to its line when chosen.
 */
function showDiagnostics(diagnostics, state, lead = null) {
  const status = $("check-status");
  status.dataset.state = state;
  const here = diagnostics.filter((d) => d.file === editor.path).sort((a, b) => a.line - b.line);
  const elsewhere = diagnostics.filter((d) => d.file !== editor.path);
  if (state === "ok") status.textContent = "No problems: the whole catalog checks out with this edit.";
  else if (state === "invalid") {
    const count = (n, what) => `${n} ${what}${n === 1 ? "" : "s"}`;
    status.textContent = (lead ? `${lead} ` : "") + (here.length
      ? `${count(here.length, "problem")} in this file` +
        (elsewhere.length ? `, and ${count(elsewhere.length, "problem")} in other files that follow from it` : "") +
        ": fix before saving."
      : `${count(elsewhere.length, "problem")} in other files: fix before saving.`);
  } else status.textContent = "";
  const item = (d) => {
    const where = d.file === editor.path ? `line ${d.line}` : `${d.file}, line ${d.line}`;
    const text = [el("span", { class: "where" }, where), " · ", el("code", {}, d.field), ": ", d.message];
    return el("li", { class: "diagnostic" },
      d.file === editor.path && d.line > 0
        ? el("button", { type: "button", class: "link", onclick: () => goToLine(d.line) }, text)
        : text);
  };
  const groups = here.map(item);
  if (elsewhere.length && here.length) {
    groups.push(el("li", { class: "knock-on" }, el("details", {},
      el("summary", {}, `${elsewhere.length} more in other files, caused by this file's problems`),
      el("ul", {}, elsewhere.map(item)))));
  } else groups.push(...elsewhere.map(item));
  $("diagnostics").replaceChildren(...groups);
}

/** Selects line `line` and scrolls the editor so it is in view. */
function goToLine(line) {
  const area = $("content-editor");
  const lines = area.value.split("\n");
  const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
  area.focus();
  area.setSelectionRange(start, start + (lines[line - 1] || "").length);
  // A textarea does not scroll to a selection set from script: put the
  // line a third of the way down.
  const style = getComputedStyle(area);
  const lineHeight = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.2;
  area.scrollTop = Math.max(0, (line - 1) * lineHeight - area.clientHeight / 3);
}

async function save() {
  clearTimeout(editor.timer);
  const text = $("content-editor").value;
  $("save-btn").disabled = true;
  try {
    const saved = await operatorApi("PUT", filePath(editor.path), { text });
    editor.saved = text;
    $("check-status").dataset.state = "saved";
    $("check-status").textContent = `Saved. New sessions now use content ${saved.hash}; ` +
      "interviews already running keep the version they started with.";
    $("diagnostics").replaceChildren();
    await loadListing();
  } catch (err) {
    if (err instanceof ApiError && err.code === "invalid_content" && err.data) {
      showDiagnostics(err.data.diagnostics || [], "invalid", "Not saved: the server found problems, and nothing was written.");
    } else showAlert(err.message);
  } finally {
    updateButtons();
  }
}

/** The editor's text when it holds a rubric, for trying it unsaved. */
export function unsavedRubric() {
  if (editor.kind !== "rubric") return null;
  return { path: editor.path, text: $("content-editor").value };
}
