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

    function addMarker(point) {
      var marker = L.circleMarker([point.lat, point.lng], {
        radius: 7,
        color: "#0b3d6b",
        weight: 2,
        fillColor: point.approximate ? "#ffffff" : "#0b6fb8",
        fillOpacity: point.approximate ? 0.6 : 0.9,
      });
      var link = document.createElement("a");
      link.href = point.url;
      link.textContent = point.name;
      var popup = document.createElement("div");
      popup.appendChild(link);
      if (point.approximate) {
        var note = document.createElement("div");
        note.className = "map-approximate";
        note.textContent = approximateLabel;
        popup.appendChild(note);
      }
      marker.bindPopup(popup);
      marker.bindTooltip(point.name + (point.approximate ? " (" + approximateLabel + ")" : ""));
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
      addMarker(point).addTo(map);
      map.setView([point.lat, point.lng], 10);
      element.dataset.markers = "1";
      return;
    }

    fetch(element.dataset.pointsUrl, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        var base = element.dataset.schoolUrlBase || "";
        var layer = L.featureGroup();
        data.schools.forEach(function (school) {
          school.url = school.url || base + school.slug + "/";
          addMarker(school).addTo(layer);
        });
        layer.addTo(map);
        if (data.schools.length) map.fitBounds(layer.getBounds(), { padding: [20, 20], maxZoom: 10 });
        element.dataset.markers = String(data.schools.length);
      });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
