// Views and page-level messages: switching views, heading focus, the
// role="alert" region and the connection banner.

import { $, el } from "./dom.js";
import { app } from "./state.js";
import { reconnectNow } from "./connection.js";
import { leaveRoom } from "./room.js";

export function showView(name, { focus = true } = {}) {
  app.view = name;
  for (const v of ["lobby", "room", "debrief", "history"]) $(`${v}-view`).hidden = v !== name;
  const titles = { lobby: "Practice interview", room: "Interview", debrief: "Debrief", history: "History" };
  document.title = `${titles[name]} — mockloop`;
  if (focus) focusViewHeading();
}

export function focusViewHeading() {
  const heading = $(`${app.view}-title`);
  if (heading) heading.focus();
}

/** Show a message in the role="alert" region, with a Dismiss button. */
export function showAlert(message) {
  const box = $("alert");
  const dismiss = el("button", { type: "button", class: "small", onclick: clearAlert }, "Dismiss");
  box.replaceChildren(el("p", {}, message), dismiss);
}

export function clearAlert() {
  const box = $("alert");
  // Keep keyboard users somewhere sensible when the focused button vanishes.
  const hadFocus = box.contains(document.activeElement);
  box.replaceChildren();
  if (hadFocus) focusViewHeading();
}

export function showBanner(message, { retry = false, extra = null } = {}) {
  const box = $("conn");
  const parts = [el("p", {}, message)];
  if (extra) parts.push(el("p", { class: "small-text" }, extra));
  const actions = el("div", { class: "actions" });
  if (retry) {
    actions.append(el("button", { type: "button", class: "small", onclick: reconnectNow }, "Reconnect now"));
  }
  actions.append(el("button", { type: "button", class: "small", onclick: leaveRoom }, "Back to the lobby"));
  parts.push(actions);
  box.replaceChildren(...parts);
}

export function hideBanner() {
  $("conn").replaceChildren();
}
