// The code editor of coding rounds: CodeMirror 6, vendored as plain ES
// modules in web/vendor/codemirror/ (tools/codemirror/ pins and refreshes
// them). Loaded only when a coding question comes up (editor.js imports this
// module on demand), so the lobby and other rounds do not fetch it.
//
// The editor lives in a shadow root: CodeMirror injects its styles as a
// stylesheet, which the page's Content-Security-Policy (style-src 'self')
// forbids as a <style> element but allows as the shadow root's constructed
// stylesheet. The page's CSS variables still reach inside, so the editor
// follows the light and dark themes.

import { Annotation, Compartment, EditorState } from "../vendor/codemirror/codemirror-state.js";
import {
  EditorView, drawSelection, highlightActiveLine, highlightActiveLineGutter, highlightSpecialChars, keymap,
  lineNumbers,
} from "../vendor/codemirror/codemirror-view.js";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "../vendor/codemirror/codemirror-commands.js";
import {
  HighlightStyle, StreamLanguage, bracketMatching, indentOnInput, indentUnit, syntaxHighlighting,
} from "../vendor/codemirror/codemirror-language.js";
import { highlightSelectionMatches, searchKeymap } from "../vendor/codemirror/codemirror-search.js";
import { closeBrackets, closeBracketsKeymap } from "../vendor/codemirror/codemirror-autocomplete.js";
import { python } from "../vendor/codemirror/codemirror-lang-python.js";
import { javascript } from "../vendor/codemirror/codemirror-lang-javascript.js";
import { java } from "../vendor/codemirror/codemirror-lang-java.js";
import { cpp } from "../vendor/codemirror/codemirror-lang-cpp.js";
import { csharp } from "../vendor/codemirror/codemirror-legacy-modes-mode-clike.js";
import { tags } from "../vendor/codemirror/lezer-highlight.js";

/** Each language's own indentation: PEP 8's four spaces, two for JavaScript, four for Java, C++ and C# (their usual style guides). */
const LANGUAGES = {
  python: () => [python(), indentUnit.of("    ")],
  javascript: () => [javascript(), indentUnit.of("  ")],
  java: () => [java(), indentUnit.of("    ")],
  cpp: () => [cpp(), indentUnit.of("    ")],
  csharp: () => [StreamLanguage.define(csharp), indentUnit.of("    ")],
};

// Text put in by the app (a stub, a restored draft) rather than typed.
const external = Annotation.define();

const highlight = HighlightStyle.define([
  { tag: [tags.keyword, tags.controlKeyword, tags.definitionKeyword, tags.moduleKeyword], color: "var(--code-keyword)" },
  { tag: [tags.string, tags.special(tags.string)], color: "var(--code-string)" },
  { tag: [tags.number, tags.bool, tags.null], color: "var(--code-number)" },
  { tag: [tags.comment, tags.lineComment, tags.blockComment], color: "var(--code-comment)", fontStyle: "italic" },
  { tag: [tags.function(tags.definition(tags.variableName)), tags.definition(tags.className)], color: "var(--code-definition)" },
  { tag: [tags.self, tags.atom], color: "var(--code-number)" },
]);

const theme = EditorView.theme({
  "&": {
    backgroundColor: "var(--surface)",
    color: "var(--text)",
    border: "1px solid var(--border)",
    borderRadius: "var(--radius)",
    fontSize: "0.95rem",
  },
  "&.cm-focused": { outline: "3px solid var(--focus)", outlineOffset: "1px" },
  ".cm-scroller": { fontFamily: "var(--mono)", minHeight: "14rem", maxHeight: "32rem", lineHeight: "1.5" },
  ".cm-content": { caretColor: "var(--text)" },
  ".cm-cursor, .cm-dropCursor": { borderLeftColor: "var(--text)" },
  ".cm-gutters": { backgroundColor: "var(--bg)", color: "var(--muted)", borderRight: "1px solid var(--border)" },
  ".cm-activeLine, .cm-activeLineGutter": { backgroundColor: "color-mix(in srgb, var(--accent) 8%, transparent)" },
  "&.cm-focused .cm-selectionBackground, .cm-selectionBackground, .cm-content ::selection": {
    backgroundColor: "color-mix(in srgb, var(--accent) 30%, transparent)",
  },
  ".cm-matchingBracket": { backgroundColor: "color-mix(in srgb, var(--ok) 30%, transparent)", outline: "none" },
  ".cm-panels": { backgroundColor: "var(--bg)", color: "var(--text)" },
  ".cm-panels input, .cm-panels button": { font: "inherit", color: "inherit" },
});

/**
 * Mounts an editor in `host` (an empty element) holding `text`.
 * `onChange(text)` hears every change the candidate makes (not `setText`);
 * `onSubmit()` is Ctrl/Cmd+Enter.
 */
export function createCodeEditor(host, { text, language, label, onChange, onSubmit }) {
  const shadow = host.shadowRoot || host.attachShadow({ mode: "open" });
  shadow.replaceChildren();
  const lang = new Compartment();
  const state = EditorState.create({
    doc: text,
    extensions: [
      lineNumbers(),
      highlightActiveLineGutter(),
      highlightSpecialChars(),
      history(),
      drawSelection(),
      indentOnInput(),
      bracketMatching(),
      closeBrackets(),
      highlightActiveLine(),
      highlightSelectionMatches(),
      syntaxHighlighting(highlight),
      theme,
      lang.of(languageOf(language)),
      EditorView.contentAttributes.of({ "aria-label": label }),
      // Before the default keys, so Mod-Enter sends rather than inserting a line.
      keymap.of([
        { key: "Mod-Enter", run: () => { onSubmit(); return true; } },
        ...closeBracketsKeymap, ...defaultKeymap, ...searchKeymap, ...historyKeymap, indentWithTab,
      ]),
      EditorView.updateListener.of((update) => {
        if (!update.docChanged) return;
        if (update.transactions.some((tr) => tr.annotation(external))) return;
        onChange(update.state.doc.toString());
      }),
    ],
  });
  const view = new EditorView({ state, parent: shadow, root: shadow });
  return {
    setText(next) {
      if (next === view.state.doc.toString()) return;
      view.dispatch({
        changes: { from: 0, to: view.state.doc.length, insert: next },
        selection: { anchor: next.length },
        annotations: external.of(true),
      });
    },
    setLanguage(next) {
      view.dispatch({ effects: lang.reconfigure(languageOf(next)) });
    },
    focus: () => view.focus(),
  };
}

function languageOf(name) {
  return (LANGUAGES[name] || LANGUAGES.python)();
}
