// Shared helpers for the browser tests and scripts: a static file server for a built site
// (any prefix, optional wrong MIME type for .wasm) and Debian's Chromium driven by playwright-core.
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

const TYPES = {
  ".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript", ".wasm": "application/wasm",
  ".csv": "text/csv", ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xml": "application/xml",
};

/** Serves `dir` under `prefix` (e.g. "/jxjy/") on 127.0.0.1; resolves to { url, close, requests }. */
export function serveDir(dir, { prefix = "/", wasmMime = "application/wasm" } = {}) {
  const requests = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url);
    const url = new URL(req.url, "http://x");
    if (!url.pathname.startsWith(prefix)) { res.writeHead(404); res.end("outside prefix"); return; }
    let rel = decodeURIComponent(url.pathname.slice(prefix.length));
    if (rel.split("/").includes("..")) { res.writeHead(400); res.end(); return; }
    let file = path.join(dir, rel);
    if (rel === "" || rel.endsWith("/")) file = path.join(file, "index.html");
    else if (fs.existsSync(file) && fs.statSync(file).isDirectory()) { res.writeHead(301, { Location: url.pathname + "/" }); res.end(); return; }
    if (!fs.existsSync(file)) { res.writeHead(404, { "Content-Type": TYPES[".html"] }); res.end(fs.readFileSync(path.join(dir, "404.html"))); return; }
    const ext = path.extname(file);
    res.writeHead(200, { "Content-Type": ext === ".wasm" ? wasmMime : TYPES[ext] || "application/octet-stream" });
    res.end(fs.readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => {
    const { port } = server.address();
    resolve({ url: `http://127.0.0.1:${port}${prefix}`, requests, close: () => new Promise((r) => server.close(r)) });
  }));
}

/** Builds the site with the release binary into `out` and returns `out`. */
export function buildSite(out, baseUrl = "/", content = "content") {
  const bin = process.env.JXJY_BIN || path.join(ROOT, "target/release/jxjy");
  execFileSync(bin, ["build", "--content", path.join(ROOT, content), "--out", out, "--base-url", baseUrl], { stdio: ["ignore", "ignore", "pipe"] });
  return out;
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
  });
}

export const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
export const DESKTOP = { viewport: { width: 1280, height: 900 } };
