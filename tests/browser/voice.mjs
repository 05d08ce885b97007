// Scenario: the first question answered by voice through Chromium's fake
// microphone (a WAV that loops). The live transcript shows, "done speaking"
// submits it once a final line is heard, and the debrief scores it with
// speech analytics. The rest of the loop is skipped. Prints the session.

import {
  answerUntilDebrief, args, assert, newPage, nextPrompt, scenario, shot, startLoop, storedSession,
} from "./lib.mjs";

const { base, artifacts, rest } = args();
const [wav] = rest;
assert(wav, "usage: voice.mjs <base-url> <artifact-dir> <speech.wav>");

// Recognition shares two cores with other tests: a bound, not a speed check.
const HEAR_MS = 180_000;

await scenario([
  "--use-fake-device-for-media-stream",
  "--use-fake-ui-for-media-stream",
  `--use-file-for-fake-audio-capture=${wav}`,
  "--autoplay-policy=no-user-gesture-required",
], async (browser) => {
  const { page } = await newPage(browser, { permissions: ["microphone"] });
  // The lobby's check hears the (fake) microphone before the interview starts.
  await page.goto(base);
  await page.locator("#test-mic-btn").click();
  await page.locator("#device-status", { hasText: "Your microphone works." }).waitFor();
  await shot(page, artifacts, "lobby-mic-check");
  await startLoop(page, base, "quick-practice", "voice");
  const first = await nextPrompt(page, "");
  assert(await page.locator("#voice-controls").isVisible(), "voice mode shows the microphone controls");

  await page.locator("#mic-btn").click();
  await page.locator("#mic-btn[aria-pressed=true]").waitFor();
  // The fake microphone loops its file: submit as soon as one final
  // transcript is in, rather than waiting for the audio to end.
  await page.locator("#live-transcript .final").first().waitFor({ timeout: HEAR_MS });
  const heard = await page.locator("#live-transcript").textContent();
  await shot(page, artifacts, "room-voice");
  await page.locator("#done-btn").click();
  // "Done" waits for the utterance in progress to be transcribed.
  await nextPrompt(page, first, HEAR_MS);
  await page.locator("#mic-btn").click();
  await page.locator("#mic-btn[aria-pressed=false]").waitFor();

  await answerUntilDebrief(page, { skip: true });
  const spoken = page.locator("#debrief .card").first().locator(".speech li");
  assert(await spoken.count() >= 1, "the first answer's card shows how it was spoken");
  assert(/\d+ words/.test(await spoken.first().textContent()), "with its word count and pace");
  await shot(page, artifacts, "debrief-voice");

  assert(page.pageErrors.length === 0, `no page errors: ${page.pageErrors.join("; ")}`);
  console.log(JSON.stringify({ ...(await storedSession(page)), heard }));
});
