// The transcript log: prompts, the candidate's answers with their status
// (pending / saved / unconfirmed / failed) and what happened in between,
// rendered from `state.log`. Entries are only ever added, and an answer's
// status changes in place, so what a screen reader has read stays put.

import { $, el } from "./dom.js";

const STATUS_TEXTS = {
  pending: "— sending…",
  saved: "— saved",
  unconfirmed: "— not confirmed by the server",
};

/** Subscriber: the log as the state has it; `putBack` puts an answer's text back in the editor. */
export function logRenderer({ putBack }) {
  let shown = []; // the entries on the page, with their nodes
  let room = null;
  return (state) => {
    const log = state.log;
    if (state.room !== room) {
      // A new room: the list starts afresh.
      room = state.room;
      $("log").replaceChildren();
      shown = [];
    }
    for (let i = 0; i < log.length; i++) {
      const entry = log[i];
      if (i < shown.length) {
        if (shown[i].entry !== entry) updateStatus(shown[i], entry, putBack);
        shown[i].entry = entry;
        continue;
      }
      const item = { entry, node: renderEntry(entry), status: null };
      $("log").append(item.node);
      shown.push(item);
      if (entry.status) {
        item.status = el("span", { class: "status" });
        item.node.querySelector(".entry-label").append(" ", item.status);
        updateStatus(item, entry, putBack);
      }
    }
  };
}

function renderEntry(entry) {
  const text = (value, code) => el("div", { class: code ? "text code" : "text" }, value);
  let body;
  if (entry.kind === "prompt") {
    // What the interviewer says first: a word on the last answer, or why
    // it is moving on.
    body = [
      entry.lead && el("p", { class: "lead" }, entry.lead),
      entry.intro && el("p", { class: "intro" }, entry.intro),
      text(entry.text, false),
    ];
  } else if (entry.kind === "answer") {
    body = [text(entry.text, entry.code)];
  } else if (entry.unsent) {
    body = [
      el("p", { class: "small-text" }, "What you had typed for the last question (it was not sent):"),
      ...entry.unsent.map((t) => text(t, false)),
    ];
  } else {
    body = entry.lines;
  }
  return el("li", { class: `entry entry-${entry.kind}` }, el("p", { class: "entry-label" }, entry.label), body);
}

function updateStatus(item, entry, putBack) {
  if (!item.status || !entry.status) return;
  item.status.textContent = entry.status === "failed"
    ? `— not saved${entry.detail ? `: ${entry.detail}` : ""}` : STATUS_TEXTS[entry.status];
  item.node.dataset.status = entry.status;
  const old = item.node.querySelector(".put-back");
  if (old) old.remove();
  if (entry.status === "unconfirmed" || entry.status === "failed") {
    item.node.append(el("button", {
      type: "button", class: "small put-back", onclick: () => putBack(entry.text),
    }, "Put this answer back in the editor"));
  }
}
