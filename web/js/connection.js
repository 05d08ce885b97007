// WebSocket: connect, resume from last_seq, drop replayed duplicates,
// reconnect with backoff, send.

import { ApiError, api, sessionPath } from "./api.js";
import { app } from "./state.js";
import { clearRecord, recordEvent } from "./storage.js";
import { hideBanner, showAlert, showBanner } from "./views.js";
import { applyEvent, handleWelcome } from "./events.js";
import { updateControls } from "./room.js";
import { flushDraft, resendDraft } from "./draft.js";

function wsUrl(session) {
  const url = new URL(sessionPath(session, "ws"), document.baseURI);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.toString();
}

export function connect() {
  clearTimeout(app.reconnectTimer);
  app.reconnectTimer = null;
  if (!app.record) return;
  app.wantSocket = true;
  let ws;
  try {
    ws = new WebSocket(wsUrl(app.record));
  } catch (err) {
    console.error("mockloop: cannot open WebSocket", err);
    scheduleReconnect();
    return;
  }
  app.ws = ws;
  // Each handler checks it still belongs to the current socket, so events
  // from a socket we already gave up on cannot disturb the new one.
  ws.addEventListener("open", () => {
    if (app.ws !== ws) return;
    app.open = true;
    // Always first: starts or un-pauses the interview and asks for every
    // event after the last one we have.
    sendRaw({ type: "resume", last_seq: app.lastSeq });
    resendDraft();
    updateControls();
  });
  ws.addEventListener("message", (event) => {
    if (app.ws !== ws) return;
    onMessage(event.data);
  });
  ws.addEventListener("close", () => {
    if (app.ws !== ws) return;
    app.ws = null;
    app.open = false;
    updateControls();
    if (app.wantSocket && !(app.record && app.record.finished)) scheduleReconnect();
  });
  // "error" is always followed by "close", which does the work.
}

function scheduleReconnect() {
  clearTimeout(app.reconnectTimer);
  const delay = Math.min(500 * 2 ** app.attempt, 5000); // 0.5s, 1s, 2s, 4s, 5s, 5s…
  app.attempt += 1;
  // Set the banner text once per outage (and once more after a while), so
  // screen readers are not told the same thing on every attempt.
  if (app.attempt === 1) showBanner("Connection lost — reconnecting…", { retry: true });
  if (app.attempt === 6) {
    showBanner("Connection lost — reconnecting…", {
      retry: true, extra: "Still trying. Check that the server is running; your answers so far are saved.",
    });
  }
  app.reconnectTimer = setTimeout(connect, delay);
  checkSessionExists();
}

/**
 * A browser is not told why a WebSocket upgrade failed, so a session the
 * server no longer has (deleted, or its data reset) would look like an
 * outage forever. The REST API says: it refuses the session's token with
 * 401 then. Any other answer, or none, means keep trying.
 */
async function checkSessionExists() {
  const record = app.record;
  try {
    await api("GET", sessionPath(record));
  } catch (err) {
    const gone = err instanceof ApiError && err.code === "unauthorized";
    // Only if nothing moved on meanwhile (a reconnect, the lobby).
    if (gone && app.record === record && app.wantSocket && !app.open) sessionGone();
  }
}

/** The server no longer has this interview: stop, forget it, say so. */
export function sessionGone() {
  stopSocket();
  // It can never be resumed: forget it here too, so the lobby offers no
  // Resume that would fail the same way.
  clearRecord();
  showBanner("This interview is no longer on the server.", {
    extra: "It was deleted, or the server's data was reset, so it cannot be resumed. " +
      "Start a new interview from the lobby.",
  });
  updateControls();
}

export function reconnectNow() {
  if (!app.record) return;
  if (app.ws) {
    const old = app.ws;
    app.ws = null;
    old.close();
  }
  app.open = false;
  connect();
}

export function stopSocket() {
  app.wantSocket = false;
  clearTimeout(app.reconnectTimer);
  app.reconnectTimer = null;
  clearTimeout(app.reportTimer);
  if (app.ws) {
    const ws = app.ws;
    app.ws = null;
    try {
      ws.close(1000, "client left");
    } catch {
      /* already closed */
    }
  }
  app.open = false;
  app.attempt = 0;
  hideBanner();
}

function sendRaw(obj) {
  if (!app.ws || app.ws.readyState !== WebSocket.OPEN) return false;
  app.ws.send(JSON.stringify(obj));
  app.lastOutbound = obj.type;
  return true;
}

/** Sends a binary (audio) frame; dropped while offline, as audio is live. */
export function sendBinary(buffer) {
  if (!app.ws || app.ws.readyState !== WebSocket.OPEN) return false;
  app.ws.send(buffer);
  return true;
}

/** Sends a message that is not worth an alert when offline (a draft). */
export function sendQuietly(obj) {
  return sendRaw(obj);
}

/** Send a client message, telling the user when we are offline. */
export function send(obj) {
  flushDraft();
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
  try {
    if (msg.type === "welcome") {
      // welcome carries the server's current seq but is never re-sent and is
      // not an event itself, so it must not advance last_seq (that would make
      // us drop the replay that follows it).
      handleWelcome(msg);
      return;
    }
    if (typeof msg.seq === "number") {
      if (msg.seq <= app.lastSeq) return; // already seen: replays overlap
      app.lastSeq = msg.seq;
      recordEvent(msg);
    }
    applyEvent(msg, { live: true, at: Date.now() });
  } catch (err) {
    // A rendering bug must not take the session down with it.
    console.error("mockloop: failed to handle message", err, msg);
  }
}
