/* Dispatch desk: select all on the page, and a live count of the selection. */
(function () {
  "use strict";

  function init() {
    var all = document.querySelector("[data-select-all]");
    var counter = document.querySelector("[data-selected-count]");
    var boxes = Array.prototype.slice.call(document.querySelectorAll(".ll-case-check"));
    if (!all || !boxes.length) return;

    function update() {
      var n = boxes.filter(function (b) { return b.checked; }).length;
      all.checked = n === boxes.length;
      all.indeterminate = n > 0 && n < boxes.length;
      if (counter) counter.textContent = (counter.dataset.template || "%(n)s").replace("%(n)s", n);
    }
    all.addEventListener("change", function () {
      boxes.forEach(function (b) { b.checked = all.checked; });
      update();
    });
    boxes.forEach(function (b) { b.addEventListener("change", update); });
    update();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
