// Accounts Center console: small enhancements over pages that work without them.
// A static file because the Content-Security-Policy allows no inline script.
(function () {
  "use strict";

  var WORKING = "Working…";

  function submitButton(form, submitter) {
    if (submitter && submitter.form === form) return submitter;
    return form.querySelector("button[type=submit], button:not([type]), input[type=submit]");
  }

  function showWorking(form, button) {
    form.dataset.working = "true";
    form.setAttribute("aria-busy", "true");
    if (!button) return;
    form.workingButton = button;
    button.dataset.label = button.textContent;
    button.textContent = WORKING;
    // Not `disabled`: a disabled submitter would drop out of what the form sends.
    button.setAttribute("aria-disabled", "true");
    button.classList.add("working");
  }

  function showReady(form) {
    var button = form.workingButton;
    delete form.dataset.working;
    form.removeAttribute("aria-busy");
    if (!button) return;
    if (button.dataset.label !== undefined) button.textContent = button.dataset.label;
    button.removeAttribute("aria-disabled");
    button.classList.remove("working");
    form.workingButton = null;
  }

  // One submit per form until its answer arrives: a second click would send the same
  // request again (argon2 takes a moment), and report a conflict for what the first did.
  // Capturing runs this before htmx's own listener, so it holds htmx forms too.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    if (form.dataset.working) {
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    showWorking(form, submitButton(form, event.submitter));
  }, true);

  // An htmx form stays on the page: ready again once its answer is in.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target.closest && event.target.closest("form");
    if (form && form.dataset.working) showReady(form);
  });

  // Back to a page the browser kept: its forms were left working.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-working]").forEach(showReady);
  });

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

  // The profile photo's picker: a small preview of the chosen file before it is sent.
  // A data: URL, because the policy allows data: images but not blob: ones.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type !== "file") return;
    var preview = input.dataset.preview && document.getElementById(input.dataset.preview);
    if (!preview) return;
    var file = input.files && input.files[0];
    if (!file || !/^image\//.test(file.type) || typeof FileReader === "undefined") {
      preview.hidden = true;
      return;
    }
    // A format the browser cannot show (HEIC in most): no preview, the upload still works.
    preview.onerror = function () { preview.hidden = true; };
    var reader = new FileReader();
    reader.onload = function () {
      preview.src = String(reader.result);
      preview.hidden = false;
    };
    reader.readAsDataURL(file);
  });
}());
