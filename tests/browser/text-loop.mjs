// Scenario: the quick-practice loop answered in text, keyboard only, to the
// debrief; the verdict, the server-rendered chart, <mark>ed evidence and each
// question's key points (covered, mentioned or missed) show,
// and every page fits a 375 px wide phone. Prints the session id.

import {
  answerBox, answerUntilDebrief, args, assert, assertNoHorizontalOverflow, newPage, scenario, shot, startLoop, storedSession,
} from "./lib.mjs";

const { base, artifacts } = args();

await scenario([], async (browser) => {
  const { page } = await newPage(browser, { viewport: { width: 375, height: 812 }, isMobile: true });
  await page.goto(base);
  await page.locator('input[name="loop"]').first().waitFor();
  assert(await page.locator("#privacy-notice").isVisible(), "the lobby tells what is stored and how to delete it");
  await shot(page, artifacts, "lobby-375");
  await assertNoHorizontalOverflow(page, "lobby");
  // The level chooser and the topics fit a phone too.
  await page.locator("#topic-drill summary").click();
  await page.locator('#topic-list input[name="topic"]').first().waitFor();
  await shot(page, artifacts, "lobby-topics-375");
  await assertNoHorizontalOverflow(page, "lobby with its topics open");

  await startLoop(page, base, "quick-practice");
  await page.locator("#prompt .prompt-text").waitFor();
  await shot(page, artifacts, "room-375");
  await assertNoHorizontalOverflow(page, "room");

  let coding = false;
  const answered = await answerUntilDebrief(page, {
    onPrompt: async (kind) => {
      if (kind !== "coding" || coding) return;
      coding = true;
      await (await answerBox(page)).fill("def f(xs):\n    return sorted(xs)\n");
      const numbers = page.locator("#code-editor .cm-lineNumbers .cm-gutterElement");
      assert(await page.locator("#code-editor .cm-lineNumbers").isVisible(), "coding rounds number the editor's lines");
      assert((await numbers.allTextContents()).join(",").includes("1,2,3"), "one number per line");
      await shot(page, artifacts, "room-coding-375");
      await assertNoHorizontalOverflow(page, "coding room");
    },
  });
  assert(coding, "the loop has a coding round");
  assert(answered >= 6, `answered ${answered} prompts, the loop has six questions`);

  const verdict = await page.locator("#debrief .verdict strong").textContent();
  assert(["Strong no hire", "No hire", "Hire", "Strong hire"].includes(verdict), `verdict shown: ${verdict}`);
  const marks = await page.locator("#debrief .answer-text mark").count();
  assert(marks > 0, "evidence quotes are highlighted with <mark> in the answers");
  // The chart is fetched after the debrief renders: wait for it (a loaded
  // machine takes a moment), then count its bars.
  await page.locator("#debrief svg.dimension-chart rect.bar").first()
    .waitFor({ timeout: 30_000 }).catch(() => {});
  const chartBars = await page.locator("#debrief svg.dimension-chart rect.bar").count();
  assert(chartBars > 0, "the dimension chart rendered by the server is inline in the debrief");
  for (const format of ["report.html", "report.md", "report.json", "transcript.md", "transcript.vtt"]) {
    assert(await page.locator(`#debrief a[href*="/${format}?"]`).count() === 1, `an export link for ${format}`);
  }
  // What a strong answer covers: every key point with its status.
  const keyPoints = {};
  for (const status of ["covered", "mentioned", "missed"]) {
    keyPoints[status] = await page.locator(`#debrief .key-point[data-status="${status}"]`).count();
  }
  assert(Object.values(keyPoints).reduce((a, b) => a + b, 0) > 0, "the debrief lists each question's key points");
  assert(await page.locator("#debrief .key-point .key-point-status").first().isVisible(), "each key point says its status in words");
  // And a model answer's outline: one per question, in numbered steps.
  const outlines = page.locator("#debrief ol.outline");
  const outlineCount = await outlines.count();
  assert(outlineCount === 6, `each of the six questions shows how a strong answer could go (${outlineCount})`);
  assert((await outlines.first().locator("li").count()) >= 3, "an outline has its steps");
  await shot(page, artifacts, "debrief-375");
  await assertNoHorizontalOverflow(page, "debrief");

  await page.setViewportSize({ width: 1280, height: 900 });
  await shot(page, artifacts, "debrief-desktop");
  // The top of the debrief as a visitor first sees it (the README's picture).
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${artifacts}/debrief-top.png` });

  // History: this browser remembers the finished session and its scores.
  await page.locator("#history-btn").click();
  await page.locator("#history-view").waitFor({ state: "visible" });
  assert(await page.locator("#history-list li").count() === 1, "history lists the one finished session");
  // A chart per round kind, with its levels and dates labelled and a
  // legend naming each dimension; quick practice under its own heading.
  const charts = page.locator("#history figure.progress[data-kind]");
  assert(await charts.count() > 0, "history charts progress per round kind");
  assert(await page.locator("#history h3", { hasText: "Quick practice" }).count() === 1, "practice apart from loops");
  const chart = charts.first();
  const axis = await chart.locator("svg text.axis").allTextContents();
  assert(["1", "2", "3", "4"].every((l) => axis.includes(l)), `levels labelled: ${axis}`);
  assert(await chart.locator("figcaption").textContent(), "the chart names its round kind");
  assert(await chart.locator(".legend li").count() > 0, "a legend names the dimensions");
  await shot(page, artifacts, "history-desktop");
  await page.setViewportSize({ width: 375, height: 812 });
  await shot(page, artifacts, "history-375");
  await assertNoHorizontalOverflow(page, "history");

  assert(page.pageErrors.length === 0, `no page errors: ${page.pageErrors.join("; ")}`);
  const session = await storedSession(page);
  console.log(JSON.stringify({ ...session, answered, marks, keyPoints }));
});
