// The live view: say so when the server cannot be reached, and when it can again.
// htmx does the polling; this only reports on it.
(function () {
  "use strict";
  function say(text) {
    var target = document.querySelector(".assure-live__connection");
    if (target && target.textContent !== text) target.textContent = text;
  }
  document.addEventListener("htmx:sendError", function () {
    say("Not connected – trying again.");
  });
  document.addEventListener("htmx:responseError", function () {
    say("The server did not answer – trying again.");
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful) say("");
  });
})();
