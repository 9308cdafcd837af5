// The self-check page's results view: the verdict, per-person table, ledger, deadlines and
// downloads. check.js imports it with the first check (it is not part of the page's first load).
// Everything is shown with textContent (never innerHTML); downloads are made from blob: URLs.
const $ = (id) => document.getElementById(id);
// The Chinese names of every code a report uses (fields, reasons, deadlines, premises…), from
// jxjy-core's report::labels: `jxjy build` writes them in place of the empty object below, so the
// page and the CLI never word them differently, and the page's first load does not carry them.
const L = {};
// What check.js hands over with each report: whether to move the focus to the verdict, when the
// check was sent, the status line, and how to ask the worker for one person's ledger rows (a report
// of one year comes without them: see `ledgerRows`).
let reveal = false, sentAt = 0, status = () => {}, askLedger = null;

// The document pages' style sheet, which on this page only the results use (their tables): not in
// the page's first load, it comes with this view. check.js draws the first result once it has loaded.
export const styled = new Promise((resolve) => {
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = new URL("./doc.css", import.meta.url).href;
  link.onload = link.onerror = resolve;
  document.head.append(link);
});

/** Renders one result of the worker (a report, or the person × year grid of several years). */
export function render(result, page) {
  ({ reveal, sentAt, status, ledger: askLedger } = page);
  ledgers = new Map(page.first ? [[page.first.person, Promise.resolve(page.first.rows)]] : []);
  if (result.years) showYears(result);
  else { $("years-grid").hidden = true; $("export-years").hidden = true; show(result); }
}

// Builds an element; string children become text nodes, so user data is never parsed as HTML.
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
  return e;
}

// ---- results ----
let current = null, selected = 0, sortKey = null, sortDir = 1, showAll = false, ledgers = new Map(), peopleToken = null;
// Rows of the per-person table drawn at first; a unit with thousands of people stays responsive
// (sorting and the CSV export always cover everyone).
const PEOPLE_SHOWN = 300;
// Ledger rows drawn at a time.
const LEDGER_PAGE = 500;
const fmt = (h) => String(h);
// A row as people name it: 第5行, or “4月”第5行 when several sheets were read (the core's row_label).
const rowLabel = (x) => (x.sheet ? "“" + x.sheet + "”" : "") + "第" + x.row + "行";
const rowCell = (x) => x.sheet ? rowLabel(x) : String(x.row);
const rowAttrs = (x, more) => Object.assign({ "data-row": String(x.row) }, x.sheet ? { "data-sheet": x.sheet } : {}, more);

function show(report) {
  current = report;
  showAll = false;
  // A unit's file opens on the first person who is short; one person's file on that person.
  selected = Math.max(0, report.people.findIndex((p) => !p.compliant));
  $("results").hidden = false;
  const r = report.rows;
  const short = report.people.filter((p) => !p.compliant);
  if (report.people.length === 1) {
    const p = report.people[0];
    status("已检查 " + r.data + " 行记录：" + (p.compliant ? "已达到 " + report.policy.year + " 年度学时要求" : "尚未达标，至少还需 " + fmt(p.needed) + " 学时") +
      (report.assumptions.length ? "（有前提，见下方）" : "") + "。", p.compliant ? "ok" : "bad");
  } else {
    status("已检查 " + r.data + " 行记录：" + report.people.length + " 人中 " + (report.people.length - short.length) + " 人达标，" + short.length + " 人未达标。", short.length ? "bad" : "ok");
  }
  $("report-meta").textContent =
    "依据 " + report.policy.source + "（" + report.policy.year + "年度），按 " + report.today + " 计算。读取为 " +
    report.format.toUpperCase() + (report.header_row ? "，表头在第 " + report.header_row + " 行" : "") +
    (report.sheets ? "；工作表：" + report.sheets.map((s) => "“" + s.name + "”" + s.note).join("；") : "") + "；数据 " + r.data +
    " 行：计入 " + r.counted + "，未计入 " + r.excluded + "，待定 " + r.pending + "，有错误 " + r.errors + "，跳过 " + r.skipped + "。";
  renderColumns(report);
  const people = renderPeople(report, true);
  const detail = renderPerson(report, selected);
  renderDeadlines(report);
  renderFileNotes(report);
  makeIcs(report);
  renderPrintHead(report);
  // After a file, the sample or 检查 (not while typing in the paste box): the verdict is the
  // first thing seen and, through the focus, heard.
  if (reveal) {
    const target = report.people.length > 1 ? document.querySelector("#people-table h3") : document.querySelector("#person-detail .verdict");
    if (target) { target.setAttribute("tabindex", "-1"); target.focus({ preventScroll: true }); target.scrollIntoView({ block: "start" }); }
  }
  // Read once the person's ledger is drawn too (it comes from the worker after the report); done
  // once the people table's later rows are drawn as well.
  detail.then(() => {
    if (current !== report) return;
    // Local timing only (read by tests/e2e/budget.mjs); nothing is sent anywhere.
    window.__jxjyLastCheckMs = performance.now() - sentAt;
    return people.then(() => { if (current === report) document.body.dataset.state = "done"; });
  });
}

