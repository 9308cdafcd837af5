// jxjy site script: deadline countdowns on the home page and FAQ search. No network requests.
"use strict";
(function () {
  // Today in Asia/Shanghai (UTC+8, no daylight saving), as YYYY-MM-DD.
  function todayInShanghai() {
    var d = new Date(Date.now() + 8 * 3600 * 1000);
    return d.toISOString().slice(0, 10);
  }
  function days(from, to) {
    return Math.round((Date.parse(to + "T00:00:00Z") - Date.parse(from + "T00:00:00Z")) / 86400000);
  }

  var items = document.querySelectorAll(".deadline[data-date]");
  if (items.length) {
    var today = todayInShanghai();
    var line = document.querySelector(".today-line");
    if (line) { line.hidden = false; line.querySelector(".today").textContent = today; }
    var order = [];
    items.forEach(function (li, i) {
      var end = li.getAttribute("data-date"), start = li.getAttribute("data-start");
      var out = li.querySelector(".countdown"), left = days(today, end);
      // Sorted by the next day that matters: a window's start until it opens, then its end.
      var next = start && days(today, start) > 0 ? start : end;
      order.push({ li: li, past: left < 0, next: next, i: i });
      if (left < 0) { li.classList.add("past"); out.textContent = "已过"; return; }
      if (start && days(start, today) >= 0) { li.classList.add("active"); out.textContent = "进行中，还剩 " + left + " 天"; return; }
      if (start) { out.textContent = "还有 " + days(today, start) + " 天开始"; return; }
      out.textContent = left === 0 ? "就是今天" : "还有 " + left + " 天";
      if (left <= 30) li.classList.add("active");
    });
    // Upcoming first, nearest first; past ones after them, in date order.
    order.sort(function (a, b) {
      if (a.past !== b.past) return a.past ? 1 : -1;
      return a.next < b.next ? -1 : a.next > b.next ? 1 : a.i - b.i;
    });
    var list = items[0].parentNode;
    order.forEach(function (o) { list.appendChild(o.li); });
  }

  // FAQ: each h2 and what follows it up to the next h2 is one item; filter by substring.
  var list = document.querySelector(".faq-list");
  if (list) {
    var items2 = [], cur = null;
    Array.prototype.slice.call(list.children).forEach(function (el) {
      if (el.tagName === "H2") {
        cur = document.createElement("section");
        cur.className = "faq-item";
        el.parentNode.insertBefore(cur, el);
        items2.push(cur);
      }
      if (cur) cur.appendChild(el);
    });
    var box = document.querySelector(".faq-search"), input = document.getElementById("faq-q");
    var count = box.querySelector(".faq-count");
    box.classList.remove("js-pending");
    box.removeAttribute("aria-hidden");
    var toc = document.querySelector(".faq-toc");
    var norm = function (s) { return s.replace(/\s+/g, "").toLowerCase(); };
    // Plain-language queries: words that mean the same here, and filler to drop
    // (不合格怎么办 → 不合格 / 没通过 / 未通过 …).
    var SYNONYMS = [
      ["没通过", "未通过", "不合格", "没过", "挂科", "不及格", "考砸"],
      ["补考", "重考", "重新考试", "再考"],
      ["多少学时", "几个学时", "多少个学时", "学时要求", "要求多少"],
      ["截止", "截至", "期限", "最晚", "最后一天"],
      ["电子证书", "证书"],
      ["审核", "审验"],
      ["单位", "用人单位"]
    ];
    var FILLER = ["怎么办", "怎么样", "怎么", "如何", "请问", "是否", "能否", "能不能", "是不是", "可不可以", "吗", "呢", "啊", "吧", "呀", "？", "?"];
    var variants = function (q) {
      var out = [q];
      SYNONYMS.forEach(function (group) {
        out.slice().forEach(function (v) {
          group.forEach(function (w) {
            if (v.indexOf(w) < 0) return;
            group.forEach(function (u) { var r = v.split(w).join(u); if (out.indexOf(r) < 0) out.push(r); });
          });
        });
      });
      out.slice().forEach(function (v) {
        var r = v;
        FILLER.forEach(function (f) { r = r.split(f).join(""); });
        if (r.length >= 2 && out.indexOf(r) < 0) out.push(r);
      });
      return out;
    };
    var texts = items2.map(function (s) { return norm(s.textContent); });
    // Chinese has no spaces between words: when the whole query is not found, look for
    // answers holding each two-character piece of it (继续教育证书打印 → 继续/教育/证书/打印).
    var pieces = function (q) {
      var out = [];
      for (var i = 0; i < q.length; i += 2) out.push(q.slice(i, i + 2));
      return out;
    };
    input.addEventListener("input", function () {
      var q = norm(input.value), shown = 0, vs = variants(q);
      var exact = texts.map(function (t) { return !q || vs.some(function (v) { return t.indexOf(v) >= 0; }); });
      var loose = exact.indexOf(true) < 0 && q.length >= 4;
      var parts = pieces(q);
      var looseParts = vs.filter(function (v) { return v.length >= 2; }).map(pieces);
      items2.forEach(function (s, i) {
        var hit = exact[i] || (loose && looseParts.some(function (ps) { return ps.every(function (p) { return texts[i].indexOf(p) >= 0; }); }));
        s.hidden = !hit;
        if (hit) shown++;
      });
      if (toc) toc.hidden = !!q;
      count.textContent = !q ? "" : loose ? (shown ? "没有完全匹配的问题；包含“" + parts.join("”“") + "”的有 " + shown + " 条" : "没有找到") : "找到 " + shown + " 条";
    });
  }
})();
