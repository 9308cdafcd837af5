// The self-check worker: decodes the file, runs jxjy-core (WebAssembly) and posts the report
// back. Runs off the main thread so a 50 MB file never freezes the page. No network requests
// except fetching the module itself from this site.
import init, { check, check_years, encoding, labels } from "./jxjy_wasm.js";

// The current year's policy, and every year's when the site has several (then a file is judged
// year by year, each year by its own policy).
let policyJson = null, policiesJson = null;
const ready = init()
  .then(() => postMessage({ type: "ready", labels: labels() }))
  .catch((e) => postMessage({ type: "crash", id: 0, message: "无法加载检查模块：" + e }));

// Legacy .xls (an OLE compound file): read by a second module with calamine, fetched from this
// site only when such a file arrives, so the first load stays small.
let xlsReader = null;
function isXls(b) { return b[0] === 0xd0 && b[1] === 0xcf && b[2] === 0x11 && b[3] === 0xe0; }
async function loadXlsReader() {
  if (!xlsReader) {
    const m = await import("./jxjy_xls.js");
    await m.default();
    xlsReader = m;
  }
  return xlsReader;
}

// Bytes as the core reads them. The core decides the encoding (one rule for the page and the
// CLI); only GB18030, whose tables the module does not carry, is decoded here by the browser.
function toCoreBytes(bytes) {
  if (encoding(bytes) !== "gb18030") return bytes;
  return new TextEncoder().encode(new TextDecoder("gb18030").decode(bytes));
}

// jxjy_core::import::MAX_INPUT_BYTES (200 MB): check.js refuses larger files before reading them;
// this is the same check for anything else sent here (core/tests/bounds.rs keeps the numbers equal).
const MAX_INPUT_BYTES = 209715200;

// Several policy years: each year the rows belong to, by its own policy; else the one policy.
function runCheck(module, bytes, today) {
  return policiesJson ? module.check_years(bytes, policiesJson, policyJson, today) : module.check(bytes, policyJson, today);
}

onmessage = async (e) => {
  const msg = e.data;
  if (msg.type === "policy") {
    policyJson = msg.policy;
    policiesJson = msg.policies || null;
    return;
  }
  if (msg.type !== "check") return;
  await ready;
  try {
    postMessage({ type: "progress", id: msg.id, stage: "正在识别编码和表头…" });
    const size = msg.text !== undefined ? msg.text.length : msg.bytes.byteLength;
    if (size > MAX_INPUT_BYTES) {
      // Worded as the core's ImportError::TooLarge.
      const fatal = "文件过大（" + (size / 1024 / 1024).toFixed(1) + " MB），超过 200 MB 的上限，未读取。请按年度或单位拆分后分批检查";
      postMessage({ type: "result", id: msg.id, json: JSON.stringify({ fatal }) });
      return;
    }
    const raw = msg.text !== undefined ? null : new Uint8Array(msg.bytes);
    let module = { check, check_years };
    if (raw && isXls(raw)) {
      postMessage({ type: "progress", id: msg.id, stage: "正在加载旧版 Excel（.xls）读取模块…" });
      try {
        module = await loadXlsReader();
      } catch (_) {
        // Not published with this site (or not reachable): the main module names the file and what to do.
      }
    }
    const bytes = raw ? toCoreBytes(raw) : new TextEncoder().encode(msg.text);
    postMessage({ type: "progress", id: msg.id, stage: "正在逐行核查 " + (bytes.length / 1024 / 1024).toFixed(1) + " MB…" });
    const json = runCheck(module, bytes, msg.today);
    postMessage({ type: "result", id: msg.id, json });
  } catch (err) {
    // A trap (a Rust panic) or running out of memory: this instance is no longer usable.
    postMessage({ type: "crash", id: msg.id, message: String(err && err.message ? err.message : err) });
    close();
  }
};
