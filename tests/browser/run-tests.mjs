// Scenario: in a coding round the editor offers "Run tests"; a wrong then a
// correct solution show per-test results, and the debrief shows the final
// run. Prints the session id.

import { readFileSync } from "node:fs";

import { answerFor, args, assert, newPage, scenario, shot, startLoop, storedSession, typeAnswer, STEP_MS } from "./lib.mjs";

const { base, artifacts, rest } = args();

// A correct solution, written by the Rust test (one copy for all tests).
const CORRECT = readFileSync(rest[0], "utf8");

await scenario([], async (browser) => {
  const { page } = await newPage(browser, { viewport: { width: 1280, height: 900 } });
  await startLoop(page, base, "tests-practice");
  await page.locator("#prompt .prompt-text").waitFor();
  await page.locator("#code-runner").waitFor({ state: "visible" });
  const starter = await page.locator("#answer").inputValue();
  assert(starter.startsWith("def count_subarrays(nums: list[int], k: int) -> int:"), `the editor starts from the signature: ${starter}`);
  assert(await page.locator("#code-language").inputValue() === "python", "python is offered first");

  await page.locator("#answer").fill("def count_subarrays(nums, k):\n    print('trying')\n    return 1\n");
  await page.locator("#run-tests-btn:not([disabled])").click();
  await page.locator("#test-results li.fail").first().waitFor({ timeout: STEP_MS });
  const failed = await page.locator("#test-results").textContent();
  assert(failed.includes("2 of 7 tests passed"), `a wrong solution fails some tests: ${failed}`);
  assert(failed.includes("trying"), "what the code printed is shown");
  assert(!/null|undefined|false/.test(failed), `no placeholder text: ${failed}`);
  const prompt = await page.locator("#prompt").textContent();
  assert(!prompt.includes("null"), `a round without an intro shows none: ${prompt}`);
  await shot(page, artifacts, "run-tests-failing");

  await page.locator("#answer").fill(CORRECT);
  await page.locator("#run-tests-btn:not([disabled])").click();
  await page.waitForFunction(() => (document.querySelector("#test-results") || {}).textContent?.includes("7 of 7 tests passed"),
    null, { timeout: STEP_MS });
  await shot(page, artifacts, "run-tests-passing");

  await typeAnswer(page, `${CORRECT}\n${answerFor("coding")}`);
  await page.locator("#prompt .prompt-text").waitFor();
  await page.waitForFunction(() => document.body.dataset.roundKind === "values", null, { timeout: STEP_MS });
  assert(await page.locator("#code-runner").isHidden(), "no Run tests outside coding questions");
  await typeAnswer(page, answerFor("values"));
  await page.locator("#debrief").waitFor({ state: "visible", timeout: STEP_MS });
  const debrief = await page.locator("#debrief").textContent();
  assert(debrief.includes("7 of 7 tests passed (python, 2 runs)"), "the debrief shows the final run");
  await shot(page, artifacts, "run-tests-debrief");

  assert(page.pageErrors.length === 0, `no page errors: ${page.pageErrors.join("; ")}`);
  console.log(JSON.stringify(await storedSession(page)));
});
