/* Show which photos were picked next to the page's own "take or choose photos" button. */
(function () {
  "use strict";
  document.addEventListener("change", function (e) {
    var input = e.target;
    if (!input.matches || !input.matches(".photo-picker input[type=file]")) return;
    var out = input.closest(".photo-picker").querySelector(".photo-names");
    var names = Array.prototype.map.call(input.files || [], function (f) { return f.name; });
    out.textContent = names.length
      ? out.dataset.some.replace("%(n)s", names.length) + names.join("、")
      : out.dataset.none;
  });
})();
