/* A unit <select data-unit-search="hint"> gets a text box above it that narrows its options
   (groups kept, the chosen one always kept). Plain DOM, no library: pages work offline. */
(function () {
  function setup(select) {
    if (select.dataset.unitSearchReady || select.options.length < 8) return;
    select.dataset.unitSearchReady = "1";
    var original = Array.prototype.map.call(select.children, function (node) { return node.cloneNode(true); });
    var box = document.createElement("input");
    box.type = "search";
    box.className = "form-control form-control-sm mb-1";
    box.placeholder = select.dataset.unitSearch || "";
    box.setAttribute("aria-label", select.dataset.unitSearch || "");
    box.setAttribute("data-testid", "unit-search");
    box.autocomplete = "off";
    select.parentNode.insertBefore(box, select);

    box.addEventListener("input", function () {
      var query = box.value.trim().toLowerCase();
      var chosen = select.value;
      var keep = function (option) {
        return !option.value || option.value === chosen || option.textContent.toLowerCase().indexOf(query) !== -1;
      };
      select.textContent = "";
      original.forEach(function (node) {
        if (node.tagName === "OPTGROUP") {
          var group = node.cloneNode(false);
          Array.prototype.forEach.call(node.children, function (option) { if (keep(option)) group.appendChild(option.cloneNode(true)); });
          if (group.children.length) select.appendChild(group);
        } else if (keep(node)) {
          select.appendChild(node.cloneNode(true));
        }
      });
      select.value = chosen;
      // one match: choose it, so a dispatcher can type and send
      var matches = select.querySelectorAll("option[value]:not([value=''])");
      if (query && matches.length === 1) select.value = matches[0].value;
    });
  }

  function init() { document.querySelectorAll("select[data-unit-search]").forEach(setup); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
