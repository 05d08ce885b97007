// The answer editor: code mode, character count, keyboard handling.

import { $ } from "./dom.js";
import { app } from "./state.js";
import { submitAnswer } from "./answers.js";

export const MAX_ANSWER_CHARS = 20000;

export function setCodeMode(on) {
  app.codeMode = on;
  const ta = $("answer");
  ta.classList.toggle("code", on);
  ta.spellcheck = !on;
  ta.setAttribute("autocapitalize", on ? "off" : "sentences");
  $("line-numbers").hidden = !on;
  $("editor").classList.toggle("with-lines", on);
  updateLineNumbers();
  $("answer-hint").textContent = on
    ? "Code editor: Tab inserts two spaces; press Escape, then Tab, to leave it. Ctrl+Enter (or Cmd+Enter) sends."
    : "Press Ctrl+Enter (or Cmd+Enter) to send.";
}

export function updateCount() {
  const n = $("answer").value.length;
  // Only mention the limit when it is getting close; otherwise it is noise.
  $("answer-count").textContent = n > MAX_ANSWER_CHARS * 0.9
    ? `${n} of ${MAX_ANSWER_CHARS} characters.` : "";
}

export function onEditorKeydown(event) {
  const ta = event.currentTarget;
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    submitAnswer();
    return;
  }
  if (event.key === "Escape") {
    app.tabEscapes = true;
    return;
  }
  const plainTab = event.key === "Tab" && !event.shiftKey && !event.ctrlKey && !event.altKey && !event.metaKey;
  if (plainTab && app.codeMode && !app.tabEscapes) {
    event.preventDefault();
    insertAtCursor(ta, "  ");
    return;
  }
  // Any real key (not a modifier) cancels a pending Escape.
  if (!["Shift", "Control", "Alt", "Meta", "Tab"].includes(event.key)) app.tabEscapes = false;
}

function insertAtCursor(ta, text) {
  // execCommand keeps the browser's undo history; setRangeText is the fallback.
  let done = false;
  try {
    done = typeof document.execCommand === "function" && document.execCommand("insertText", false, text);
  } catch {
    done = false;
  }
  if (!done) {
    ta.setRangeText(text, ta.selectionStart, ta.selectionEnd, "end");
    ta.dispatchEvent(new Event("input", { bubbles: true }));
  }
}

/** The gutter beside the code editor: one number per line, scrolled with it. */
export function updateLineNumbers() {
  const ta = $("answer");
  const gutter = $("line-numbers");
  if (!app.codeMode) return;
  const lines = ta.value.split("\n").length;
  if (gutter.dataset.lines !== String(lines)) {
    gutter.textContent = Array.from({ length: lines }, (_, i) => i + 1).join("\n");
    gutter.dataset.lines = String(lines);
  }
  gutter.scrollTop = ta.scrollTop;
}
