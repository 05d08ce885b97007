// Try a rubric: score a pasted answer to one question with a saved rubric,
// or with the rubric still unsaved in the editor, and show the levels,
// evidence quotes and feedback the grader gave.

import { $, el } from "../dom.js";
import { operatorApi } from "./session.js";
import { unsavedRubric } from "./content.js";
import { showAlert, clearAlert } from "./alerts.js";

let listing = null;

export function initTry() {
  $("try-form").addEventListener("submit", (e) => {
    e.preventDefault();
    score();
  });
  $("try-question").addEventListener("change", renderRubrics);
  document.addEventListener("operator-file-opened", updateUnsaved);
  updateUnsaved();
}

/** Fills the question and rubric lists from the content listing. */
export function setListing(next) {
  listing = next;
  const select = $("try-question");
  const chosen = select.value;
  const kinds = [...new Set(next.questions.map((q) => q.kind))];
  select.replaceChildren(...kinds.map((kind) => el("optgroup", { label: kind },
    next.questions.filter((q) => q.kind === kind)
      .map((q) => el("option", { value: q.id, selected: q.id === chosen }, `${q.id} — ${q.title}`)))));
  renderRubrics();
}

function questionKind() {
  const q = listing && listing.questions.find((x) => x.id === $("try-question").value);
  return q ? q.kind : null;
}

function renderRubrics() {
  const kind = questionKind();
  const select = $("try-rubric");
  const options = (listing ? listing.rubrics : []).filter((r) => r.kind === kind)
    .map((r) => el("option", { value: r.id }, `${r.id} v${r.version} — ${r.title}`));
  select.replaceChildren(el("option", { value: "" }, `The ${kind || "round"} rubric (default)`), ...options);
}

function updateUnsaved() {
  const box = $("try-unsaved");
  const rubric = unsavedRubric();
  box.disabled = rubric === null;
  if (rubric === null) box.checked = false;
}

async function score() {
  clearAlert();
  const body = {
    question_id: $("try-question").value,
    answer: $("try-answer").value,
    grader: $("try-grader").value,
  };
  if ($("try-rubric").value) body.rubric = $("try-rubric").value;
  const unsaved = $("try-unsaved").checked ? unsavedRubric() : null;
  if (unsaved) body.edit = unsaved;
  const button = $("try-btn");
  button.disabled = true;
  $("try-result").replaceChildren(el("p", { class: "muted" }, "Scoring…"));
  try {
    renderScore(await operatorApi("POST", "api/operator/try", body), unsaved);
  } catch (err) {
    $("try-result").replaceChildren();
    const problems = err.data && err.data.diagnostics;
    if (problems) {
      showAlert(`The unsaved rubric has ${problems.length} problem(s); see the editor's messages.`);
    } else showAlert(err.message);
  } finally {
    button.disabled = false;
  }
}

function renderScore(score, unsaved) {
  const source = unsaved ? `unsaved ${unsaved.path}` : `${score.rubric_id} v${score.rubric_version}`;
  const flags = [
    score.fallback ? `fallback: ${score.fallback_reason || "the configured grader failed"}` : null,
    score.injection_suspected ? "injection suspected" : null,
  ].filter(Boolean);
  $("try-result").replaceChildren(
    el("h3", {}, `Overall ${score.overall.toFixed(2)} / 4`),
    el("p", { class: "small-text" }, `${score.grader}, rubric ${source}`, flags.length ? ` · ${flags.join(" · ")}` : ""),
    el("ul", { class: "dimensions try-dimensions" }, score.dimensions.map((d) => el("li", { class: "dimension" },
      el("p", { class: "dimension-head" }, el("strong", {}, d.name), ` level ${d.level} of 4`),
      el("p", {}, d.feedback),
      d.evidence.length
        ? el("ul", { class: "evidence" }, d.evidence.map((q) => el("li", {}, el("q", {}, q))))
        : el("p", { class: "small-text" }, "No evidence quoted."),
    ))),
  );
}
