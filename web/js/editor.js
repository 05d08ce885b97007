// The answer box: a plain text area for prose, and in coding rounds the code
// editor (code-editor.js, loaded on first use) with a notes area for the
// reasoning beside it. The text area always holds the answer's text (the
// code), so drafts, sending and time-up read one place; the code editor
// writes every change through to it. `answerText()` is what would be sent.

import { $ } from "./dom.js";
import { app } from "./state.js";
import { saveDraft, saveNotes } from "./storage.js";
import { submitAnswer } from "./answers.js";

export const MAX_ANSWER_CHARS = 20000;

const PROSE_HINT = "Press Ctrl+Enter (or Cmd+Enter) to send.";
const CODE_HINT = "Code editor: Tab indents (four spaces in Python, two in JavaScript); press Escape, then Tab, " +
  "to leave it. Ctrl+F searches. Ctrl+Enter (or Cmd+Enter) sends.";
const FALLBACK_HINT = "The code editor could not load, so this is a plain text box. Ctrl+Enter (or Cmd+Enter) sends.";

let code = null; // the code editor once mounted
let loading = null; // its module while it loads
let failed = false; // it could not load: the text area stands in

export function setCodeMode(on) {
  app.codeMode = on;
  const ta = $("answer");
  ta.classList.toggle("code", on);
  ta.spellcheck = !on;
  ta.setAttribute("autocapitalize", on ? "off" : "sentences");
  $("answer-hint").textContent = !on ? PROSE_HINT : failed ? FALLBACK_HINT : CODE_HINT;
  $("notes-box").hidden = !on;
  if (!on) {
    $("code-editor").hidden = true;
    ta.hidden = false;
    return;
  }
  if (code) {
    showCode();
    return;
  }
  loading ||= import("./code-editor.js").then(
    (module) => {
      code = module.createCodeEditor($("code-editor"), {
        text: ta.value,
        language: $("code-language").value,
        label: "Your answer (code)",
        onChange: writeThrough,
        onSubmit: submitAnswer,
      });
      if (app.codeMode) showCode();
    },
    (err) => {
      console.error("mockloop: the code editor did not load", err);
      failed = true;
      if (app.codeMode) $("answer-hint").textContent = FALLBACK_HINT;
    },
  );
}

function showCode() {
  const ta = $("answer");
  const hadFocus = document.activeElement === ta;
  code.setText(ta.value);
  code.setLanguage($("code-language").value);
  ta.hidden = true;
  $("code-editor").hidden = false;
  if (hadFocus) code.focus();
}

/** The candidate changed the code: the text area takes it, as if typed there. */
function writeThrough(text) {
  const ta = $("answer");
  ta.value = text;
  ta.dispatchEvent(new Event("input", { bubbles: true }));
}

/**
 * What sending now would send: the box's text, and in coding rounds the
 * notes first with the code after them, fenced in its language (as a
 * candidate would paste code into prose, and as the grader reads it).
 */
export function answerText() {
  const code = $("answer").value;
  const notes = app.codeMode ? $("notes").value.trim() : "";
  if (!notes) return code;
  if (!code.trim()) return notes;
  return `${notes}\n\n\`\`\`${$("code-language").value}\n${code.trimEnd()}\n\`\`\``;
}

/** Puts `text` in the answer box (a stub, a restored draft, an empty box). */
export function setAnswer(text) {
  $("answer").value = text;
  if (code && app.codeMode) code.setText(text);
}

/** Empties the answer box and the notes, and their saved drafts. */
export function clearAnswer() {
  setAnswer("");
  saveDraft("");
  clearNotes();
  updateCount();
}

/** Empties the notes (said with the code they went with) and their draft. */
export function clearNotes() {
  $("notes").value = "";
  saveNotes("");
}

export function focusAnswer() {
  if (code && app.codeMode && !$("code-editor").hidden) code.focus();
  else $("answer").focus();
}

/** The candidate picked another language: highlight and indent as it does. */
export function setCodeLanguage(language) {
  if (code) code.setLanguage(language);
}

export function updateCount() {
  const n = answerText().length;
  // Only mention the limit when it is getting close; otherwise it is noise.
  $("answer-count").textContent = n > MAX_ANSWER_CHARS * 0.9
    ? `${n} of ${MAX_ANSWER_CHARS} characters.` : "";
}

/** Ctrl/Cmd+Enter in the text area sends (the code editor has its own key). */
export function onEditorKeydown(event) {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    submitAnswer();
  }
}
