// Scenario: an interview, not a form. The lobby says how long a loop takes
// and names each round once ("Coding", not "Coding: Coding"), with no
// "Any · Any"; the microphone check shows only for those who will speak;
// a loop with levels offers them, and the one chosen is what is judged;
// "practise topics" drills the topics picked, and asked questions are
// remembered so later sessions ask others first.
// In the room no score shows until the debrief, the interviewer says a
// word before its next prompt, and skipping a question asks first. A drill that asks for live scores gets them. Prints both
// session ids.

import { answerUntilDebrief, args, assert, newPage, nextPrompt, scenario, shot, startLoop, storedSession, typeAnswer, answerFor } from "./lib.mjs";

const { base, artifacts } = args();

/**
 * Once the room of a session just started shows its first question (asked,
 * and remembered, before the page moves on), the session's report so far.
 */
async function firstQuestionAsked(page) {
  await page.locator("#room-view").waitFor({ state: "visible" });
  await nextPrompt(page, "");
  return page.evaluate(async (s) => {
    const sent = await fetch(`api/sessions/${s.session_id}/report.json?token=${s.token}`);
    return sent.json();
  }, await storedSession(page));
}

await scenario([], async (browser) => {
  const { page } = await newPage(browser);
  await page.goto(base);
  const card = page.locator(".loop-option", { has: page.locator('input[value="quick-practice"]') });
  const text = await card.textContent();
  assert(/About \d+ (min|h)/.test(text) && text.includes("in all"), `the loop's length is given: ${text}`);
  assert(!/(\w+): \1\b/.test(text), `no round is named twice: ${text}`);
  assert(!text.includes("Any"), `no "Any" in the loop's details: ${text}`);
  assert(await page.locator("#device-test").isHidden(), "no microphone check for typing");
  await page.locator('input[name="mode"][value="voice"]').check();
  assert(await page.locator("#device-test").isVisible(), "the microphone check for speaking");
  await page.locator('input[name="mode"][value="text"]').check();
  assert(await page.locator("#device-test").isHidden(), "and gone again for typing");
  await shot(page, artifacts, "lobby");

  // An interview: answer one, skip the rest (each skip asks first).
  await startLoop(page, base, "quick-practice");
  const first = await nextPrompt(page, "");
  const kind = await page.evaluate(() => document.body.dataset.roundKind || "");
  await typeAnswer(page, answerFor(kind));
  await nextPrompt(page, first);
  // The interviewer says a word on the answer (or why it moves on) before
  // the next prompt, as a person would.
  const lead = page.locator("#log .lead").last();
  assert(await lead.isVisible() && (await lead.textContent()).trim().length > 0,
    "a word from the interviewer before the next prompt");
  await shot(page, artifacts, "room-after-answer");
  await answerUntilDebrief(page, { skip: true });
  assert(page.dialogs.some((d) => d.startsWith("Skip this question?")), `skipping asked first: ${page.dialogs}`);
  const scored = await page.locator("#log .entry-system", { hasText: "Scored" }).count();
  assert(scored === 0, `no score showed during the interview (${scored} did)`);
  const interview = await storedSession(page);

  // A drill with live scores on.
  await page.goto(base);
  await page.locator('input[name="loop"][value="quick-practice"]').check();
  await page.locator("#live-scores").check();
  await page.locator("#start-btn").click();
  await page.locator("#room-view").waitFor({ state: "visible" });
  const drillFirst = await nextPrompt(page, "");
  await typeAnswer(page, answerFor(await page.evaluate(() => document.body.dataset.roundKind || "")));
  // A question is scored once it closes (after its follow-ups).
  await nextPrompt(page, drillFirst);
  await answerUntilDebrief(page, { skip: true });
  const live = await page.locator("#log .entry-system", { hasText: "Scored" }).count();
  assert(live > 0, "the drill showed scores as they came");

  const drill = await storedSession(page);

  // A loop run at several levels offers them; the level chosen is the one
  // the interview is judged at.
  await page.goto(base);
  const backend = page.locator(".loop-option", { has: page.locator('input[value="microsoft-backend-sde2"]') });
  await backend.locator("select").waitFor();
  const levels = await backend.locator("select option").allTextContents();
  assert(levels.join("|") === "SDE II|Senior SDE|Principal SDE", `the backend loop's levels: ${levels}`);
  const meta = (await backend.locator(".loop-meta").textContent()).trim();
  assert(meta === "Microsoft", `the company, not the title again or the level: ${meta}`);
  await backend.locator("select").selectOption("senior");
  await shot(page, artifacts, "lobby-levels");
  assert(await backend.locator('input[name="loop"]').isChecked(), "choosing a level picks its loop");
  await page.locator("#start-btn").click();
  const judged = await firstQuestionAsked(page);
  assert(judged.level_id === "senior" && judged.level === "Senior SDE" && judged.hire_bar === 2.75,
    `judged at the level chosen: ${judged.level_id} ${judged.level} ${judged.hire_bar}`);

  // Practise topics: the chosen loop's topics, a drill of questions on the
  // ones picked; each question asked is remembered on this browser.
  const seenBefore = await page.evaluate(() => JSON.parse(localStorage.getItem("mockloop.seen.v1") || "[]"));
  assert(seenBefore.length >= 6, `the questions asked so far are remembered: ${seenBefore}`);
  await page.goto(base);
  await page.locator('input[name="loop"][value="microsoft-backend-sde2"]').check();
  await page.locator("#topic-drill summary").click();
  const caching = page.locator('#topic-list input[value="caching"]');
  await caching.waitFor();
  assert(await page.locator('#topic-list input[value="backpropagation"]').count() === 0,
    "only the backend loop's topics are offered");
  await caching.check();
  await page.locator("#topic-count").fill("1");
  await shot(page, artifacts, "lobby-topics");
  await page.locator("#topic-start-btn").click();
  const drilled = await firstQuestionAsked(page);
  assert(drilled.loop.title === "Topics: caching", `a topic drill: ${drilled.loop.title}`);
  const seenAfter = await page.evaluate(() => JSON.parse(localStorage.getItem("mockloop.seen.v1") || "[]"));
  // Five questions cover caching, fewer were asked before, and unseen ones
  // go first: the one asked now is new, and joins the list.
  assert(seenAfter.length === seenBefore.length + 1 && !seenBefore.includes(seenAfter.at(-1)),
    `the drill asked a question not seen before: ${seenAfter.at(-1)} after ${seenBefore}`);

  assert(page.pageErrors.length === 0, `no page errors: ${page.pageErrors.join("; ")}`);
  console.log(JSON.stringify({ interview: interview.session_id, drill: drill.session_id }));
});
