// Scenario: with the LLM interviewer, a follow-up streams into the room as
// it is written and the browser starts speaking at its first complete
// sentence, before the rest has arrived; the stored prompt then replaces
// the streamed text and only the rest is spoken. Speech synthesis is
// recorded by a stand-in (headless chromium has no voices).
// Extra arguments: the first sentence, then the rest, as the server's
// fake model streams them.

import { args, assert, newPage, scenario, shot, startLoop, storedSession, typeAnswer } from "./lib.mjs";

const { base, artifacts, rest } = args();
const [first, second] = rest;

await scenario([], async (browser) => {
  const { page } = await newPage(browser);
  await page.addInitScript(() => {
    window.__spoken = [];
    const synth = {
      speak(utterance) {
        window.__spoken.push({
          text: utterance.text,
          streaming: Boolean(document.getElementById("streaming-text")),
        });
      },
      cancel() {},
    };
    Object.defineProperty(window, "speechSynthesis", { value: synth, configurable: true });
    if (typeof window.SpeechSynthesisUtterance !== "function") {
      window.SpeechSynthesisUtterance = function (text) { this.text = text; };
    }
  });
  await startLoop(page, base, "quick-practice");
  await page.locator("#prompt .prompt-text").waitFor();
  await typeAnswer(page, "I would just do it.");

  await page.waitForFunction(
    (s) => (document.getElementById("streaming-text")?.textContent || "").includes(s), first);
  await shot(page, artifacts, "streaming");
  await page.waitForFunction((s) => window.__spoken.some((u) => u.text === s), first);
  const early = await page.evaluate((s) => window.__spoken.find((u) => u.text === s), first);
  assert(early.streaming, "the first sentence was spoken while the rest was still being written");

  const whole = `${first} ${second}`;
  await page.waitForFunction(
    (w) => !document.getElementById("streaming-text")
      && document.querySelector("#prompt .prompt-text")?.textContent === w, whole);
  await page.waitForFunction((s) => window.__spoken.some((u) => u.text === s), second);
  const spoken = await page.evaluate(() => window.__spoken.map((u) => u.text));
  assert(!spoken.includes(whole), `the first sentence was not spoken twice: ${JSON.stringify(spoken)}`);
  await shot(page, artifacts, "final");

  assert(page.pageErrors.length === 0, `no page errors: ${page.pageErrors.join("; ")}`);
  console.log(JSON.stringify({ ...(await storedSession(page)), spoken }));
});
