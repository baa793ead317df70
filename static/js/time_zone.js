// Fills every hidden time-zone field (input[data-time-zone]) with the browser's IANA zone,
// on load and after htmx swaps a form in. Without JS the field stays "UTC".
(function () {
  "use strict";
  var zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (e) {
    return;
  }
  if (!zone) return;
  function fill() {
    var fields = document.querySelectorAll("input[data-time-zone]");
    for (var i = 0; i < fields.length; i++) fields[i].value = zone;
  }
  fill();
  document.addEventListener("htmx:afterSwap", fill);
})();
