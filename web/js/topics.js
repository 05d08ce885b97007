// "Practise topics": a drill of a few questions on topics the candidate
// picks, asked as the loop chosen in the lobby asks them, at its level.

import { $, el } from "./dom.js";
import { api } from "./api.js";
import { answering, beginSession, checkedLoop, chosenLoop, mayReplaceSession } from "./lobby.js";
import { clearAlert, showAlert } from "./views.js";

let shownFor = null; // the loop whose topics the list shows

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
  if (!mayReplaceSession()) return;
  const count = Math.min(10, Math.max(1, Number.parseInt($("topic-count").value, 10) || 3));
  const button = $("topic-start-btn");
  button.disabled = true;
  try {
    clearAlert();
    await beginSession({ ...chosenLoop(radio), topics, questions: count }, {
      loop: { id: radio.value, title: `Topics: ${topics.join(", ")}` },
      ...answering(),
    });
  } catch (err) {
    showAlert(err.message);
  } finally {
    button.disabled = false;
  }
}
