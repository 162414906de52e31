/* Intake pages (随手拍, patrol, walk-in): photos with previews and a count limit, the
 * phone's location or a pin on the map (both WGS84), and the duplicate check through htmx.
 *
 * Photos are kept in one list: a phone camera gives one photo per tap, and the album
 * input adds more; the list is written back into the named input with DataTransfer.
 */
(function () {
  "use strict";

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, key) { return values[key]; });
  }

  function setupPhotos(form) {
    var input = form.querySelector("[data-photo-input]");
    var album = document.querySelector("[data-photo-album]");
    var previews = form.querySelector("[data-photo-previews]");
    var counter = form.querySelector("[data-photo-count]");
    if (!input || !previews) return;
    var max = parseInt(form.dataset.maxPhotos || "9", 10);
    var files = [];
    var canRewrite = typeof DataTransfer !== "undefined";

    function sync(tooMany) {
      if (canRewrite) {
        var transfer = new DataTransfer();
        files.forEach(function (file) { transfer.items.add(file); });
        input.files = transfer.files;
      }
      previews.innerHTML = "";
      files.forEach(function (file, index) {
        var cell = document.createElement("div");
        cell.className = "ll-photo-cell";
        var img = document.createElement("img");
        img.alt = file.name;
        img.src = URL.createObjectURL(file);
        img.onload = function () { URL.revokeObjectURL(img.src); };
        cell.appendChild(img);
        if (canRewrite) {
          var remove = document.createElement("button");
          remove.type = "button";
          remove.className = "ll-photo-remove";
          remove.setAttribute("aria-label", "×");
          remove.textContent = "×";
          remove.addEventListener("click", function () { files.splice(index, 1); sync(false); });
          cell.appendChild(remove);
        }
        previews.appendChild(cell);
      });
      if (counter) {
        var text = format(counter.dataset.template || "%(n)s / %(max)s", { n: files.length, max: max });
        counter.textContent = tooMany ? text + " · " + counter.dataset.tooMany : text;
        counter.classList.toggle("text-danger", Boolean(tooMany));
      }
      form.querySelectorAll(".ll-photo-add").forEach(function (label) {
        label.classList.toggle("disabled", files.length >= max);
      });
    }

    function add(list, replace) {
      var incoming = Array.prototype.slice.call(list || []).filter(function (f) {
        return !f.type || f.type.indexOf("image/") === 0;
      });
      files = replace && !canRewrite ? incoming : files.concat(incoming);
      var tooMany = files.length > max;
      if (tooMany) files = files.slice(0, max);
      sync(tooMany);
    }

    input.addEventListener("change", function () { add(input.files, true); });
    if (album) {
      if (!canRewrite) album.hidden = true;
      album.addEventListener("change", function () { add(album.files); album.value = ""; });
    }
  }

  function setupMap(form) {
    var container = document.getElementById("report-map");
    var lat = form.querySelector("[name=lat]");
    var lng = form.querySelector("[name=lng]");
    if (!container || !lat || !lng || typeof L === "undefined") return null;

    var map = L.map(container, { attributionControl: Boolean(container.dataset.tileUrl), zoomSnap: 0.25, maxZoom: 19 });
    if (container.dataset.tileUrl) {
      L.tileLayer(container.dataset.tileUrl, { attribution: container.dataset.tileAttribution || "", maxZoom: 19 }).addTo(map);
    }
    var grids = JSON.parse((document.getElementById("report-grids") || {}).textContent || "{}");
    var features = grids.features || [];
    // Without tiles the outlines and their names are the only landmarks: the names stay on
    // (a street's hundreds of grids show them on hover instead).
    var permanentLabels = features.length <= 80;
    // A resident's map names communities, not grids (a staff word): the outlines stay, unnamed.
    var gridNames = !container.dataset.plainWords;
    var layer = L.geoJSON({ type: "FeatureCollection", features: features }, {
      style: { color: "#b4282d", weight: 1.5, opacity: 0.8, fillOpacity: 0.06 },
      onEachFeature: function (feature, featureLayer) {
        if (!gridNames) return;
        featureLayer.bindTooltip((feature.properties || {}).name || "", {
          permanent: permanentLabels, direction: "center", className: "ll-grid-label", interactive: false
        });
      }
    });
    // The community's name above its grids (the codes of its grids extend its own).
    var areaLabels = L.layerGroup();
    (grids.areas || []).forEach(function (area) {
      var bounds = L.latLngBounds([]);
      layer.eachLayer(function (grid) {
        if (String((grid.feature.properties || {}).code).indexOf(area.code) === 0) bounds.extend(grid.getBounds());
      });
      if (!bounds.isValid()) return;
      var top = L.latLng(bounds.getNorth(), bounds.getCenter().lng);
      areaLabels.addLayer(L.tooltip({ permanent: true, direction: "top", className: "ll-area-label", offset: [0, -4] })
        .setLatLng(top).setContent(area.name));
    });

    var marker = null;
    var locateButton = document.querySelector("[data-locate]");
    var status = document.querySelector("[data-locate-status]");

    function say(message) { if (status) status.textContent = message; }

    function place(latlng, fromUser) {
      lat.value = latlng.lat.toFixed(6);
      lng.value = latlng.lng.toFixed(6);
      if (!marker) {
        marker = L.marker(latlng, { draggable: true, autoPan: true, keyboard: true }).addTo(map);
        marker.on("dragend", function () { place(marker.getLatLng(), true); });
      } else {
        marker.setLatLng(latlng);
      }
      container.dataset.pinned = "1";
      if (fromUser && status) say(status.dataset.msgPinned);
      document.dispatchEvent(new CustomEvent("ll-location"));
    }

    map.on("click", function (event) { place(event.latlng, true); });

    if (lat.value && lng.value) {
      var kept = L.latLng(parseFloat(lat.value), parseFloat(lng.value));
      map.setView(kept, 18);
      place(kept, false);
    } else if (layer.getBounds().isValid()) {
      // Room above the outlines for the community's name.
      map.fitBounds(layer.getBounds(), { paddingTopLeft: [12, 36], paddingBottomRight: [12, 12], maxZoom: 17 });
    } else if (container.dataset.lat) {
      map.setView([parseFloat(container.dataset.lat), parseFloat(container.dataset.lng)], 15);
    } else {
      map.setView([35, 105], 4);  // no area known: China, zoomed out; the phone's location will zoom in
    }
    layer.addTo(map);
    areaLabels.addTo(map);
    if (window.LinliLabels) window.LinliLabels.watch(map);

    if (locateButton) {
      locateButton.addEventListener("click", function () {
        if (!navigator.geolocation) { say(locateButton.dataset.msgUnsupported); return; }
        say(locateButton.dataset.msgLocating);
        locateButton.disabled = true;
        navigator.geolocation.getCurrentPosition(function (position) {
          locateButton.disabled = false;
          // The Geolocation API gives WGS84, which is what the server expects here.
          var here = L.latLng(position.coords.latitude, position.coords.longitude);
          map.setView(here, 17);
          place(here, false);
          say(format(locateButton.dataset.msgFound, { m: Math.max(1, Math.round(position.coords.accuracy || 0)) }));
        }, function () {
          locateButton.disabled = false;
          say(locateButton.dataset.msgFailed);
        }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
      });
    }
    container.dataset.ready = "1";
    return map;
  }

  function setupDuplicates(form) {
    var box = document.getElementById("duplicates");
    var category = form.querySelector("[name=category]");
    if (!box || typeof htmx === "undefined") return;
    function check() {
      var lat = form.querySelector("[name=lat]").value;
      if (category && category.value && lat) htmx.trigger(box, "ll-check");
      else box.innerHTML = "";
    }
    if (category) category.addEventListener("change", check);
    document.addEventListener("ll-location", check);
    check();
  }

  function setupSubmit(form) {
    var button = document.querySelector("button[form='" + form.id + "']");
    form.addEventListener("submit", function () {
      if (!button) return;
      // One tap, one report: a slow upload must not be sent twice.
      setTimeout(function () { button.disabled = true; button.textContent = button.dataset.sending || button.textContent; }, 0);
    });
  }

  function init() {
    var form = document.getElementById("report-form");
    if (!form) return;
    setupPhotos(form);
    setupMap(form);
    setupSubmit(form);
    // htmx loads after this script (both deferred or at the end): wait for it.
    if (typeof htmx !== "undefined") setupDuplicates(form);
    else window.addEventListener("load", function () { setupDuplicates(form); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
