// Scenario: in a coding round the code editor offers Python, JavaScript,
// Java, C++ and C# (an untouched stub follows the language), highlights,
// indents as the language does and searches, and offers "Run tests"; Java
// runs, a wrong then a correct Python solution show per-test results, and
// the debrief shows the final run.
// Prints the session id.

import { readFileSync } from "node:fs";

import {
  answerBox, answerFor, args, assert, newPage, scenario, shot, startLoop, storedSession, typeAnswer, STEP_MS,
} from "./lib.mjs";

const { base, artifacts, rest } = args();

// Correct solutions in Python and Java, written by the Rust test.
const CORRECT = readFileSync(rest[0], "utf8");
const CORRECT_JAVA = readFileSync(rest[1], "utf8");

await scenario([], async (browser) => {
  const { page } = await newPage(browser, { viewport: { width: 1280, height: 900 } });
  await startLoop(page, base, "tests-practice");
  await page.locator("#prompt .prompt-text").waitFor();
  await page.locator("#code-runner").waitFor({ state: "visible" });
  const starter = await page.locator("#answer").inputValue();
  assert(starter.startsWith("def count_subarrays(nums: list[int], k: int) -> int:"), `the editor starts from the signature: ${starter}`);
  assert(await page.locator("#code-language").inputValue() === "python", "python is offered first");
  const offered = await page.locator("#code-language option").allTextContents();
  assert(offered.join(", ") === "Python 3, JavaScript (Node), Java, C++17, C#", `every language is offered: ${offered}`);

  // An untouched stub follows the language chosen: Java's has the class
  // the tests load, C++'s is a free function.
  await page.locator("#code-language").selectOption("java");
  const javaStub = await page.locator("#answer").inputValue();
  assert(javaStub.includes("class Solution {\n    public int countSubarrays(int[] nums, int k) {"),
    `the Java stub: ${JSON.stringify(javaStub)}`);
  await page.locator("#code-language").selectOption("cpp");
  const cppStub = await page.locator("#answer").inputValue();
  assert(cppStub.startsWith("int countSubarrays(vector<int>& nums, int k) {"), `the C++ stub: ${JSON.stringify(cppStub)}`);
  await page.locator("#code-language").selectOption("csharp");
  const csharpStub = await page.locator("#answer").inputValue();
  assert(csharpStub.includes("public class Solution {\n    public int CountSubarrays(int[] nums, int k) {"),
    `the C# stub: ${JSON.stringify(csharpStub)}`);
  const csharpKeyword = (await answerBox(page)).locator("span", { hasText: /^public$/ }).first();
  assert(await csharpKeyword.evaluate((node) => getComputedStyle(node).color) !==
    await (await answerBox(page)).evaluate((node) => getComputedStyle(node).color), "C# is highlighted");
  await page.locator("#code-language").selectOption("java");
  const javaEditor = await answerBox(page);
  const javaKeyword = javaEditor.locator("span", { hasText: /^class$/ }).first();
  assert(await javaKeyword.evaluate((node) => getComputedStyle(node).color) !==
    await javaEditor.evaluate((node) => getComputedStyle(node).color), "Java is highlighted");
  await javaEditor.fill(CORRECT_JAVA);
  await page.locator("#run-tests-btn:not([disabled])").click();
  await page.waitForFunction(() => (document.querySelector("#test-results") || {}).textContent?.includes("7 of 7 tests passed (Java)"),
    null, { timeout: STEP_MS });
  await javaEditor.fill("");
  await page.locator("#code-language").selectOption("python");
  await javaEditor.focus();
  await page.keyboard.press("Control+a");
  await page.keyboard.type("def count_subarrays(nums, k):");

  // A real editor: the stub is highlighted, Enter after a block opener
  // indents by the language's own unit, Ctrl+F searches.
  const editor = await answerBox(page);
  const keyword = editor.locator("span", { hasText: /^def$/ }).first();
  const colour = await keyword.evaluate((node) => getComputedStyle(node).color);
  const plain = await editor.evaluate((node) => getComputedStyle(node).color);
  assert(colour !== plain, `keywords are highlighted (${colour} against ${plain})`);
  await editor.focus();
  await page.keyboard.press("Control+a");
  await page.keyboard.type("def f(xs):");
  await page.keyboard.press("Enter");
  await page.keyboard.type("return [");
  let typed = await page.locator("#answer").inputValue();
  assert(typed.startsWith("def f(xs):\n    return []"), `Python indents four spaces and closes brackets: ${JSON.stringify(typed)}`);
  await page.keyboard.press("Control+f");
  await page.locator("#code-editor .cm-search input[name=search]").waitFor();
  await page.keyboard.press("Escape");
  await page.locator("#code-language").selectOption("javascript");
  await editor.focus();
  await page.keyboard.press("Control+a");
  await page.keyboard.type("function f(xs) {");
  await page.keyboard.press("Enter");
  typed = await page.locator("#answer").inputValue();
  assert(typed.startsWith("function f(xs) {\n  "), `JavaScript indents two spaces: ${JSON.stringify(typed)}`);
  await page.locator("#code-language").selectOption("python");
  // Tab indents inside the editor; Escape, then Tab, leaves it (keyboard
  // users are never trapped). Focus inside the shadow root shows as its host.
  await editor.focus();
  await page.keyboard.press("Escape");
  await page.keyboard.press("Tab");
  const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
  assert(focused === "notes", `Escape then Tab moves on to the notes: ${focused}`);

  await editor.fill("def count_subarrays(nums, k):\n    print('trying')\n    return 1\n");
  await page.locator("#run-tests-btn:not([disabled])").click();
  await page.locator("#test-results li.fail").first().waitFor({ timeout: STEP_MS });
  const failed = await page.locator("#test-results").textContent();
  assert(failed.includes("2 of 7 tests passed"), `a wrong solution fails some tests: ${failed}`);
  assert(failed.includes("trying"), "what the code printed is shown");
  assert(!/null|undefined|false/.test(failed), `no placeholder text: ${failed}`);
  const prompt = await page.locator("#prompt").textContent();
  assert(!prompt.includes("null"), `a round without an intro shows none: ${prompt}`);
  await shot(page, artifacts, "run-tests-failing");

  // "Run" on the candidate's own input: what the function returns and
  // prints, scored as nothing (the debrief below still counts two runs).
  const example = await page.locator("#run-input").getAttribute("placeholder");
  assert(example === "[1,1,1], 2", `the first visible case is the example input: ${example}`);
  await page.locator("#run-input").fill("[5, -5, 5], 0");
  await page.keyboard.press("Enter");
  await page.locator("#run-output p").waitFor({ timeout: STEP_MS });
  const ran = await page.locator("#run-output").textContent();
  assert(ran.includes("count_subarrays([5,-5,5], 0) returned 1") && ran.includes("trying"),
    `the function's return value and prints for that input: ${ran}`);
  await page.locator("#run-input").fill("[5, -5");
  await page.locator("#run-input-btn:not([disabled])").click();
  await page.waitForFunction(() => document.querySelector("#run-status").textContent.includes("separated by commas"),
    null, { timeout: 10_000 });
  await page.locator("#run-input-btn:not([disabled])").waitFor();

  await editor.fill(CORRECT);
  await page.locator("#run-tests-btn:not([disabled])").click();
  await page.waitForFunction(() => (document.querySelector("#test-results") || {}).textContent?.includes("7 of 7 tests passed"),
    null, { timeout: STEP_MS });
  await shot(page, artifacts, "run-tests-passing");

  // The reasoning goes in the notes beside the code; both survive a reload
  // and are sent as one answer, the code fenced after the notes.
  const notes = answerFor("coding");
  await page.locator("#notes").fill(notes);
  await page.reload();
  await page.locator("#resume-btn").click();
  await page.locator("#prompt .prompt-text").waitFor();
  assert(await page.locator("#notes").inputValue() === notes, "the notes come back after a reload");
  assert(await page.locator("#answer").inputValue() === CORRECT, "so does the code");
  await (await answerBox(page)).focus();
  await page.locator("#send-btn:not([disabled])").waitFor();
  const saved = '#log .entry-answer[data-status="saved"]';
  const before = await page.locator(saved).count();
  await page.keyboard.press("Control+Enter");
  await page.waitForFunction(([s, n]) => document.querySelectorAll(s).length > n, [saved, before]);
  const logged = await page.locator(saved).last().textContent();
  assert(await page.locator("#notes").inputValue() === "", "sent notes leave the notes area");
  assert(logged.includes(notes.slice(0, 40)) && logged.includes("```python\ndef count_subarrays"),
    `the notes and the fenced code are one answer: ${logged}`);
  await page.locator("#prompt .prompt-text").waitFor();
  await page.waitForFunction(() => document.body.dataset.roundKind === "values", null, { timeout: STEP_MS });
  assert(await page.locator("#code-runner").isHidden(), "no Run tests outside coding questions");
  await typeAnswer(page, answerFor("values"));
  await page.locator("#debrief").waitFor({ state: "visible", timeout: STEP_MS });
  const debrief = await page.locator("#debrief").textContent();
  assert(debrief.includes("7 of 7 tests passed (python, 3 runs)"), "the debrief shows the final run");
  await shot(page, artifacts, "run-tests-debrief");

  assert(page.pageErrors.length === 0, `no page errors: ${page.pageErrors.join("; ")}`);
  console.log(JSON.stringify(await storedSession(page)));
});