// ---- several years ----
// A file whose rows belong to several years (a 职称 application looks at every year since the
// last promotion): the person × year grid (达标 / 未达标 / 无政策), each year judged by its own
// policy, and under it one year's full result; a year's button in the grid shows that year.
function showYears(result) {
  const box = $("years-grid");
  const judged = result.years.filter((y) => y.report);
  if (!judged.length) {
    box.hidden = true;
    status(result.years.map((y) => y.message).join("；") + "。", "error");
    $("results").hidden = true;
    document.body.dataset.state = "fatal";
    return;
  }
  let shown = judged[judged.length - 1].year; // the newest year with a policy
  const cellText = (c) => c.verdict === "met" ? "达标" : c.verdict === "short" ? "未达标（还需 " + fmt(c.needed) + " 学时）" : "无政策";
  const cell = (c) => c.verdict === "short" ? ["未达标", el("span", { class: "need", text: "还需 " + fmt(c.needed) + " 学时" })] : cellText(c);
  // A verdict that rests on an assumption (no exam column, a column read by its cells…) says so
  // in its cell, as it does under a single year's verdict.
  const reportOf = (year) => (result.years.find((y) => y.year === year) || {}).report;
  const premised = (year, i) => {
    const r = reportOf(year);
    return Boolean(r && (r.assumptions.length || (r.people[i] && r.people[i].assumptions.length)));
  };
  const draw = () => {
    const head = el("tr", {}, el("th", { scope: "col", text: "人员" }), result.years.map((y) => el("th", { scope: "col" }, y.report
      ? el("button", { type: "button", class: "year-pick", "data-year": String(y.year), "aria-pressed": String(y.year === shown), "aria-label": y.year + "年度明细", text: String(y.year) })
      : String(y.year))));
    const rows = result.grid.map((p, i) => el("tr", {},
      el("th", { scope: "row" }, p.person, p.id ? el("span", { class: "id", text: p.id }) : null),
      p.years.map((c) => el("td", { class: "year-" + c.verdict, "data-year": String(c.year) }, cell(c),
        premised(c.year, i) ? el("span", { class: "premised", text: "有前提" }) : null))));
    const premises = judged.filter((y) => y.report.assumptions.length).map((y) =>
      el("li", { text: y.year + "年度的结论有前提：" + y.report.assumptions.map((a) => a.message).join("；") }));
    const missing = result.years.filter((y) => !y.report).map((y) => el("li", { text: y.message + "（文件中该年度有 " + y.rows + " 行记录）" }));
    box.replaceChildren(
      el("h3", { id: "years-title", text: "各年度是否达标（" + result.years.map((y) => y.year).join("、") + "，每年按当年的政策）" }),
      el("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-labelledby": "years-title" },
        el("table", { class: "years" }, el("thead", {}, head), el("tbody", {}, rows))),
      missing.length ? el("ul", { class: "no-policy" }, missing) : null,
      premises.length ? el("ul", { class: "premises" }, premises) : null,
      el("p", { class: "hint", text: "下方是 " + shown + " 年度的明细；点表头的年度查看其他年度。" }));
    box.hidden = false;
    for (const b of box.querySelectorAll("button.year-pick")) {
      b.addEventListener("click", () => {
        shown = Number(b.dataset.year);
        draw();
        detail();
        box.querySelector(`button.year-pick[data-year="${shown}"]`).focus();
      });
    }
  };
  // The status line speaks for every year, not only the one shown below.
  const detail = () => {
    show(result.years.find((y) => y.year === shown).report);
    const short = result.grid.some((p) => p.years.some((c) => c.verdict === "short"));
    const parts = result.years.map((y) => {
      if (!y.report) return y.year + "年度无政策文件，无法判断";
      const cells = result.grid.map((p) => p.years.find((c) => c.year === y.year));
      const premise = result.grid.some((_, i) => premised(y.year, i)) ? "（有前提）" : "";
      if (cells.length === 1) return y.year + "年度" + cellText(cells[0]) + premise;
      return y.year + "年度 " + cells.filter((c) => c.verdict === "met").length + "/" + cells.length + " 人达标" + premise;
    });
    status("文件中的记录属于 " + result.years.length + " 个年度：" + parts.join("；") + "。", short ? "bad" : "ok");
  };
  draw();
  detail();
  // The core's grid CSV (the same text as `jxjy check --years … --format csv`).
  setDownload($("export-years"), result.grid_csv || "", "text/csv;charset=utf-8");
  $("export-years").hidden = false;
  if (reveal) {
    const title = $("years-title");
    title.setAttribute("tabindex", "-1");
    title.focus({ preventScroll: true });
    title.scrollIntoView({ block: "start" });
  }
}

