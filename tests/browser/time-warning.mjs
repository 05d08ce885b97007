// Scenario: the round's time warning, with the server's clock moved by the
// test and the page's clock moved by the browser. Once warned, the warning
// must stay true while the countdown beside it runs down: it used to say
// "20 seconds left" while the countdown showed 0:10. Prints the warning.
// Needs the test to run the server on a manual clock (run_scenario_on).

import { args, assert, newPage, nextPrompt, scenario, shot, startLoop } from "./lib.mjs";

const { base, artifacts } = args();

async function secondsLeft(page) {
  const [m, s] = (await page.locator("#countdown").textContent()).split(":").map(Number);
  assert(Number.isFinite(m) && Number.isFinite(s), "the countdown shows m:ss");
  return m * 60 + s;
}

/** Whether `warning` says something about the time left that `left` contradicts. */
function contradicts(warning, left) {
  const said = /^(Under )?(\d+) (second|minute)s? left/.exec(warning);
  assert(said, `the warning says how long is left: ${warning}`);
  const seconds = Number(said[2]) * (said[3] === "minute" ? 60 : 1);
  if (said[1]) return left > seconds;
  // An exact figure must match the countdown to the unit it is given in.
  return Math.abs(left - seconds) >= (said[3] === "minute" ? 30 : 2);
}

await scenario([], async (browser) => {
  const { page } = await newPage(browser);
  await page.clock.install();
  await startLoop(page, base, "quick-practice");
  await nextPrompt(page, "");
  const start = await secondsLeft(page);
  // A round warns a sixth of its time (at least 30 s) before its end.
  assert(start > 60, `the first round is long enough: ${start} s`);

  // The server's clock to 20 s before the round ends: past its warning.
  console.log(`ADVANCE_SERVER_CLOCK ${(start - 20) * 1000}`);
  await page.waitForFunction(() => document.getElementById("time-warning").textContent.includes("left"));
  const warning = await page.locator("#time-warning").textContent();
  const warned = await secondsLeft(page);
  assert(!contradicts(warning, warned), `when it comes, the warning agrees with the countdown: ${warning} at ${warned} s`);

  // Ten seconds later, in the page.
  await page.clock.fastForward(10_000);
  await page.waitForFunction((before) => {
    const [m, s] = document.getElementById("countdown").textContent.split(":").map(Number);
    return m * 60 + s <= before - 8;
  }, warned);
  const later = await secondsLeft(page);
  const still = await page.locator("#time-warning").textContent();
  await shot(page, artifacts, "time-warning");
  assert(!contradicts(still, later), `ten seconds on, the warning still agrees: "${still}" with ${later} s left`);

  assert(page.pageErrors.length === 0, `no page errors: ${page.pageErrors.join("; ")}`);
  console.log(JSON.stringify({ warning: still, left: later }));
});
