// Scenario: tailored to the candidate (issue 22). In the lobby the
// candidate reads what is stored and for how long, pastes a résumé and a
// job posting, and sees the fit map: requirements evidenced and missing,
// the résumé's own lines quoted. A tailored quick-practice loop says which
// questions were chosen and why; answered to its debrief, it leads to the
// prep plan, with what is due and a progress chart drawn against the aim.
// Prints the profile (id, token) and the session (id, token).

import {
  answerUntilDebrief, args, assert, assertNoHorizontalOverflow, newPage, scenario, shot, storedSession,
} from "./lib.mjs";

const { base, artifacts } = args();

// A synthetic backend engineer: caching, PostgreSQL and on-call on the
// résumé; the posting asks for caching, API design and Kubernetes.
const RESUME = [
  "Sam Example",
  "Backend Engineer",
  "",
  "Experience",
  "Acme Payments, Backend Engineer, 2019 to now",
  "- Built a Redis caching layer in front of the orders API that cut p99 latency from 120 ms to 40 ms",
  "- Designed PostgreSQL schemas and tuned slow queries with indexes and EXPLAIN ANALYZE",
  "- Took part in the on-call rotation for the payments platform and led incident postmortems",
  "- Mentored two junior engineers through their first production launches",
  "",
  "Skills",
  "Go, Python, PostgreSQL, Redis, Linux",
].join("\n");

const POSTING = [
  "Senior Backend Engineer, Platform team",
  "",
  "What you will need",
  "- Experience designing caching for high-traffic services",
  "- Strong API design: REST resources, versioning and pagination",
  "- Experience running and deploying services on Kubernetes",
  "",
  "Nice to have",
  "- PostgreSQL performance tuning",
].join("\n");

await scenario([], async (browser) => {
  const { page } = await newPage(browser);
  await page.goto(base);
  await page.locator('input[name="loop"][value="quick-practice"]').check();

  // What is stored, and for how long, before anything is sent.
  await page.locator("#profile-box summary").click();
  const before = await page.locator("#profile-notice").textContent();
  assert(before.includes("30 days by default") && before.includes("never written to the server's logs"),
    `the panel says what it keeps and for how long: ${before}`);
  assert(await page.locator("#plan-btn").isHidden(), "no plan before there is a profile");

  await page.locator("#profile-resume").fill(RESUME);
  await page.locator("#profile-resume-save").click();
  const kept = page.locator("#profile-resume-status.doc-ok");
  await kept.waitFor();
  assert(/\d+ characters, \d+ lines/.test(await kept.textContent()), `what the server kept: ${await kept.textContent()}`);
  const notice = await page.locator("#profile-notice").textContent();
  assert(/unused for \d+ days/.test(notice) && /language model/.test(notice),
    `the profile's own terms, and whether a model sees the texts: ${notice}`);
  assert(await page.locator("#plan-btn").isVisible(), "the plan is offered once a profile exists");

  // An empty posting is refused beside its box.
  await page.locator("#profile-job-save").click();
  assert(await page.locator("#profile-job-status.doc-error").isVisible(), "an empty posting is not sent");
  // Pasted but not saved: "Show my fit map" saves it first.
  await page.locator("#profile-job").fill(POSTING);
  await shot(page, artifacts, "lobby-profile");
  await page.locator("#fit-btn").click();
  await page.locator("#fit-view").waitFor({ state: "visible" });
  assert(await page.locator("#profile-job").inputValue() === POSTING, "the posting stays as typed");

  const requirements = await page.locator("#fit-requirements > li").evaluateAll((items) =>
    items.map((li) => ({ status: li.dataset.status, badge: li.querySelector(".badge").textContent })));
  const count = (status) => requirements.filter((r) => r.status === status).length;
  assert(count("evidenced") >= 1 && count("missing") >= 1,
    `at least one requirement evidenced and one missing: ${JSON.stringify(requirements)}`);
  assert(requirements.every((r) => r.badge.toLowerCase() === r.status), "each status is said in words");
  const quotes = await page.locator("#fit-requirements q").allTextContents();
  assert(quotes.length > 0 && quotes.every((q) => RESUME.includes(q)),
    `the evidence is the résumé's own lines, word for word: ${JSON.stringify(quotes)}`);
  const scores = await page.locator("#fit-scores dd").allTextContents();
  // A kind the posting asks nothing of (experience, here) shows a dash.
  assert(scores.length === 4 && scores.every((s) => /^\d+%$/.test(s) || s === "—")
    && /^\d+%$/.test(scores[0]) && /^\d+%$/.test(scores[3]), `the scores as percentages: ${scores}`);
  const risks = await page.locator("#fit-risks > li").count();
  assert(risks >= 1 && risks <= 3, `the top risks: ${risks}`);
  assert((await page.locator("#fit-risks").textContent()).includes("What to prepare"), "each risk says what to prepare");
  const likely = await page.locator("#fit-questions > li").count();
  assert(likely > 0 && await page.locator("#fit-questions button.practise").count() === likely,
    "the likely questions, each with Practise this");
  await shot(page, artifacts, "fit-map");
  await page.setViewportSize({ width: 375, height: 812 });
  await assertNoHorizontalOverflow(page, "fit map");
  await shot(page, artifacts, "fit-map-375");
  await page.setViewportSize({ width: 1280, height: 900 });

  // A tailored loop: the room says which questions were chosen, and why.
  await page.locator("#fit-lobby-btn").click();
  await page.locator("#lobby-view").waitFor({ state: "visible" });
  await page.locator("#tailored-btn").click();
  await page.locator("#room-view").waitFor({ state: "visible" });
  await page.locator("#tailored").waitFor({ state: "visible" });
  const chosen = await page.locator("#tailored-list li").allTextContents();
  assert(chosen.length > 0 && chosen.every((c) => c.includes(" — ")), `chosen for you, with why: ${chosen}`);
  assert((await page.locator("#tailored-summary").textContent()).startsWith("Chosen for you"), "headed as chosen");
  await page.locator("#prompt .prompt-text").waitFor();
  await shot(page, artifacts, "room-tailored");
  const answered = await answerUntilDebrief(page);
  const session = await storedSession(page);
  const tailored = await page.evaluate(() =>
    JSON.parse(localStorage.getItem("mockloop.session.v1")).tailored.map((t) => t.question_id));

  // From the debrief to the plan: what is due, and progress against the aim.
  await page.locator("#debrief-plan-btn").click();
  await page.locator("#plan-view").waitFor({ state: "visible" });
  const due = await page.locator("#plan .due > li").count();
  assert(due > 0, "at least one dimension is due");
  const charts = page.locator("#plan-progress figure.progress");
  assert(await charts.count() > 0, "a progress chart per dimension");
  const chart = charts.first();
  assert(await chart.locator("svg circle.dot").count() > 0, "the session is a point on the chart");
  assert(await chart.locator("svg line.hire-line").count() === 1, "the aim is drawn as a line");
  assert((await chart.locator("svg text.mark-label").textContent()).includes("bar"), "and labelled");
  assert(await page.locator("#plan-practise-btn").isVisible(), "Practise these is offered");
  await shot(page, artifacts, "plan");

  const profile = await page.evaluate(() => JSON.parse(localStorage.getItem("mockloop.profile.v1")));
  assert(page.pageErrors.length === 0, `no page errors: ${page.pageErrors.join("; ")}`);
  console.log(JSON.stringify({
    profile_id: profile.profile_id,
    profile_token: profile.token,
    ...session,
    answered,
    tailored,
    evidenced: count("evidenced"),
    missing: count("missing"),
    due,
  }));
});