// What a printed report starts with: the site, the policy, the person, the date checked, the verdict.
function renderPrintHead(report) {
  const p = report.people.length === 1 ? report.people[0] : null;
  const ok = report.people.filter((x) => x.compliant).length;
  $("print-head").replaceChildren(
    el("p", { class: "print-site", text: document.querySelector(".brand")?.firstChild?.textContent || "" }),
    el("h1", { text: "继续教育学时自查报告（" + report.policy.year + "年度）" }),
    el("p", { text: "依据：" + report.policy.source + "　检查日期：" + report.today + (p && p.person ? "　人员：" + p.person : "") }),
    el("p", { class: "print-verdict", text: p
      ? (p.compliant ? "结论：已达到 " + report.policy.year + " 年度学时要求" : "结论：尚未达标，至少还需 " + fmt(p.needed) + " 学时")
      : "结论：" + report.people.length + " 人中 " + ok + " 人达标" }));
}

function renderColumns(report) {
  const box = $("columns");
  const body = box.querySelector("tbody");
  body.replaceChildren(...report.column_details.map((c) =>
    el("tr", { class: c.how === "unused" ? "muted" : c.how === "values" ? "guessed" : "", "data-field": c.field },
      el("td", { text: c.column }), el("td", { text: c.read_as + (c.how === "values" ? "（按内容识别）" : "") }),
      el("td", { text: c.note || "" }))));
  // A column read by its cells is a guess: the table is shown open, not folded away.
  box.open = report.column_details.some((c) => c.how === "values");
}

// What a verdict rests on (no exam column, a column read by its cells, unreadable rows…),
// said right under the verdict, never only at the bottom.
function premise(report, p) {
  const all = report.assumptions.concat(p.assumptions);
  if (!all.length) return null;
  return el("div", { class: "premise" }, el("strong", { text: "这个结论的前提：" }),
    el("ul", {}, all.map((a) => el("li", { "data-code": a.code, text: a.message }))));
}

function bar(label, have, need, short) {
  const pct = need > 0 ? Math.min(100, (have / need) * 100) : 100;
  const fill = el("span", { class: "fill" + (short > 0 ? "" : " done") });
  fill.style.width = pct.toFixed(1) + "%";
  return el("div", { class: "req" + (short > 0 ? " short" : " met"), "data-req": label },
    el("div", { class: "req-head" }, el("span", { class: "req-name", text: label }),
      el("span", { class: "req-num" }, el("strong", { text: fmt(have) }), " / " + fmt(need) + " 学时")),
    el("div", { class: "track", role: "progressbar", "aria-valuemin": "0", "aria-valuemax": String(need), "aria-valuenow": String(have), "aria-label": label }, fill),
    el("div", { class: "req-gap", text: short > 0 ? "还差 " + fmt(short) + " 学时" : "已达标" }));
}

