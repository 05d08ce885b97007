// Copies the pinned CodeMirror 6 packages installed here (npm ci) into
// web/vendor/codemirror/ as plain ES modules the browser loads without a
// bundler: one file per package, its bare imports ("@codemirror/state")
// rewritten to the sibling file ("./codemirror-state.js"). Only packages the
// editor's entry points reach are copied. Run through ./refresh.sh.

import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, "node_modules");
const out = join(here, "..", "..", "web", "vendor", "codemirror");

// What web/js/code-editor.js imports; everything they import comes along.
const ENTRIES = [
  "@codemirror/state", "@codemirror/view", "@codemirror/language", "@codemirror/commands",
  "@codemirror/search", "@codemirror/autocomplete", "@codemirror/lang-python",
  "@codemirror/lang-javascript", "@codemirror/lang-java", "@codemirror/lang-cpp",
  // C# has no Lezer grammar of CodeMirror's own: its legacy C-like mode.
  "@codemirror/legacy-modes/mode/clike",
];

// Top-level import and re-export statements only (code and comments
// elsewhere say "import" and "from" too), naming a package.
const IMPORT = /^((?:import|export)\b[^;'"]*?\bfrom\s*|import\s*)(['"])((?:@[\w.-]+\/)?[\w.-]+)\2/gm;

/** "@codemirror/view" → "codemirror-view.js"; a subpath joins with "-" too. */
export function fileFor(name) {
  return `${name.replace(/^@/, "").replaceAll("/", "-")}.js`;
}

/** "@scope/pkg/sub/path" → the package's name and the module's subpath. */
function packageOf(spec) {
  const parts = spec.split("/");
  const n = spec.startsWith("@") ? 2 : 1;
  return { name: parts.slice(0, n).join("/"), sub: parts.slice(n).join("/") };
}

function entryOf(spec) {
  const { name, sub } = packageOf(spec);
  const pkg = JSON.parse(readFileSync(join(modules, name, "package.json"), "utf8"));
  if (sub) return { pkg, path: join(modules, name, `${sub}.js`) };
  const dot = pkg.exports && (pkg.exports["."] || pkg.exports);
  const path = (dot && (dot.import || dot.default)) || pkg.module;
  if (typeof path !== "string") throw new Error(`${name}: no ES module entry`);
  return { pkg, path: join(modules, name, path) };
}

function licenceOf(name) {
  const dir = join(modules, name);
  const file = readdirSync(dir).find((f) => /^licen[cs]e/i.test(f));
  if (!file) throw new Error(`${name}: no licence file`);
  return readFileSync(join(dir, file), "utf8").trim();
}

const seen = new Map();
const queue = [...ENTRIES];
while (queue.length) {
  const name = queue.shift();
  if (seen.has(name)) continue;
  const { pkg, path } = entryOf(name);
  const source = readFileSync(path, "utf8");
  if (/\bfrom\s*['"]\.{1,2}\//.test(source)) throw new Error(`${name}: relative imports are not handled`);
  const body = source.replace(IMPORT, (_, lead, quote, spec) => {
    queue.push(spec);
    return `${lead}${quote}./${fileFor(spec)}${quote}`;
  });
  seen.set(name, { version: pkg.version, license: pkg.license, body });
}

if (existsSync(out)) rmSync(out, { recursive: true });
mkdirSync(out, { recursive: true });
const notices = [];
for (const [name, { version, license, body }] of [...seen].sort()) {
  const header = `// ${name} ${version} (${license}), vendored by tools/codemirror/vendor.mjs: do not edit.\n`;
  writeFileSync(join(out, fileFor(name)), header + body);
  notices.push(`${name} ${version}\n\n${licenceOf(packageOf(name).name)}\n`);
}
writeFileSync(join(out, "LICENSES.txt"), notices.join("\n" + "-".repeat(72) + "\n\n"));
console.log(`vendored ${seen.size} packages into web/vendor/codemirror/`);
