/* Patrol report: once the location is set, warn a grid worker whose point lies outside their
   own grids (they may still send it; the command center routes it). No library needed. */
(function () {
  function inRing(x, y, ring) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }

  function inGeometry(x, y, geometry) {
    var polygons = geometry.type === "Polygon" ? [geometry.coordinates] : (geometry.type === "MultiPolygon" ? geometry.coordinates : []);
    return polygons.some(function (rings) {
      return inRing(x, y, rings[0]) && !rings.slice(1).some(function (hole) { return inRing(x, y, hole); });
    });
  }

  function check() {
    var data = document.getElementById("own-grids");
    var box = document.querySelector("[data-outside-grid]");
    var form = document.getElementById("report-form");
    if (!data || !box || !form) return;
    var grids = JSON.parse(data.textContent || "[]");
    var lat = parseFloat(form.querySelector("[name=lat]").value);
    var lng = parseFloat(form.querySelector("[name=lng]").value);
    // next to the location button, where the worker is looking, not under the map
    var map = document.getElementById("report-map");
    if (map && box.nextElementSibling !== map) { map.parentNode.insertBefore(box, map); box.classList.replace("mt-2", "mb-2"); box.classList.remove("mb-0"); }
    if (!grids.length || isNaN(lat) || isNaN(lng)) { box.hidden = true; return; }
    box.hidden = grids.some(function (geometry) { return inGeometry(lng, lat, geometry); });
  }

  document.addEventListener("ll-location", check);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", check);
  else check();
})();
