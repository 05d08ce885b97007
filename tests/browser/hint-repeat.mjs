// Scenario: the candidate asks for a hint, then asks for the question again.
// The question stays on screen with the hint under it, and "repeat" says
// the question again, not the hint (it used to repeat the hint, and the
// question box showed only the hint). Prints the session id.

import { args, assert, newPage, nextPrompt, scenario, shot, startLoop, storedSession } from "./lib.mjs";

const { base, artifacts } = args();

await scenario([], async (browser) => {
  const { page } = await newPage(browser);
  await startLoop(page, base, "quick-practice");
  const question = await nextPrompt(page, "");

  const prompts = () => page.locator("#log .entry-prompt").count();
  let before = await prompts();
  await page.locator("#hint-btn:not([disabled])").click();
  await page.locator("#prompt .prompt-hint").waitFor();
  assert(await page.locator("#prompt .prompt-text").textContent() === question, "the question stays in view with its hint");
  const hint = await page.locator("#prompt .prompt-hint").textContent();
  assert(hint.startsWith("Hint: ") && hint.length > 10, `the hint shows under it: ${hint}`);
  assert(await prompts() === before + 1, "the hint is in the transcript");
  await shot(page, artifacts, "hint-beside-question");

  before = await prompts();
  await page.locator("#repeat-btn:not([disabled])").click();
  await page.waitForFunction((n) => document.querySelectorAll("#log .entry-prompt").length > n, before);
  const repeated = await page.locator("#log .entry-prompt").last().textContent();
  assert(repeated.includes(question.trim().slice(0, 40)), `repeat says the question again: ${repeated}`);
  assert(await page.locator("#prompt .prompt-text").textContent() === question, "the question is on screen");
  assert(await page.locator("#prompt .prompt-hint").count() === 1, "and its hint stays beside it");

  assert(page.pageErrors.length === 0, `no page errors: ${page.pageErrors.join("; ")}`);
  console.log(JSON.stringify(await storedSession(page)));
});