function renderPerson(report, i) {
  const p = report.people[i];
  const box = $("person-detail");
  if (!p) { box.replaceChildren(); box.ledgerToken = null; box.removeAttribute("aria-busy"); return Promise.resolve(); }
  const verdict = p.compliant
    ? el("p", { class: "verdict ok" }, "已达到 " + report.policy.year + " 年度学时要求。")
    : el("p", { class: "verdict bad" }, "尚未达标，至少还需 ", el("strong", { class: "needed", text: fmt(p.needed) }), " 学时。");
  // The file's own 是否达标 says otherwise: said on the verdict's line, the why in the premise under it.
  const stated = p.assumptions.find((a) => a.code === "stated_verdict_differs");
  if (stated) verdict.append(el("span", { class: "stated-differs", text: "（" + stated.message + "）" }));
  const advice = [];
  if (!p.compliant) {
    if (p.shortfall.public_compulsory > 0) advice.push("公需科目必修课还差 " + fmt(p.shortfall.public_compulsory) + " 学时（选修课和专业科目不能替代）。");
    const pubOnly = Math.max(0, p.shortfall.public - p.shortfall.public_compulsory);
    if (pubOnly > 0) advice.push("公需科目（必修或选修）还差 " + fmt(pubOnly) + " 学时。");
    if (p.shortfall.professional > 0) advice.push("专业科目还差 " + fmt(p.shortfall.professional) + " 学时（公需科目不能替代）。");
    if (p.needed > Math.max(p.shortfall.public_compulsory, p.shortfall.public) + p.shortfall.professional)
      advice.push("全年合计还差 " + fmt(p.shortfall.total) + " 学时，任一科目均可。");
  }
  let back = null;
  if (report.people.length > 1) {
    back = el("button", { type: "button", class: "button back no-print", text: "返回人员列表" });
    back.addEventListener("click", () => {
      const row = document.querySelector(`table.people tbody tr[data-index="${i}"]`);
      if (row) { row.focus({ preventScroll: true }); row.scrollIntoView({ block: "center" }); }
    });
  }
  const parts = [
    el("h3", { text: p.person ? "【" + p.person + "】" : "我的学时" }),
    back,
    verdict,
    premise(report, p),
    advice.length ? el("ul", { class: "advice" }, advice.map((a) => el("li", { text: a }))) : null,
    el("div", { class: "bars" },
      bar("公需必修", p.hours.public_compulsory, p.required.public_compulsory, p.shortfall.public_compulsory),
      bar("公需合计", p.hours.public, p.required.public, p.shortfall.public),
      bar("专业科目", p.hours.professional, p.required.professional, p.shortfall.professional),
      bar("全年合计", p.hours.total, p.required.total, p.shortfall.total)),
  ];
  // A long list comes cut to its first rows, with its full number in listed_of (the module's ROW_LIST_CAP).
  const of = (list, all) => (all > list.length ? "，列出前 " + list.length + " 条" : "");
  const all = p.listed_of || { excluded: p.excluded.length, pending: p.pending.length };
  if (p.excluded.length) parts.push(rowsTable("未计入的记录（" + all.excluded + " 条" + of(p.excluded, all.excluded) + "）", "excluded", p.excluded));
  if (p.pending.length) parts.push(rowsTable("待定的记录（" + (all.pending > p.pending.length ? all.pending + " 条" + of(p.pending, all.pending) + "；" : "")
    + "学完并考核合格后才计入）", "pending", p.pending));
  if (p.warnings.length) parts.push(el("h4", { text: "提示" + (p.listed_of && p.listed_of.warnings > p.warnings.length
    ? "（" + p.listed_of.warnings + " 条" + of(p.warnings, p.listed_of.warnings) + "）" : "") }), el("ul", { class: "warnings" },
    p.warnings.map((w) => el("li", {}, w.row ? rowLabel(w) + "：" : "", w.message))));
  box.replaceChildren(...parts.filter(Boolean));
  // The ledger last, when its rows are here; the box is busy until then.
  const token = {};
  box.ledgerToken = token;
  box.setAttribute("aria-busy", "true");
  return ledgerRows(report, i).then((mine) => {
    if (box.ledgerToken !== token) return; // another person (or report) is shown by now
    box.removeAttribute("aria-busy");
    const view = ledgerView(report, mine);
    if (view) box.append(view);
  });
}

// This person's ledger rows (every row of the file, for one person's file). A report of one year
// comes without its ledger (a unit's was most of its JSON), only with the rows of the person it
// opens on: the worker gives another person's rows when they are shown, once per person. Several
// years' reports carry theirs.
function ledgerRows(report, i) {
  const one = report.people.length === 1;
  if (!report.ledger_rows || !askLedger) {
    return Promise.resolve(one ? (report.ledger || []) : (report.ledger || []).filter((e) => e.person === i));
  }
  const who = one ? -1 : i;
  if (!ledgers.has(who)) ledgers.set(who, askLedger(who));
  return ledgers.get(who);
}

