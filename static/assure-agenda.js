// The agenda builder: keyboard shortcuts and drag and drop on top of forms that work alone.
// Each change sends the page's own form in the background and swaps in the list that the
// server renders again, then puts the focus back on the item.
(function () {
  "use strict";

  let pendingDelete = null;

  function container() {
    return document.getElementById("agenda");
  }

  function rows() {
    return Array.from(document.querySelectorAll(".assure-agenda-row"));
  }

  function current() {
    const active = document.activeElement;
    return active && active.closest ? active.closest(".assure-agenda-row") : null;
  }

  function say(text) {
    const notice = document.getElementById("agenda-notice");
    if (notice) notice.textContent = text;
  }

  function focusItem(id) {
    const row = id && document.getElementById("item-" + id);
    if (row) {
      row.focus();
      row.scrollIntoView({ block: "nearest" });
    }
  }

  async function send(form, extra) {
    const data = new FormData(form);
    // Until the list comes back, keys typed would land in a form about to be replaced.
    for (const field of form.querySelectorAll("input, textarea")) field.readOnly = true;
    for (const [name, value] of Object.entries(extra || {})) data.set(name, value);
    let response;
    try {
      response = await fetch(form.action, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-Requested-With": "assure-agenda" },
      });
    } catch (error) {
      for (const field of form.querySelectorAll("input, textarea")) field.readOnly = false;
      say("Not saved: there is no connection. Nothing has changed; try again.");
      return;
    }
    const html = await response.text();
    const holder = document.createElement("div");
    holder.innerHTML = html;
    const fresh = holder.querySelector("#agenda");
    if (!fresh) {
      say("Not saved: the server did not answer as expected. Reload the page.");
      return;
    }
    container().replaceWith(fresh);
    if (response.ok) {
      focusItem(fresh.dataset.focus);
    } else {
      const summary = fresh.querySelector(".govuk-error-summary");
      if (summary) {
        summary.setAttribute("tabindex", "-1");
        summary.focus();
      }
    }
  }

  function moveForm(row, direction) {
    const button = row.querySelector(':scope > .assure-agenda-row__tools [data-move="' + direction + '"]');
    return button ? button.closest("form") : null;
  }

  function openForm(row) {
    const details = row.querySelector(":scope > .assure-item-details");
    if (!details) return;
    details.open = true;
    const title = details.querySelector("input[name=title]");
    if (title) {
      title.focus();
      title.select();
    }
  }

  function startNew(row, under) {
    const form = document.getElementById("new-item-form");
    if (!form) return;
    const parent = form.querySelector("#new-item-parent");
    const after = form.querySelector("#new-item-after");
    if (row && under) {
      parent.value = row.dataset.itemId;
      after.value = "";
      say("New item under " + row.getAttribute("aria-label") + ": type its title and press Enter.");
    } else if (row) {
      parent.value = row.dataset.parentId || "";
      after.value = row.dataset.itemId;
      say("New item after " + row.getAttribute("aria-label") + ": type its title and press Enter.");
    }
    const title = form.querySelector("#new-item-title");
    title.focus();
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!container() || !container().contains(form)) return;
    event.preventDefault();
    if (form.querySelector("[data-delete]") && pendingDelete !== form) {
      pendingDelete = form;
      say("Press Delete (or the Delete button) again to delete this item.");
      return;
    }
    pendingDelete = null;
    send(form);
  });

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (!container() || (!container().contains(target) && target !== document.body)) return;
    if (event.key === "Escape") {
      const details = target.closest(".assure-item-details");
      const row = target.closest(".assure-agenda-row");
      if (details) details.open = false;
      if (row) {
        event.preventDefault();
        row.focus();
      }
      if (target.closest("#new-item-form")) {
        event.preventDefault();
        document.getElementById("new-item-after").value = "";
        focusItem(document.getElementById("new-item-parent").value);
      }
      return;
    }
    if (target.matches("textarea") && event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      target.form.requestSubmit();
      return;
    }
    if (target.matches("input, textarea, select") || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    const row = current();
    const onRow = row && target === row;
    const all = rows();
    let handled = true;
    if (event.key === "ArrowDown" && !event.shiftKey) {
      const next = all[all.indexOf(row) + 1] || all[0];
      if (next) next.focus();
    } else if (event.key === "ArrowUp" && !event.shiftKey) {
      const previous = all[all.indexOf(row) - 1] || all[all.length - 1];
      if (previous) previous.focus();
    } else if (!onRow) {
      handled = false;
    } else if (event.shiftKey && ["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight"].includes(event.key)) {
      const direction = { ArrowUp: "up", ArrowDown: "down", ArrowLeft: "out", ArrowRight: "in" }[event.key];
      const form = moveForm(row, direction);
      if (form) send(form);
    } else if (event.key === "n") {
      startNew(row, false);
    } else if (event.key === "c") {
      startNew(row, true);
    } else if (event.key === "e" || event.key === "Enter") {
      openForm(row);
    } else if (event.key === "Delete") {
      const button = row.querySelector(":scope > .assure-agenda-row__tools [data-delete]");
      if (button) button.closest("form").requestSubmit();
    } else {
      handled = false;
    }
    if (handled) event.preventDefault();
  });

  // Drag and drop among neighbours (items of the same parent).
  let dragged = null;
  document.addEventListener("dragstart", (event) => {
    const row = event.target.closest && event.target.closest(".assure-agenda-row");
    if (!row) return;
    dragged = row;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", row.dataset.itemId);
  });
  document.addEventListener("dragover", (event) => {
    const row = event.target.closest && event.target.closest(".assure-agenda-row");
    if (dragged && row && row !== dragged && row.dataset.parentId === dragged.dataset.parentId) {
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
    }
  });
  document.addEventListener("drop", (event) => {
    const row = event.target.closest && event.target.closest(".assure-agenda-row");
    if (!dragged || !row || row === dragged || row.dataset.parentId !== dragged.dataset.parentId) {
      return;
    }
    event.preventDefault();
    const form = moveForm(dragged, "up");
    dragged = null;
    if (form) send(form, { direction: "", position: row.dataset.position });
  });
  document.addEventListener("dragend", () => {
    dragged = null;
  });

  // After a form posted without JavaScript's help (or a reload), come back to the item.
  const start = /^#item-(\d+)$/.exec(location.hash);
  if (start) focusItem(start[1]);
})();
