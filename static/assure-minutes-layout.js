// The take-minutes page's layout at any size and zoom (static/assure.css has the rest).
// - The agenda is open beside the item where there is room, folded away above it on a narrow
//   screen or at high zoom (below 641 px wide, where govuk-frontend's grid stacks), so that it
//   never covers the text being typed. It can still be opened there; choosing an item from it
//   folds it away again.
// - Where the save bar stays at the top of the window, whatever takes the focus is brought out
//   from under it: a browser scrolls a focused element into view only when it is off the
//   screen, not when it is under a bar. (The agenda beside the item stays below the bar.)
(function () {
  "use strict";

  const fold = document.getElementById("agenda-fold");
  const bar = document.querySelector(".assure-minutes__bar");
  if (!fold || !bar || !window.matchMedia) return;
  const narrow = window.matchMedia("(max-width: 40.0525em)");

  function fit() {
    fold.open = !narrow.matches;
  }

  fit();
  narrow.addEventListener("change", fit);
  fold.addEventListener("click", (event) => {
    if (narrow.matches && event.target.closest(".assure-agenda__link")) fold.open = false;
  });

  document.addEventListener("focusin", (event) => {
    const target = event.target;
    if (!(target instanceof Element) || bar.contains(target) || target.closest(".assure-agenda") ||
        getComputedStyle(bar).position !== "sticky") return;
    // Only what comes after the bar can be under it. Above it (the stage's "Close the meeting")
    // a scroll on the mouse's press moved the button away before its release: the click was
    // lost.
    if (!(bar.compareDocumentPosition(target) & Node.DOCUMENT_POSITION_FOLLOWING)) return;
    const below = bar.getBoundingClientRect().bottom + 10;
    const top = target.getBoundingClientRect().top;
    if (top < below) window.scrollBy(0, top - below);
  });
})();
