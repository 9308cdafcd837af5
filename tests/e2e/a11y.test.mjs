// Accessibility: axe-core on every page at phone and desktop width, in normal, large-text and
// high-contrast modes, and on the self-check before and after a check. The pages keep their CSP;
// only this test bypasses it to inject axe (Playwright's bypassCSP).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { buildSite, serveDir, launch, ROOT, PHONE, DESKTOP } from "./lib.mjs";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
let browser, server, yearsServer;
before(async () => {
  server = await serveDir(buildSite(fs.mkdtempSync(path.join(os.tmpdir(), "jxjy-axe-")), "/"));
  // Two policy years (the 2021 one a fictional test fixture): the archive, a comparison, a year's
  // own address, and the self-check's person × year grid.
  yearsServer = await serveDir(buildSite(fs.mkdtempSync(path.join(os.tmpdir(), "jxjy-axe-years-")), "/", "tests/fixtures/sites/two-years"));
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
  await yearsServer?.close();
});

/** Violations of WCAG 2.x A/AA (and axe's best practices) on the page as it is now. */
async function violations(page) {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } });
    return r.violations.map((v) => v.id + ": " + v.nodes.slice(0, 3).map((n) => n.target.join(" ") + " — " + n.failureSummary.split("\n").slice(1, 2).join("")).join(" | "));
  });
}

for (const [width, device] of [["390", PHONE], ["1280", DESKTOP]]) {
  for (const mode of ["normal", "large", "contrast"]) {
    test(`axe: every page at ${width} px, ${mode}`, async () => {
      const ctx = await browser.newContext({ ...device, bypassCSP: true, timezoneId: "Asia/Shanghai" });
      if (mode !== "normal") await ctx.addInitScript((m) => localStorage.setItem("jxjy-" + m, "1"), mode);
      const page = await ctx.newPage();
      const found = {};
      for (const p of ["", "notice/", "quota/", "faq/", "check/", "no/such/page/"]) {
        await page.goto(server.url + p);
        const v = await violations(page);
        if (v.length) found[p || "home"] = v;
      }
      // The self-check after a check of a unit file (people table, detail, ledger) and of one person.
      await page.goto(server.url + "check/");
      await page.waitForSelector("body[data-checker=ready]");
      await page.fill("#today", "2020-11-01");
      for (const file of ["trust/same-name-gbk.csv", "personal.csv"]) {
        await page.evaluate(() => { document.body.dataset.state = ""; });
        await page.setInputFiles("#file", path.join(ROOT, "tests/fixtures", file));
        await page.waitForSelector("body[data-state=done]");
        const v = await violations(page);
        if (v.length) found["check after " + file] = v;
      }
      for (const p of ["archive/", "2021/changes/", "2020/faq/", "2020/"]) {
        await page.goto(yearsServer.url + p);
        const v = await violations(page);
        if (v.length) found["two years: " + p] = v;
      }
      await page.goto(yearsServer.url + "check/");
      await page.waitForSelector("body[data-checker=ready]");
      await page.fill("#today", "2021-11-01");
      await page.setInputFiles("#file", path.join(ROOT, "tests/fixtures/years/three-years.csv"));
      await page.waitForSelector("body[data-state=done]");
      assert.ok(await page.isVisible("table.years"));
      const v = await violations(page);
      if (v.length) found["two years: the person × year grid"] = v;
      assert.deepEqual(found, {}, JSON.stringify(found, null, 1));
      await ctx.close();
    });
  }
}