// 明细: every row of this person (of the whole file, for one person's file) with what became of
// it, filterable by outcome. The rows that counted are listed too, not only those that did not.
function ledgerView(report, mine) {
  if (!mine.length) return null;
  const outcomes = ["counted", "excluded", "pending", "error", "skipped"].filter((o) => mine.some((e) => e.outcome === o));
  const row = (e) => el("tr", rowAttrs(e, { "data-outcome": e.outcome }),
    el("td", { text: rowCell(e) }), el("td", { class: "course", text: e.course }),
    el("td", { text: e.hours === undefined ? "" : fmt(e.hours) }),
    el("td", {}, el("strong", { text: L.outcomes[e.outcome] || e.outcome }),
      e.counted ? "（" + (L.counted[e.counted] || e.counted) + "）" : e.reason ? "（" + (L.reasons[e.reason] || e.reason) + "）" : ""));
  // A large file's ledger is drawn a page at a time: thousands of rows would stall the page.
  const body = el("tbody");
  let filter = "all", shown = 0;
  const more = el("button", { type: "button", class: "button no-print" });
  const draw = (reset) => {
    const rows = filter === "all" ? mine : mine.filter((e) => e.outcome === filter);
    if (reset) { body.replaceChildren(); shown = 0; }
    const next = rows.slice(shown, shown + LEDGER_PAGE);
    body.append(...next.map(row));
    shown += next.length;
    more.hidden = shown >= rows.length;
    more.textContent = "再显示 " + Math.min(LEDGER_PAGE, rows.length - shown) + " 行（共 " + rows.length + " 行）";
  };
  more.addEventListener("click", () => draw(false));
  const chips = el("div", { class: "ledger-filter no-print", role: "group", "aria-label": "按结果筛选明细" });
  for (const o of ["all", ...outcomes]) {
    const n = o === "all" ? mine.length : mine.filter((e) => e.outcome === o).length;
    const b = el("button", { type: "button", class: "chip", "data-outcome": o, "aria-pressed": String(o === "all"),
      text: (o === "all" ? "全部" : L.outcomes[o] || o) + " " + n });
    b.addEventListener("click", () => {
      filter = o;
      for (const c of chips.children) c.setAttribute("aria-pressed", String(c.dataset.outcome === o));
      draw(true);
    });
    chips.append(b);
  }
  draw(true);
  return el("div", { class: "rows ledger" },
    el("h4", { text: "全部记录明细（" + mine.length + " 行）" }),
    report.ledger_truncated ? el("p", { class: "hint", text: "文件较大，明细只列出前 " + (report.ledger_rows || report.ledger.length) + " 行；各项合计仍包括全部记录。完整明细请用命令行 jxjy check --format ledger。" }) : null,
    chips,
    el("div", { class: "table-wrap" }, el("table", {},
      el("thead", {}, el("tr", {}, ["行", "课程", "学时", "结果"].map((h) => el("th", { text: h })))), body)),
    more);
}

function rowsTable(title, cls, rows) {
  return el("div", { class: "rows " + cls },
    el("h4", { text: title }),
    el("div", { class: "table-wrap" }, el("table", {},
      el("thead", {}, el("tr", {}, ["行", "课程", "学时", "原因"].map((h) => el("th", { text: h })))),
      el("tbody", {}, rows.map((x) => el("tr", rowAttrs(x, { "data-reason": x.reason }),
        el("td", { text: rowCell(x) }), el("td", { class: "course", text: x.course }), el("td", { text: fmt(x.hours) }),
        el("td", {}, el("strong", { text: L.reasons[x.reason] || x.reason }), el("br"), x.message)))))));
}

