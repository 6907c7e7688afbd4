// Filters and copy buttons. Without this script every item stays visible and the curl lines can
// be selected by hand; nothing here loads anything.
(function () {
  "use strict";
  var items = function (kind, status) {
    var selector = '[data-item="' + kind + '"]' + (status ? '[data-status="' + status + '"]' : "");
    return Array.prototype.slice.call(document.querySelectorAll(selector));
  };
  var shown = function (kind) {
    return items(kind).filter(function (el) { return !el.hidden; }).length;
  };
  var update = function () {
    var on = {};
    document.querySelectorAll("[data-filter]").forEach(function (box) { on[box.dataset.filter] = box.checked; });
    document.querySelectorAll("[data-item][data-status]").forEach(function (el) {
      el.hidden = on[el.dataset.status] === false;
    });
    document.querySelectorAll("[data-shown]").forEach(function (el) {
      el.textContent = String(shown(el.dataset.shown));
    });
  };
  // Each filter's count of cases and scenarios, computed from the items the page lists.
  document.querySelectorAll("[data-js-count]").forEach(function (el) {
    var status = el.dataset.jsCount;
    el.textContent = String(items("case", status).length + items("scenario", status).length);
  });
  var filters = document.getElementById("filters");
  if (filters) {
    filters.hidden = false;
    filters.addEventListener("change", update);
    update();
  }
  document.querySelectorAll("button.copy").forEach(function (button) {
    var code = button.closest(".curl").querySelector("code");
    button.hidden = false;
    var done = function (text) {
      button.textContent = text;
      setTimeout(function () { button.textContent = "Copy"; }, 1500);
    };
    var select = function () {
      var range = document.createRange();
      range.selectNodeContents(code);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      return selection;
    };
    button.addEventListener("click", function () {
      var text = code.textContent;
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(function () { done("Copied"); }, function () {
          select();
          done("Press Ctrl+C");
        });
      } else {
        select();
        var copied = false;
        try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
        done(copied ? "Copied" : "Press Ctrl+C");
      }
    });
  });
})();
