// Permanent map labels (community names, grid names) that would cover another label or stick
// out of the map are hidden until zooming or panning makes room: on a phone the names of a
// community's grids otherwise pile up and clip at the edge. Community labels win over grids'.
(function () {
  "use strict";
  var SELECTORS = [".leaflet-tooltip.ll-area-label", ".leaflet-tooltip.ll-grid-label"];

  function overlaps(a, b) {
    return a.left < b.right && a.right > b.left && a.top < b.bottom && a.bottom > b.top;
  }

  function declutter(map) {
    var container = map.getContainer();
    var box = container.getBoundingClientRect();
    var placed = [];
    SELECTORS.forEach(function (selector) {
      container.querySelectorAll(selector).forEach(function (label) { label.classList.remove("ll-label-hidden"); });
    });
    SELECTORS.forEach(function (selector) {
      container.querySelectorAll(selector).forEach(function (label) {
        var rect = label.getBoundingClientRect();
        var inside = rect.left >= box.left && rect.right <= box.right && rect.top >= box.top && rect.bottom <= box.bottom;
        if (!inside || placed.some(function (other) { return overlaps(rect, other); })) {
          label.classList.add("ll-label-hidden");
        } else {
          placed.push(rect);
        }
      });
    });
  }

  window.LinliLabels = {
    watch: function (map) {
      var pending = false;
      function run() {
        if (pending) return;
        pending = true;
        window.requestAnimationFrame(function () { pending = false; declutter(map); });
      }
      map.on("zoomend moveend resize layeradd", run);
      run();
    }
  };
})();
