// Views and page-level messages: which view shows (`state.view`), heading
// focus, the role="alert" region and the connection banner
// (`state.banner`). The banner's buttons are handed in by app.js, so this
// module reaches into neither the socket nor the room.

import { $, el } from "./dom.js";

const VIEWS = ["lobby", "room", "debrief", "history", "fit", "plan"];
const TITLES = {
  lobby: "Practice interview", room: "Interview", debrief: "Debrief", history: "History",
  fit: "Fit map", plan: "Prep plan",
};

let current = "lobby";

/** Subscriber: shows `state.view`, and the banner `state.banner` asks for. */
export function viewRenderer({ reconnectNow, leaveRoom }) {
  return (state, prev) => {
    if (state.view !== prev.view) {
      current = state.view;
      for (const v of VIEWS) $(`${v}-view`).hidden = v !== current;
      document.title = `${TITLES[current]} — mockloop`;
    }
    if (state.banner !== prev.banner) renderBanner(state.banner, { reconnectNow, leaveRoom });
  };
}

export function focusViewHeading() {
  const heading = $(`${current}-title`);
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

const LOST = "Connection lost — reconnecting…";
const BANNERS = {
  lost: { message: LOST, retry: true },
  still_trying: {
    message: LOST, retry: true, extra: "Still trying. Check that the server is running; your answers so far are saved.",
  },
  gone: {
    message: "This interview is no longer on the server.",
    extra: "It was deleted, or the server's data was reset, so it cannot be resumed. " +
      "Start a new interview from the lobby.",
  },
  disconnected: { message: "Disconnected from the interview.", retry: true },
};

function renderBanner(banner, { reconnectNow, leaveRoom }) {
  const box = $("conn");
  const shown = banner && BANNERS[banner.kind];
  if (!shown) {
    box.replaceChildren();
    return;
  }
  const parts = [el("p", {}, shown.message)];
  if (shown.extra) parts.push(el("p", { class: "small-text" }, shown.extra));
  const actions = el("div", { class: "actions" });
  if (shown.retry) {
    actions.append(el("button", { type: "button", class: "small", onclick: reconnectNow }, "Reconnect now"));
  }
  actions.append(el("button", { type: "button", class: "small", onclick: leaveRoom }, "Back to the lobby"));
  parts.push(actions);
  box.replaceChildren(...parts);
}
