// The live view: say so when the server cannot be reached, and when it can again; put in place
// the paragraphs the server sends alone; and tell a screen reader about new paragraphs. htmx
// does the polling.
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

  // New paragraphs are read out politely, once each, when they have stopped changing for
  // SETTLE ms: the minute-taker's page saves every couple of seconds while typing, and a
  // paragraph read out word by word would drown the meeting. A paragraph that grows after it was
  // read out has only its new words read; one rewritten is read again. What was on the page
  // when it opened is not read out.
  var SETTLE = 4000;
  var KEEP = 5;
  var region = document.getElementById("live-announcements");
  if (!region) return;
  var known = new Map(); // paragraph id → { text, heard, changedAt, where }

  function words(node) {
    return (node.textContent || "").replace(/\s+/g, " ").trim();
  }

  // "1. Partnership Working": the heading of the item the paragraph is under.
  function itemOf(node) {
    var heading = node.parentElement && node.parentElement.querySelector(":scope > h2, :scope > h3, :scope > h4, :scope > h5");
    if (!heading) return "";
    return Array.prototype.map.call(heading.childNodes, words).filter(Boolean).join(" ");
  }

  function look(first) {
    var now = Date.now();
    var present = new Set();
    document.querySelectorAll("#live-minutes [data-entry]").forEach(function (node) {
      var id = node.dataset.entry;
      var text = words(node);
      present.add(id);
      var seen = known.get(id);
      if (!seen) {
        known.set(id, { text: text, heard: first ? text : "", changedAt: now, where: itemOf(node) });
      } else if (seen.text !== text) {
        seen.text = text;
        seen.changedAt = now;
        seen.where = itemOf(node);
      }
    });
    known.forEach(function (seen, id) {
      if (!present.has(id)) known.delete(id);
    });
  }

  function announce(text) {
    region.append(Object.assign(document.createElement("p"), { textContent: text }));
    while (region.children.length > KEEP) region.firstElementChild.remove();
  }

  function readOut() {
    var now = Date.now();
    known.forEach(function (seen) {
      if (seen.text === seen.heard || now - seen.changedAt < SETTLE) return;
      var under = seen.where ? " under " + seen.where : "";
      if (!seen.heard) announce("New paragraph" + under + ": " + seen.text);
      else if (seen.text.indexOf(seen.heard) === 0) announce("Paragraph" + under + " continues: " + seen.text.slice(seen.heard.length).trim());
      else announce("Paragraph" + under + " changed: " + seen.text);
      seen.heard = seen.text;
    });
  }

  // The paragraph before `node` in its item, or "" when it is the item's first.
  function entryBefore(node) {
    for (var before = node.previousElementSibling; before; before = before.previousElementSibling) {
      if (before.dataset.entry) return before.dataset.entry;
    }
    return "";
  }

  // Ask at once for the minutes whole (the stamp "" matches no record).
  function refresh(live) {
    live.setAttribute("hx-vals", JSON.stringify({ stamp: "" }));
    htmx.trigger(live, "assure:refresh");
  }

  // Only paragraphs were typed (X-Assure-Live: changes): each takes the place of its old self.
  // One the page does not show, or not after the paragraph the server says it follows (it
  // moved, or this page missed a change), and the page asks for the minutes whole instead.
  function applyChanges(live, html) {
    var box = document.createElement("template");
    box.innerHTML = html;
    var changes = box.content.getElementById("live-changes");
    if (!changes) return refresh(live);
    var replacements = [];
    var whole = false;
    changes.querySelectorAll("template[data-entry]").forEach(function (change) {
      var old = live.querySelector('[data-entry="' + change.dataset.entry + '"]');
      var fresh = change.content.firstElementChild;
      if (!old || !fresh || entryBefore(old) !== change.dataset.after) whole = true;
      else replacements.push([old, fresh]);
    });
    if (whole) return refresh(live);
    replacements.forEach(function (pair) { pair[0].replaceWith(pair[1]); });
    live.setAttribute("hx-vals", JSON.stringify({ stamp: changes.dataset.stamp }));
    live.dataset.stamp = changes.dataset.stamp;
    var shown = live.querySelector(".assure-live__shown");
    if (shown) shown.textContent = changes.dataset.shown;
    look(false);
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (!xhr || xhr.status !== 200 || xhr.getResponseHeader("X-Assure-Live") !== "changes") return;
    event.detail.shouldSwap = false;
    var live = document.getElementById("live-minutes");
    if (live) applyChanges(live, xhr.responseText);
  });

  look(true);
  document.addEventListener("htmx:afterSettle", function () {
    look(false);
  });
  setInterval(readOut, 1000);
})();
