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
