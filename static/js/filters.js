// A filter form updated in place (htmx) sends, and puts in the address bar, only the filters
// that are set: "?q=daugavp" rather than "?q=daugavp&country=&institution_type=&...".
document.addEventListener("htmx:configRequest", function (event) {
  var form = event.detail.elt;
  if (!form || !form.matches || !form.matches("form.filters")) return;
  var data = event.detail.formData;
  if (!data) return;
  var empty = [];
  data.forEach(function (value, key) {
    if (typeof value === "string" && value.trim() === "") empty.push(key);
  });
  empty.forEach(function (key) { data.delete(key); });
});

// The library's facets are replaced along with the results (their counts change with the
// search). The box a person just ticked is replaced too: give focus back to its successor,
// which has the same id, so keyboard users keep their place.
var focusedBeforeSwap = null;
document.addEventListener("htmx:beforeSwap", function () {
  var active = document.activeElement;
  focusedBeforeSwap = active && active.id && active.closest("#facets") ? active.id : null;
});
document.addEventListener("htmx:afterSettle", function () {
  if (!focusedBeforeSwap) return;
  var again = document.getElementById(focusedBeforeSwap);
  focusedBeforeSwap = null;
  if (again && document.activeElement !== again) again.focus();
});

// On a wide screen the library's facets start open; on a phone (and without JavaScript) they
// start folded, so that the results are not a screen away. A facet with a choice is open.
function openFacetsOnWideScreens() {
  if (!window.matchMedia("(min-width: 48rem)").matches) return;
  document.querySelectorAll("#facets details.facet").forEach(function (facet) {
    facet.open = true;
  });
}
document.addEventListener("DOMContentLoaded", openFacetsOnWideScreens);
document.addEventListener("htmx:afterSettle", openFacetsOnWideScreens);
