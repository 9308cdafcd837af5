// Budget of the self-check page, measured in headless Chromium on localhost:
//   1. bytes transferred before the first check, gzip -9 of every response (target ≤ 100 KB; the
//      .xlsx/.xls/JSON reader is a second module, fetched only when such a file arrives)
//   2. time from navigation until the checker is ready (target ≤ 300 ms; median of 7 loads)
//   3. time to check a generated 10,000-row file, from hand-off to rendered result (target ≤ 100 ms; median of 7)
//   4. a 50 MB unit file (5,000 people): time from choosing it to the result, and the longest the
//      page's main thread was busy meanwhile (probed every 200 ms)
// Usage: node budget.mjs   (needs target/release/jxjy with the wasm module embedded, or JXJY_BIN).
// With JXJY_BIN_BEFORE=<another jxjy>, the two builds are measured side by side, their loads and
// checks interleaved, so that a busy machine slows both alike and the two columns compare.
// With JXJY_PICK_AFTER_MS=<ms>, the 10,000-row file is chosen that long after the page is ready
// (a person's pace) instead of at once.
// It prints; it asserts nothing (timings vary with the machine).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { buildSite, serveDir, launch } from "./lib.mjs";

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function siteOf(bin) {
  const saved = process.env.JXJY_BIN;
  if (bin) process.env.JXJY_BIN = bin;
  try { return buildSite(fs.mkdtempSync(path.join(os.tmpdir(), "jxjy-budget-")), "/"); }
  finally { if (saved === undefined) delete process.env.JXJY_BIN; else process.env.JXJY_BIN = saved; }
}
const builds = [{ name: "this build", site: siteOf(process.env.JXJY_BIN) }];
if (process.env.JXJY_BIN_BEFORE) builds.unshift({ name: "before", site: siteOf(process.env.JXJY_BIN_BEFORE) });
for (const b of builds) Object.assign(b, { server: await serveDir(b.site), bytes: null, ready: [], checks: [] });
const server = builds[builds.length - 1].server;
const browser = await launch();

// A unit's file: 10,000 rows, 200 people, the columns of a platform export.
const rows = ["姓名,课程名称,科目类型,课程性质,学时,完成日期,考核结果,是否备案"];
for (let i = 0; i < 10000; i++) {
  const pub = i % 3 === 0;
  rows.push(`员工${String(i % 200).padStart(3, "0")},课程${i % 97}专题,${pub ? "公需科目" : "专业科目"},${pub ? (i % 2 ? "必修" : "选修") : ""},${1 + (i % 8) / 2},2020-${String(1 + (i % 11)).padStart(2, "0")}-${String(1 + (i % 27)).padStart(2, "0")},${i % 17 ? "合格" : "不合格"},是`);
}
const bigFile = path.join(os.tmpdir(), "jxjy-budget-10000.csv");
fs.writeFileSync(bigFile, rows.join("\r\n") + "\r\n");

const runs = builds.length > 1 ? 11 : 7;
const pickAfter = Number(process.env.JXJY_PICK_AFTER_MS || 0);
for (let run = 0; run < runs; run++) {
  for (const b of run % 2 ? [...builds].reverse() : builds) {
    const ctx = await browser.newContext({ timezoneId: "Asia/Shanghai" });
    const page = await ctx.newPage();
    const sizes = [];
    if (run === 0) page.on("response", async (r) => { try { sizes.push([r.url(), zlib.gzipSync(await r.body(), { level: 9 }).length]); } catch {} });
    await page.goto(b.server.url + "check/");
    await page.waitForSelector("body[data-checker=ready]");
    b.ready.push(await page.evaluate(() => window.__jxjyReadyAt));
    // A copy: what the page fetches with the first check (the results view) must not count.
    if (run === 0) { await page.waitForTimeout(200); b.bytes = [...sizes]; }
    if (pickAfter) await page.waitForTimeout(pickAfter);
    await page.fill("#today", "2020-11-01");
    await page.setInputFiles("#file", bigFile);
    await page.waitForFunction(() => document.body.dataset.state === "done", null, { timeout: 30000 });
    b.checks.push(await page.evaluate(() => window.__jxjyLastCheckMs));
    await ctx.close();
  }
}
// 4. 50 MB.
const big = ["姓名,课程名称,科目类型,课程性质,学时,完成日期,考核结果,是否备案"];
for (let size = 0, n = 0; size < 50 * 1024 * 1024; n++) {
  const line = `员工${n % 5000},课程${n % 997}专题讲座与案例分析,${n % 3 ? "专业科目" : "公需科目"},${n % 2 ? "必修" : "选修"},${1 + (n % 8) / 2},2020-${String(1 + (n % 11)).padStart(2, "0")}-${String(1 + (n % 27)).padStart(2, "0")},${n % 17 ? "合格" : "不合格"},是`;
  big.push(line);
  size += Buffer.byteLength(line) + 2;
}
const bigPath = path.join(os.tmpdir(), "jxjy-budget-50mb.csv");
fs.writeFileSync(bigPath, big.join("\r\n"));
const ctx = await browser.newContext({ timezoneId: "Asia/Shanghai" });
const page = await ctx.newPage();
await page.goto(server.url + "check/");
await page.waitForSelector("body[data-checker=ready]");
await page.fill("#today", "2020-11-01");
let lag = 0;
const probe = setInterval(async () => { const s = Date.now(); try { await page.evaluate(() => 1); } catch {} lag = Math.max(lag, Date.now() - s); }, 200);
const t0 = Date.now();
await page.setInputFiles("#file", bigPath);
await page.waitForFunction(() => document.body.dataset.state === "done", null, { timeout: 180000 });
const bigMs = Date.now() - t0;
clearInterval(probe);
fs.rmSync(bigPath);
await browser.close();
for (const b of builds) await b.server.close();

const ms = (xs) => `median ${median(xs).toFixed(0)} ms of ${xs.map((x) => x.toFixed(0)).join(", ")}`;
for (const b of builds) {
  const total = b.bytes.reduce((a, [, n]) => a + n, 0);
  console.log(`${b.name}: bytes before the first check (gzip -9):`);
  for (const [url, n] of b.bytes) console.log(`  ${(n / 1024).toFixed(1).padStart(7)} KB  ${new URL(url).pathname}`);
  console.log(`  ${(total / 1024).toFixed(1).padStart(7)} KB  total (target ≤ 100 KB)`);
}
for (const b of builds) console.log(`${b.name}: ready after navigation: ${ms(b.ready)} (target ≤ 300 ms)`);
const when = pickAfter ? `, chosen ${pickAfter} ms after ready` : "";
for (const b of builds) console.log(`${b.name}: check 10,000 rows${when}: ${ms(b.checks)} (target ≤ 100 ms)`);
console.log(`this build: 50 MB file (${big.length - 1} rows): ${(bigMs / 1000).toFixed(1)} s to the result, main thread busy at most ${lag} ms at a time`);
