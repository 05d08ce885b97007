// The operator console (operator.html): sign in with the operator token,
// then edit content, try a rubric on a pasted answer, and regrade stored
// sessions. Same safety rule as the candidate app: server and user text
// reaches the page only through text nodes (dom.js el()), never innerHTML.
//
//   session.js   the token (sessionStorage) and authorised requests
//   alerts.js    the role="alert" region
//   content.js   file list, editor, live validation, save
//   try.js       try a rubric on a pasted answer
//   regrade.js   sessions, regrade, old vs new

import { $ } from "../dom.js";
import { forget, remember, token } from "./session.js";
import { clearAlert, showAlert } from "./alerts.js";
import { initContent, isDirty, loadListing } from "./content.js";
import { initTry, setListing } from "./try.js";
import { initRegrade, loadSessions } from "./regrade.js";

/** Shows a view; its heading takes focus, except on page load. */
function show(view, { focus = true } = {}) {
  $("login-view").hidden = view !== "login";
  $("console-view").hidden = view !== "console";
  if (focus) $(`${view}-title`).focus();
}

async function enter() {
  try {
    await loadListing();
    await loadSessions();
    clearAlert();
    show("console");
  } catch (err) {
    // A wrong token has already signed the tab out (session.js).
    show(token() ? "console" : "login");
    showAlert(err.code === "unauthorized"
      ? "That is not this server's operator token. It is set in [server] operator_token, " +
        "or MOCKLOOP_OPERATOR_TOKEN, where the server runs."
      : err.message);
  }
}

function init() {
  initContent(setListing);
  initTry();
  initRegrade();
  $("login-form").addEventListener("submit", (e) => {
    e.preventDefault();
    remember($("token").value.trim());
    $("token").value = "";
    enter();
  });
  $("sign-out-btn").addEventListener("click", () => {
    forget();
    show("login");
  });
  document.addEventListener("operator-signed-out", () => show("login"));
  window.addEventListener("beforeunload", (e) => {
    if (isDirty()) e.preventDefault();
  });
  if (token()) enter();
  else show("login", { focus: false });
}

init();
