// WebSocket: connect, resume from last_seq, reconnect with backoff, send.
// Every frame that arrives goes to the store as `received` (the reducer
// drops replayed duplicates); what the socket's state means for the page
// (the banner, the controls) is the reducer's to say. The reducer asks for
// the socket to close through effects (`stopSocket`, `giveUp`).

import { ApiError, api, sessionPath } from "./api.js";
import { store } from "./store.js";
import { showAlert } from "./views.js";

let ws = null;
let wantSocket = false; // reconnect when it closes
let attempt = 0; // reconnects since the last welcome
let reconnectTimer = null;
// Called before every message worth an alert when offline, handed in by
// app.js: the waiting draft goes first (draft.js).
let beforeSend = () => {};

export function setBeforeSend(hook) {
  beforeSend = hook;
}

function wsUrl(session) {
  const url = new URL(sessionPath(session, "ws"), document.baseURI);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.toString();
}

export function connect() {
  clearTimeout(reconnectTimer);
  reconnectTimer = null;
  const record = store.getState().record;
  if (!record) return;
  wantSocket = true;
  let socket;
  try {
    socket = new WebSocket(wsUrl(record));
  } catch (err) {
    // Expected while offline (the banner says so, and we retry): a warning,
    // not an error, which the browser scenarios count as a bug.
    console.warn("mockloop: cannot open WebSocket", err);
    scheduleReconnect();
    return;
  }
  ws = socket;
  // Each handler checks it still belongs to the current socket, so events
  // from a socket we already gave up on cannot disturb the new one.
  socket.addEventListener("open", () => {
    if (ws !== socket) return;
    // Always first: starts or un-pauses the interview and asks for every
    // event after the last one we have. The draft follows (draft.js).
    sendRaw({ type: "resume", last_seq: store.getState().lastSeq });
    store.dispatch({ type: "socket_opened" });
  });
  socket.addEventListener("message", (event) => {
    if (ws !== socket) return;
    onMessage(event.data);
  });
  socket.addEventListener("close", () => {
    if (ws !== socket) return;
    ws = null;
    store.dispatch({ type: "socket_closed" });
    const r = store.getState().record;
    if (wantSocket && !(r && r.finished)) scheduleReconnect();
  });
  // "error" is always followed by "close", which does the work.
}

/** Back online: do not wait out the backoff. */
export function onOnline() {
  if (wantSocket && !ws) connect();
}

function scheduleReconnect() {
  clearTimeout(reconnectTimer);
  const delay = Math.min(500 * 2 ** attempt, 5000); // 0.5s, 1s, 2s, 4s, 5s, 5s…
  attempt += 1;
  store.dispatch({ type: "reconnecting", attempt });
  reconnectTimer = setTimeout(connect, delay);
  checkSessionExists();
}

/**
 * A browser is not told why a WebSocket upgrade failed, so a session the
 * server no longer has (deleted, or its data reset) would look like an
 * outage forever. The REST API says: it refuses the session's token with
 * 401 then. Any other answer, or none, means keep trying.
 */
async function checkSessionExists() {
  const record = store.getState().record;
  if (!record) return;
  try {
    await api("GET", sessionPath(record));
  } catch (err) {
    const gone = err instanceof ApiError && err.code === "unauthorized";
    // Only if nothing moved on meanwhile (a reconnect, the lobby).
    const now = store.getState();
    const same = now.record && now.record.session_id === record.session_id;
    if (gone && same && wantSocket && !now.open) store.dispatch({ type: "session_gone" });
  }
}

export function reconnectNow() {
  if (!store.getState().record) return;
  if (ws) {
    const old = ws;
    ws = null;
    old.close();
  }
  store.dispatch({ type: "socket_closed" });
  connect();
}

/** Closes the socket for good (the reducer has said why: left, finished, gone). */
export function stopSocket() {
  wantSocket = false;
  clearTimeout(reconnectTimer);
  reconnectTimer = null;
  if (ws) {
    const socket = ws;
    ws = null;
    try {
      socket.close(1000, "client left");
    } catch {
      /* already closed */
    }
  }
  attempt = 0;
}

/** The server is closing on purpose; retrying blindly would loop. */
export function giveUp() {
  wantSocket = false;
  clearTimeout(reconnectTimer);
}

function sendRaw(obj) {
  if (!ws || ws.readyState !== WebSocket.OPEN) return false;
  ws.send(JSON.stringify(obj));
  // An error that follows is about this frame.
  store.dispatch({ type: "sent", what: obj.type });
  return true;
}

/** Sends a binary (audio) frame; dropped while offline, as audio is live. */
export function sendBinary(buffer) {
  if (!ws || ws.readyState !== WebSocket.OPEN) return false;
  ws.send(buffer);
  return true;
}

/** Sends a message that is not worth an alert when offline (a draft). */
export function sendQuietly(obj) {
  return sendRaw(obj);
}

/** Send a client message, telling the user when we are offline. */
export function send(obj) {
  beforeSend();
  if (sendRaw(obj)) return true;
  showAlert("Not connected to the server right now. Wait for the connection to come back and try again.");
  return false;
}

function onMessage(data) {
  let msg;
  try {
    msg = JSON.parse(data);
  } catch {
    console.warn("mockloop: ignoring a frame that is not JSON");
    return;
  }
  if (!msg || typeof msg !== "object" || typeof msg.type !== "string") return;
  if (msg.type === "welcome") attempt = 0;
  // The store reports a failing action or view and carries on: a
  // rendering bug must not take the session down with it.
  store.dispatch({ type: "received", msg, at: Date.now() });
}
