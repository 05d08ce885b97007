// What every browser scenario shares: Debian's chromium driven by
// playwright-core, screenshots into the artifact directory, and the steps
// of a text interview. Scenarios are run by tests/integration/browser.rs as
// `node tests/browser/<scenario>.mjs <base-url> <artifact-dir> [extra]`;
// a non-zero exit (with the reason on stderr) fails that Rust test.

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

export const CHROMIUM = process.env.MOCKLOOP_CHROMIUM || "/usr/bin/chromium";

// The flags the issue asks for: no sandbox (CI runs as root), and nothing
// that talks to the network on its own.
const FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

// Generous bounds, not speed checks: the whole suite (whisper, the crash
// test) shares two cores with the browser, and a step once took over 30 s.
export const STEP_MS = 90_000;

export function args() {
  const [base, artifacts, ...rest] = process.argv.slice(2);
  if (!base || !artifacts) {
    console.error("usage: node <scenario>.mjs <base-url> <artifact-dir> [extra...]");
    process.exit(2);
  }
  mkdirSync(artifacts, { recursive: true });
  return { base: base.endsWith("/") ? base : `${base}/`, artifacts, rest };
}

/** Runs `body(browser)` and exits 0, or prints the failure and exits 1. */
export async function scenario(extraFlags, body) {
  let browser;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [...FLAGS, ...extraFlags],
    });
    await body(browser);
    await browser.close();
    process.exit(0);
  } catch (err) {
    console.error(`scenario failed: ${err && err.stack ? err.stack : err}`);
    // What each page showed when it failed, beside the scenario's own shots.
    const artifacts = process.argv[3];
    const pages = browser ? browser.contexts().flatMap((c) => c.pages()) : [];
    for (const [i, page] of pages.entries()) {
      await page.screenshot({ path: `${artifacts}/failed-${i + 1}.png`, fullPage: true }).catch(() => {});
    }
    if (browser) await browser.close().catch(() => {});
    process.exit(1);
  }
}

