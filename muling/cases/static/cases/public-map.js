/* A community's public cases on its grid map: open cases red, the rest grey. The popup is built from
   text nodes (the case text is a resident's words, never HTML). */
(function () {
  "use strict";
  var el = document.getElementById("public-map");
  var data = document.getElementById("case-markers");
  if (!el || !window.L) return;
  var markers = data ? JSON.parse(data.textContent) : [];
  var map = L.map(el, { scrollWheelZoom: false, zoomSnap: 0.25 });
  // Points above the grids' name labels (the tooltip pane is 650), or a point in a grid's middle hides.
  map.createPane("points").style.zIndex = 660;
  map.setView([35.8, 116.1], 13); // provisional, so layers can be added before the data decides the view
  if (el.dataset.tileUrl) {
    L.tileLayer(el.dataset.tileUrl, { maxZoom: 19, attribution: el.dataset.tileAttribution || "" }).addTo(map);
  }
  var group = L.featureGroup().addTo(map);

  function popup(m) {
    var box = document.createElement("div");
    var title = document.createElement("b");
    title.textContent = m.category + " · " + m.status;
    var text = document.createElement("p");
    text.textContent = m.text;
    text.style.margin = ".25rem 0";
    var place = document.createElement("small");
    place.textContent = m.place;
    box.appendChild(title);
    box.appendChild(text);
    box.appendChild(place);
    return box;
  }

  markers.forEach(function (m) {
    L.circleMarker([m.lat, m.lon], {
      pane: "points", radius: 8, weight: 2, color: "#ffffff",
      fillColor: m.open ? "#b3261e" : "#6e7781", fillOpacity: 0.9
    }).bindPopup(popup(m)).addTo(group);
  });

  function showEmpty() {
    var note = document.createElement("p");
    note.className = "map-empty";
    note.textContent = el.dataset.empty;
    el.appendChild(note);
  }

  function fit(bounds) {
    // No animation: the first view is where the page starts, not a journey from the provisional one.
    if (bounds && bounds.isValid()) map.fitBounds(bounds, { padding: [16, 16], maxZoom: 17, animate: false });
    else map.setView([35.8, 116.1], 13, { animate: false });
  }

  fetch(el.dataset.geojson, { headers: { Accept: "application/json" } })
    .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
    .then(function (geo) {
      var layer = L.geoJSON(geo, {
        style: { color: "#1f6feb", weight: 2, fillColor: "#1f6feb", fillOpacity: 0.08 },
        onEachFeature: function (feature, lyr) {
          var p = feature.properties || {};
          // The name sits just inside the grid's top edge, leaving its middle to the points.
          var b = lyr.getBounds();
          L.tooltip({ permanent: true, direction: "bottom", className: "grid-label", offset: [0, 4] })
            .setLatLng([b.getNorth(), b.getCenter().lng]).setContent(Object.assign(document.createElement("span"), { textContent: p.name || p.code })).addTo(map);
        }
      }).addTo(map);
      layer.bringToBack();
      var bounds = layer.getBounds();
      if (group.getLayers().length) bounds = bounds.isValid() ? bounds.extend(group.getBounds()) : group.getBounds();
      if (!layer.getLayers().length && !group.getLayers().length) showEmpty();
      fit(bounds);
    })
    .catch(function () { fit(group.getLayers().length ? group.getBounds() : null); });
})();
