// The console's role="alert" region.

import { $, el } from "../dom.js";

export function showAlert(message) {
  const dismiss = el("button", { type: "button", class: "small", onclick: clearAlert }, "Dismiss");
  $("alert").replaceChildren(el("p", {}, message), dismiss);
}

export function clearAlert() {
  $("alert").replaceChildren();
}
