// Scenario: the operator console's feedback. A wrong token at sign-in is
// explained in words, not as an API header. A broken quote deep in a rubric
// reports its own problem first and folds the problems it causes in other
// files; Save stays off while the content does not check out; choosing the
// problem scrolls the editor to its line. Extra argument: the operator token.

import { args, assert, newPage, scenario, shot } from "./lib.mjs";

const { base, artifacts, rest } = args();
const [operatorToken] = rest;
const RUBRIC = "rubrics/coding.toml";

await scenario([], async (browser) => {
  const { page } = await newPage(browser, { viewport: { width: 1280, height: 800 } });
  await page.goto(`${base}operator`);
  await page.locator("#token").fill("not-the-operator-token-0123");
  await page.keyboard.press("Enter");
  await page.locator("#alert", { hasText: "operator token" }).waitFor();
  const refused = await page.locator("#alert").textContent();
  assert(refused.includes("not this server's operator token"), `a wrong token is explained: ${refused}`);
  assert(!refused.includes("Bearer"), `in words, not as an API header: ${refused}`);

  await page.locator("#token").fill(operatorToken);
  await page.keyboard.press("Enter");
  await page.locator("#console-view").waitFor({ state: "visible" });
  await page.locator(`button.file-link[data-path="${RUBRIC}"]`).click();
  const editor = page.locator("#content-editor");
  await page.waitForFunction(() => document.querySelector("#content-editor").value.includes("[[dimensions"));
  const original = await editor.inputValue();

  // Unclose a quote two thirds of the way down.
  const lines = original.split("\n");
  const at = lines.findIndex((l, i) => i > lines.length * 0.66 && /^id = "[^"]+"$/.test(l.trim()));
  assert(at > 0, "a signal id deep in the rubric");
  lines[at] = lines[at].replace(/"$/, "");
  await editor.fill(lines.join("\n"));
  await page.locator('#check-status[data-state="invalid"]').waitFor();
  assert(await page.locator("#save-btn").isDisabled(), "Save stays off while the content does not check out");

  const first = page.locator("#diagnostics > li").first();
  const firstText = await first.textContent();
  assert(firstText.startsWith(`line ${at + 1}`), `the broken line comes first: ${firstText}`);
  const status = await page.locator("#check-status").textContent();
  assert(status.includes("in this file"), `the status names the root cause's file: ${status}`);
  // Other files name this rubric's signals: they fail with it.
  assert(status.includes("in other files that follow from it"), `the knock-on problems are counted apart: ${status}`);
  assert(await page.locator("#diagnostics details summary").count() === 1, "and folded together");
  assert(await page.locator("#diagnostics details").getAttribute("open") === null, "folded by default");

  await editor.evaluate((area) => { area.scrollTop = 0; });
  await first.locator("button").click();
  const shown = await editor.evaluate((area, line) => {
    const lh = parseFloat(getComputedStyle(area).lineHeight) || parseFloat(getComputedStyle(area).fontSize) * 1.2;
    const top = (line - 1) * lh;
    return { scrolled: area.scrollTop, visible: top >= area.scrollTop && top + lh <= area.scrollTop + area.clientHeight };
  }, at + 1);
  assert(shown.scrolled > 0 && shown.visible, `choosing the problem scrolls its line into view: ${JSON.stringify(shown)}`);
  await shot(page, artifacts, "operator-broken-quote");

  assert(page.pageErrors.length === 0, `no page errors: ${page.pageErrors.join("; ")}`);
  console.log(JSON.stringify({ line: at + 1, status }));
});
