// Scenario: the interview is deleted from the server while its room is open,
// and another while its tab is closed. The room must say the interview is
// gone and offer the lobby, not retry forever with "check that the server
// is running"; the lobby then offers no Resume that would fail the same way.
// Prints both session ids.

import { args, assert, newPage, nextPrompt, scenario, shot, startLoop, storedSession } from "./lib.mjs";

const { base, artifacts } = args();
const GONE = "no longer on the server";

async function deleteOnServer(page, session) {
  const url = new URL(`api/sessions/${session.session_id}?token=${session.token}`, base).toString();
  const res = await page.request.delete(url);
  assert(res.status() === 204, `the candidate deleted the interview: ${res.status()}`);
}

async function assertGoneThenLobby(page, what) {
  await page.locator("#conn", { hasText: GONE }).waitFor({ timeout: 60_000 });
  const banner = await page.locator("#conn").textContent();
  assert(!banner.includes("Check that the server is running"), `${what}: the banner does not blame the server: ${banner}`);
  assert(!banner.includes("reconnecting"), `${what}: no reconnecting once the interview is known gone: ${banner}`);
  await shot(page, artifacts, `gone-${what}`);
  await page.locator("#conn button", { hasText: "Back to the lobby" }).click();
  await page.locator("#lobby-view").waitFor({ state: "visible" });
  assert(await page.locator("#resume-box").isHidden(), `${what}: the lobby offers no resume of a deleted interview`);
}

await scenario([], async (browser) => {
  const { page } = await newPage(browser);

  // Deleted while the room is open: the server closes its socket.
  await startLoop(page, base, "quick-practice");
  await nextPrompt(page, "");
  const open = await storedSession(page);
  await deleteOnServer(page, open);
  await assertGoneThenLobby(page, "open-room");

  // Deleted while the tab is closed: Resume finds it gone.
  await startLoop(page, base, "quick-practice");
  await nextPrompt(page, "");
  const closed = await storedSession(page);
  await page.goto("about:blank");
  await deleteOnServer(page, closed);
  await page.goto(base);
  await page.locator("#resume-btn").click();
  await assertGoneThenLobby(page, "after-reload");

  assert(page.pageErrors.length === 0, `no page errors: ${page.pageErrors.join("; ")}`);
  console.log(JSON.stringify({ open: open.session_id, closed: closed.session_id }));
});
