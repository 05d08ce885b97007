// Scenario: a coding question whose editor starts from a function stub, then
// a values question with a draft typed but not sent, then a reload. The
// room is rebuilt from stored events, the coding prompt among them, and the
// draft must come back as typed: a replayed prompt must not put its stub in
// the box (it used to, and the stub overwrote the saved draft). Prints the
// session id and token.

import { answerFor, args, assert, newPage, nextPrompt, scenario, shot, startLoop, storedSession, typeAnswer } from "./lib.mjs";

const { base, artifacts } = args();
const DRAFT = "In my last role I disagreed with my lead about a rollout plan, and I";

await scenario([], async (browser) => {
  const { page } = await newPage(browser, { viewport: { width: 1280, height: 900 } });
  await startLoop(page, base, "tests-practice");
  const coding = await nextPrompt(page, "");
  await page.locator("#code-runner").waitFor({ state: "visible" });
  const stub = await page.locator("#answer").inputValue();
  assert(stub.startsWith("def count_subarrays("), `the coding question offers its stub: ${stub}`);
  await typeAnswer(page, answerFor("coding"));

  await nextPrompt(page, coding);
  assert(await page.evaluate(() => document.body.dataset.roundKind) === "values", "the values round follows");
  assert(await page.locator("#answer").inputValue() === "", "a new question starts with an empty box");
  await page.locator("#answer").focus();
  await page.keyboard.type(DRAFT);

  await page.reload();
  await page.locator("#resume-btn").click();
  await page.locator("#room-view").waitFor({ state: "visible" });
  await page.locator("#prompt .prompt-text").waitFor();
  const restored = await page.locator("#answer").inputValue();
  await shot(page, artifacts, "draft-after-reload");
  assert(restored === DRAFT, `the draft comes back as typed, not replaced by a stub: ${JSON.stringify(restored)}`);

  assert(page.pageErrors.length === 0, `no page errors: ${page.pageErrors.join("; ")}`);
  console.log(JSON.stringify(await storedSession(page)));
});
