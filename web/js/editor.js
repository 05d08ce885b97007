// The answer box: a plain text area for prose, and in coding rounds the code
// editor (code-editor.js, loaded on first use) with a notes area for the
// reasoning beside it. The text area always holds the answer's text (the
// code), so drafts, sending and time-up read one place; the code editor
// writes every change through to it. `answerText()` is what would be sent.
// The box's text is the DOM's, not the store's: the store says when it is a
// code editor (a coding round) and when it empties (effects).

import { $ } from "./dom.js";
import { codeMode } from "./reduce.js";
import { store } from "./store.js";
import { saveDraft, saveNotes } from "./storage.js";

export const MAX_ANSWER_CHARS = 20000;

const PROSE_HINT = "Press Ctrl+Enter (or Cmd+Enter) to send.";
const CODE_HINT = "Code editor: Tab indents (two spaces in JavaScript, four in the others); press Escape, then Tab, " +
  "to leave it. Ctrl+F searches. Ctrl+Enter (or Cmd+Enter) sends.";
const FALLBACK_HINT = "The code editor could not load, so this is a plain text box. Ctrl+Enter (or Cmd+Enter) sends.";

let code = null; // the code editor once mounted
let loading = null; // its module while it loads
let failed = false; // it could not load: the text area stands in
let isCode = false; // the box is in code mode
// Sending, handed in by app.js (Ctrl+Enter here, and in the code editor).
let submit = () => {};

/** Subscriber: each round's prompt sets the box's mode (code in coding rounds). */
export function editorRenderer({ onSubmit }) {
  submit = onSubmit;
  return (state, prev) => {
    if (state.round !== prev.round) setCodeMode(codeMode(state));
  };
}

function setCodeMode(on) {
  isCode = on;
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
        onSubmit: () => submit(),
      });
      if (isCode) showCode();
    },
    (err) => {
      console.error("mockloop: the code editor did not load", err);
      failed = true;
      if (isCode) $("answer-hint").textContent = FALLBACK_HINT;
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
  const notes = isCode ? $("notes").value.trim() : "";
  if (!notes) return code;
  if (!code.trim()) return notes;
  return `${notes}\n\n\`\`\`${$("code-language").value}\n${code.trimEnd()}\n\`\`\``;
}

/** Puts `text` in the answer box (a stub, a restored draft, an empty box). */
export function setAnswer(text) {
  $("answer").value = text;
  if (code && isCode) code.setText(text);
}

/** Empties the answer box and the notes, and their saved drafts. */
export function clearAnswer() {
  setAnswer("");
  saveAnswerDraft("");
  clearNotes();
  updateCount();
}

/** Empties the notes (said with the code they went with) and their draft. */
export function clearNotes() {
  $("notes").value = "";
  saveNotesDraft("");
}

/** A fresh room: an empty box, the drafts left as stored (a resumed room restores them). */
export function resetBox() {
  setAnswer("");
  $("notes").value = "";
}

/** Keeps the box's text (or the notes') for this session across a reload. */
export function saveAnswerDraft(text) {
  saveDraft(store.getState().record, text);
}

export function saveNotesDraft(text) {
  saveNotes(store.getState().record, text);
}

export function focusAnswer() {
  if (code && isCode && !$("code-editor").hidden) code.focus();
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
    submit();
  }
}
