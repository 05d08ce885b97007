// Scenario: the connection drops while the candidate is typing an answer.
// The reconnect banner shows, typing goes on offline, and once the network is
// back the same draft is sent and the interview continues; a reload then
// resumes the room from storage. Prints the session and the draft.

import {
  args, assert, newPage, nextPrompt, scenario, shot, startLoop, storedSession, typeAnswer,
} from "./lib.mjs";

const { base, artifacts } = args();

// Before any page script runs: remember every WebSocket the page opens, so
// the scenario can cut them the way a dropped network would, and refuse new
// ones while the "network" is down (Chromium's offline emulation still lets
// a page reach 127.0.0.1).
function trackSockets() {
  const Native = window.WebSocket;
  window.__sockets = [];
  window.__down = false;
  window.WebSocket = class extends Native {
    constructor(...a) {
      if (window.__down) throw new DOMException("the network is down", "NetworkError");
      super(...a);
      window.__sockets.push(this);
    }
  };
}

await scenario([], async (browser) => {
  const { context, page } = await newPage(browser);
  await context.addInitScript(trackSockets);
  await startLoop(page, base, "quick-practice");
  const first = await nextPrompt(page, "");

  const before = "Before the drop: I would start by clarifying the requirements and the constraints.";
  const after = " After the drop: then I would measure latency before and after the change.";
  await page.locator("#answer").focus();
  await page.keyboard.type(before);

  await context.setOffline(true);
  await page.evaluate(() => {
    window.__down = true;
    window.__sockets.forEach((s) => s.close());
  });
  await page.locator("#conn", { hasText: "Connection lost" }).waitFor();
  await page.keyboard.type(after);
  await shot(page, artifacts, "room-offline");

  assert(await page.locator("#conn").textContent() !== "", "still disconnected while typing");
  await page.evaluate(() => {
    window.__down = false;
  });
  await context.setOffline(false);
  await page.waitForFunction(() => document.getElementById("conn").textContent === "");
  const draft = before + after;
  assert(await page.locator("#answer").inputValue() === draft, "the draft typed across the outage is intact");
  await typeAnswer(page, draft);
  const next = await nextPrompt(page, first);
  assert(next !== first, "the interview went on to the next prompt");
  await shot(page, artifacts, "room-resumed");

  // A reload (a closed tab, a crash) rebuilds the room from storage.
  await page.reload();
  await page.locator("#resume-btn").click();
  await page.locator("#prompt .prompt-text", { hasText: next.slice(0, 40) }).waitFor();
  assert(await page.locator("#log .entry-answer").count() === 1, "the sent answer is in the rebuilt transcript once");

  assert(page.pageErrors.length === 0, `no page errors: ${page.pageErrors.join("; ")}`);
  console.log(JSON.stringify({ ...(await storedSession(page)), draft }));
});
