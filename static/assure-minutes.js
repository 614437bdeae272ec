// The "Take minutes" page: keyboard-first editing with an autosave that never loses a word.
//
// How nothing is lost:
// - every keystroke is written to localStorage at once, with the version it was typed on;
// - each paragraph is saved at most MAX_WAIT ms after its first unsaved keystroke, even for a
//   typist who never pauses (a debounce alone would never fire), and DEBOUNCE ms after the last;
// - a paragraph has at most one save in flight; a save that failed is sent again unchanged
//   before anything newer (the server treats a repeat as a no-op), so saves never overtake;
// - new paragraphs carry a client id, so a repeated creation returns the first one;
// - a save made from an older version gets 409 and the page shows both texts to choose from;
// - after a reload, whatever the server had not acknowledged is put back and saved.
(function () {
  "use strict";

  const app = document.getElementById("minutes-app");
  if (!app) return;
  const state = JSON.parse(document.getElementById("minutes-state").textContent);
  const meetingId = state.meeting.id;
  const locked = app.dataset.locked === "true";
  const STORE = "assure-minutes:" + meetingId + ":";
  const DEBOUNCE = 600;
  const MAX_WAIT = 2000;
  const RETRY_FIRST = 800;
  const RETRY_MAX = 8000;
  const KINDS = {
    narrative: "Paragraph",
    question: "Question",
    answer: "Answer",
    decision: "Decision",
    assurance: "Assurance statement",
  };
  const KIND_KEYS = { n: "narrative", q: "question", a: "answer", d: "decision", s: "assurance" };

  // --- small helpers ---------------------------------------------------------------------

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || "";
    } catch (error) {
      return "";
    }
  }

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "text") node.textContent = value;
      else if (name === "className") node.className = value;
      else node.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children || []) {
      if (child !== null && child !== undefined) {
        node.append(child instanceof Node ? child : document.createTextNode(String(child)));
      }
    }
    return node;
  }

  function clock(date) {
    return date.toLocaleTimeString("en-GB", { hour12: false });
  }

  function newClientId() {
    const bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return "c" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // This tab's id, sent with every save: it survives a reload of the tab (sessionStorage) and
  // differs between tabs. A save made from an older version is then no conflict when every
  // version since came from this tab: its own saves that landed after a reload.
  const DEVICE = (function () {
    try {
      let id = sessionStorage.getItem("assure-device");
      if (!id || !/^[A-Za-z0-9_-]{1,64}$/.test(id)) {
        id = newClientId();
        sessionStorage.setItem("assure-device", id);
      }
      return id;
    } catch (error) {
      return newClientId();
    }
  })();

  // This tab's count of its saves, also kept across a reload: of two saves made from the same
  // version (one sent before a reload and landing late, one made after it), the server keeps
  // the one made later.
  let deviceSeq = 0;
  function nextDeviceSeq() {
    try {
      deviceSeq = Math.max(deviceSeq, parseInt(sessionStorage.getItem("assure-device-seq") || "0", 10) || 0) + 1;
      sessionStorage.setItem("assure-device-seq", String(deviceSeq));
    } catch (error) {
      deviceSeq += 1;
    }
    return deviceSeq;
  }

  const storage = {
    get(key) {
      try {
        return JSON.parse(localStorage.getItem(STORE + key));
      } catch (error) {
        return null;
      }
    },
    set(key, value) {
      try {
        localStorage.setItem(STORE + key, JSON.stringify(value));
      } catch (error) {
        notice("This browser cannot keep a copy of your typing (its storage is full or off).");
      }
    },
    remove(key) {
      try {
        localStorage.removeItem(STORE + key);
      } catch (error) {
        /* nothing to do */
      }
    },
    keys(prefix) {
      const found = [];
      for (let i = 0; i < localStorage.length; i += 1) {
        const key = localStorage.key(i);
        if (key && key.startsWith(STORE + prefix)) found.push(key.slice(STORE.length));
      }
      return found;
    },
  };

  async function api(method, path, body, options) {
    const headers = { Accept: "application/json", "X-CSRF-Token": csrfToken() };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(path, Object.assign({
      method: method,
      headers: headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    }, options || {}));
    let data = null;
    if (response.status !== 204) {
      try {
        data = await response.json();
      } catch (error) {
        data = null;
      }
    }
    return { status: response.status, data: data };
  }

  function notice(text) {
    const box = document.getElementById("minutes-notice");
    box.textContent = text;
    box.hidden = !text;
  }

  // --- people ----------------------------------------------------------------------------

  const people = state.people;
  const peopleById = new Map(people.map((p) => [p.id, p]));

  function personLabel(id) {
    const person = peopleById.get(id);
    return person ? person.label || person.initials : "";
  }

  // "DCC" or "NA" (or a name) → one person, or a message saying why not.
  function resolvePerson(typed) {
    const value = typed.trim().toLowerCase();
    if (!value) return { person: null };
    const tries = [
      (p) => (p.abbreviation || "").toLowerCase() === value,
      (p) => (p.initials || "").toLowerCase() === value,
      (p) => p.name.toLowerCase() === value,
      (p) => p.name.toLowerCase().startsWith(value) ||
        p.name.toLowerCase().split(/\s+/).some((part) => part.startsWith(value)),
    ];
    for (const test of tries) {
      const found = people.filter(test);
      if (found.length === 1) return { person: found[0] };
      if (found.length > 1) {
        const names = found.map((p) => p.name + (p.abbreviation ? " (" + p.abbreviation + ")" : ""));
        return { error: "“" + typed.trim() + "” could be " + names.join(" or ") + ": type their role." };
      }
    }
    return { error: "No one is known as “" + typed.trim() + "”." };
  }

  function personByLabel(label) {
    return people.find((p) => (p.abbreviation || "") === label) || null;
  }

  // --- the agenda ------------------------------------------------------------------------

  const items = [];
  (function flatten(list) {
    for (const item of list) {
      item.entryKeys = [];
      items.push(item);
      flatten(item.children || []);
    }
  })(state.items);
  const itemsById = new Map(items.map((item) => [item.id, item]));
  const parents = new Map();
  for (const item of items) {
    for (const child of item.children || []) parents.set(child.id, item);
  }

  function parentOf(item) {
    return parents.get(item.id) || null;
  }
  let currentIndex = 0;
  const hashed = /^#item-(\d+)$/.exec(location.hash);
  if (hashed && itemsById.has(Number(hashed[1]))) {
    currentIndex = items.indexOf(itemsById.get(Number(hashed[1])));
  }
  let currentKey = null;

  function currentItem() {
    return items[currentIndex];
  }

  function styledTitle(item) {
    if (item.level <= 1) return item.label + " " + item.title.toUpperCase();
    if (item.level === 2) {
      const upper = item.title.toUpperCase();
      return item.label + " " + (upper.endsWith(":") ? upper : upper + ":");
    }
    return item.label + " " + item.title;
  }

  // --- paragraphs and their saving -------------------------------------------------------

  const entries = new Map();
  let lastSaved = new Date();

  function content(st) {
    return { text: st.text, kind: st.kind, speaker_id: st.speakerId, question_id: st.questionId };
  }

  function sameContent(a, b) {
    return !!a && !!b && a.text === b.text && a.kind === b.kind &&
      (a.speaker_id || null) === (b.speaker_id || null) &&
      (a.question_id || null) === (b.question_id || null);
  }

  function makeState(fields) {
    return Object.assign({
      key: null, id: null, itemId: null, kind: "narrative", speakerId: null, questionId: null,
      text: "", version: null, acked: null, inflight: null, failed: false, dirtySince: null,
      timer: null, retryTimer: null, retryDelay: RETRY_FIRST, conflict: null, error: null,
      node: null,
    }, fields);
  }

  function fromServer(entry) {
    const st = makeState({
      key: entry.client_id || "id-" + entry.id,
      id: entry.id,
      itemId: entry.item_id,
      kind: entry.kind,
      speakerId: entry.speaker_id,
      questionId: entry.question_id,
      text: entry.text,
      version: entry.version,
    });
    st.acked = content(st);
    return st;
  }

  // The copy kept on this device has the version its text was typed on (st.version): a 409
  // leaves st.version as it was, so while a conflict is unresolved the copy keeps that base
  // and a reload asks the server again.
  function persist(st) {
    if (sameContent(content(st), st.acked) && !st.inflight) {
      storage.remove("e:" + st.key);
      return;
    }
    storage.set("e:" + st.key, {
      key: st.key, id: st.id, itemId: st.itemId, kind: st.kind, speakerId: st.speakerId,
      questionId: st.questionId, text: st.text, version: st.version,
      pending: st.inflight ? st.inflight.body : null,
      index: itemsById.get(st.itemId).entryKeys.indexOf(st.key), at: Date.now(),
    });
  }

  function changed(st) {
    persist(st);
    if (locked) return;
    const now = Date.now();
    if (!st.dirtySince) st.dirtySince = now;
    clearTimeout(st.timer);
    const wait = Math.max(0, Math.min(DEBOUNCE, st.dirtySince + MAX_WAIT - now));
    st.timer = setTimeout(() => flush(st), wait);
    showStatus();
  }

  function serverPosition(st) {
    const item = itemsById.get(st.itemId);
    let position = 1;
    for (const key of item.entryKeys) {
      if (key === st.key) break;
      if (entries.get(key).id) position += 1;
    }
    return position;
  }

  // An earlier paragraph of the same item still being created: a new paragraph waits for it,
  // so that the server places it after that one (its position counts saved paragraphs only).
  function earlierBeingCreated(st) {
    const item = itemsById.get(st.itemId);
    for (const key of item.entryKeys) {
      if (key === st.key) return null;
      const other = entries.get(key);
      if (other && !other.id && other.inflight && other.inflight.create) {
        return other;
      }
    }
    return null;
  }

  async function flush(st) {
    clearTimeout(st.timer);
    if (locked || st.conflict || !entries.has(st.key)) return;
    if (st.inflight) {
      if (st.inflight.sending) return; // its completion looks for newer text
      return send(st); // a failed save waiting to be sent again goes first
    }
    if (!st.id && earlierBeingCreated(st)) {
      st.timer = setTimeout(() => flush(st), 50);
      return;
    }
    const now = content(st);
    st.dirtySince = null;
    if (sameContent(now, st.acked)) {
      persist(st);
      showStatus();
      return;
    }
    if (!st.id && !now.text.trim() && !now.speaker_id) return; // nothing worth creating yet
    const body = st.id
      ? Object.assign({ version: st.version, device: DEVICE, device_seq: nextDeviceSeq() }, now)
      : Object.assign({ client_id: st.key, position: serverPosition(st), device: DEVICE, device_seq: nextDeviceSeq() }, now);
    st.inflight = { body: body, create: !st.id, sending: false };
    persist(st);
    return send(st);
  }

  async function send(st) {
    const flight = st.inflight;
    flight.sending = true;
    clearTimeout(st.retryTimer);
    showStatus();
    let result;
    try {
      result = flight.create
        ? await api("POST", "/api/v1/items/" + st.itemId + "/entries", flight.body)
        : await api("PATCH", "/api/v1/entries/" + st.id, flight.body);
    } catch (error) {
      result = { status: 0, data: null };
    }
    flight.sending = false;
    if (result.status === 200 || result.status === 201) {
      const saved = result.data;
      st.id = saved.id;
      st.version = saved.version;
      st.acked = {
        text: saved.text, kind: saved.kind, speaker_id: saved.speaker_id,
        question_id: saved.question_id,
      };
      st.inflight = null;
      st.failed = false;
      st.error = null;
      st.retryDelay = RETRY_FIRST;
      lastSaved = new Date();
      persist(st);
      renderEntryState(st);
      if (!sameContent(content(st), st.acked)) changed(st);
    } else if (result.status === 409 && result.data && result.data.current) {
      st.inflight = null;
      st.failed = false;
      st.conflict = result.data.current;
      persist(st);
      renderConflict(st);
    } else if (result.status === 0 || result.status >= 500 || result.status === 401 ||
               result.status === 403 || result.status === 429) {
      // Kept on this device; the same save goes again, later.
      st.failed = true;
      st.error = result.status === 401 || result.status === 403
        ? "Your session has ended: sign in again in another tab; this page keeps your text."
        : null;
      st.retryTimer = setTimeout(() => send(st), st.retryDelay);
      st.retryDelay = Math.min(RETRY_MAX, st.retryDelay * 2);
    } else {
      // Refused for what it says (422, 404): keep the text here and say why.
      st.inflight = null;
      st.failed = true;
      st.error = describeError(result);
      persist(st);
    }
    renderEntryState(st);
    showStatus();
  }

  function describeError(result) {
    const data = result.data || {};
    const fields = data.errors ? Object.values(data.errors).join("; ") : "";
    return (data.detail || "The server refused this paragraph.") + (fields ? " " + fields : "");
  }

  function retryAll() {
    for (const st of entries.values()) {
      if (st.inflight && !st.inflight.sending) {
        st.retryDelay = RETRY_FIRST;
        send(st);
      } else if (!st.inflight && !sameContent(content(st), st.acked)) {
        flush(st);
      }
    }
  }
  window.addEventListener("online", retryAll);

  // --- status ----------------------------------------------------------------------------

  const statusBox = document.getElementById("save-status");

  function showStatus() {
    let waiting = false;
    let kept = false;
    for (const st of entries.values()) {
      const unsaved = !!st.inflight || !sameContent(content(st), st.acked);
      if (st.conflict || (st.failed && unsaved)) kept = true;
      else if (unsaved && (st.id || st.text.trim())) waiting = true;
    }
    let text;
    if (kept) text = "Not saved – kept on this device";
    else if (waiting) text = "Saving…";
    else text = "Saved " + clock(lastSaved);
    if (statusBox.textContent !== text) statusBox.textContent = text;
    statusBox.dataset.state = kept ? "kept" : waiting ? "saving" : "saved";
  }

  function entryStateText(st) {
    if (st.conflict) return "Changed by someone else – choose below";
    if (st.error) return "Not saved – kept on this device. " + st.error;
    const unsaved = !!st.inflight || !sameContent(content(st), st.acked);
    if (st.failed && unsaved) return "Not saved – kept on this device";
    if (unsaved) return st.id || st.text.trim() ? "Saving…" : "Not started";
    return "Saved";
  }

  function renderEntryState(st) {
    if (!st.node) return;
    const label = st.node.querySelector(".assure-entry__state");
    const text = entryStateText(st);
    if (label.textContent !== text) label.textContent = text;
    st.node.classList.toggle("assure-entry--unsaved", st.failed || !!st.conflict);
  }

  // --- rendering -------------------------------------------------------------------------

  const panel = document.getElementById("item-panel");

  function renderItem() {
    const item = currentItem();
    if (!item) {
      panel.replaceChildren(el("p", { className: "govuk-body", text: "This meeting has no agenda yet." }));
      return;
    }
    for (const link of document.querySelectorAll(".assure-agenda__link")) {
      const here = Number(link.dataset.itemId) === item.id;
      link.classList.toggle("assure-agenda__link--current", here);
      if (here) link.setAttribute("aria-current", "true");
      else link.removeAttribute("aria-current");
    }
    const heading = el("h2", { className: "govuk-heading-m", id: "item-heading" }, [
      styledTitle(item),
      item.exempt ? el("strong", { className: "govuk-tag govuk-tag--orange govuk-!-margin-left-2", text: "Exempt" }) : null,
    ]);
    const parents = [];
    for (let up = parentOf(item); up; up = parentOf(up)) parents.unshift(styledTitle(up));
    const parts = [
      parents.length ? el("p", { className: "govuk-caption-m", id: "item-parents", text: parents.join(" › ") }) : null,
      heading,
    ];
    if (item.commission) parts.push(el("p", { className: "govuk-body govuk-hint", text: item.commission }));
    parts.push(renderQuestions(item));
    parts.push(renderFindings(item));
    parts.push(el("h3", { className: "govuk-heading-s", text: "Minutes" }));
    const list = el("ol", { className: "assure-entries", "aria-label": "Paragraphs of item " + item.label });
    for (const key of item.entryKeys) list.append(renderEntry(entries.get(key)));
    parts.push(list);
    if (!item.entryKeys.length) {
      parts.push(el("p", { className: "govuk-body-s assure-empty", text: "No paragraphs yet. Press n to start one, or choose below." }));
    }
    const buttons = el("div", { className: "govuk-button-group assure-add" });
    for (const [key, kind] of Object.entries(KIND_KEYS)) {
      buttons.append(el("button", {
        type: "button", className: "govuk-button govuk-button--secondary", "data-command": "add", "data-kind": kind,
      }, [KINDS[kind] + " ", el("span", { className: "assure-key", text: key })]));
    }
    buttons.append(el("button", {
      type: "button", className: "govuk-button govuk-button--secondary", "data-command": "action",
    }, ["Action ", el("span", { className: "assure-key", text: "t" })]));
    if (!locked) parts.push(buttons);
    parts.push(renderActions(item));
    panel.replaceChildren(...parts.filter(Boolean));
    const draft = storage.get("action:" + item.id);
    if (draft) openActionForm(draft);
  }

  // Under the HMICFRS item: the inspection findings due or changed since the last meeting.
  function renderFindings(item) {
    if (!item.findings || !item.findings.length) return null;
    const list = el("ul", { className: "govuk-list assure-findings" });
    for (const finding of item.findings) {
      const due = finding.due_date ? " " + new Date(finding.due_date + "T12:00:00").toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric" }) : "";
      list.append(el("li", { className: "govuk-!-margin-bottom-2" }, [
        el("strong", { className: "govuk-tag " + (finding.due ? "govuk-tag--red" : "govuk-tag--blue"), text: finding.due ? "Due" + due : "Changed" }),
        " ",
        el("a", { className: "govuk-link", href: finding.href, target: "_blank", rel: "noopener", text: finding.label + " (opens in a new tab)" }),
        " ",
        el("span", { className: "govuk-body-s", text: "— " + finding.text }),
        finding.changes.length ? el("ul", { className: "govuk-list govuk-list--bullet govuk-body-s govuk-!-margin-bottom-0" },
          finding.changes.map((change) => el("li", { text: change }))) : null,
      ]));
    }
    // Folded away when long: the prepared questions come first for the minute-taker.
    return el("details", { className: "govuk-details assure-findings-box", open: item.findings.length <= 3 }, [
      el("summary", { className: "govuk-details__summary" }, [
        el("span", { className: "govuk-details__summary-text", text: "Inspection findings due or changed since the last meeting (" + item.findings.length + ")" }),
      ]),
      el("div", { className: "govuk-details__text" }, [list]),
    ]);
  }

  function renderQuestions(item) {
    if (!item.questions || !item.questions.length) return null;
    const list = el("ol", { className: "govuk-list assure-questions" });
    item.questions.forEach((question, index) => {
      const asked = !["draft", "ready", "sent"].includes(question.status);
      list.append(el("li", { className: "assure-question" + (asked ? " assure-question--asked" : "") }, [
        index < 9 ? el("span", { className: "assure-key", text: String(index + 1) }) : null,
        " ",
        question.text,
        " ",
        el("span", { className: "govuk-hint assure-inline-hint", text: [question.asked_by, question.addressed_to].filter(Boolean).join(" to ") }),
        " ",
        el("strong", { className: "govuk-tag " + (asked ? "govuk-tag--green" : "govuk-tag--blue"), text: asked ? "Asked" : "Not yet asked" }),
      ]));
    });
    return el("section", { className: "assure-questions-box", "aria-labelledby": "questions-heading" }, [
      el("h3", { className: "govuk-heading-s", id: "questions-heading", text: "Prepared questions" }),
      list,
      el("p", { className: "govuk-body-s", text: "Press a question's number to mark it as asked and start its paragraph." }),
    ]);
  }

  function renderActions(item) {
    const box = el("section", { className: "assure-actions", "aria-labelledby": "actions-heading" }, [
      el("h3", { className: "govuk-heading-s", id: "actions-heading", text: "Actions arising" }),
    ]);
    if (!item.actions.length) {
      box.append(el("p", { className: "govuk-body-s", text: "None yet. Press t to raise one." }));
    } else {
      const rows = item.actions.map((action) => el("tr", { className: "govuk-table__row" }, [
        el("td", { className: "govuk-table__cell", text: action.reference }),
        el("td", { className: "govuk-table__cell", text: action.text }),
        el("td", { className: "govuk-table__cell", text: action.owners.join(", ") }),
        el("td", { className: "govuk-table__cell", text: action.due_date ? new Date(action.due_date + "T12:00:00").toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric" }) : "No due date" }),
      ]));
      box.append(el("table", { className: "govuk-table" }, [
        el("caption", { className: "govuk-table__caption govuk-visually-hidden", text: "Actions arising from item " + item.label }),
        el("thead", { className: "govuk-table__head" }, [el("tr", { className: "govuk-table__row" }, ["Reference", "Action", "Owner", "Due"].map((h) => el("th", { scope: "col", className: "govuk-table__header", text: h })))]),
        el("tbody", { className: "govuk-table__body" }, rows),
      ]));
    }
    box.append(el("div", { id: "action-form-slot" }));
    return box;
  }

  function renderEntry(st) {
    const item = itemsById.get(st.itemId);
    const number = item.entryKeys.indexOf(st.key) + 1;
    const id = st.key;
    const kind = el("select", { className: "govuk-select assure-entry__kind", id: "kind-" + id, disabled: locked });
    for (const [value, label] of Object.entries(KINDS)) {
      kind.append(el("option", { value: value, selected: value === st.kind }, [label]));
    }
    const speaker = el("input", {
      className: "govuk-input govuk-input--width-5 assure-entry__speaker", id: "speaker-" + id,
      list: "people-list", autocomplete: "off", spellcheck: "false", value: personLabel(st.speakerId),
      disabled: locked, "aria-describedby": "who-" + id,
    });
    // Who the speaker is, or why the typed speaker is not recognised: announced as it changes.
    const who = el("span", { className: "govuk-body-s assure-entry__who", id: "who-" + id, "aria-live": "polite", text: describeSpeaker(st.speakerId) });
    const text = el("textarea", {
      className: "govuk-textarea assure-entry__text", id: "text-" + id, rows: "3", spellcheck: "true",
      readonly: locked, "aria-describedby": "state-" + id,
    });
    text.value = st.text;
    const node = el("li", { className: "assure-entry", tabindex: "-1", "data-key": st.key, "aria-label": KINDS[st.kind] + " " + number }, [
      el("div", { className: "assure-entry__meta" }, [
        el("label", { className: "govuk-label assure-inline-label", for: "kind-" + id, text: "Kind" }), kind,
        el("label", { className: "govuk-label assure-inline-label", for: "speaker-" + id, text: "Speaker" }), speaker, who,
        el("span", { className: "govuk-body-s assure-entry__state", id: "state-" + id }),
      ]),
      el("label", { className: "govuk-label govuk-visually-hidden", for: "text-" + id, text: KINDS[st.kind] + " " + number + " of item " + item.label }),
      text,
      el("div", { className: "assure-entry__extra" }),
    ]);
    st.node = node;
    kind.addEventListener("change", () => {
      st.kind = kind.value;
      changed(st);
    });
    speaker.addEventListener("change", () => chooseSpeaker(st, speaker.value));
    text.addEventListener("input", () => {
      st.text = text.value;
      grow(text);
      changed(st);
      renderEntryState(st);
    });
    text.addEventListener("paste", (event) => pasteInto(event, text));
    text.addEventListener("focus", () => {
      currentKey = st.key;
    });
    node.addEventListener("focus", () => {
      currentKey = st.key;
    });
    renderEntryState(st);
    if (st.conflict) renderConflict(st);
    requestAnimationFrame(() => grow(text));
    return node;
  }

  function describeSpeaker(id) {
    const person = peopleById.get(id);
    return person ? person.name + (person.title ? ", " + person.title : "") : "";
  }

  function chooseSpeaker(st, typed) {
    const found = resolvePerson(typed);
    const who = st.node.querySelector(".assure-entry__who");
    const field = st.node.querySelector(".assure-entry__speaker");
    if (found.error) {
      who.replaceChildren(el("span", { className: "govuk-visually-hidden", text: "Error: " }), found.error);
      who.classList.add("assure-entry__who--error");
      field.classList.add("govuk-input--error");
      field.setAttribute("aria-invalid", "true");
      return false;
    }
    who.classList.remove("assure-entry__who--error");
    field.classList.remove("govuk-input--error");
    field.removeAttribute("aria-invalid");
    st.speakerId = found.person ? found.person.id : null;
    field.value = personLabel(st.speakerId);
    who.textContent = describeSpeaker(st.speakerId);
    changed(st);
    return true;
  }

  function grow(textarea) {
    textarea.style.height = "auto";
    textarea.style.height = Math.max(textarea.scrollHeight + 4, 60) + "px";
  }

  // Pasted text keeps its paragraphs and bullets, loses its formatting and control characters.
  function cleanPaste(raw) {
    return raw
      .replace(/\r\n?/g, "\n")
      .replace(/[\u000b\u000c\u2028\u2029]/g, "\n")
      .replace(/[\u0000-\u0008\u000e-\u001f\u007f-\u009f\ufffe\uffff]/g, "")
      .replace(/\u00a0/g, " ")
      .split("\n")
      .map((line) => line.replace(/\t+/g, " ").replace(/^\s*[•·▪◦●○■□➢►‣∙o§\-–*]\s+/, "• ").replace(/\s+$/, ""))
      .join("\n")
      .replace(/\n{3,}/g, "\n\n")
      .replace(/^\n+|\n+$/g, "");
  }

  function htmlToText(html) {
    const doc = new DOMParser().parseFromString(html, "text/html");
    const lines = [];
    for (const node of doc.body.querySelectorAll("p, li, h1, h2, h3, h4, h5, h6, div:not(:has(p, li, div))")) {
      const text = node.textContent.replace(/\s+/g, " ").trim();
      if (!text) continue;
      const listed = node.tagName === "LI" || /mso-list/i.test(node.getAttribute("style") || "") ||
        /MsoListParagraph/.test(node.className);
      lines.push(listed && !/^[•·o§\-–*]\s/.test(text) ? "• " + text : text);
    }
    return lines.join("\n");
  }

  function pasteInto(event, textarea) {
    const data = event.clipboardData;
    if (!data) return;
    let raw = data.getData("text/plain");
    if (!raw && data.getData("text/html")) raw = htmlToText(data.getData("text/html"));
    event.preventDefault();
    textarea.setRangeText(cleanPaste(raw), textarea.selectionStart, textarea.selectionEnd, "end");
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  // --- conflicts and history -------------------------------------------------------------

  function renderConflict(st) {
    if (!st.node) return;
    const theirs = st.conflict;
    const extra = st.node.querySelector(".assure-entry__extra");
    const mine = el("textarea", { className: "govuk-textarea", rows: "4", readonly: true, id: "mine-" + st.key });
    mine.value = st.text;
    const other = el("textarea", { className: "govuk-textarea", rows: "4", readonly: true, id: "theirs-" + st.key });
    other.value = theirs.text;
    const box = el("div", { className: "assure-conflict", role: "alert" }, [
      el("h4", { className: "govuk-heading-s", text: "Someone else changed this paragraph while you were typing" }),
      el("p", { className: "govuk-body", text: "Nothing was overwritten. Choose which text to keep, or merge them and edit the result." }),
      el("div", { className: "govuk-grid-row" }, [
        el("div", { className: "govuk-grid-column-one-half" }, [
          el("label", { className: "govuk-label govuk-label--s", for: "mine-" + st.key, text: "Your text" }), mine]),
        el("div", { className: "govuk-grid-column-one-half" }, [
          el("label", { className: "govuk-label govuk-label--s", for: "theirs-" + st.key, text: "Their text (version " + theirs.version + ")" }), other]),
      ]),
      el("div", { className: "govuk-button-group" }, [
        el("button", { type: "button", className: "govuk-button", "data-command": "keep-mine", text: "Keep mine" }),
        el("button", { type: "button", className: "govuk-button govuk-button--secondary", "data-command": "keep-theirs", text: "Keep theirs" }),
        el("button", { type: "button", className: "govuk-button govuk-button--secondary", "data-command": "merge", text: "Merge both" }),
      ]),
    ]);
    extra.replaceChildren(box);
    renderEntryState(st);
    showStatus();
  }

  function resolveConflict(st, choice) {
    const theirs = st.conflict;
    st.conflict = null;
    st.version = theirs.version;
    st.acked = { text: theirs.text, kind: theirs.kind, speaker_id: theirs.speaker_id, question_id: theirs.question_id };
    if (choice === "theirs") {
      st.text = theirs.text;
      st.kind = theirs.kind;
      st.speakerId = theirs.speaker_id;
    } else if (choice === "merge") {
      st.text = st.text + "\n" + theirs.text;
    }
    st.node.querySelector(".assure-entry__extra").replaceChildren();
    const textarea = st.node.querySelector(".assure-entry__text");
    textarea.value = st.text;
    grow(textarea);
    changed(st);
    renderEntryState(st);
    textarea.focus();
  }

  async function showHistory(st) {
    if (!st || !st.id) {
      notice("This paragraph has not been saved yet, so it has no saved versions.");
      return;
    }
    const extra = st.node.querySelector(".assure-entry__extra");
    const result = await api("GET", "/api/v1/entries/" + st.id + "/revisions").catch(() => ({ status: 0 }));
    if (result.status !== 200) {
      notice("The saved versions cannot be shown now (no connection).");
      return;
    }
    const list = el("ol", { className: "govuk-list assure-history" });
    for (const revision of result.data.slice().reverse()) {
      const when = clock(new Date(revision.saved_at));
      list.append(el("li", {}, [
        el("p", { className: "govuk-body-s govuk-!-margin-bottom-1", text: "Version " + revision.version + ", saved " + when }),
        el("blockquote", { className: "govuk-inset-text govuk-!-margin-top-0 govuk-!-margin-bottom-2", text: revision.text || "(empty)" }),
        el("button", { type: "button", className: "govuk-button govuk-button--secondary govuk-!-margin-bottom-2", "data-command": "restore-version", "data-text": revision.text, text: "Restore version " + revision.version }),
      ]));
    }
    extra.replaceChildren(el("section", { className: "assure-history-box", "aria-label": "Saved versions" }, [
      el("h4", { className: "govuk-heading-s", text: "Saved versions (newest first)" }), list,
      el("button", { type: "button", className: "govuk-button govuk-button--secondary", "data-command": "close-history", text: "Close" }),
    ]));
    const first = extra.querySelector("button");
    if (first) first.focus();
  }

  // --- commands --------------------------------------------------------------------------

  function focusEntry(key, intoText) {
    const st = entries.get(key);
    if (!st || !st.node) return;
    currentKey = key;
    if (intoText) {
      const textarea = st.node.querySelector(".assure-entry__text");
      textarea.focus();
      textarea.setSelectionRange(textarea.value.length, textarea.value.length);
    } else {
      st.node.focus();
    }
  }

  function goToItem(index) {
    if (index < 0 || index >= items.length) return;
    dropEmptyNewEntries();
    currentIndex = index;
    history.replaceState(null, "", "#item-" + currentItem().id);
    currentKey = null;
    renderItem();
    const item = currentItem();
    if (item.entryKeys.length) focusEntry(item.entryKeys[item.entryKeys.length - 1], false);
    else panel.focus();
  }

  function dropEmptyNewEntries() {
    for (const item of items) {
      item.entryKeys = item.entryKeys.filter((key) => {
        const st = entries.get(key);
        if (!st.id && !st.inflight && !st.text.trim()) {
          entries.delete(key);
          storage.remove("e:" + key);
          return false;
        }
        return true;
      });
    }
  }

  function addEntry(kind, fields) {
    if (locked) return null;
    const item = currentItem();
    const st = makeState(Object.assign({ key: newClientId(), itemId: item.id, kind: kind }, fields || {}));
    st.acked = null;
    if (!st.speakerId) st.speakerId = defaultSpeaker(kind, item, st);
    if (kind === "answer" && !st.questionId) {
      const asked = lastQuestionEntry(item);
      if (asked) {
        st.questionId = asked.questionId;
        const question = item.questions.find((q) => q.id === asked.questionId);
        if (question && question.addressed_to_id) st.speakerId = question.addressed_to_id;
        if (!st.text && st.speakerId) st.text = "The " + personLabel(st.speakerId) + " responded that ";
      }
    }
    entries.set(st.key, st);
    const at = currentKey && item.entryKeys.includes(currentKey) ? item.entryKeys.indexOf(currentKey) + 1 : item.entryKeys.length;
    item.entryKeys.splice(at, 0, st.key);
    renderItem();
    focusEntry(st.key, true);
    if (st.text) changed(st);
    else persist(st);
    return st;
  }

  function defaultSpeaker(kind, item, st) {
    if (kind === "question") {
      const pcc = personByLabel("PCC");
      return pcc ? pcc.id : null;
    }
    return null;
  }

  function lastQuestionEntry(item) {
    const upto = currentKey && item.entryKeys.includes(currentKey) ? item.entryKeys.indexOf(currentKey) : item.entryKeys.length - 1;
    for (let i = upto; i >= 0; i -= 1) {
      const st = entries.get(item.entryKeys[i]);
      if (st.kind === "question" && st.questionId) return st;
    }
    return null;
  }

  function askQuestion(number) {
    const item = currentItem();
    const question = (item.questions || [])[number - 1];
    if (!question) return;
    const asker = personLabel(question.asked_by_id) || "PCC";
    const addressee = personLabel(question.addressed_to_id) || "CC";
    question.status = "asked";
    addEntry("question", {
      questionId: question.id,
      speakerId: question.asked_by_id,
      text: "The " + asker + " asked the " + addressee + " if ",
    });
  }

  async function whenSaved(st) {
    await flush(st);
    for (let i = 0; i < 100 && (st.inflight || !sameContent(content(st), st.acked)); i += 1) {
      if (st.failed || st.conflict) return false;
      await new Promise((resolve) => setTimeout(resolve, 100));
      if (!st.inflight) await flush(st);
    }
    return !st.inflight && !!st.id;
  }

  async function moveEntry(step) {
    const st = entries.get(currentKey);
    if (!st || locked) return;
    const item = itemsById.get(st.itemId);
    const from = item.entryKeys.indexOf(st.key);
    const to = from + step;
    if (to < 0 || to >= item.entryKeys.length) return;
    if (!(await whenSaved(st))) {
      notice("Save this paragraph before moving it.");
      return;
    }
    item.entryKeys.splice(from, 1);
    item.entryKeys.splice(to, 0, st.key);
    renderItem();
    focusEntry(st.key, false);
    const result = await api("PATCH", "/api/v1/entries/" + st.id, { version: st.version, position: serverPosition(st), device: DEVICE, device_seq: nextDeviceSeq() }).catch(() => ({ status: 0 }));
    if (result.status === 200) {
      st.version = result.data.version;
      lastSaved = new Date();
      showStatus();
    } else {
      notice("The new order was not saved; try again when the connection is back.");
    }
  }

  const undoStack = [];

  async function deleteEntry() {
    const st = entries.get(currentKey);
    if (!st || locked) return;
    const item = itemsById.get(st.itemId);
    const index = item.entryKeys.indexOf(st.key);
    if (st.id) {
      if (!(await whenSaved(st))) {
        notice("This paragraph is not saved yet, so it cannot be deleted now.");
        return;
      }
      const result = await api("DELETE", "/api/v1/entries/" + st.id).catch(() => ({ status: 0 }));
      if (result.status !== 204) {
        notice("The paragraph was not deleted (no connection?). Nothing has changed.");
        return;
      }
    }
    item.entryKeys.splice(index, 1);
    entries.delete(st.key);
    storage.remove("e:" + st.key);
    undoStack.push({ st: st, index: index });
    renderItem();
    const next = item.entryKeys[Math.min(index, item.entryKeys.length - 1)];
    if (next) focusEntry(next, false);
    else panel.focus();
    notice("Paragraph deleted. Press u to undo.");
  }

  async function undoDelete() {
    const last = undoStack.pop();
    if (!last) return;
    const st = last.st;
    if (st.id) {
      const result = await api("POST", "/api/v1/entries/" + st.id + "/restore").catch(() => ({ status: 0 }));
      if (result.status !== 200) {
        undoStack.push(last);
        notice("The paragraph could not be put back now (no connection?). Press u to try again.");
        return;
      }
      st.version = result.data.version;
    }
    const item = itemsById.get(st.itemId);
    entries.set(st.key, st);
    item.entryKeys.splice(Math.min(last.index, item.entryKeys.length), 0, st.key);
    if (item !== currentItem()) currentIndex = items.indexOf(item);
    renderItem();
    focusEntry(st.key, false);
    notice("Paragraph restored.");
  }

  // --- actions ---------------------------------------------------------------------------

  function openActionForm(draft) {
    if (locked) return;
    const item = currentItem();
    const slot = document.getElementById("action-form-slot");
    const values = draft || { text: "", owners: "", due: "" };
    const form = el("form", { className: "assure-action-form", novalidate: true, "aria-labelledby": "action-form-heading" }, [
      el("h4", { className: "govuk-heading-s", id: "action-form-heading", text: "New action" }),
      el("div", { id: "action-error-slot" }),
      el("div", { className: "govuk-form-group" }, [
        el("label", { className: "govuk-label", for: "action-text", text: "Action" }),
        el("textarea", { className: "govuk-textarea", id: "action-text", rows: "2" }),
      ]),
      el("div", { className: "govuk-form-group" }, [
        el("label", { className: "govuk-label", for: "action-owners", text: "Owners (role or initials, the lead first)" }),
        el("div", { className: "govuk-hint", id: "action-owners-hint", text: "For example: DCC, NA" }),
        el("input", { className: "govuk-input govuk-input--width-20", id: "action-owners", autocomplete: "off", "aria-describedby": "action-owners-hint" }),
      ]),
      el("div", { className: "govuk-form-group" }, [
        el("label", { className: "govuk-label", for: "action-due", text: "Due date (optional)" }),
        el("div", { className: "govuk-hint", id: "action-due-hint", text: "For example: 28/05/2019" }),
        el("input", { className: "govuk-input govuk-input--width-10", id: "action-due", autocomplete: "off", inputmode: "numeric", "aria-describedby": "action-due-hint" }),
      ]),
      el("div", { className: "govuk-button-group" }, [
        el("button", { type: "submit", className: "govuk-button", text: "Raise action (Ctrl+Enter)" }),
        el("button", { type: "button", className: "govuk-button govuk-button--secondary", "data-command": "cancel-action", text: "Cancel (Esc)" }),
      ]),
    ]);
    slot.replaceChildren(form);
    form.querySelector("#action-text").value = values.text;
    form.querySelector("#action-owners").value = values.owners;
    form.querySelector("#action-due").value = values.due;
    const keep = () => storage.set("action:" + item.id, {
      text: form.querySelector("#action-text").value,
      owners: form.querySelector("#action-owners").value,
      due: form.querySelector("#action-due").value,
    });
    form.addEventListener("input", keep);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      raiseAction(form, item);
    });
    form.querySelector("#action-text").focus();
  }

  function closeActionForm() {
    const slot = document.getElementById("action-form-slot");
    if (slot) slot.replaceChildren();
    storage.remove("action:" + currentItem().id);
    if (currentKey) focusEntry(currentKey, false);
    else panel.focus();
  }

  // "28/05/2019", "28.5.19", "28 5 2019" or "2019-05-28" → "2019-05-28"; "" → null; else undefined.
  function parseDate(typed) {
    const value = typed.trim();
    if (!value) return null;
    let day, month, year;
    let match = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(value);
    if (match) [, year, month, day] = match.map(Number);
    else {
      match = /^(\d{1,2})[\/.\s-](\d{1,2})[\/.\s-](\d{2}|\d{4})$/.exec(value);
      if (!match) return undefined;
      [, day, month, year] = match.map(Number);
      if (year < 100) year += 2000;
    }
    const date = new Date(Date.UTC(year, month - 1, day));
    if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
      return undefined;
    }
    return date.toISOString().slice(0, 10);
  }

  async function raiseAction(form, item) {
    const text = form.querySelector("#action-text").value.trim();
    const typed = form.querySelector("#action-owners").value.split(/[,;]+/).map((s) => s.trim()).filter(Boolean);
    const due = parseDate(form.querySelector("#action-due").value);
    const problems = [];
    if (!text) problems.push({ field: "action-text", text: "Write the action." });
    const owners = [];
    const unknown = [];
    if (!typed.length) problems.push({ field: "action-owners", text: "Give at least one owner." });
    for (const label of typed) {
      const found = resolvePerson(label);
      if (found.error) unknown.push(found.error);
      else if (found.person) owners.push(found.person.id);
    }
    if (unknown.length) problems.push({ field: "action-owners", text: unknown.join(" ") });
    if (due === undefined) problems.push({ field: "action-due", text: "Enter the due date as a real date, like 28/05/2019." });
    showActionErrors(form, problems);
    if (problems.length) return;
    const body = { text: text, owner_ids: owners, meeting_id: meetingId, item_id: item.id };
    if (due) body.due_date = due;
    const result = await api("POST", "/api/v1/actions", body).catch(() => ({ status: 0 }));
    if (result.status !== 201) {
      showActionErrors(form, result.status === 0
        ? [{ field: null, text: "Not saved – kept on this device. Press Ctrl+Enter again when the connection is back." }]
        : refusedAction(result));
      return;
    }
    const action = result.data;
    item.actions.push({
      id: action.id, reference: action.reference, text: action.text,
      owners: action.owner_ids.map(personLabel), due_date: action.due_date,
    });
    storage.remove("action:" + item.id);
    lastSaved = new Date();
    renderItem();
    showStatus();
    notice("Action " + action.reference + " raised for " + action.owner_ids.map(personLabel).join(", ") + ".");
    if (currentKey) focusEntry(currentKey, false);
    else panel.focus();
  }

  // The server's reasons for refusing an action, each under its field where it has one.
  function refusedAction(result) {
    const fields = (result.data && result.data.errors) || {};
    const problems = [];
    for (const [name, message] of Object.entries(fields)) {
      const field = /owner/.test(name) ? "action-owners" : /due/.test(name) ? "action-due" : /text/.test(name) ? "action-text" : null;
      problems.push({ field: field, text: String(message) });
    }
    if (!problems.length) problems.push({ field: null, text: describeError(result) });
    return problems;
  }

  // The GOV.UK error pattern in the action form: a summary that is announced (role=alert) and
  // takes the focus, with links to the fields; each field's message in its form group, tied to
  // the field by aria-describedby. No problems clears them all.
  function showActionErrors(form, problems) {
    for (const group of form.querySelectorAll(".govuk-form-group")) {
      group.classList.remove("govuk-form-group--error");
      const field = group.querySelector("input, textarea");
      const old = group.querySelector(".govuk-error-message");
      if (old) old.remove();
      field.classList.remove("govuk-input--error", "govuk-textarea--error");
      field.removeAttribute("aria-invalid");
      const hint = group.querySelector(".govuk-hint");
      if (hint) field.setAttribute("aria-describedby", hint.id);
      else field.removeAttribute("aria-describedby");
    }
    const slot = form.querySelector("#action-error-slot");
    if (!problems.length) {
      slot.replaceChildren();
      return;
    }
    const byField = new Map();
    for (const problem of problems) {
      if (problem.field) byField.set(problem.field, (byField.get(problem.field) || []).concat(problem.text));
    }
    for (const [id, texts] of byField) {
      const field = form.querySelector("#" + id);
      const group = field.closest(".govuk-form-group");
      group.classList.add("govuk-form-group--error");
      field.before(el("p", { className: "govuk-error-message", id: id + "-error" }, [
        el("span", { className: "govuk-visually-hidden", text: "Error: " }), texts.join(" "),
      ]));
      field.classList.add(field.tagName === "TEXTAREA" ? "govuk-textarea--error" : "govuk-input--error");
      field.setAttribute("aria-invalid", "true");
      field.setAttribute("aria-describedby", [field.getAttribute("aria-describedby"), id + "-error"].filter(Boolean).join(" "));
    }
    const list = el("ul", { className: "govuk-list govuk-error-summary__list" }, problems.map((problem) => el("li", {}, [
      problem.field ? el("a", { href: "#" + problem.field, "data-field": problem.field, text: problem.text }) : problem.text,
    ])));
    const summary = el("div", { className: "govuk-error-summary", tabindex: "-1" }, [
      el("div", { role: "alert" }, [
        el("h5", { className: "govuk-error-summary__title", text: "There is a problem" }),
        el("div", { className: "govuk-error-summary__body" }, [list]),
      ]),
    ]);
    list.addEventListener("click", (event) => {
      const link = event.target.closest("a[data-field]");
      if (!link) return;
      event.preventDefault();
      const field = form.querySelector("#" + link.dataset.field);
      field.closest(".govuk-form-group").scrollIntoView({ block: "nearest" });
      field.focus();
    });
    slot.replaceChildren(summary);
    summary.focus();
  }

  // --- attendance ------------------------------------------------------------------------

  const attendancePanel = document.getElementById("attendance-panel");

  function openAttendance() {
    const rows = document.getElementById("attendance-rows");
    const current = new Map(state.attendance.map((a) => [a.person_id, a.status]));
    rows.replaceChildren(...people.map((person) => {
      const select = el("select", { className: "govuk-select", id: "attend-" + person.id, "data-person": person.id });
      for (const [value, label] of [["", "Not recorded"], ["expected", "Invited"], ["present", "Present"], ["apologies", "Apologies"], ["absent", "Absent"]]) {
        select.append(el("option", { value: value, selected: (current.get(person.id) || "") === value }, [label]));
      }
      return el("tr", { className: "govuk-table__row" }, [
        el("td", { className: "govuk-table__cell" }, [
          el("label", { className: "govuk-label", for: "attend-" + person.id, text: person.name + (person.label ? " (" + person.label + ")" : "") }),
        ]),
        el("td", { className: "govuk-table__cell" }, [select]),
      ]);
    }));
    attendancePanel.hidden = false;
    const first = rows.querySelector("select");
    if (first) first.focus();
  }

  function closePanels() {
    attendancePanel.hidden = true;
    if (currentKey) focusEntry(currentKey, false);
    else panel.focus();
  }

  document.getElementById("attendance-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const order = state.attendance.map((a) => a.person_id);
    const chosen = new Map();
    for (const select of attendancePanel.querySelectorAll("select")) {
      if (select.value) chosen.set(Number(select.dataset.person), select.value);
    }
    const ids = order.filter((id) => chosen.has(id)).concat([...chosen.keys()].filter((id) => !order.includes(id)));
    const body = ids.map((id) => ({ person_id: id, status: chosen.get(id) }));
    const result = await api("PUT", "/api/v1/meetings/" + meetingId + "/attendance", body).catch(() => ({ status: 0 }));
    if (result.status !== 200) {
      notice(result.status === 0 ? "Attendance not saved (no connection). Try again." : describeError(result));
      return;
    }
    state.attendance = result.data.map((a) => ({ person_id: a.person_id, status: a.status, capacity: a.capacity }));
    lastSaved = new Date();
    showStatus();
    const present = result.data.filter((a) => a.status === "present").length;
    const apologies = result.data.filter((a) => a.status === "apologies").length;
    notice("Attendance saved: " + present + " present, " + apologies + " apologies.");
    closePanels();
  });

  // --- the keyboard ----------------------------------------------------------------------

  function editable(target) {
    return target.matches && target.matches("textarea, input, select, [contenteditable]");
  }

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (!app.contains(target) && target !== document.body) return;
    if (event.key === "Escape") {
      if (!attendancePanel.hidden) {
        event.preventDefault();
        closePanels();
        return;
      }
      if (target.closest && target.closest(".assure-action-form")) {
        event.preventDefault();
        closeActionForm();
        return;
      }
      const entry = target.closest && target.closest(".assure-entry");
      if (entry) {
        event.preventDefault();
        if (target.closest(".assure-history-box")) entry.querySelector(".assure-entry__extra").replaceChildren();
        entry.focus();
      }
      return;
    }
    if (target.closest && target.closest(".assure-action-form")) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey || target.tagName === "INPUT")) {
        event.preventDefault();
        target.closest("form").requestSubmit();
      }
      return;
    }
    if (target.classList && target.classList.contains("assure-entry__text")) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        addEntry("narrative");
      }
      return;
    }
    if (target.classList && target.classList.contains("assure-entry__speaker") && event.key === "Enter") {
      event.preventDefault();
      const st = entries.get(target.closest(".assure-entry").dataset.key);
      if (chooseSpeaker(st, target.value)) focusEntry(st.key, true);
      return;
    }
    if (editable(target) || event.ctrlKey || event.metaKey || event.altKey) return;
    if (!attendancePanel.hidden) return;
    const item = currentItem();
    const keys = item ? item.entryKeys : [];
    const at = keys.indexOf(currentKey);
    const onEntry = target.classList && target.classList.contains("assure-entry");
    let handled = true;
    switch (event.key) {
      case "n": case "q": case "a": case "d": case "s":
        addEntry(KIND_KEYS[event.key]);
        break;
      case "t":
        openActionForm();
        break;
      case "ArrowDown": case "j":
        if (event.shiftKey) moveEntry(1);
        else if (keys.length) focusEntry(keys[Math.min(at + 1, keys.length - 1)], false);
        break;
      case "ArrowUp": case "k":
        if (event.shiftKey) moveEntry(-1);
        else if (keys.length) focusEntry(keys[Math.max(at - 1, 0)], false);
        break;
      case "J":
        moveEntry(1);
        break;
      case "K":
        moveEntry(-1);
        break;
      case "]":
        goToItem(currentIndex + 1);
        break;
      case "[":
        goToItem(currentIndex - 1);
        break;
      case "Enter": case "e": case "i":
        if (!onEntry && event.key === "Enter") handled = false;
        else if (currentKey) focusEntry(currentKey, true);
        break;
      case "p":
        if (currentKey) entries.get(currentKey).node.querySelector(".assure-entry__speaker").focus();
        break;
      case "Delete": case "x":
        deleteEntry();
        break;
      case "u":
        undoDelete();
        break;
      case "h":
        showHistory(entries.get(currentKey));
        break;
      case "r":
        openAttendance();
        break;
      case "?": {
        const box = document.getElementById("shortcuts");
        box.open = !box.open;
        break;
      }
      default:
        if (/^[1-9]$/.test(event.key)) askQuestion(Number(event.key));
        else handled = false;
    }
    if (handled) event.preventDefault();
  });

  app.addEventListener("click", (event) => {
    const button = event.target.closest("[data-command]");
    if (button) {
      const command = button.dataset.command;
      const entry = button.closest(".assure-entry");
      const st = entry ? entries.get(entry.dataset.key) : null;
      if (command === "add") addEntry(button.dataset.kind);
      else if (command === "action") openActionForm();
      else if (command === "cancel-action") closeActionForm();
      else if (command === "attendance") openAttendance();
      else if (command === "close-panel") closePanels();
      else if (command === "keep-mine") resolveConflict(st, "mine");
      else if (command === "keep-theirs") resolveConflict(st, "theirs");
      else if (command === "merge") resolveConflict(st, "merge");
      else if (command === "close-history") {
        entry.querySelector(".assure-entry__extra").replaceChildren();
        entry.focus();
      } else if (command === "restore-version") {
        entry.querySelector(".assure-entry__extra").replaceChildren();
        st.text = button.dataset.text;
        const textarea = entry.querySelector(".assure-entry__text");
        textarea.value = st.text;
        grow(textarea);
        changed(st);
        textarea.focus();
      }
      return;
    }
    const link = event.target.closest(".assure-agenda__link");
    if (link) {
      event.preventDefault();
      goToItem(items.indexOf(itemsById.get(Number(link.dataset.itemId))));
    }
  });

  // --- start -----------------------------------------------------------------------------

  for (const item of items) {
    for (const entry of item.entries) {
      const st = fromServer(entry);
      entries.set(st.key, st);
      item.entryKeys.push(st.key);
    }
  }

  // Put back whatever this device typed that the server never acknowledged.
  let restored = 0;
  for (const name of storage.keys("e:")) {
    const kept = storage.get(name);
    if (!kept || !itemsById.has(kept.itemId)) continue;
    let st = entries.get(kept.key);
    const typed = { text: kept.text, kind: kept.kind, speaker_id: kept.speakerId, question_id: kept.questionId };
    if (st && sameContent(typed, st.acked)) {
      storage.remove(name);
      continue;
    }
    if (!st && kept.id) {
      // The paragraph was deleted or is gone: keep the words as a new paragraph.
      kept.key = newClientId();
      kept.id = null;
      storage.remove(name);
    }
    if (!st) {
      st = makeState({ key: kept.key, itemId: kept.itemId, kind: kept.kind, speakerId: kept.speakerId, questionId: kept.questionId });
      const item = itemsById.get(kept.itemId);
      item.entryKeys.splice(Math.max(0, Math.min(kept.index, item.entryKeys.length)), 0, st.key);
      entries.set(st.key, st);
    } else if (typeof kept.version === "number" && kept.version !== st.version &&
               !(kept.pending && sameContent(kept.pending, st.acked))) {
      // The server has a newer version than the one this text was typed on: this tab's own
      // save that landed late, or a colleague's change. Only the server can tell: save from
      // the version typed on; a colleague's change comes back as 409 and the conflict screen.
      st.version = kept.version;
    }
    st.text = kept.text;
    st.kind = kept.kind;
    st.speakerId = kept.speakerId;
    st.questionId = kept.questionId;
    restored += 1;
  }

  renderItem();
  showStatus();
  for (const st of entries.values()) {
    if (!st.conflict && !sameContent(content(st), st.acked)) changed(st);
  }
  if (restored) {
    notice("Put back " + restored + (restored === 1 ? " paragraph" : " paragraphs") + " typed on this device that had not been saved; saving now.");
  }
  const start = currentItem();
  if (start && start.entryKeys.length) focusEntry(start.entryKeys[start.entryKeys.length - 1], false);
  else panel.focus();
  setInterval(showStatus, 1000);
})();