/** A page that fails the scenario on any uncaught page error. */
export async function newPage(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_MS);
  const errors = [];
  page.on("pageerror", (err) => errors.push(String(err)));
  // Anything the Content-Security-Policy blocked fails the scenario: the app
  // must work under the policy the server sends.
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      const where = e.sourceFile ? ` at ${e.sourceFile}:${e.lineNumber}:${e.columnNumber}` : "";
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}${where}`);
    });
  });
  page.on("console", (msg) => {
    if (msg.type() !== "error") return;
    const text = msg.text();
    console.error(`page console: ${text}`);
    // The app's store reports a view or effect that threw and carries on
    // (so one bug does not end an interview): a scenario counts it.
    if (text.includes("mockloop:")) errors.push(text);
    if (text.includes("CSP violation") || text.includes("Content Security Policy")) {
      errors.push(text);
    }
  });
  page.pageErrors = errors;
  // A confirm() the app asks (skipping a question) is accepted, as a
  // candidate who meant it would; scenarios may check what was asked.
  page.dialogs = [];
  page.on("dialog", (dialog) => {
    page.dialogs.push(dialog.message());
    dialog.accept().catch(() => {});
  });
  return { context, page };
}

export function assert(cond, message) {
  if (!cond) throw new Error(`assertion failed: ${message}`);
}

export async function shot(page, artifacts, name) {
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
}

/** The page is no wider than its viewport (nothing to scroll sideways). */
export async function assertNoHorizontalOverflow(page, what) {
  const { scroll, width } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth, width: window.innerWidth,
  }));
  assert(scroll <= width, `${what}: page is ${scroll}px wide in a ${width}px viewport`);
}

/** Picks a loop in the lobby by its id (and typing or speaking) and starts it. */
export async function startLoop(page, base, loopId, mode = "text") {
  await page.goto(base);
  await page.locator(`input[name="loop"][value="${loopId}"]`).check();
  await page.locator(`input[name="mode"][value="${mode}"]`).check();
  await page.locator("#start-btn").click();
  await page.locator("#room-view").waitFor({ state: "visible" });
}

/** Waits until the room shows a prompt other than `previous` and returns its text. */
export async function nextPrompt(page, previous, timeout = STEP_MS) {
  await page.waitForFunction((prev) => {
    const p = document.querySelector("#prompt .prompt-text");
    return p && p.textContent.trim() && p.textContent !== prev;
  }, previous, { timeout });
  return page.locator("#prompt .prompt-text").textContent();
}

// A solid answer per round kind, so the debrief has evidence to highlight.
const ANSWERS = {
  coding: "Let me clarify the constraints first: can I assume the input fits in memory? A brute force approach " +
    "compares every pair, which is O(n squared). To optimise I would use a hash map for O(n) time and O(n) space. " +
    "Edge cases are an empty array and duplicates, and I would test it with unit tests for each edge case.",
  values: "In my last role our checkout service kept timing out during a launch, and I owned the fix. I decided to " +
    "add a circuit breaker and I wrote the load tests myself. As a result, errors fell by 80 percent. In hindsight " +
    "I learned to involve support earlier.",
  design: "First I would clarify the requirements and estimate about 10 million users and 1,000 requests per " +
    "second. The components are an API gateway, a stateless service, a cache and a database. The trade-off is " +
    "consistency versus availability; if the cache goes down we fall back to the database with retries.",
};

export function answerFor(kind) {
  if (kind === "coding" || kind === "ml-coding") return ANSWERS.coding;
  if (kind === "design" || kind === "ml-design") return ANSWERS.design;
  if (kind === "values") return ANSWERS.values;
  return "I measured it: p99 latency went from 120 ms down to 40 ms after I added a cache, and the trade-off " +
    "was memory versus latency. I would test it by walking through a small example by hand.";
}

/**
 * Where the candidate types: the code editor in coding rounds (once its
 * module has loaded), the text area otherwise. Both accept `fill`.
 */
export async function answerBox(page) {
  const code = await page.evaluate(() => document.querySelector("#answer").classList.contains("code"));
  if (!code) return page.locator("#answer");
  const editor = page.locator("#code-editor .cm-content");
  await editor.waitFor({ state: "visible", timeout: STEP_MS });
  return editor;
}

/** Types and sends an answer with the keyboard only (Ctrl+Enter), then waits for "saved". */
export async function typeAnswer(page, text) {
  const box = await answerBox(page);
  await box.focus();
  await box.fill(text);
  // Right after a (re)connection the room is briefly paused until the
  // server's "resumed"; an answer sent then would be refused.
  await page.locator("#send-btn:not([disabled])").waitFor();
  const saved = '#log li[data-status="saved"]';
  const before = await page.locator(saved).count();
  await page.keyboard.press("Control+Enter");
  // Counted in the DOM, not waited for as visible: the last answer of a loop
  // can bring the debrief, which hides the room and its log at once.
  await page.waitForFunction(
    ([selector, count]) => document.querySelectorAll(selector).length > count, [saved, before],
  );
  await page.waitForFunction(() => !document.querySelector('#log li[data-status="pending"]'));
}

/** Answers every prompt in text until the debrief shows; returns how many answers were sent. */
export async function answerUntilDebrief(page, { skip = false, onPrompt = null } = {}) {
  let previous = "";
  let sent = 0;
  for (;;) {
    const done = await Promise.race([
      page.locator("#debrief-view").waitFor({ state: "visible", timeout: 120_000 }).then(() => true),
      nextPrompt(page, previous).then(() => false),
    ]);
    if (done) return sent;
    previous = await page.locator("#prompt .prompt-text").textContent();
    const kind = await page.evaluate(() => document.body.dataset.roundKind || "");
    if (onPrompt) await onPrompt(kind);
    if (skip) {
      await page.locator("#skip-btn").click();
    } else {
      await typeAnswer(page, answerFor(kind));
      sent += 1;
    }
  }
}

/** The session this page keeps in localStorage: {session_id, token}. */
export async function storedSession(page) {
  return page.evaluate(() => {
    const r = JSON.parse(localStorage.getItem("mockloop.session.v1"));
    return { session_id: r.session_id, token: r.token };
  });
}
