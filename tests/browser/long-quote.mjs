// Scenario: one long sentence answered to a coding question, the values
// question skipped, graded by the lexical fallback grader (v2, what serves
// when the embedding model is missing). An evidence quote cut from a long sentence must say so with an
// ellipsis, and still be marked in the answer. Prints the session id.

import { answerUntilDebrief, args, assert, newPage, nextPrompt, scenario, shot, startLoop, storedSession, typeAnswer } from "./lib.mjs";

const { base, artifacts } = args();

// One sentence of well over 320 characters on the question asked (count
// the subarrays that sum to k) that shows the approach, its complexity and
// its tests, so the grader quotes it.
const LONG = "I would keep a running prefix sum and a hash map from each prefix sum to how many times it has been " +
  "seen, so for every element the number of subarrays ending there that sum to k is the count of the prefix sum " +
  "minus k, which gives O(n) time and O(n) space instead of the brute force that checks every pair in O(n squared), " +
  "and I would test it with an empty array, negative numbers, zeros and k equal to zero";

await scenario([], async (browser) => {
  const { page } = await newPage(browser, { viewport: { width: 1280, height: 900 } });
  await startLoop(page, base, "tests-practice");
  await nextPrompt(page, "");
  await typeAnswer(page, LONG);
  await answerUntilDebrief(page, { skip: true });

  const quotes = await page.locator("#debrief .evidence q").allTextContents();
  const cut = quotes.filter((q) => q.length > 200);
  assert(cut.length > 0, `the long sentence is quoted: ${JSON.stringify(quotes)}`);
  for (const q of cut) {
    assert(q.endsWith("…"), `a quote cut from a longer sentence ends with an ellipsis: ${q}`);
    assert(LONG.startsWith(q.slice(0, -1)), `its words are the candidate's own: ${q}`);
  }
  const marked = await page.locator("#debrief .answer-text mark").allTextContents();
  assert(marked.some((m) => m.length > 200), `the cut quote is marked in the answer: ${JSON.stringify(marked)}`);
  assert(!(await page.locator("#debrief").textContent()).includes("not found word for word"),
    "every quote is found in the answer");
  await shot(page, artifacts, "debrief-long-quote");

  assert(page.pageErrors.length === 0, `no page errors: ${page.pageErrors.join("; ")}`);
  console.log(JSON.stringify(await storedSession(page)));
});
