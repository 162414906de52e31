/* Grid polygons of an area on a Leaflet map.
 *
 * The FeatureCollection is embedded in the page (json_script "area-grids"), so the
 * map needs no extra request. Blank base unless the page names a tile URL
 * (settings.MAP_TILE_URL, e.g. 天地图 or an intranet tile server); never a CDN.
 */
(function () {
  "use strict";

  var PALETTE = ["#b4282d", "#1f6feb", "#2da44e", "#bf8700", "#8250df", "#0a7ea4", "#cf222e", "#57606a",
    "#e16f24", "#1a7f37", "#6639ba", "#9a6700", "#0969da", "#bc4c00", "#116329"];

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function popupContent(props, labels) {
    var box = el("div");
    box.appendChild(el("div", "ll-popup-title", props.name));
    box.appendChild(el("div", "ll-code", labels.code + " " + props.code));
    if (props.url && props.url !== window.location.pathname) {
      var link = el("a", "", labels.open);
      link.href = props.url;
      box.appendChild(link);
    }
    return box;
  }

  function init() {
    var container = document.getElementById("area-map");
    var data = document.getElementById("area-grids");
    if (!container || !data || typeof L === "undefined") return;

    var collection = JSON.parse(data.textContent);
    var tileUrl = container.dataset.tileUrl || "";
    var labels = { code: container.dataset.labelCode || "Code", open: container.dataset.labelOpen || "Open" };

    var count = (collection.features || []).length;
    // Names stay on the map for a community's grids; a street or a district
    // with hundreds of grids shows them on hover instead, and draws on a canvas.
    var permanentLabels = count <= 60;

    var map = L.map(container, {
      attributionControl: Boolean(tileUrl),
      preferCanvas: count > 1000,
      zoomSnap: 0.25,
      maxZoom: 19
    });
    if (tileUrl) {
      L.tileLayer(tileUrl, { attribution: container.dataset.tileAttribution || "", maxZoom: 19 }).addTo(map);
    }

    var index = 0;
    var layer = L.geoJSON(collection, {
      style: function (feature) {
        var color = PALETTE[index++ % PALETTE.length];
        // The children list shows the same colour next to each grid's name.
        var swatch = document.querySelector('[data-swatch="' + (feature.properties || {}).code + '"]');
        if (swatch) {
          swatch.style.backgroundColor = color;
          swatch.hidden = false;
        }
        return { color: color, weight: 2, opacity: 0.9, fillColor: color, fillOpacity: 0.18 };
      },
      onEachFeature: function (feature, featureLayer) {
        var props = feature.properties || {};
        featureLayer.bindTooltip(props.name || props.code, {
          permanent: permanentLabels, direction: "center", className: "ll-grid-label", opacity: 1
        });
        featureLayer.bindPopup(popupContent(props, labels));
        featureLayer.on("mouseover", function () { featureLayer.setStyle({ weight: 4, fillOpacity: 0.35 }); });
        featureLayer.on("mouseout", function () { featureLayer.setStyle({ weight: 2, fillOpacity: 0.18 }); });
      }
    }).addTo(map);

    var bounds = layer.getBounds();
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [16, 16], maxZoom: 18 });
      if (window.LinliLabels) window.LinliLabels.watch(map);
    } else {
      map.setView([24.48, 118.09], 12);
    }
    container.dataset.ready = "1";
    window.linliAreaMap = { map: map, layer: layer };
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
