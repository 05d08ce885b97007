// "Practise topics": a drill of a few questions on topics the candidate
// picks, asked as the loop chosen in the lobby asks them, at its level.

import { $, el } from "./dom.js";
import { api } from "./api.js";
import { beginSession, chosenLoop } from "./lobby.js";
import { clearAlert, showAlert } from "./views.js";
import { store } from "./store.js";

let shownFor = null; // the loop whose topics the list shows

function checkedLoop() {
  return document.querySelector('input[name="loop"]:checked');
}

/** Lists the chosen loop's topics, once the box is open (again if the loop changed). */
export async function loadTopics() {
  const box = $("topic-drill");
  const radio = checkedLoop();
  if (!box.open || !radio || shownFor === radio.value) return;
  shownFor = radio.value;
  const list = $("topic-list");
  try {
    const topics = await api("GET", `api/topics?loop_id=${encodeURIComponent(radio.value)}`);
    list.replaceChildren(...(Array.isArray(topics) ? topics : []).map((t, i) =>
      el("label", { class: "topic" },
        el("input", { type: "checkbox", name: "topic", value: t.topic, id: `topic-${i}` }),
        ` ${t.topic.replaceAll("-", " ")} (${t.questions})`)));
    if (!list.children.length) list.append(el("p", {}, "This loop's questions carry no topics."));
  } catch (err) {
    shownFor = null;
    list.replaceChildren(el("p", {}, "The topics could not be loaded."));
    showAlert(err.message);
  }
}

export async function startTopicDrill() {
  const radio = checkedLoop();
  const topics = [...document.querySelectorAll('input[name="topic"]:checked')].map((c) => c.value);
  if (!radio || topics.length === 0) {
    showAlert("Pick at least one topic to practise.");
    return;
  }
  const current = store.getState().record;
  if (current && !current.finished &&
      !window.confirm("Starting a new interview forgets the one in progress on this device. Continue?")) {
    return;
  }
  const count = Math.min(10, Math.max(1, Number.parseInt($("topic-count").value, 10) || 3));
  const button = $("topic-start-btn");
  button.disabled = true;
  try {
    clearAlert();
    const mode = document.querySelector('input[name="mode"]:checked');
    await beginSession({ ...chosenLoop(radio), topics, questions: count }, {
      loop: { id: radio.value, title: `Topics: ${topics.join(", ")}` },
      mode: mode ? mode.value : "text",
      live_scores: $("live-scores").checked,
    });
  } catch (err) {
    showAlert(err.message);
  } finally {
    button.disabled = false;
  }
}
