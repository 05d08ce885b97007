// Labels and number / time formatting shared by the room and the debrief.

const KIND_LABELS = {
  screen: "Screen",
  coding: "Coding",
  "ml-coding": "ML coding",
  design: "System design",
  "ml-design": "ML system design",
  values: "Values",
  incident: "Incident response",
  "threat-model": "Threat modelling",
  product: "Product sense",
  program: "Program management",
  "customer-architecture": "Customer architecture",
  "data-design": "Data design",
};

export const CODE_KINDS = new Set(["coding", "ml-coding"]);

export function kindLabel(kind) {
  return KIND_LABELS[kind] || (typeof kind === "string" ? kind : "Round");
}

export function formatScore(value) {
  return typeof value === "number" && Number.isFinite(value) ? value.toFixed(2) : "—";
}

export function formatClock(seconds) {
  const s = Math.max(0, Math.ceil(seconds));
  const m = Math.floor(s / 60);
  return `${m}:${String(s % 60).padStart(2, "0")}`;
}

/**
 * "Under 2 minutes": a bound that stays true as the time runs down, for
 * text that is not redrawn every second (a live region would announce each
 * redraw).
 */
export function describeUnder(seconds) {
  const s = Math.max(1, Math.ceil(seconds));
  if (s <= 60) return `Under ${s} second${s === 1 ? "" : "s"}`;
  const m = Math.ceil(s / 60);
  return `Under ${m} minute${m === 1 ? "" : "s"}`;
}

/** "Coding", or "Behavioural (Values)": the kind only when the title does not say it. */
export function roundName(round) {
  const kind = kindLabel(round.kind);
  const title = round.title || kind;
  return title.toLowerCase().includes(kind.toLowerCase()) ? title : `${title} (${kind})`;
}

/** "1 h 45 min", "50 min". */
export function formatMinutes(minutes) {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h === 0 ? `${m} min` : m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/** "Round 2 of 6 · Coding"; adds the kind when the title does not say it. */
export function roundLabel(round, total) {
  const n = Number.isInteger(round.index) ? round.index + 1 : "?";
  return `Round ${n}${total ? ` of ${total}` : ""} · ${roundName(round)}`;
}

const VERDICTS = {
  strong_no_hire: "Strong no hire",
  no_hire: "No hire",
  hire: "Hire",
  strong_hire: "Strong hire",
};

export function verdictLabel(verdict) {
  return VERDICTS[verdict] || (typeof verdict === "string" ? verdict.replace(/_/g, " ") : "No verdict");
}
