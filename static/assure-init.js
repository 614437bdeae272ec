// Loaded as <script type="module">, so it runs only in browsers that govuk-frontend 5 supports.
// It replaces the inline script of the GOV.UK page template, which our CSP forbids.
import { initAll } from "/static/govuk-frontend-5.14.0.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// Content swapped in by htmx needs its components started too. htmx also fires htmx:load on
// <body> at start-up; that page was initialised just above.
document.addEventListener("htmx:load", (event) => {
  const element = event.detail && event.detail.elt;
  if (!(element instanceof Element) || element === document.body) {
    return;
  }
  // initAll looks only below its scope, so a swapped-in component root needs its parent;
  // siblings already started there are reported as "already initialised", which is expected.
  const scope = element.matches("[data-module]") ? element.parentElement : element;
  initAll({
    scope,
    onError(error) {
      if (!/already initialised/.test(error.message)) {
        console.error(error);
      }
    },
  });
});
