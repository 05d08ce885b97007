// The fit map view: the job posting's requirements against the résumé's
// own lines, the core values against bullets that could carry a story,
// the three risks to prepare first, the questions most likely for this
// background (each a one-question drill away), and the scores.

import { $, el } from "./dom.js";
import { kindLabel } from "./format.js";
import { store } from "./store.js";
import { clearAlert, showAlert } from "./views.js";
import { answering, beginSession, loopRecord, mayReplaceSession } from "./lobby.js";
import { linked, readFit } from "./profile-api.js";

const STATUS = { evidenced: "Evidenced", partial: "Partial", missing: "Missing" };
const SCORES = [["skills", "Skills"], ["experience", "Experience"], ["values", "Values"], ["overall", "Overall"]];

/**
 * Reads the fit map of `profile` for `body`'s loop and level (a session
 * body: {loop_id, level?}) and shows it. Throws what the server said
 * (a 409 missing_documents until both texts are there).
 */
export async function showFit(profile, body) {
  const fit = await readFit(profile, body.loop_id, body.level);
  if (!fit || typeof fit !== "object") throw new Error("The server did not return a fit map.");
  renderFit(fit, (drilled, button) => practise(profile, body, drilled, button));
  clearAlert();
  store.dispatch({ type: "show_view", view: "fit" });
}

function list(value) {
  return Array.isArray(value) ? value.filter((v) => v && typeof v === "object") : [];
}

function quotes(value) {
  return Array.isArray(value) ? value.filter((q) => typeof q === "string" && q.trim()) : [];
}

function renderFit(fit, onPractise) {
  const loop = loopRecord(fit.loop_id);
  const title = (loop && loop.title) || fit.loop_id || "this loop";
  $("fit-title").textContent = `Your fit map: ${title}`;
  $("fit").replaceChildren(...[
    el("p", {}, `For ${title}${fit.level ? ` at ${fit.level}` : ""}. `,
      el("span", { class: "muted" },
        "Made by software from your résumé and the posting: a guide to what to prepare, not a judgement of you.")),
    renderScores(fit.scores),
    renderRequirements(list(fit.requirements)),
    renderValues(list(fit.values)),
    renderRisks(list(fit.risks)),
    renderQuestions(list(fit.questions), onPractise),
  ].filter(Boolean));
}

function percent(value) {
  return typeof value === "number" && Number.isFinite(value) ? `${Math.round(value * 100)}%` : "—";
}

function renderScores(scores) {
  const s = scores && typeof scores === "object" ? scores : {};
  return el("section", { class: "panel", "aria-labelledby": "fit-scores-heading" },
    el("h2", { id: "fit-scores-heading" }, "How your résumé matches"),
    el("dl", { id: "fit-scores", class: "fit-scores" }, SCORES.map(([key, name]) => el("div", { "data-score": key },
      el("dt", {}, name),
      el("dd", {}, percent(s[key]))))));
}

function badge(status) {
  const known = STATUS[status] ? status : "missing";
  return el("span", { class: `badge badge-${known}` }, STATUS[known]);
}

function renderRequirements(reqs) {
  const count = (status) => reqs.filter((r) => r.status === status).length;
  return el("section", { "aria-labelledby": "fit-reqs-heading" },
    el("h2", { id: "fit-reqs-heading" }, "What the posting asks for"),
    reqs.length === 0 ? el("p", {}, "No requirements were found in the posting.")
      : [
        el("p", {}, `${count("evidenced")} evidenced, ${count("partial")} partly evidenced and ${count("missing")} ` +
          "missing from your résumé."),
        el("ul", { id: "fit-requirements", class: "requirements" }, reqs.map((r) => {
          const evidence = quotes(r.evidence);
          const kind = [r.kind === "preferred" ? "Preferred" : "Required", r.category].filter(Boolean).join(" · ");
          return el("li", { class: "requirement", "data-status": STATUS[r.status] ? r.status : "missing" },
            el("p", { class: "requirement-head" }, badge(r.status), " ", el("span", {}, r.text || "")),
            el("p", { class: "small-text" }, kind),
            evidence.length > 0
              ? el("div", { class: "evidence" },
                el("p", { class: "small-text" }, "From your résumé:"),
                el("ul", { class: "quotes" }, evidence.map((q) => el("li", {}, el("q", {}, q)))))
              : el("p", { class: "small-text" }, "No line of your résumé says this."));
        })),
      ]);
}

function renderValues(values) {
  if (values.length === 0) return null;
  return el("section", { "aria-labelledby": "fit-values-heading" },
    el("h2", { id: "fit-values-heading" }, "The core values"),
    el("p", { class: "hint" }, "Interviewers ask for a story on each. These résumé bullets could carry one."),
    el("ul", { id: "fit-values", class: "requirements" }, values.map((v) => {
      const bullets = quotes(v.bullets);
      const gap = v.gap === true || bullets.length === 0;
      return el("li", { class: "requirement", "data-gap": gap ? "true" : "false" },
        el("p", { class: "requirement-head" }, el("strong", {}, v.name || v.topic || ""),
          gap && [" ", el("span", { class: "badge badge-missing" }, "Gap")]),
        gap ? el("p", { class: "small-text" },
          "No bullet of your résumé could carry a story on this: prepare one from elsewhere in your work.")
          : el("ul", { class: "quotes" }, bullets.map((b) => el("li", {}, el("q", {}, b)))));
    })));
}

function renderRisks(risks) {
  if (risks.length === 0) return null;
  return el("section", { "aria-labelledby": "fit-risks-heading" },
    el("h2", { id: "fit-risks-heading" }, "Risks to prepare first"),
    el("ol", { id: "fit-risks", class: "risks" }, risks.slice(0, 3).map((r) => el("li", { class: "card" },
      el("h3", {}, r.title || ""),
      r.why && el("p", {}, r.why),
      r.prepare && el("p", {}, el("strong", {}, "What to prepare: "), r.prepare)))));
}

function renderQuestions(questions, onPractise) {
  if (questions.length === 0) return null;
  return el("section", { "aria-labelledby": "fit-questions-heading" },
    el("h2", { id: "fit-questions-heading" }, "Questions you are likely to be asked"),
    el("p", { class: "hint" }, "Most likely first. Practise one on its own, asked as this loop asks it."),
    el("ol", { id: "fit-questions", class: "likely" }, questions.map((q) => {
      const title = q.title || q.question_id;
      return el("li", {},
        el("p", {}, el("strong", {}, title), q.round_kind ? ` · ${kindLabel(q.round_kind)}` : ""),
        q.why && el("p", { class: "small-text" }, q.why),
        typeof q.question_id === "string" && el("button", {
          type: "button", class: "small practise", "aria-label": `Practise this: ${title}`,
          onclick: (e) => onPractise(q, e.currentTarget),
        }, "Practise this"));
    })));
}

/** "Practise this": a one-question drill on it, linked to the profile. */
async function practise(profile, body, question, button) {
  if (!mayReplaceSession()) return;
  button.disabled = true;
  try {
    await beginSession(linked(profile, { ...body, question_id: question.question_id }), {
      loop: { id: body.loop_id, title: `Practise: ${question.title || "one question"}` },
      ...answering(),
      profile_id: profile.profile_id,
    });
  } catch (err) {
    showAlert(err.message);
  } finally {
    button.disabled = false;
  }
}
