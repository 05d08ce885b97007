// Scenario: "Try this question again". After a debrief, the button on an
// answered question starts a one-question drill on that same question; its
// debrief shows the new attempt beside the old one, and the earlier
// attempt's full debrief is a click away. Prints both sessions (id, token).

import { answerFor, answerUntilDebrief, args, assert, newPage, nextPrompt, scenario, shot, startLoop, storedSession, typeAnswer } from "./lib.mjs";

const { base, artifacts } = args();

await scenario([], async (browser) => {
  const { page } = await newPage(browser);
  await startLoop(page, base, "quick-practice");
  const question = await nextPrompt(page, "");
  const kind = await page.evaluate(() => document.body.dataset.roundKind || "");
  await typeAnswer(page, answerFor(kind));
  await answerUntilDebrief(page, { skip: true });
  const first = await storedSession(page);

  await page.locator("#debrief .card .try-again").first().click();
  await page.locator("#room-view").waitFor({ state: "visible" });
  const again = await nextPrompt(page, "");
  assert(again === question, `the same question again: ${again} (was ${question})`);
  const label = await page.locator("#question-label").textContent();
  assert(label.includes("1 of 1"), `one question: ${label}`);
  await answerUntilDebrief(page);
  const second = await storedSession(page);
  assert(second.session_id !== first.session_id, "a new session");

  const beside = page.locator("#again-heading").locator("xpath=..");
  await beside.waitFor({ state: "visible" });
  const rows = await beside.locator("tbody tr").allTextContents();
  assert(rows.length === 2 && rows[0].startsWith("Before") && rows[1].startsWith("Now"),
    `both attempts side by side: ${rows}`);
  await shot(page, artifacts, "again");
  await beside.locator("a").click();
  await page.locator("#debrief .card").first().waitFor({ state: "visible" });
  const earlier = await page.locator("#debrief .card .answer-text").first().textContent();
  assert(earlier.trim().length > 0, "the earlier attempt's answer shows");

  assert(page.pageErrors.length === 0, `no page errors: ${page.pageErrors.join("; ")}`);
  console.log(JSON.stringify({ first, again: second }));
});
