// Takes screenshots of every page of the built site at phone and desktop widths, in normal and
// large text, of the self-check page after checking the sample data, a status-column table and a
// unit file, and PDFs of the printed notice and report. Usage: node screenshots.mjs [outdir]
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildSite, serveDir, launch, PHONE, DESKTOP, ROOT } from "./lib.mjs";

const outDir = path.resolve(process.argv[2] || path.join(ROOT, "target/screenshots"));
fs.mkdirSync(outDir, { recursive: true });
const site = buildSite(fs.mkdtempSync(path.join(os.tmpdir(), "jxjy-shots-")), "/jxjy/");
const server = await serveDir(site, { prefix: "/jxjy/" });
const browser = await launch();
for (const [label, device, large] of [["phone", PHONE, false], ["desktop", DESKTOP, false], ["phone-large", PHONE, true], ["desktop-large", DESKTOP, true]]) {
  const ctx = await browser.newContext({ ...device, timezoneId: "Asia/Shanghai" });
  if (large) await ctx.addInitScript(() => localStorage.setItem("jxjy-large", "1"));
  const page = await ctx.newPage();
  for (const p of ["", "notice/", "quota/", "faq/", "check/"]) {
    await page.goto(server.url + p);
    const name = (p.replace(/\//g, "") || "home") + `-${label}.png`;
    await page.screenshot({ path: path.join(outDir, name), fullPage: true });
  }
  await page.goto(server.url + "check/");
  await page.waitForSelector("body[data-checker=ready]");
  await page.click("#sample");
  await page.waitForSelector("body[data-state=done]");
  await page.screenshot({ path: path.join(outDir, `check-result-${label}.png`), fullPage: true });
  // A platform table with a status column (the verdict with its premises, the ledger) and a unit file.
  for (const [name, file] of [["status", "trust/platform-status.tsv"], ["unit", "trust/same-name-gbk.csv"]]) {
    await page.evaluate(() => { document.body.dataset.state = ""; });
    await page.setInputFiles("#file", path.join(ROOT, "tests/fixtures", file));
    await page.waitForSelector("body[data-state=done]");
    await page.screenshot({ path: path.join(outDir, `check-${name}-${label}.png`), fullPage: true });
  }
  await ctx.close();
}
// The printed notice (GB/T 9704 layout) and a printed self-check report, as Chromium's PDF.
{
  const ctx = await browser.newContext({ timezoneId: "Asia/Shanghai" });
  const page = await ctx.newPage();
  await page.goto(server.url + "notice/");
  await page.pdf({ path: path.join(outDir, "notice.pdf"), preferCSSPageSize: true });
  await page.goto(server.url + "check/");
  await page.waitForSelector("body[data-checker=ready]");
  await page.fill("#today", "2020-11-01");
  await page.setInputFiles("#file", path.join(ROOT, "tests/fixtures/personal.csv"));
  await page.waitForSelector("body[data-state=done]");
  await page.pdf({ path: path.join(outDir, "report.pdf"), format: "A4" });
  await ctx.close();
}
await browser.close();
await server.close();
console.log("screenshots in " + outDir);
