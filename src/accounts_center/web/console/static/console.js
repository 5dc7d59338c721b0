// Accounts Center console: small enhancements over pages that work without them.
// A static file because the Content-Security-Policy allows no inline script.
(function () {
  "use strict";

  // "Copy" buttons: hidden in the page (they need script), shown here.
  document.querySelectorAll("[data-copy-text]").forEach(function (button) {
    if (navigator.clipboard) button.hidden = false;
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy-text]");
    if (!button) return;
    var status = document.querySelector(button.dataset.copied);
    navigator.clipboard.writeText(button.dataset.copyText).then(function () {
      if (status) status.textContent = "Copied. Paste them somewhere safe.";
    }, function () {
      if (status) status.textContent = "Could not copy: select the codes and copy them, " +
        "or download them as a file.";
    });
  });
}());
