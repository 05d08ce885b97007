// The application state shared by every module (one mutable object).

export const app = {
  view: "lobby",
  loops: [],
  record: null, // persisted session, see loadRecord()
  lastSeq: 0,
  loop: null, // loop as sent in "welcome" (has the rounds)
  state: "lobby", // server interview state
  round: null,
  timer: null, // {remaining, at, running}: remaining seconds as of time `at`
  pending: null, // the one answer awaiting its ack: {id, text, node, timer}
  unconfirmed: [], // answers whose ack did not come in time (oldest first)
  codeMode: false,
  starter: null, // the function stub the editor was last given (not the candidate's text)
  sent: null, // the text of the last answer sent (code stays in the editor after it)
  asked: null, // the question or follow-up on screen: {label, intro, text}
  hints: [], // hints given for it, shown beside it
  ws: null,
  open: false,
  wantSocket: false,
  attempt: 0,
  reconnectTimer: null,
  reportTimer: null,
  lastOutbound: null,
  nextLocalId: 1,
  lastFocusSend: false,
};
