// Draws the school map with the vendored Leaflet. Data comes from the page (one school) or from
// the JSON endpoint named in data-points-url (the directory, with the same filters as the list).
(function () {
  "use strict";
  function init() {
    var element = document.getElementById("map");
    if (!element || typeof L === "undefined") return;
    var map = L.map(element, { scrollWheelZoom: false }).setView([56.9, 24.6], 7);
    var tiles = element.dataset.tiles;
    if (tiles) {
      L.tileLayer(tiles, { maxZoom: 18, attribution: element.dataset.attribution || "" }).addTo(map);
    } else {
      element.classList.add("map-plain");
    }
    var approximateLabel = element.dataset.approximateLabel || "approximate location";

    // Several schools often share one approximate point (a city centre): they get one marker
    // whose size grows with their number and whose popup lists them all.
    function addMarker(points) {
      var first = points[0];
      var approximate = points.every(function (p) { return p.approximate; });
      var marker = L.circleMarker([first.lat, first.lng], {
        radius: points.length > 1 ? Math.min(7 + 2 * Math.sqrt(points.length), 20) : 7,
        color: "#0b3d6b",
        weight: 2,
        fillColor: approximate ? "#ffffff" : "#0b6fb8",
        fillOpacity: approximate ? 0.7 : 0.9,
      });
      var popup = document.createElement("div");
      var list = document.createElement("ul");
      list.className = "map-popup-list";
      points.forEach(function (point) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = point.url;
        link.textContent = point.name;
        item.appendChild(link);
        list.appendChild(item);
      });
      popup.appendChild(list);
      if (approximate) {
        var note = document.createElement("div");
        note.className = "map-approximate";
        note.textContent = approximateLabel;
        popup.appendChild(note);
      }
      marker.bindPopup(popup);
      var label = points.length > 1 ? points.length + ": " + points.map(function (p) { return p.name; }).slice(0, 3).join("; ") + (points.length > 3 ? "; …" : "") : first.name;
      marker.bindTooltip(label + (approximate ? " (" + approximateLabel + ")" : ""));
      return marker;
    }

    if (element.dataset.lat) {
      var point = {
        lat: parseFloat(element.dataset.lat),
        lng: parseFloat(element.dataset.lng),
        name: element.dataset.name,
        url: window.location.pathname,
        approximate: element.dataset.approximate === "1",
      };
      addMarker([point]).addTo(map);
      map.setView([point.lat, point.lng], 10);
      element.dataset.markers = "1";
      return;
    }

    fetch(element.dataset.pointsUrl, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        var base = element.dataset.schoolUrlBase || "";
        var layer = L.featureGroup();
        var places = {};
        data.schools.forEach(function (school) {
          school.url = school.url || base + school.slug + "/";
          var key = school.lat.toFixed(5) + "," + school.lng.toFixed(5);
          (places[key] = places[key] || []).push(school);
        });
        Object.keys(places).forEach(function (key) {
          addMarker(places[key]).addTo(layer);
        });
        layer.addTo(map);
        if (data.schools.length) map.fitBounds(layer.getBounds(), { padding: [20, 20], maxZoom: 10 });
        element.dataset.markers = String(data.schools.length);
        element.dataset.places = String(Object.keys(places).length);
      });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