// Draws the per-person table; `split`: a new report's, whose rows below the first screen come after
// it is painted. Resolves when every row is drawn.
function renderPeople(report, split) {
  const box = $("people-table");
  const many = report.people.length > 1;
  box.hidden = !many;
  $("export").hidden = !many;
  peopleToken = null;
  if (!many) { box.replaceChildren(); return Promise.resolve(); }
  const hasId = report.people.some((p) => p.id);
  const cols = [
    ["person", "人员", (p) => p.person], ...(hasId ? [["id", "身份证号/工号", (p) => p.id || ""]] : []),
    ["compliant", "结果", (p) => (p.compliant ? 1 : 0)], ["needed", "还需", (p) => p.needed],
    ["pc", "必修", (p) => p.hours.public_compulsory], ["pub", "公需", (p) => p.hours.public],
    ["pro", "专业", (p) => p.hours.professional], ["total", "合计", (p) => p.hours.total],
  ];
  const order = report.people.map((p, i) => i);
  if (sortKey) {
    const get = cols.find((c) => c[0] === sortKey)[2];
    order.sort((a, b) => { const x = get(report.people[a]), y = get(report.people[b]); return (x < y ? -1 : x > y ? 1 : 0) * sortDir; });
  }
  const ok = report.people.filter((p) => p.compliant).length;
  const row = (i) => {
    const p = report.people[i];
    return el("tr", { class: (p.compliant ? "ok" : "bad") + (i === selected ? " selected" : ""), tabindex: "0", "data-index": String(i) },
      el("td", { text: p.person }), hasId ? el("td", { class: "id", text: p.id || "" }) : null,
      el("td", { class: "verdict-cell" }, p.compliant ? "达标" : "未达标",
        p.assumptions.some((a) => a.code === "stated_verdict_differs") ? el("span", { class: "premised", text: L.assumptions?.stated_verdict_differs || "与文件不符" }) : null),
      el("td", { text: fmt(p.needed) }),
      el("td", { text: fmt(p.hours.public_compulsory) }), el("td", { text: fmt(p.hours.public) }),
      el("td", { text: fmt(p.hours.professional) }), el("td", { text: fmt(p.hours.total) }));
  };
  // One listener for every row: a row clicked, or Enter / Space on it, shows that person below.
  const body = el("tbody");
  const pick = (tr) => {
    const i = Number(tr.dataset.index);
    selected = i;
    for (const r of body.children) r.classList.toggle("selected", r === tr);
    renderPerson(report, i);
    // The detail is where the user is taken (and focus, so a screen reader reads it), with a way back.
    const h = document.querySelector("#person-detail h3");
    h.setAttribute("tabindex", "-1");
    h.focus({ preventScroll: true });
    h.scrollIntoView({ block: "start" });
  };
  body.addEventListener("click", (e) => { const tr = e.target.closest("tr"); if (tr) pick(tr); });
  body.addEventListener("keydown", (e) => {
    if ((e.key === "Enter" || e.key === " ") && e.target.matches("tr")) { e.preventDefault(); pick(e.target); }
  });
  const rows = showAll ? order : order.slice(0, PEOPLE_SHOWN);
  // A new report's table first draws the rows a screen holds (the view opens on its top) and the
  // others once that is painted, so that the result is read without waiting for rows below it.
  const now = split ? rows.slice(0, Math.max(20, Math.ceil(innerHeight / 20))) : rows;
  body.append(...now.map(row));
  const token = peopleToken = {};
  const drawn = now.length === rows.length ? Promise.resolve() : afterPaint().then(() => {
    if (peopleToken === token) body.append(...rows.slice(now.length).map(row));
  });
  // (No null child: replaceChildren would print it as the text "null".)
  box.replaceChildren(...[
    el("h3", { text: "人员汇总：" + report.people.length + " 人，达标 " + ok + " 人，未达标 " + (report.people.length - ok) + " 人" }),
    premise(report, { assumptions: [] }),
    el("p", { class: "people-hint no-print", text: "点击某一行，在下方查看此人的学时、未计入的记录和提示；点击表头可排序。" }),
    el("div", { class: "table-wrap" }, el("table", { class: "people" },
      el("thead", {}, el("tr", {}, cols.map(([k, label]) => {
        const th = el("th", { scope: "col", "aria-sort": sortKey === k ? (sortDir > 0 ? "ascending" : "descending") : "none" },
          el("button", { type: "button", class: "sort", text: label + (sortKey === k ? (sortDir > 0 ? " ▲" : " ▼") : "") }));
        th.querySelector("button").dataset.key = k;
        th.querySelector("button").addEventListener("click", () => {
          sortDir = sortKey === k ? -sortDir : 1; sortKey = k; renderPeople(report);
          // The table was redrawn: keep focus on the same header, not <body>.
          document.querySelector(`#people-table button.sort[data-key="${k}"]`)?.focus();
        });
        return th;
      }))),
      body)),
    order.length > PEOPLE_SHOWN && !showAll ? (() => {
      const more = el("button", { type: "button", class: "button", text: "显示全部 " + order.length + " 人（当前显示前 " + PEOPLE_SHOWN + " 人；导出的 CSV 含全部人员）" });
      more.addEventListener("click", () => { showAll = true; renderPeople(report); });
      return more;
    })() : null].filter(Boolean));
  // The export is the core's own per-person CSV (the same text as `jxjy check --format csv`).
  setDownload($("export"), report.people_csv || "", "text/csv;charset=utf-8");
  return drawn;
}

