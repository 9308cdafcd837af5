// 大字 (large text) and 高对比 (high contrast), on every page and remembered on this device
// (localStorage; nothing is sent anywhere). Loaded in <head> so the page is drawn once, already
// in the chosen size and colours.
"use strict";
(function () {
  var KEYS = { large: "jxjy-large", contrast: "jxjy-contrast" };
  var root = document.documentElement;
  function get(k) { try { return localStorage.getItem(KEYS[k]) === "1"; } catch (e) { return false; } }
  function set(k, on) { try { localStorage.setItem(KEYS[k], on ? "1" : "0"); } catch (e) { /* private mode: this page only */ } }
  Object.keys(KEYS).forEach(function (k) { root.classList.toggle(k, get(k)); });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".prefs button[data-pref]").forEach(function (b) {
      var k = b.getAttribute("data-pref");
      b.setAttribute("aria-pressed", String(root.classList.contains(k)));
      b.addEventListener("click", function () {
        var on = !root.classList.contains(k);
        root.classList.toggle(k, on);
        b.setAttribute("aria-pressed", String(on));
        set(k, on);
      });
    });
  });
})();
