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
    items.forEach(function (li) {
      var end = li.getAttribute("data-date"), start = li.getAttribute("data-start");
      var out = li.querySelector(".countdown"), left = days(today, end);
      if (left < 0) { li.classList.add("past"); out.textContent = "已过"; return; }
      if (start && days(start, today) >= 0) { li.classList.add("active"); out.textContent = "进行中，还剩 " + left + " 天"; return; }
      if (start) { out.textContent = "还有 " + days(today, start) + " 天开始"; return; }
      out.textContent = left === 0 ? "就是今天" : "还有 " + left + " 天";
      if (left <= 30) li.classList.add("active");
    });
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
    box.hidden = false;
    var norm = function (s) { return s.replace(/\s+/g, "").toLowerCase(); };
    var texts = items2.map(function (s) { return norm(s.textContent); });
    // Chinese has no spaces between words: when the whole query is not found, look for
    // answers holding each two-character piece of it (继续教育证书打印 → 继续/教育/证书/打印).
    var pieces = function (q) {
      var out = [];
      for (var i = 0; i < q.length; i += 2) out.push(q.slice(i, i + 2));
      return out;
    };
    input.addEventListener("input", function () {
      var q = norm(input.value), shown = 0;
      var exact = texts.map(function (t) { return !q || t.indexOf(q) >= 0; });
      var loose = exact.indexOf(true) < 0 && q.length >= 4;
      var parts = pieces(q);
      items2.forEach(function (s, i) {
        var hit = exact[i] || (loose && parts.every(function (p) { return texts[i].indexOf(p) >= 0; }));
        s.hidden = !hit;
        if (hit) shown++;
      });
      count.textContent = !q ? "" : loose ? (shown ? "没有完全匹配的问题；包含“" + parts.join("”“") + "”的有 " + shown + " 条" : "没有找到") : "找到 " + shown + " 条";
    });
  }
})();
