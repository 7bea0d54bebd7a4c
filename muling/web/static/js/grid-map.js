/* Grid polygons on a Leaflet map. Tiles only when the server has a tile URL configured: on an offline
   LAN the polygons alone, with their names, are the map. */
(function () {
  "use strict";
  var el = document.getElementById("grid-map");
  if (!el || !window.L) return;

  var map = L.map(el, { scrollWheelZoom: false, zoomSnap: 0.25 });
  var tileUrl = el.dataset.tileUrl;
  if (tileUrl) {
    L.tileLayer(tileUrl, { maxZoom: 19, attribution: el.dataset.tileAttribution || "" }).addTo(map);
  }
  var palette = ["#b3261e", "#1f6feb", "#1a7f37", "#8250df", "#bf5700", "#0a7ea4"];
  var areaUrl = el.dataset.areaUrl;

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
          return { color: color, weight: 2, fillColor: color, fillOpacity: 0.18 };
        },
        onEachFeature: function (feature, lyr) {
          var p = feature.properties || {};
          lyr.bindTooltip(Object.assign(document.createElement("span"), { textContent: p.name || p.code }), { permanent: true, direction: "center", className: "grid-label" });
          lyr.on("click", function () { window.location.href = areaUrl.replace("000000", p.code); });
        }
      }).addTo(map);
      if (layer.getLayers().length) {
        map.fitBounds(layer.getBounds(), { padding: [16, 16] });
      } else {
        map.setView([35.8, 116.1], 12);
        showEmpty();
      }
    })
    .catch(function () {
      map.setView([35.8, 116.1], 12);
      showEmpty();
    });
})();