// After the next frame is painted (or 100 ms, in a tab not shown, which paints none).
const afterPaint = () => new Promise((resolve) => {
  requestAnimationFrame(() => setTimeout(resolve));
  setTimeout(resolve, 100);
});

function renderDeadlines(report) {
  const box = $("deadlines");
  $("ics").hidden = !report.deadlines.length;
  if (!report.deadlines.length) {
    box.replaceChildren(el("h3", { text: "时间节点" }), el("p", { text: "按 " + report.today + " 计算，" + report.policy.year +
      " 年度的时间节点均已过去。本站目前发布的是 " + report.policy.year + " 年度的政策；要查看当年的时间节点，可把上方的日期改为 " + report.policy.year + " 年内的某一天。" }));
    return;
  }
  box.replaceChildren(el("h3", { text: "今天适用的时间节点" }), el("ol", { class: "timeline" }, report.deadlines.map((d) =>
    el("li", { class: "deadline" + (d.active ? " active" : ""), "data-code": d.code },
      el("div", { class: "when" }, (d.start ? d.start + " 至 " : "") + d.date,
        el("span", { class: "countdown", text: d.active && d.start ? "进行中，还剩 " + d.days_left + " 天"
          : d.starts_in ? d.starts_in + " 天后开始" : d.days_left === 0 ? "就是今天" : "还有 " + d.days_left + " 天" })),
      el("div", { class: "what" }, el("strong", { text: L.deadlines[d.code] || d.code }), "（" + d.who + "）", el("br"), d.message)))));
}

function renderFileNotes(report) {
  const parts = [];
  if (report.warnings.length) parts.push(el("h3", { text: "关于这份文件" }), el("ul", { class: "warnings" },
    report.warnings.map((w) => el("li", {}, w.message))));
  if (report.errors.length) parts.push(el("div", { class: "rows errors" },
    el("h3", { text: "无法读取的单元格（" + report.errors.length + " 处；这些行未计入，其他行照常计算）" }),
    el("div", { class: "table-wrap" }, el("table", {},
      el("thead", {}, el("tr", {}, ["行", "列", "问题"].map((h) => el("th", { text: h })))),
      el("tbody", {}, report.errors.slice(0, 500).map((e) => el("tr", rowAttrs(e),
        el("td", { text: rowCell(e) }), el("td", { text: e.column }), el("td", { text: e.message }))))))));
  $("file-notes").replaceChildren(...parts);
}

function setDownload(a, text, type) {
  if (a.dataset.url) URL.revokeObjectURL(a.dataset.url);
  const url = URL.createObjectURL(new Blob([text], { type }));
  a.dataset.url = url;
  a.href = url;
}

function icsDate(d) { return d.replace(/-/g, ""); }
function icsText(s) { return s.replace(/\\/g, "\\\\").replace(/[,;]/g, (c) => "\\" + c).replace(/\n/g, "\\n"); }
function nextDay(d) { const t = new Date(d + "T00:00:00Z"); t.setUTCDate(t.getUTCDate() + 1); return t.toISOString().slice(0, 10); }
function makeIcs(report) {
  const lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//jxjy//self-check//ZH", "CALSCALE:GREGORIAN"];
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "");
  report.deadlines.forEach((d, i) => {
    lines.push("BEGIN:VEVENT", "UID:jxjy-" + report.policy.year + "-" + d.code + "-" + i + "@jxjy", "DTSTAMP:" + stamp,
      "DTSTART;VALUE=DATE:" + icsDate(d.start || d.date), "DTEND;VALUE=DATE:" + icsDate(nextDay(d.date)),
      "SUMMARY:" + icsText((L.deadlines[d.code] || d.code) + "（" + d.who + "）"), "DESCRIPTION:" + icsText(d.message), "END:VEVENT");
  });
  lines.push("END:VCALENDAR");
  setDownload($("ics"), lines.join("\r\n") + "\r\n", "text/calendar;charset=utf-8");
}
