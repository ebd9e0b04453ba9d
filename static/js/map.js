// Draws the school maps with the vendored Leaflet: one school from the page's data attributes
// (a profile), or the points of data-points-url with the schools of each point fetched from
// data-place-url when a visitor points at, focuses or opens its marker (home, the map page).
//
// Everything that comes from data (school names, labels, links) reaches the page as text:
// elements are made with createElement and filled with textContent, and Leaflet is given those
// elements, never a string (it would insert a string as HTML).
//
// Keyboard and screen readers: the page's list of schools is the way through the map; markers
// are out of the Tab order (tabindex -1) but each is named (aria-label) and can be focused by
// a screen reader or a click; Escape closes what pointing or focusing opened.
(function () {
  "use strict";

  var BLUE = "#0b6fb8";
  var NAVY = "#0b3d6b";
  var NAMES_IN_TOOLTIP = 3;

  function textElement(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    node.textContent = text;
    return node;
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; });
  }

  function replaceChildren(node, children) {
    while (node.firstChild) node.removeChild(node.firstChild);
    children.forEach(function (child) { node.appendChild(child); });
  }

  function init() {
    var element = document.getElementById("map");
    if (!element || typeof L === "undefined") return;
    var data = element.dataset;
    // Visitors who ask for less motion get no fading and no animated zoom.
    var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var map = L.map(element, {
      scrollWheelZoom: false,
      fadeAnimation: !still,
      zoomAnimation: !still,
      markerZoomAnimation: !still,
    }).setView([56.9, 24.6], 7);
    if (data.tiles) {
      // Leaflet writes attributions as HTML: the configured credit goes in escaped.
      L.tileLayer(data.tiles, { maxZoom: 18, attribution: escapeHtml(data.attribution || "") })
        .addTo(map);
    } else {
      element.classList.add("map-plain");
    }
    var approximateLabel = data.approximateLabel || "approximate location";
    // A ring drawn above every marker around the one pointed at or focused, so that markers
    // nearby never hide it (redrawing the marker itself on top would take its focus away).
    map.createPane("asphubHighlight").style.zIndex = 450;
    var highlight = null;

    function withApproximate(text, place) {
      return place.approximate ? text + " (" + approximateLabel + ")" : text;
    }

    function showHighlight(place, radius) {
      hideHighlight();
      highlight = L.circleMarker([place.lat, place.lng], {
        pane: "asphubHighlight", radius: radius + 4, color: "#111111", weight: 3,
        fill: false, interactive: false,
      }).addTo(map);
    }

    function hideHighlight() {
      if (highlight) map.removeLayer(highlight);
      highlight = null;
    }

    // place: {lat, lng, count, approximate, label (the count in words), schools (or null: fetched
    // by loadSchools), more (words for the schools not listed)}
    function addMarker(place, layer, loadSchools) {
      var radius = place.count > 1 ? Math.min(7 + 2 * Math.sqrt(place.count), 20) : 7;
      var marker = L.circleMarker([place.lat, place.lng], {
        radius: radius,
        color: NAVY,
        weight: 2,
        fillColor: place.approximate ? "#ffffff" : BLUE,
        fillOpacity: place.approximate ? 0.7 : 0.9,
      });
      var tooltip = document.createElement("div");
      var popup = document.createElement("div");

      function summary() {
        if (!place.schools) return withApproximate(place.label, place);
        var names = place.schools.slice(0, NAMES_IN_TOOLTIP).map(function (s) { return s.name; });
        if (place.count > names.length) names.push(place.label);
        return withApproximate(names.join("; "), place);
      }

      // Leaflet asks for the content each time it opens or updates one: built then, not for
      // each of thousands of markers up front.
      function tooltipContent() {
        var lines = [];
        if (place.schools) {
          place.schools.slice(0, NAMES_IN_TOOLTIP).forEach(function (school) {
            lines.push(textElement("div", "map-tooltip-name", school.name));
          });
          if (place.count > NAMES_IN_TOOLTIP) lines.push(textElement("div", "", place.label));
        } else {
          lines.push(textElement("div", "", place.label));
        }
        if (place.approximate) lines.push(textElement("div", "map-approximate", approximateLabel));
        replaceChildren(tooltip, lines);
        return tooltip;
      }

      function popupContent() {
        var parts = [];
        if (place.schools) {
          var list = document.createElement("ul");
          list.className = "map-popup-list";
          place.schools.forEach(function (school) {
            var item = document.createElement("li");
            var link = textElement("a", "", school.name);
            link.href = school.url;
            item.appendChild(link);
            list.appendChild(item);
          });
          parts.push(list);
          if (place.more) parts.push(textElement("div", "map-popup-more", place.more));
        } else {
          parts.push(textElement("div", "", place.label));
        }
        if (place.approximate) parts.push(textElement("div", "map-approximate", approximateLabel));
        replaceChildren(popup, parts);
        return popup;
      }

      function name() {
        var path = marker.getElement();
        if (path) path.setAttribute("aria-label", summary());
      }

      function details() {
        if (place.schools || !loadSchools) return;
        loadSchools(place).then(function (answer) {
          place.schools = answer.schools;
          place.more = answer.more;
          name();
          if (marker.isTooltipOpen()) marker.getTooltip().update();
          if (marker.isPopupOpen()) marker.getPopup().update();
        }, function () { /* the count stays; pointing again asks again */ });
      }

      marker.bindTooltip(tooltipContent, { direction: "top", offset: [0, -radius] });
      marker.bindPopup(popupContent);
      marker.on("tooltipopen popupopen", details);
      marker.on("mouseover", function () { showHighlight(place, radius); });
      marker.on("mouseout", hideHighlight);
      marker.addTo(layer);
      var path = marker.getElement();
      if (path) {
        // Named, focusable by a screen reader or a click, but not a Tab stop: the list of
        // schools is the keyboard's way through the map.
        path.setAttribute("tabindex", "-1");
        path.setAttribute("role", "button");
        path.addEventListener("focus", function () { showHighlight(place, radius); });
        path.addEventListener("blur", hideHighlight);
      }
      name();
      return marker;
    }

    var openTooltips = [];
    map.on("tooltipopen", function (event) { openTooltips.push(event.tooltip); });
    map.on("tooltipclose", function (event) {
      openTooltips = openTooltips.filter(function (tooltip) { return tooltip !== event.tooltip; });
    });

    // Escape closes the tooltip or popup that pointing at or focusing a marker opened
    // (WCAG 1.4.13), without moving the focus; from inside a popup it returns to the map.
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" && event.key !== "Esc") return;
      var closed = false;
      openTooltips.slice().forEach(function (tooltip) {
        map.closeTooltip(tooltip);
        closed = true;
      });
      var popupOpen = map.getContainer().querySelector(".leaflet-popup");
      if (popupOpen) {
        var inside = popupOpen.contains(document.activeElement);
        map.closePopup();
        if (inside) element.focus();
        closed = true;
      }
      if (closed) hideHighlight();
    });

    if (data.lat) {
      var school = { name: data.name || "", url: window.location.pathname };
      var place = {
        lat: parseFloat(data.lat),
        lng: parseFloat(data.lng),
        count: 1,
        approximate: data.approximate === "1",
        label: school.name,
        schools: [school],
        more: "",
      };
      addMarker(place, map, null);
      map.setView([place.lat, place.lng], 10, { animate: false });
      element.dataset.markers = "1";
      element.dataset.places = "1";
      return;
    }

    var requests = {};
    function loadSchools(place) {
      var key = place.lat.toFixed(5) + "," + place.lng.toFixed(5);
      if (!requests[key]) {
        var url = new URL(data.placeUrl, window.location.href);
        url.searchParams.set("lat", place.lat.toFixed(5));
        url.searchParams.set("lng", place.lng.toFixed(5));
        url.searchParams.delete("page");
        requests[key] = fetch(url.toString(), { headers: { Accept: "application/json" } })
          .then(function (response) {
            if (!response.ok) throw new Error("HTTP " + response.status);
            return response.json();
          });
        requests[key].catch(function () { delete requests[key]; });
      }
      return requests[key];
    }

    var pointsUrl = new URL(data.pointsUrl, window.location.href);
    pointsUrl.searchParams.delete("page");
    fetch(pointsUrl.toString(), { headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (answer) {
        var layer = L.featureGroup().addTo(map);
        var schools = 0;
        answer.places.forEach(function (row) {
          var count = row[2];
          schools += count;
          addMarker({
            lat: row[0],
            lng: row[1],
            count: count,
            approximate: row[3] === 1,
            label: answer.labels[String(count)] || String(count),
            schools: null,
            more: "",
          }, layer, loadSchools);
        });
        if (answer.places.length) {
          // Room for the zoom buttons (top left) and the credits (bottom right): no marker
          // starts out under them. Not animated: the first view is where the map starts, and
          // a marker pointed at during a pan would slide away from under the pointer.
          map.fitBounds(layer.getBounds(), {
            paddingTopLeft: [56, 24], paddingBottomRight: [24, 44], maxZoom: 10, animate: false,
          });
        }
        element.dataset.markers = String(schools);
        element.dataset.places = String(answer.places.length);
      })
      .catch(function () {
        element.dataset.markers = "error";
      });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
