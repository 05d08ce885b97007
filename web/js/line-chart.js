// A small line chart of levels (1 to 4) over time, as inline SVG: the
// history's progress per round kind and the prep plan's per dimension.
// Built node by node: text is never parsed as markup.

const SVG_NS = "http://www.w3.org/2000/svg";

/** How many series colours style.css defines (series-0 …). */
export const SERIES = 6;

function svgEl(name, attrs, text) {
  const node = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * Levels 1–4 up the side, one tick per time in `at` (its date) along the
 * bottom, a line per series (values aligned with `at`; a missing one is
 * skipped), and a dashed horizontal line at `mark.value` (with
 * `mark.label` written over its right end, when given). `label` is the
 * chart's accessible name.
 */
export function lineChart({ at, series, mark, label }) {
  // Room on the right for the last date, centred under its point.
  const [w, h, left, bottom, top, right] = [320, 160, 28, 28, 8, 22];
  const x = (i) => (at.length === 1 ? (left + w - right) / 2
    : left + (i * (w - left - right)) / (at.length - 1));
  const y = (v) => top + ((4 - Math.min(4, Math.max(1, v))) * (h - top - bottom)) / 3;
  const svg = svgEl("svg", { viewBox: `0 0 ${w} ${h}`, role: "img", "aria-label": label });
  for (const level of [1, 2, 3, 4]) {
    svg.append(svgEl("line", { x1: left, x2: w - right, y1: y(level), y2: y(level), class: "grid" }));
    svg.append(svgEl("text", { x: left - 6, y: y(level) + 4, class: "axis", "text-anchor": "end" }, String(level)));
  }
  svg.append(svgEl("line", { x1: left, x2: w - right, y1: y(mark.value), y2: y(mark.value), class: "hire-line" }));
  if (mark.label) {
    svg.append(svgEl("text", { x: w - right, y: y(mark.value) - 4, class: "axis mark-label", "text-anchor": "end" },
      mark.label));
  }
  const every = Math.ceil(at.length / 5);
  at.forEach((t, i) => {
    if (i % every !== 0 && i !== at.length - 1) return;
    const day = new Date(t).toLocaleDateString(undefined, { month: "short", day: "numeric" });
    svg.append(svgEl("text", { x: x(i), y: h - 8, class: "axis", "text-anchor": "middle" }, day));
  });
  series.forEach((values, n) => {
    const points = values.map((v, i) => [i, v]).filter(([, v]) => typeof v === "number");
    const cls = `series-${n % SERIES}`;
    svg.append(svgEl("polyline", { points: points.map(([i, v]) => `${x(i)},${y(v)}`).join(" "), class: `trend ${cls}` }));
    for (const [i, v] of points) svg.append(svgEl("circle", { cx: x(i), cy: y(v), r: 3, class: `dot ${cls}` }));
  });
  return svg;
}
