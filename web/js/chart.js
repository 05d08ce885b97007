// The debrief's dimension chart: the SVG the server renders for report.html
// (chart.svg), inlined so the page and the exported report show the same
// picture and the page's colours apply to its text.

import { el } from "./dom.js";
import { sessionPath } from "./api.js";

/** A placeholder now, the chart once it loads (the table beside it has the numbers). */
export function serverChart(session) {
  const holder = el("div", { class: "chart" }, el("p", { class: "muted" }, "Loading the chart…"));
  loadInto(holder, session);
  return holder;
}

async function loadInto(holder, session) {
  try {
    const res = await fetch(new URL(sessionPath(session, "chart.svg"), document.baseURI));
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    // Parsed as XML, never as HTML: an SVG parsed this way runs no script and
    // any text in it stays text.
    const doc = new DOMParser().parseFromString(await res.text(), "image/svg+xml");
    const svg = doc.documentElement;
    if (svg.nodeName !== "svg" || doc.querySelector("parsererror, script, foreignObject")) {
      throw new Error("not a chart");
    }
    holder.replaceChildren(document.importNode(svg, true));
  } catch (err) {
    holder.replaceChildren(el("p", { class: "muted" }, `The chart could not be loaded (${err.message}).`));
  }
}
