/* Case page: the point and its grid on a Leaflet map, and photos opened in a modal. */
(function () {
  "use strict";

  function setupMap() {
    var container = document.getElementById("case-map");
    var data = document.getElementById("case-geo");
    if (!container || !data || typeof L === "undefined") return;
    var geo = JSON.parse(data.textContent);
    var map = L.map(container, { attributionControl: Boolean(container.dataset.tileUrl), zoomSnap: 0.25, maxZoom: 19 });
    if (container.dataset.tileUrl) {
      L.tileLayer(container.dataset.tileUrl, { attribution: container.dataset.tileAttribution || "", maxZoom: 19 }).addTo(map);
    }
    var grid = L.geoJSON(geo.grid, {
      style: { color: "#1f6feb", weight: 2, opacity: 0.9, fillColor: "#1f6feb", fillOpacity: 0.1 },
      onEachFeature: function (feature, layer) {
        var props = feature.properties || {};
        layer.bindTooltip(props.name || "", { permanent: true, direction: "top", className: "ll-grid-label" });
      }
    });
    var here = geo.point ? L.latLng(geo.point.lat, geo.point.lng) : null;
    var bounds = grid.getBounds();
    if (here) bounds = bounds.isValid() ? bounds.extend(here) : L.latLngBounds(here, here);
    // The view first: a permanent tooltip cannot open on a map without one.
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [28, 28], maxZoom: 18 });
    else map.setView([0, 0], 2);
    grid.addTo(map);
    if (window.LinliLabels) window.LinliLabels.watch(map);
    if (here) {
      L.circleMarker(here, { radius: 9, color: "#fff", weight: 3, fillColor: "#b4282d", fillOpacity: 1 }).addTo(map);
    }
    container.dataset.ready = "1";
  }

  function setupPhotos() {
    var modalElement = document.getElementById("photo-modal");
    var full = modalElement && modalElement.querySelector("[data-photo-full]");
    if (!modalElement || !full || typeof bootstrap === "undefined") return;
    var modal = new bootstrap.Modal(modalElement);
    document.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-photo]");
      if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
      event.preventDefault();
      full.src = link.dataset.photo;
      modal.show();
    });
    modalElement.addEventListener("hidden.bs.modal", function () { full.removeAttribute("src"); });
  }

  function setupEvidence() {
    document.querySelectorAll("[data-evidence]").forEach(function (box) {
      var input = box.querySelector("[data-evidence-input]");
      var previews = box.querySelector("[data-evidence-previews]");
      var counter = box.querySelector("[data-evidence-count]");
      if (!input || !previews) return;
      input.addEventListener("change", function () {
        previews.innerHTML = "";
        Array.prototype.forEach.call(input.files || [], function (file) {
          var cell = document.createElement("div");
          cell.className = "ll-photo-cell";
          var img = document.createElement("img");
          img.alt = file.name;
          img.src = URL.createObjectURL(file);
          img.onload = function () { URL.revokeObjectURL(img.src); };
          cell.appendChild(img);
          previews.appendChild(cell);
        });
        if (counter) counter.textContent = (counter.dataset.template || "%(n)s").replace("%(n)s", (input.files || []).length);
      });
    });
  }

  function init() {
    setupMap();
    setupPhotos();
    setupEvidence();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
