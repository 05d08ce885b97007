// Scenario: the round's time runs out while the candidate has typed an
// answer and not sent it. The server takes the typed text as the answer and
// says so; the next question starts with an empty box. Then text typed and
// skipped is set aside in the transcript, not carried to the next question.
// Needs the test to run the server on a manual clock (run_scenario_on).
// Prints the session and the draft.

import { answerBox, args, assert, newPage, nextPrompt, scenario, shot, startLoop, storedSession } from "./lib.mjs";

const { base, artifacts } = args();
const DRAFT = "I would start by measuring the p99 latency of each call and then";
const SKIPPED = "Some words I typed and then skipped";

async function secondsLeft(page) {
  const [m, s] = (await page.locator("#countdown").textContent()).split(":").map(Number);
  return m * 60 + s;
}

await scenario([], async (browser) => {
  const { page } = await newPage(browser);
  await startLoop(page, base, "quick-practice");
  const first = await nextPrompt(page, "");
  await page.locator("#answer").focus();
  await page.keyboard.type(DRAFT);

  // Any message sends the waiting draft first; once the repeated prompt is
  // back, the server has handled the draft too.
  const prompts = await page.locator("#log .entry-prompt").count();
  await page.locator("#repeat-btn").click();
  await page.waitForFunction((n) => document.querySelectorAll("#log .entry-prompt").length > n, prompts);

  console.log(`ADVANCE_SERVER_CLOCK ${(await secondsLeft(page) + 1) * 1000}`);
  await page.locator("#log .entry-answer", { hasText: "sent when time ran out" }).waitFor();
  const next = await nextPrompt(page, first);
  const logged = await page.locator("#log .entry-answer", { hasText: "sent when time ran out" }).textContent();
  assert(logged.includes(DRAFT), `the transcript shows what was sent: ${logged}`);
  // Empty, or the next coding question's function stub: none of the draft.
  const carried = await page.locator("#answer").inputValue();
  assert(!carried.includes("I would start"), `the next question starts without the draft: ${carried}`);
  await shot(page, artifacts, "sent-at-time-up");

  // Typed and skipped: set aside, not carried on.
  await (await answerBox(page)).fill(SKIPPED);
  await page.locator("#skip-btn").click();
  await nextPrompt(page, next);
  const after = await page.locator("#answer").inputValue();
  assert(!after.includes(SKIPPED), `a skipped question's text is not carried on: ${after}`);
  const aside = await page.locator("#log .entry-system", { hasText: "Not sent" }).last().textContent();
  assert(aside.includes(SKIPPED), `the unsent text is kept in the transcript: ${aside}`);

  assert(page.pageErrors.length === 0, `no page errors: ${page.pageErrors.join("; ")}`);
  console.log(JSON.stringify({ ...(await storedSession(page)), draft: DRAFT }));
});
