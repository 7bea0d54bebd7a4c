/* The report form's map: the community's grid polygons; a tap puts the problem's point into the
   hidden lat/lon fields and picks "on the map" as the place. Tiles only when the server has a tile
   URL configured: on an offline LAN the polygons alone, with their names, are the map. */
(function () {
  "use strict";
  var el = document.getElementById("report-map");
  if (!el || !window.L) return;
  var form = el.closest("form");
  var lat = form.querySelector("input[name=lat]");
  var lon = form.querySelector("input[name=lon]");
  var radio = form.querySelector("input[name=place][value=map]");
  var hint = document.getElementById("map-hint");
  var palette = ["#b3261e", "#1f6feb", "#1a7f37", "#8250df", "#bf5700", "#0a7ea4"];

  var map = L.map(el, { scrollWheelZoom: false, zoomSnap: 0.25 });
  // Points above the grids' name labels (the tooltip pane is 650), or a point in a grid's middle hides.
  map.createPane("points").style.zIndex = 660;
  map.setView([35.8, 116.1], 13); // provisional, so layers can be added before the data decides the view
  if (el.dataset.tileUrl) {
    L.tileLayer(el.dataset.tileUrl, { maxZoom: 19, attribution: el.dataset.tileAttribution || "" }).addTo(map);
  }
  var bounds = null;
  var fitted = false;
  var marker = null;

  function visible() { return el.offsetParent !== null; }

  function fit() {
    map.invalidateSize();
    if (fitted || !visible()) return;
    var still = { animate: false };
    if (marker) map.setView(marker.getLatLng(), Math.max(map.getZoom() || 0, 16), still);
    else if (bounds) map.fitBounds(bounds, { padding: [12, 12], animate: false });
    else map.setView([35.8, 116.1], 13, still);
    fitted = true;
  }

  function put(latlng, picked) {
    if (!marker) {
      marker = L.circleMarker(latlng, {
        pane: "points", radius: 10, color: "#b3261e", weight: 4, fillColor: "#ffffff", fillOpacity: 1
      }).addTo(map);
    } else {
      marker.setLatLng(latlng);
    }
    if (!picked) return;
    lat.value = latlng.lat.toFixed(6);
    lon.value = latlng.lng.toFixed(6);
    if (radio) radio.checked = true;
    if (hint) hint.textContent = hint.dataset.done || hint.textContent;
    document.body.dispatchEvent(new CustomEvent("place-picked"));
  }

  map.on("click", function (e) { put(e.latlng, true); });

  form.addEventListener("change", function (e) {
    if (e.target.name === "place") setTimeout(fit, 0);
  });

  if (lat.value && lon.value) put(L.latLng(parseFloat(lat.value), parseFloat(lon.value)), false);

  function showEmpty() {
    var note = document.createElement("p");
    note.className = "map-empty";
    note.textContent = el.dataset.empty;
    el.appendChild(note);
  }

  fetch(el.dataset.geojson, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
    .then(function (data) {
      var i = 0;
      var layer = L.geoJSON(data, {
        style: function () {
          var color = palette[i++ % palette.length];
          return { color: color, weight: 2, fillColor: color, fillOpacity: 0.15 };
        },
        onEachFeature: function (feature, lyr) {
          var p = feature.properties || {};
          // The name sits just inside the grid's top edge, leaving its middle to the points.
          var b = lyr.getBounds();
          L.tooltip({ permanent: true, direction: "bottom", className: "grid-label", offset: [0, 4] })
            .setLatLng([b.getNorth(), b.getCenter().lng]).setContent(Object.assign(document.createElement("span"), { textContent: p.name || p.code })).addTo(map);
        }
      }).addTo(map);
      if (layer.getLayers().length) bounds = layer.getBounds();
      else showEmpty();
      fitted = false;
      fit();
    })
    .catch(function () { showEmpty(); fit(); });
  fit();
})();
