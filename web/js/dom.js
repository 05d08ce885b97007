// Tiny DOM helpers.
//
// Safety rule: user and server text only ever reaches the page through
// textContent / text nodes (see el()), never through innerHTML.

export const $ = (id) => document.getElementById(id);

/**
 * Build an element. props: class, text, on<event> handlers, anything else is
 * an attribute. Children may be nodes, strings (added as text, never parsed
 * as HTML), arrays, or null/false (skipped).
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value == null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = String(value);
    else if (key.startsWith("on") && typeof value === "function") {
      node.addEventListener(key.slice(2), value);
    } else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}
