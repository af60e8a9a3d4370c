// Drives the web console in Debian's headless Chromium (playwright-core) as a user would, and
// prints what it saw as JSON for test_console.py to assert on. Screenshots go to the directory
// given. Usage: node console_browser.mjs <json: {base, user, password, shots, mode, ...}>
//   mode "admin": sign in (after a refused password), run a query and EXPLAIN in the SQL tab,
//                 open the query's profile, read a routine load's lag, pause and resume it, read
//                 an MV's state, look at tables, tiering and charts.
//   mode "viewer": sign in as a user without rights and record what every tab shows.
import { chromium } from "playwright-core";
import path from "node:path";

const args = JSON.parse(process.argv[2]);
const out = { steps: [] };
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
const consoleErrors = [];
page.on("pageerror", (e) => consoleErrors.push(String(e)));
page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
let shot = 0;
async function snap(name) {
  await page.screenshot({ path: path.join(args.shots, `${String(++shot).padStart(2, "0")}-${args.mode}-${name}.png`), fullPage: true });
}
async function tab(name) {
  await page.click(`#tabs button[data-tab="${name}"]`);
}
const text = (sel) => page.locator(sel).innerText();

try {
  await page.goto(args.base + "/console/");
  await page.waitForSelector("#login-form");
  await snap("login");
  if (args.mode === "admin") {
    await page.fill("#login-user", args.user);
    await page.fill("#login-password", "wrong-password");
    await page.click("#login-submit");
    await page.waitForFunction(() => document.getElementById("login-error").textContent.length > 0);
    out.refused = await text("#login-error");
  }
  await page.fill("#login-user", args.user);
  await page.fill("#login-password", args.password);
  await page.click("#login-submit");
  await page.waitForSelector("#tabs:not([hidden])");
  out.who = await text("#who");

  if (args.mode === "admin") {
    // SQL editor: a query, then its plan.
    await tab("sql");
    await page.fill("#sql-text", args.query);
    await page.click("#sql-run");
    await page.waitForSelector("#sql-result table");
    out.sql_header = await page.locator("#sql-result th").allInnerTexts();
    out.sql_cells = await page.locator("#sql-result td").allInnerTexts();
    out.sql_status = await text("#sql-status");
    await snap("sql");
    await page.click("#sql-explain");
    await page.waitForSelector("#sql-explain-text");
    out.explain = await text("#sql-explain-text");
    await snap("explain");

    // The query's profile, drawn as a tree.
    await tab("queries");
    const row = page.locator("#recent tr.clickable", { hasText: args.marker }).first();
    await row.waitFor();
    await row.click();
    await page.waitForSelector("#profile-tree .node");
    out.profile_nodes = await page.locator("#profile-tree .node .name").allInnerTexts();
    out.profile_scans = await page.locator("#profile-tree .node .scan").allInnerTexts();
    out.profile_nested = await page.locator("#profile-tree .node .node").count();
    await snap("profile");

    // A routine load's lag per partition, then pause and resume it.
    await tab("loads");
    const job = page.locator("#routine-loads tr", { hasText: args.job });
    await job.first().waitFor();
    await page.waitForFunction((j) => [...document.querySelectorAll("#routine-loads tr")].some(
      (tr) => tr.innerText.includes(j) && tr.querySelector("li[data-partition]")), args.job);
    out.lag = await job.first().locator("li[data-partition]").allInnerTexts();
    out.job_state = await job.first().locator("td").nth(3).innerText();
    await snap("loads");
    await job.first().locator("button", { hasText: "Pause" }).click();
    await page.waitForFunction((j) => [...document.querySelectorAll("#routine-loads tr")].some(
      (tr) => tr.innerText.includes(j) && tr.innerText.includes("PAUSED")), args.job);
    out.paused_state = await job.first().locator("td").nth(3).innerText();
    await snap("paused");
    await job.first().locator("button", { hasText: "Resume" }).click();
    await page.waitForFunction((j) => [...document.querySelectorAll("#routine-loads tr")].some(
      (tr) => tr.innerText.includes(j) && !tr.innerText.includes("PAUSED")), args.job);
    out.resumed_state = await job.first().locator("td").nth(3).innerText();
    out.load_history = await text("#load-history");

    // Materialized views.
    await tab("mvs");
    const mv = page.locator("#mv-list tr", { hasText: args.mv });
    await mv.first().waitFor();
    out.mv_header = await page.locator("#mv-list th").allInnerTexts();
    out.mv_cells = await mv.first().locator("td").allInnerTexts();
    await snap("mvs");

    // Tables and partitions, tiering and lake health, charts.
    await tab("tables");
    await page.locator("#table-list tr", { hasText: args.table }).first().click();
    await page.waitForSelector("#partitions table, #partitions p");
    out.tables = await text("#table-list");
    out.partitions = await text("#partitions");
    await snap("tables");
    await tab("lake");
    await page.waitForSelector("#tiering table, #tiering p");
    out.tiering = await text("#tiering");
    await snap("lake");
    await tab("charts");
    await page.waitForSelector("#chart-ingest svg path[data-series]", { timeout: 30000 });
    out.chart_series = await page.locator("svg path[data-series]").evaluateAll((ps) => ps.map((p) => p.dataset.series));
    await snap("charts");
  } else {
    for (const t of ["queries", "loads", "mvs", "tables", "lake"]) {
      await tab(t);
      await page.waitForTimeout(700);
    }
    await tab("queries");
    await page.waitForSelector("#recent table, #recent p");
    out.running = await text("#running");
    out.recent = await text("#recent");
    await tab("loads");
    await page.waitForSelector("#routine-loads p, #routine-loads table");
    out.loads = await text("#routine-loads");
    await tab("mvs");
    await page.waitForSelector("#mv-list p, #mv-list table");
    out.mvs = await text("#mv-list");
    await tab("tables");
    await page.waitForSelector("#table-list p, #table-list table");
    out.tables = await text("#table-list");
    await snap("viewer");
    out.page = await page.locator("body").innerText();
  }
  await page.click("#signout");
  await page.waitForSelector("#login:not([hidden])");
  out.signed_out = true;
} catch (e) {
  out.error = String(e.stack || e);
  try { await snap("failure"); } catch (ignored) { /* the page is gone */ }
}
out.console_errors = consoleErrors;
await browser.close();
console.log(JSON.stringify(out));
