// The page's timers, driven by the store: the wait for an answer's ack,
// the wait for a debrief before reading report.json, and the countdown's
// redraw. The reducer holds each wait as data (an id in `pending.armed`,
// `reportWait`); this starts and stops the real timers to match, and tells
// the store when one runs out.

import { store } from "./store.js";

// An answer that has had no "ack" after this long is shown as unconfirmed and
// the candidate can put it back in the editor, so a lost frame never loses text.
const ACK_TIMEOUT_MS = 10000;

// If the server says the session is finished but no debrief arrives in the
// replay, fall back to report.json after this delay.
const REPORT_FALLBACK_MS = 2000;

// The countdown shows whole seconds.
const TICK_MS = 1000;

/** Subscriber and clock; `tick` redraws the countdown, `fetchReport` reads report.json. */
export function timers({ tick, fetchReport }) {
  let ackTimer = null;
  let reportTimer = null;
  setInterval(tick, TICK_MS);
  return (state, prev) => {
    const armed = state.pending ? state.pending.armed : null;
    const wasArmed = prev.pending ? prev.pending.armed : null;
    if (armed !== wasArmed) {
      clearTimeout(ackTimer);
      ackTimer = armed == null ? null
        : setTimeout(() => store.dispatch({ type: "ack_timed_out", armed }), ACK_TIMEOUT_MS);
    }
    if (state.reportWait !== prev.reportWait) {
      clearTimeout(reportTimer);
      reportTimer = state.reportWait == null ? null : setTimeout(fetchReport, REPORT_FALLBACK_MS);
    }
  };
}
