// Scenario: the operator console. The operator signs in with the keyboard,
// edits the values rubric so it fails validation (the message shows, a save
// is refused), fixes it in a way that changes scores (every signal pattern
// replaced: nothing is heard any more), tries it unsaved on a pasted
// answer, saves, and regrades a finished session to see changed scores.
// Every page is shot at desktop width and at 375 px.
//
// Extra arguments: the operator token, the finished session's id, and the
// answer to paste into "try a rubric".

import {
  args, assert, assertNoHorizontalOverflow, newPage, scenario, shot,
} from "./lib.mjs";

const { base, artifacts, rest } = args();
const [operatorToken, sessionId, pastedAnswer] = rest;
assert(operatorToken && sessionId && pastedAnswer, "token, session id and answer are passed");
const RUBRIC = "rubrics/values.toml";

/** Both widths of the current page, and no sideways scrolling on a phone. */
async function shots(page, name) {
  await page.setViewportSize({ width: 1280, height: 900 });
  await shot(page, artifacts, `${name}-desktop`);
  await page.setViewportSize({ width: 375, height: 812 });
  await shot(page, artifacts, `${name}-375`);
  await assertNoHorizontalOverflow(page, name);
  await page.setViewportSize({ width: 1280, height: 900 });
}

await scenario([], async (browser) => {
  const { page } = await newPage(browser);
  await page.goto(`${base}operator`);
  await page.locator("#login-view").waitFor({ state: "visible" });
  await shots(page, "login");

  // Keyboard only: the heading has focus; Tab to the token, type, Enter.
  await page.locator("#token").focus();
  await page.keyboard.type(operatorToken);
  await page.keyboard.press("Enter");
  await page.locator("#console-view").waitFor({ state: "visible" });
  assert(!page.url().includes(operatorToken), "the token never reaches the URL");
  assert(await page.evaluate(() => localStorage.length === 0), "nor localStorage");

  await page.locator(`button.file-link[data-path="${RUBRIC}"]`).click();
  const editor = page.locator("#content-editor");
  await page.waitForFunction(() => document.querySelector("#content-editor").value.includes('id = "values"'));
  const original = await editor.inputValue();

  // 1. An edit that fails validation: the weights no longer sum to 1.
  assert(original.includes("weight = 0.30"), "the values rubric weighs STAR structure 0.30");
  await editor.fill(original.replace("weight = 0.30", "weight = 0.90"));
  await page.locator('#check-status[data-state="invalid"]').waitFor();
  const message = await page.locator("#diagnostics").textContent();
  assert(message.includes("sum to 1.0"), `the weight problem is shown: ${message}`);
  assert(message.includes("line 16"), `with its line: ${message}`);
  assert(await page.locator("#save-btn").isDisabled(), "Save waits for content that checks out");
  await shots(page, "editor-invalid");

  // 2. A fix that changes scores: the weights are back, and no signal's
  //    pattern can be heard any more.
  const deaf = original.replace(/patterns = \[[^\]]*\]/g, 'patterns = ["zzqx never said"]');
  await editor.fill(deaf);
  await page.locator('#check-status[data-state="ok"]').waitFor();

  // 3. Try the unsaved rubric on a pasted answer.
  await page.locator("#try-question").selectOption("values-owning-incident");
  await page.locator("#try-unsaved").check();
  await page.locator("#try-answer").fill(pastedAnswer);
  await page.locator("#try-btn").click();
  await page.locator("#try-result h3").waitFor();
  const tried = await page.locator("#try-result").textContent();
  assert(tried.includes("Overall 1.00 / 4"), `the unsaved rubric hears nothing: ${tried}`);
  assert(tried.includes("unsaved rubrics/values.toml"), "the result says which rubric it used");
  await page.locator("#try-unsaved").uncheck();
  await page.locator("#try-btn").click();
  // The result's heading, not just the "unsaved" label gone: while the new
  // score is asked for, the panel shows only "Scoring…".
  await page.waitForFunction(() => {
    const result = document.querySelector("#try-result");
    return result.querySelector("h3") && !result.textContent.includes("unsaved");
  });
  const saved = await page.locator("#try-result").textContent();
  assert(!saved.includes("Overall 1.00 / 4"), `the saved rubric still scores it: ${saved}`);
  assert(await page.locator("#try-result .evidence q").count() > 0, "with evidence quotes");
  await page.locator("#try-title").scrollIntoViewIfNeeded();
  await shots(page, "try");

  // 4. Save: the catalog reloads.
  await page.locator("#save-btn").click();
  await page.locator('#check-status[data-state="saved"]').waitFor();
  await shots(page, "editor-saved");

  // 5. Regrade the finished session against the saved rubric.
  await page.locator("#refresh-sessions-btn").click();
  await page.locator(`#session-list input[value="${sessionId}"]`).check();
  await page.locator("#regrade-btn").click();
  await page.locator("#regrade-result table").waitFor();
  const changed = await page.locator("#regrade-result tr.answer-row.changed").count();
  assert(changed >= 1, "at least one answer's score changed");
  const row = page.locator("#regrade-result tr.answer-row.changed").first();
  const scores = row.locator("td.scores");
  const oldScore = Number(await scores.getAttribute("data-old"));
  const newScore = Number(await scores.getAttribute("data-new"));
  assert(newScore < oldScore, `the changed answer scores lower: ${await scores.textContent()}`);
  assert((await row.textContent()).includes("values"), "the changed answer is the values one");
  await page.locator("#regrade-title").scrollIntoViewIfNeeded();
  await shots(page, "regrade");

  assert(page.pageErrors.length === 0, `no page errors: ${page.pageErrors.join("; ")}`);
  console.log(JSON.stringify({ changed, old: oldScore, new: newScore }));
});
