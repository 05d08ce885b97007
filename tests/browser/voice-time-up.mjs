// Scenario: the round's time runs out while the candidate is correcting
// what was heard of a spoken answer. The review box's text goes to the
// server as a draft, so time-up takes the answer as they left it in the
// box, as it takes a typed draft. Needs the test to run the server on a
// manual clock (run_scenario_on) with a recogniser, and Chromium's fake
// microphone on a WAV. Prints the session, what was heard and what the box
// held.

import { args, assert, newPage, nextPrompt, scenario, shot, startLoop, storedSession } from "./lib.mjs";

const { base, artifacts, rest } = args();
const [wav] = rest;
assert(wav, "usage: voice-time-up.mjs <base-url> <artifact-dir> <speech.wav>");

// Recognition shares two cores with other tests: a bound, not a speed check.
const HEAR_MS = 180_000;
const ADDED = "and I would measure the hit rate first";

async function secondsLeft(page) {
  const [m, s] = (await page.locator("#countdown").textContent()).split(":").map(Number);
  return m * 60 + s;
}

await scenario([
  "--use-fake-device-for-media-stream",
  "--use-fake-ui-for-media-stream",
  `--use-file-for-fake-audio-capture=${wav}`,
], async (browser) => {
  const { page } = await newPage(browser, { permissions: ["microphone"] });
  await startLoop(page, base, "quick-practice", "voice");
  const first = await nextPrompt(page, "");
  await page.locator("#mic-btn").click();
  await page.locator("#live-transcript .final").first().waitFor({ timeout: HEAR_MS });
  await page.locator("#done-btn").click();
  await page.locator("#review").waitFor({ state: "visible", timeout: HEAR_MS });
  const heard = (await page.locator("#review-text").inputValue()).trim();
  assert(heard.length > 0, "the review shows what was heard");
  const left = `${heard} ${ADDED}`;
  await page.locator("#review-text").fill(left);

  // Any message sends the waiting draft first; once the repeated prompt is
  // back, the server has handled the draft too.
  const prompts = await page.locator("#log .entry-prompt").count();
  await page.locator("#repeat-btn").click();
  await page.waitForFunction((n) => document.querySelectorAll("#log .entry-prompt").length > n, prompts);

  console.log(`ADVANCE_SERVER_CLOCK ${(await secondsLeft(page) + 1) * 1000}`);
  const sent = page.locator("#log .entry-answer", { hasText: "sent when time ran out" });
  await sent.waitFor({ timeout: HEAR_MS });
  assert((await sent.textContent()).includes(ADDED), `the box's text was sent: ${await sent.textContent()}`);
  await nextPrompt(page, first, HEAR_MS);
  assert(await page.locator("#review").isHidden(), "the review went with its question");
  await shot(page, artifacts, "review-sent-at-time-up");

  assert(page.pageErrors.length === 0, `no page errors: ${page.pageErrors.join("; ")}`);
  console.log(JSON.stringify({ ...(await storedSession(page)), heard, left }));
});
