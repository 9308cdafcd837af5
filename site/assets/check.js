// The self-check page. Everything the user gives us stays in this tab: the file is read with
// FileReader, checked in a Web Worker running jxjy-core as WebAssembly, and shown with
// textContent (never innerHTML). Downloads (.ics, CSV) are made from blob: URLs.
const $ = (id) => document.getElementById(id);
// The policy, as jxjy-core's policy::wire lines the module reads; on a site of several years every
// year's too: a file with rows of several years is then judged year by year (the worker asks the
// core for the person × year grid).
const policyText = $("policy").textContent;
const policiesText = $("policies") ? $("policies").textContent : null;
const severalYears = policiesText !== null;


function todayInShanghai() {
  return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

const status = (text, kind) => {
  const s = $("status");
  s.textContent = text;
  s.className = "status" + (kind ? " " + kind : "");
};

// The results view (report.js, and doc.css for its tables) is fetched from this site with the first
// check, while the worker runs it: the first load carries only what takes the input and starts the checker.
let reportView = null;
const loadReportView = () => (reportView ??= import("./report.js").then((view) => view.styled.then(() => view)));

// ---- the worker ----
let worker = null, ready = false, seq = 0, queued = null, lastInput = null, sentAt = 0;
// The ledger rows asked of the worker for the report shown (check id and person → resolve).
const ledgerWaits = new Map();
const ledgerOf = (id) => (person) => new Promise((resolve) => {
  ledgerWaits.set(id + ":" + person, resolve);
  worker.postMessage({ type: "ledger", id, person });
});
function startWorker() {
  ready = false;
  worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
  worker.postMessage({ type: "policy", policy: policyText, policies: policiesText });
  worker.onmessage = (e) => {
    const m = e.data;
    if (m.type === "ready") {
      ready = true;
      document.body.dataset.checker = "ready";
      window.__jxjyReadyAt = performance.now();
      if (queued) { const q = queued; queued = null; send(q); }
      else {
        // Nothing to check yet: let the worker run its first (slow) check on a table of its own.
        worker.postMessage({ type: "warm" });
        if (!lastInput) status("检查模块已就绪。");
      }
    } else if (m.type === "progress" && m.id === seq) {
      status(m.stage, "busy");
    } else if (m.type === "result" && m.id === seq) {
      let report;
      try { report = JSON.parse(m.json); } catch (err) { status("结果无法解析：" + err, "error"); return; }
      if (report.fatal) { status(report.fatal, "error"); $("results").hidden = true; document.body.dataset.state = "fatal"; return; }
      const id = m.id;
      const first = m.ledger ? { person: m.ledger.person, rows: JSON.parse(m.ledger.json) } : null;
      loadReportView().then((view) => {
        if (id === seq) view.render(report, { reveal: Boolean(lastInput && lastInput.reveal), sentAt, status, ledger: ledgerOf(id), first });
      }, (err) => status("无法加载结果视图：" + err, "error"));
    } else if (m.type === "ledger" && m.id === seq) {
      const resolve = ledgerWaits.get(m.id + ":" + m.person);
      ledgerWaits.delete(m.id + ":" + m.person);
      if (resolve) resolve(JSON.parse(m.json));
    } else if (m.type === "crash") {
      crashed(m.message);
    }
  };
  worker.onerror = (e) => { e.preventDefault(); crashed(e.message || "未知错误"); };
}
function crashed(message) {
  worker.terminate();
  document.body.dataset.state = "crashed";
  status("检查程序意外中止（" + message + "），已自动重新启动。请重试；若文件很大，可拆分后分批检查。", "error");
  startWorker();
}
function send(input) {
  lastInput = input;
  if (!ready) { queued = input; status("正在加载检查模块…", "busy"); return; }
  seq += 1;
  ledgerWaits.clear();
  sentAt = performance.now();
  loadReportView();
  document.body.dataset.state = "busy";
  const today = $("today").value || todayInShanghai();
  if (input.text !== undefined) worker.postMessage({ type: "check", id: seq, text: input.text, today });
  else {
    const copy = input.bytes.slice(0); // keep the original for a re-check with another date
    worker.postMessage({ type: "check", id: seq, bytes: copy, today, name: input.name }, [copy]);
  }
}

// ---- inputs ----
// The largest file read: jxjy_core::import::MAX_INPUT_BYTES (200 MB), the CLI's limit too
// (core/tests/bounds.rs checks that this is the same number). Checked before reading.
const MAX_INPUT_BYTES = 209715200;
const tooLarge = (size) => "文件过大（" + (size / 1024 / 1024).toFixed(1) + " MB），超过 " + (MAX_INPUT_BYTES / 1024 / 1024) + " MB 的上限，未读取。请按年度或单位拆分后分批检查";
// A paste waits 250 ms for the typing to stop before it is checked.
let pasteTimer = null;
function readFile(file) {
  if (!file) return;
  clearTimeout(pasteTimer); // a file chosen right after typing wins over the text's pending check
  if (file.size > MAX_INPUT_BYTES) { status(tooLarge(file.size), "error"); return; }
  status("正在读取 " + file.name + "（" + (file.size / 1024).toFixed(0) + " KB）…", "busy");
  const r = new FileReader();
  r.onload = () => send({ bytes: r.result, name: file.name, reveal: true });
  r.onerror = () => status("无法读取文件：" + r.error, "error");
  r.readAsArrayBuffer(file);
}
$("file").addEventListener("change", (e) => {
  readFile(e.target.files[0]);
  // Emptied so that choosing the same file again (after fixing it in Excel) is a change too.
  e.target.value = "";
});
const drop = $("drop");
drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); readFile(e.dataTransfer.files[0]); });
$("paste").addEventListener("input", () => {
  clearTimeout(pasteTimer);
  const text = $("paste").value;
  if (text.trim()) pasteTimer = setTimeout(() => send({ text }), 250);
});
// 检查 re-checks what was given last: the chosen file, unless the pasted text came after it.
$("check-btn").addEventListener("click", () => {
  const text = $("paste").value;
  if (lastInput && lastInput.text === undefined) send({ ...lastInput, reveal: true });
  else if (text.trim()) send({ text, reveal: true });
  else status("请先粘贴记录或选择文件。", "error");
});
$("today").addEventListener("change", () => { if (lastInput) send({ ...lastInput, reveal: false }); });
$("sample").addEventListener("click", async () => {
  const res = await fetch(new URL("./sample.csv", import.meta.url));
  const text = await res.text();
  $("paste").value = text;
  send({ text, reveal: true });
});
$("print").addEventListener("click", () => window.print());

// ---- start ----
$("today").value = todayInShanghai();
if (typeof WebAssembly !== "object") {
  $("no-wasm").hidden = false;
  document.querySelector(".input").hidden = true;
} else if (!document.getElementById("no-checker")) {
  startWorker();
  status("正在加载检查模块…", "busy");
}
