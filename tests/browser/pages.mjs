// Scenario: a person follows links that do not work: a report link with a
// wrong token (or to a deleted interview) and an address with nothing at
// it. Each gets a page that says what happened in words and leads back to
// the lobby, not raw JSON or a bare "not found". Prints what it saw.

import { args, assert, newPage, scenario, shot } from "./lib.mjs";

const { base, artifacts } = args();

async function landOn(page, path, status, heading, name) {
  const response = await page.goto(new URL(path, base).toString());
  assert(response.status() === status, `${path}: status ${response.status()}, expected ${status}`);
  assert(response.headers()["content-type"].startsWith("text/html"), `${path}: a page, not ${response.headers()["content-type"]}`);
  const h1 = await page.locator("h1").textContent();
  assert(h1.includes(heading), `${path}: the page says what happened: ${h1}`);
  assert(!(await page.locator("body").textContent()).includes("{\"error\""), `${path}: no raw JSON`);
  await shot(page, artifacts, name);
  await page.locator("#to-lobby").click();
  await page.locator("#lobby-view").waitFor({ state: "visible" });
  return h1;
}

await scenario([], async (browser) => {
  const { page } = await newPage(browser);
  const report = await landOn(page, "api/sessions/no-such-session/report.html?token=not-the-token", 401,
    "does not open an interview", "bad-report-link");
  const nowhere = await landOn(page, "no/such/page", 404, "nothing at this address", "not-found");
  console.log(JSON.stringify({ report, nowhere }));
});
