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
    input.addEventListener("input", function () {
      var q = norm(input.value), shown = 0;
      items2.forEach(function (s, i) {
        var hit = !q || texts[i].indexOf(q) >= 0;
        s.hidden = !hit;
        if (hit) shown++;
      });
      count.textContent = q ? "找到 " + shown + " 条" : "";
    });
  }
})();
