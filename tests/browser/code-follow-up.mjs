// Scenario: in a coding round the candidate sends code, and the interviewer
// asks a follow-up about it. The code stays in the editor (it used to reset
// to the function stub); it goes only when the candidate changes it or the
// next question comes. Prints the session id.

import { args, assert, newPage, nextPrompt, scenario, shot, startLoop, storedSession, typeAnswer } from "./lib.mjs";

const { base, artifacts } = args();
// Code alone, with no reasoning: the interviewer follows up.
const CODE = "def count_subarrays(nums, k):\n    total = 0\n    for i in range(len(nums)):\n        s = 0\n" +
  "        for j in range(i, len(nums)):\n            s += nums[j]\n            total += s == k\n    return total\n";

await scenario([], async (browser) => {
  const { page } = await newPage(browser, { viewport: { width: 1280, height: 900 } });
  await startLoop(page, base, "follow-up-practice");
  const question = await nextPrompt(page, "");
  await typeAnswer(page, CODE);
  await nextPrompt(page, question);
  const kind = await page.locator("#prompt .prompt-kind").textContent();
  assert(kind.includes("Follow-up"), `the interviewer follows up on code alone: ${kind}`);
  await shot(page, artifacts, "coding-follow-up");
  const editor = await page.locator("#answer").inputValue();
  assert(editor === CODE, `the code stays in the editor for the follow-up: ${JSON.stringify(editor)}`);
  assert(await page.locator("#log .entry-system", { hasText: "Not sent" }).count() === 0, "sent code is not set aside");

  assert(page.pageErrors.length === 0, `no page errors: ${page.pageErrors.join("; ")}`);
  console.log(JSON.stringify(await storedSession(page)));
});
