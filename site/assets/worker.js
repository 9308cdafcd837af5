// The self-check worker: decodes the file, runs jxjy-core (WebAssembly) and posts the report
// back. Runs off the main thread so a 50 MB file never freezes the page. No network requests
// except fetching the module itself from this site.
import init, { check } from "./jxjy_wasm.js";

let policyJson = null;
const ready = init()
  .then(() => postMessage({ type: "ready" }))
  .catch((e) => postMessage({ type: "crash", id: 0, message: "无法加载检查模块：" + e }));

const REPLACEMENT = 0xfffd;
function countReplacements(s) {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === REPLACEMENT) n++;
  return n;
}

// Bytes as UTF-8 for the core: UTF-8 and UTF-16 (with BOM) and .xlsx pass through, the core
// reads them itself; GBK/GB18030 (Excel on a Chinese PC) is decoded here by the browser.
function toCoreBytes(bytes) {
  const b0 = bytes[0], b1 = bytes[1];
  if (b0 === 0x50 && b1 === 0x4b) return bytes; // zip: .xlsx
  if ((b0 === 0xff && b1 === 0xfe) || (b0 === 0xfe && b1 === 0xff)) return bytes; // UTF-16 with BOM
  if (b0 === 0xef && b1 === 0xbb && bytes[2] === 0xbf) return bytes;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return bytes;
  } catch (_) {
    const utf8 = new TextDecoder("utf-8").decode(bytes);
    const gbk = new TextDecoder("gb18030").decode(bytes);
    // Binary files (images, archives) hold NUL bytes: leave them for the core to name.
    if (gbk.indexOf("\u0000") >= 0) return bytes;
    return countReplacements(gbk) < countReplacements(utf8) ? new TextEncoder().encode(gbk) : bytes;
  }
}

onmessage = async (e) => {
  const msg = e.data;
  if (msg.type === "policy") {
    policyJson = msg.policy;
    return;
  }
  if (msg.type !== "check") return;
  await ready;
  try {
    postMessage({ type: "progress", id: msg.id, stage: "正在识别编码和表头…" });
    const bytes = msg.text !== undefined ? new TextEncoder().encode(msg.text) : toCoreBytes(new Uint8Array(msg.bytes));
    postMessage({ type: "progress", id: msg.id, stage: "正在逐行核查 " + (bytes.length / 1024 / 1024).toFixed(1) + " MB…" });
    const json = check(bytes, policyJson, msg.today);
    postMessage({ type: "result", id: msg.id, json });
  } catch (err) {
    // A trap (a Rust panic) or running out of memory: this instance is no longer usable.
    postMessage({ type: "crash", id: msg.id, message: String(err && err.message ? err.message : err) });
    close();
  }
};
