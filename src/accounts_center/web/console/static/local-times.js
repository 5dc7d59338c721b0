// Times on the page in the person's own time zone and language (issue 11, point 9). The
// server writes UTC into each <time datetime=… data-local>; this rewrites the text with the
// browser's zone, and keeps the UTC moment as the title.
(function () {
  "use strict";
  var format = new Intl.DateTimeFormat(undefined, {
    year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
    timeZoneName: "short"
  });
  function localise(root) {
    root.querySelectorAll("time[data-local]").forEach(function (element) {
      var moment = new Date(element.getAttribute("datetime"));
      if (isNaN(moment.getTime())) { return; }
      element.title = element.textContent;
      element.textContent = format.format(moment);
      element.removeAttribute("data-local");
    });
  }
  document.addEventListener("DOMContentLoaded", function () { localise(document); });
  document.addEventListener("htmx:afterSwap", function (event) { localise(event.target); });
})();
