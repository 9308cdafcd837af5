// The self-check worker: decodes the file, runs jxjy-core (WebAssembly) and posts the report
// back. Runs off the main thread so a 50 MB file never freezes the page. No network requests
// except fetching the module itself from this site.

// The current year's policy, and every year's when the site has several (then a file is judged
// year by year, each year by its own policy).
let policyWire = null, policiesWire = null;

// The checker: the first module, or on a site of several policy years the same with check_years
// (jxjy_years), which a site of one year never downloads. Chosen when the page sends the policies,
// its first message.
let first = null, chooseModule = null;
const ready = new Promise((resolve) => { chooseModule = resolve; })
  .then((severalYears) => import(severalYears ? "./jxjy_years.js" : "./jxjy_wasm.js"))
  .then(async (m) => {
    await m.default();
    first = m;
    postMessage({ type: "ready" });
  })
  .catch((e) => postMessage({ type: "crash", id: 0, message: "无法加载检查模块：" + e }));

// Workbooks (.xlsx, legacy .xls) and JSON records are read by a second module, the same checker
// with every reader, fetched from this site only when such a file arrives: the first module
// carries only what CSV, TSV and pasted cells need.
let fullReader = null;
async function loadFullReader() {
  if (!fullReader) {
    const m = await import("./jxjy_full.js");
    await m.default();
    fullReader = m;
  }
  return fullReader;
}

// Whether the first module cannot read this input: a workbook (the signatures of the core's
// import::sniff_binary) or text that starts like JSON (the core's test, after trimming what Rust's
// char::is_whitespace and the BOM cover). Erring towards the second module costs only its download:
// it reads every input the first module reads, the same way.
function isWorkbook(b) {
  return (b[0] === 0x50 && b[1] === 0x4b && ((b[2] === 3 && b[3] === 4) || (b[2] === 5 && b[3] === 6)))
    || (b[0] === 0xd0 && b[1] === 0xcf && b[2] === 0x11 && b[3] === 0xe0);
}
function startsLikeJson(text) {
  const head = text.replace(/^[\s\u0085]+/, "");
  return head === "" || head[0] === "[" || head[0] === "{";
}
// A file named as a workbook, a web page or JSON goes to the second module whatever its bytes:
// only it says when they are something else (a TSV or HTML table saved as .xls), as the CLI does.
const NAMED_FOR_FULL = /\.(xlsx?|xlsm|et|html?|json)$/i;
// A web page or bare <table> (after a BOM and whitespace), as the core's html::sniff tests: only
// the second module reads it, and names its encoding (the <meta> charset).
function startsLikeHtml(b) {
  let i = b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
  while (i < b.length && [0x20, 0x09, 0x0a, 0x0c, 0x0d].includes(b[i])) i++; // u8::is_ascii_whitespace
  if (b[i] !== 0x3c) return false;
  const head = new TextDecoder("latin1").decode(b.subarray(i, i + 4096)).toLowerCase();
  return ["<html", "<table", "<!doctype html", "<head", "<meta", "<body"].some((tag) => head.includes(tag));
}
function needsFullReader(raw, label, text, name) {
  if (text !== undefined) return startsLikeJson(text.slice(0, 4096));
  if (NAMED_FOR_FULL.test(name) || isWorkbook(raw) || startsLikeHtml(raw)) return true;
  return label !== "binary" && startsLikeJson(new TextDecoder(label).decode(raw.subarray(0, 4096)));
}

// Bytes as the core reads them. The core decides the encoding (one rule for the page and the
// CLI); only GB18030, whose tables the module does not carry, is decoded here by the browser.
function toCoreBytes(bytes, label) {
  if (label !== "gb18030") return bytes;
  return new TextEncoder().encode(new TextDecoder("gb18030").decode(bytes));
}

// A session's first check runs mostly in V8's baseline code (a module's functions are compiled on
// their first call and optimised, in the background, once they have run enough), two to three times
// slower than a later one. Checking a generated table while the person picks a file gets that done:
// once is not enough for most functions to be optimised, so it is checked WARM_ROUNDS times, a task
// each, and not again once a file has arrived (which then waits for one round at most).
const WARM_ROUNDS = 10;
let fileArrived = false;
function warmUp(rounds) {
  if (fileArrived || !rounds) return;
  const rows = ["姓名,身份证号,课程名称,科目类型,课程性质,学时,完成日期,考核结果,是否备案"];
  for (let i = 0; i < 600; i++) {
    rows.push(`员工${i % 20},,课程${i % 7},${i % 3 ? "专业科目" : "公需科目"},${i % 2 ? "必修" : "选修"},${1 + (i % 4) / 2},` +
      `2020-0${1 + (i % 9)}-1${i % 10},${i % 13 ? "合格" : "不合格"},${i % 11 ? "是" : ""}`);
  }
  try {
    first.check(new TextEncoder().encode(rows.join("\n")), policyWire, "2020-06-01", "");
    first.ledger(first.opens_on());
  } catch (_) {
    // The module did not load (the page has been told) or trapped: the next check reports it.
    return;
  }
  setTimeout(() => warmUp(rounds - 1));
}

// jxjy_core::import::MAX_INPUT_BYTES (200 MB): check.js refuses larger files before reading them;
// this is the same check for anything else sent here (core/tests/bounds.rs keeps the numbers equal).
const MAX_INPUT_BYTES = 209715200;

// Several policy years: each year the rows belong to, by its own policy; else the one policy.
// `name`: the file's name ("" for pasted text), so that the report says what a file really was
// when its name says otherwise (a web page saved as .xls).
function runCheck(module, bytes, today, name) {
  return policiesWire
    ? module.check_years(bytes, policiesWire, policyWire, today, name)
    : module.check(bytes, policyWire, today, name);
}

// The ledger rows of the person the page opens a report on, sent with the report rather than
// asked for after it: report.js shows a unit's first person who is short (else the first), one
// person's file every row; the module says which. Several years' reports carry their ledgers.
function firstLedger(module) {
  const person = module.opens_on();
  return person < -1 ? null : { person, json: module.ledger(person) };
}

// The last check (its id and the module that ran it, which holds its ledger).
let last = null;

onmessage = async (e) => {
  const msg = e.data;
  if (msg.type === "policy") {
    policyWire = msg.policy;
    policiesWire = msg.policies || null;
    chooseModule(policiesWire !== null);
    return;
  }
  if (msg.type === "warm") {
    await ready;
    warmUp(WARM_ROUNDS);
    return;
  }
  if (msg.type === "ledger") {
    // The ledger rows of one person of the last check (the report came without them).
    if (last && last.id === msg.id) postMessage({ type: "ledger", id: msg.id, person: msg.person, json: last.module.ledger(msg.person) });
    return;
  }
  if (msg.type !== "check") return;
  fileArrived = true;
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
    let label = raw ? first.encoding(raw) : "utf-8";
    let module = first;
    if (needsFullReader(raw, label, msg.text, msg.name || "")) {
      postMessage({ type: "progress", id: msg.id, stage: "正在加载 Excel / JSON 读取模块…" });
      try {
        module = await loadFullReader();
        // The second module's choice, which knows a web page's <meta> charset.
        if (raw) label = module.encoding(raw);
      } catch (_) {
        // Not published with this site (or not reachable): the first module names the file and what to do.
      }
    }
    const bytes = raw ? toCoreBytes(raw, label) : new TextEncoder().encode(msg.text);
    postMessage({ type: "progress", id: msg.id, stage: "正在逐行核查 " + (bytes.length / 1024 / 1024).toFixed(1) + " MB…" });
    last = null;
    let json = runCheck(module, bytes, msg.today, msg.name || "");
    // A shape only the second module reads (a per-person summary; JSON or a workbook the test
    // above missed): the first module says so ("reader": "full") and the file is checked again.
    if (module === first && json.startsWith('{"fatal"') && json.endsWith(',"reader":"full"}')) {
      try {
        postMessage({ type: "progress", id: msg.id, stage: "正在加载完整读取模块…" });
        module = await loadFullReader();
        json = runCheck(module, bytes, msg.today, msg.name || "");
      } catch (_) {
        // Not published with this site (or not reachable): the first module's message stands.
      }
    }
    // The module keeps this check's ledger until its next check; the page asks for it by person.
    last = { id: msg.id, module };
    postMessage({ type: "result", id: msg.id, json, ledger: firstLedger(module) });
  } catch (err) {
    // A trap (a Rust panic) or running out of memory: this instance is no longer usable.
    postMessage({ type: "crash", id: msg.id, message: String(err && err.message ? err.message : err) });
    close();
  }
};
