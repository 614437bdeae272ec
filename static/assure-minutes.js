// The "Take minutes" page: keyboard-first editing with an autosave that never loses a word.
//
// How nothing is lost:
// - every keystroke is written to localStorage at once, with the version it was typed on;
// - each paragraph is saved at most MAX_WAIT ms after its first unsaved keystroke, even for a
//   typist who never pauses (a debounce alone would never fire), and DEBOUNCE ms after the last;
// - a paragraph has at most one save in flight; a save that failed is sent again unchanged
//   before anything newer (the server treats a repeat as a no-op), so saves never overtake;
// - while the server cannot be reached, one save at a time tries again, with a growing wait
//   (never one request per keystroke), and the bar says which trouble it is;
// - new paragraphs carry a client id, so a repeated creation returns the first one;
// - a save made from an older version is merged by the server with a colleague's changes
//   since; only where both changed the same words does the page show both to choose from,
//   while typing goes on; a paragraph a colleague deleted is offered back as a new one;
// - text is normalised (NFC) as the server does, so a save is never repeated for nothing;
// - every few seconds the page fetches the item's paragraphs and shows colleagues' changes
//   to paragraphs this page is not changing;
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
  const RETRY_FIRST = 1000;
  const RETRY_MAX = 30000;
  const POLL = 2000;
  const KINDS = {
    narrative: "Paragraph",
    question: "Question",
    answer: "Answer",
    decision: "Decision",
    assurance: "Assurance statement",
  };
  const KIND_KEYS = { n: "narrative", q: "question", a: "answer", d: "decision", s: "assurance" };
  // What the Commissioner concluded, kept with an assurance statement (and only with one).
  const LEVELS = {
    assured: "Assured",
    partially_assured: "Partially assured",
    not_assured: "Not assured",
  };

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

  // Whoever speaks, as the minutes name them (speaker_label): "PCC", "Cllr Jones", "Jane Smith".
  function speakerLabel(id) {
    const person = peopleById.get(id);
    return person ? person.speaker || person.label || person.name : "";
  }

  // A person as a sentence names them, the server's rule (person_named): a role takes "the"
  // ("The PCC asked the CC"), a name does not ("Cllr Jones asked the PCC").
  function personNamed(id, start) {
    const person = peopleById.get(id);
    if (!person) return "";
    return person.abbreviation ? (start ? "The " : "the ") + person.abbreviation : speakerLabel(id);
  }

  // "DCC" or "NA" (or a name) → one person, or a message saying why not.
  function resolvePerson(typed) {
    const value = typed.trim().toLowerCase();
    if (!value) return { person: null };
    const tries = [
      (p) => (p.abbreviation || "").toLowerCase() === value,
      (p) => (p.speaker || "").toLowerCase() === value,
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
    return {
      text: st.text, kind: st.kind, speaker_id: st.speakerId, question_id: st.questionId,
      assurance_level: st.kind === "assurance" ? st.assuranceLevel || null : null,
    };
  }

  // What the server answered with, as content() gives it.
  function serverContent(entry) {
    return {
      text: entry.text, kind: entry.kind, speaker_id: entry.speaker_id,
      question_id: entry.question_id, assurance_level: entry.assurance_level || null,
    };
  }

  function sameContent(a, b) {
    return !!a && !!b && a.text === b.text && a.kind === b.kind &&
      (a.speaker_id || null) === (b.speaker_id || null) &&
      (a.question_id || null) === (b.question_id || null) &&
      (a.assurance_level || null) === (b.assurance_level || null);
  }

  function makeState(fields) {
    return Object.assign({
      key: null, id: null, itemId: null, kind: "narrative", speakerId: null, questionId: null,
      assuranceLevel: null, text: "", version: null, acked: null, inflight: null, failed: false, dirtySince: null,
      timer: null, conflict: null, deleted: null, error: null, node: null,
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
      assuranceLevel: entry.assurance_level || null,
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
      questionId: st.questionId, assuranceLevel: st.assuranceLevel, text: st.text, version: st.version,
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

  // An earlier paragraph of the same item not yet created on the server (being created, or
  // itself waiting its turn): a new paragraph waits for it, so that the server places it after
  // that one (its position counts saved paragraphs only). One that will not be created (empty,
  // deleted, in conflict, or refused for what it says) does not hold the others back.
  function earlierBeingCreated(st) {
    const item = itemsById.get(st.itemId);
    for (const key of item.entryKeys) {
      if (key === st.key) return null;
      const other = entries.get(key);
      if (!other || other.id || other.deleted || other.conflict) continue;
      if (other.inflight && other.inflight.create) return other;
      if (!other.error && (other.text.trim() || other.speakerId)) return other;
    }
    return null;
  }

  // The server cannot be reached (offline, not answering, signed out): one save at a time
  // tries again after a wait that doubles up to RETRY_MAX; the others wait for it.
  const trouble = { kind: null, until: 0, delay: RETRY_FIRST, timer: null, probe: null };

  function troubleStarted(kind, st) {
    trouble.kind = kind;
    trouble.probe = st;
    const wait = trouble.delay * (0.8 + 0.4 * Math.random());
    trouble.until = Date.now() + wait;
    trouble.delay = Math.min(RETRY_MAX, trouble.delay * 2);
    clearTimeout(trouble.timer);
    trouble.timer = setTimeout(() => {
      trouble.timer = null;
      const probe = trouble.probe && entries.has(trouble.probe.key) ? trouble.probe : firstWaiting();
      if (probe) {
        if (probe.inflight && !probe.inflight.sending) send(probe);
        else flush(probe);
      }
    }, wait);
  }

  function troubleOver() {
    const was = trouble.kind;
    trouble.kind = null;
    trouble.delay = RETRY_FIRST;
    trouble.probe = null;
    clearTimeout(trouble.timer);
    trouble.timer = null;
    if (was) retryAll();
  }

  function firstWaiting() {
    for (const st of entries.values()) {
      if (st.inflight || (!st.conflict && !st.deleted && !sameContent(content(st), st.acked))) return st;
    }
    return null;
  }

  async function flush(st) {
    clearTimeout(st.timer);
    if (locked || st.conflict || st.deleted || !entries.has(st.key)) return;
    if (trouble.kind && trouble.probe !== st) {
      showStatus(); // kept on this device; the probe's success sends it
      return;
    }
    if (st.inflight) {
      if (st.inflight.sending || trouble.timer) return; // its completion or the retry sends
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
      saved(st, flight.body, result.data, flight.create);
      troubleOver();
    } else if (result.status === 409 && result.data && result.data.current) {
      st.inflight = null;
      st.failed = false;
      st.conflict = {
        current: result.data.current,
        base: result.data.base || null,
        proposal: result.data.proposal || null,
        changedBy: (result.data.changed_by || []).join(" and ") || "A colleague",
        clashing: result.data.clashing || ["text"],
        sent: flight.body.text !== undefined ? flight.body.text : st.text,
        sentBody: flight.body,
      };
      persist(st);
      renderConflict(st);
      troubleOver();
    } else if ((result.status === 410 || result.status === 404) && !flight.create) {
      st.inflight = null;
      st.failed = false;
      st.deleted = {
        by: (result.data && result.data.deleted_by) || null,
        at: (result.data && result.data.deleted_at) || null,
      };
      persist(st);
      renderDeleted(st);
      troubleOver();
    } else if (result.status === 0 || result.status >= 500 || result.status === 401 ||
               result.status === 403 || result.status === 429) {
      // Kept on this device; the same save goes again, later.
      st.failed = true;
      st.error = null;
      const kind = result.status === 401 || result.status === 403 ? "signed-out"
        : result.status === 0 && navigator.onLine === false ? "offline"
          : result.status === 429 ? "busy" : "down";
      troubleStarted(kind, st);
    } else {
      // Refused for what it says (422): keep the text here and say why.
      st.inflight = null;
      st.failed = true;
      st.error = describeError(result);
      persist(st);
      troubleOver();
    }
    renderEntryState(st);
    showStatus();
  }

  // A save the server kept. What it kept may differ from what was sent (a colleague's words
  // merged in, or the same text normalised): what was typed since sending is carried onto it.
  function saved(st, sent, entry, created) {
    st.id = entry.id;
    st.version = entry.version;
    st.acked = serverContent(entry);
    st.inflight = null;
    st.failed = false;
    st.error = null;
    st.ackedAt = Date.now();
    lastSaved = new Date();
    if (created && !sameContent(sent, st.acked)) {
      // The same creation had gone before (then the tab was reloaded): the server answers
      // with the paragraph that one made. What this page holds grew from that paragraph's
      // first version; saved from it, the server merges in any change made since.
      st.version = 1;
    } else {
      adopt(st, sent, st.acked);
    }
    persist(st);
    renderEntryState(st);
    if (!sameContent(content(st), st.acked)) changed(st);
  }

  // The server's content replaces `from` (what this page last sent or had): fields the page
  // has not changed since take the server's value, and the text the page typed since is
  // carried onto the server's text.
  function adopt(st, from, server) {
    const textarea = st.node && st.node.querySelector(".assure-entry__text");
    if (server.text !== from.text) {
      const text = st.text === from.text ? server.text : carryOver(from.text, st.text, server.text);
      if (text !== st.text) {
        st.text = text;
        if (textarea) replaceText(textarea, text);
      }
    }
    if (server.kind !== from.kind && st.kind === from.kind) {
      st.kind = server.kind;
      const select = st.node && st.node.querySelector(".assure-entry__kind");
      if (select) select.value = st.kind;
      showLevel(st);
    }
    if ((server.assurance_level || null) !== (from.assurance_level || null) &&
        (st.kind === "assurance" ? st.assuranceLevel || null : null) === (from.assurance_level || null)) {
      st.assuranceLevel = server.assurance_level || null;
      showLevel(st);
    }
    if ((server.speaker_id || null) !== (from.speaker_id || null) &&
        (st.speakerId || null) === (from.speaker_id || null)) {
      st.speakerId = server.speaker_id;
      const speaker = st.node && st.node.querySelector(".assure-entry__speaker");
      if (speaker) speaker.value = speakerLabel(st.speakerId);
      const who = st.node && st.node.querySelector(".assure-entry__who");
      if (who) who.textContent = describeSpeaker(st.speakerId);
    }
    if ((server.question_id || null) !== (from.question_id || null)) st.questionId = server.question_id;
  }

  // What was typed on top of `from` (giving `mine`), made on top of `to` instead.
  function carryOver(from, mine, to) {
    if (typeof diff_match_patch !== "function") return mine;
    const dmp = new diff_match_patch();
    const patches = dmp.patch_make(from, mine);
    const result = dmp.patch_apply(patches, to);
    if (result[1].every(Boolean)) return result[0];
    // A change that would not fit: keep both rather than lose any of it.
    return to + (to.endsWith("\n") ? "" : "\n") + mine;
  }

  // Put text into a textarea without moving the officer's place in it.
  function replaceText(textarea, text) {
    const old = textarea.value;
    if (old === text) return;
    const focused = document.activeElement === textarea;
    let start = textarea.selectionStart;
    let end = textarea.selectionEnd;
    if (focused && typeof diff_match_patch === "function") {
      const dmp = new diff_match_patch();
      const diffs = dmp.diff_main(old, text);
      start = dmp.diff_xIndex(diffs, start);
      end = dmp.diff_xIndex(diffs, end);
    }
    textarea.value = text;
    if (focused) textarea.setSelectionRange(start, end);
    grow(textarea);
  }

  function describeError(result) {
    const data = result.data || {};
    const fields = data.errors ? Object.values(data.errors).join("; ") : "";
    return (data.detail || "The server refused this paragraph.") + (fields ? " " + fields : "");
  }

  function retryAll() {
    for (const st of entries.values()) {
      if (st.inflight && !st.inflight.sending) {
        send(st);
      } else if (!st.inflight && !sameContent(content(st), st.acked)) {
        flush(st);
      }
    }
  }
  window.addEventListener("online", () => {
    if (trouble.kind) troubleOver();
    else retryAll();
  });
  window.addEventListener("offline", () => {
    if (trouble.kind) {
      trouble.kind = "offline";
      showStatus();
    }
  });

  // --- what colleagues change --------------------------------------------------------------

  // The current item's paragraphs as the server has them: a colleague's change is shown in
  // a paragraph this page is not changing; a new paragraph appears, a deleted one goes.
  let polling = false;
  // Paragraphs this page deleted, and when: a fetch sent before the deletion still has them.
  const goneHere = new Map();
  async function poll() {
    const item = currentItem();
    if (polling || !item || document.hidden || trouble.kind) return;
    polling = true;
    const asked = Date.now();
    let result;
    try {
      result = await api("GET", "/api/v1/items/" + item.id + "/entries");
    } catch (error) {
      result = { status: 0 };
    } finally {
      polling = false;
    }
    if (result.status !== 200 || !Array.isArray(result.data) || item !== currentItem()) return;
    const seen = new Set();
    let added = false;
    for (const entry of result.data) {
      const key = entry.client_id || "id-" + entry.id;
      let st = entries.get(key);
      if (!st) {
        for (const other of entries.values()) {
          if (other.id === entry.id) st = other;
        }
      }
      if (st) {
        seen.add(st.key);
        if (st.id === null || entry.version <= st.version) continue;
        if (st.inflight || st.conflict || st.deleted || !sameContent(content(st), st.acked)) continue;
        const was = st.acked;
        st.version = entry.version;
        st.acked = serverContent(entry);
        adopt(st, was, st.acked);
        persist(st);
        continue;
      }
      if (goneHere.has(entry.id) && goneHere.get(entry.id) >= asked) continue;
      st = fromServer(entry);
      entries.set(st.key, st);
      seen.add(st.key);
      const before = result.data.indexOf(entry);
      const keys = item.entryKeys;
      // After the paragraph the server has before it, or first.
      const previous = before > 0 ? result.data[before - 1] : null;
      const prevKey = previous ? previous.client_id || "id-" + previous.id : null;
      const at = prevKey && keys.includes(prevKey) ? keys.indexOf(prevKey) + 1 : before === 0 ? 0 : keys.length;
      keys.splice(at, 0, st.key);
      added = true;
      const list = panel.querySelector(".assure-entries");
      if (list) {
        const node = renderEntry(st);
        const next = keys[at + 1] && entries.get(keys[at + 1]).node;
        if (next && next.parentNode === list) list.insertBefore(node, next);
        else list.append(node);
        announce("New paragraph from a colleague: " + (entry.text || "").slice(0, 80));
      }
    }
    for (const key of item.entryKeys.slice()) {
      const st = entries.get(key);
      if (seen.has(key) || !st.id || st.inflight || st.conflict || st.deleted) continue;
      if ((st.ackedAt || 0) >= asked) continue; // saved after the server was asked
      if (!sameContent(content(st), st.acked)) continue; // its save says it was deleted
      item.entryKeys.splice(item.entryKeys.indexOf(key), 1);
      entries.delete(key);
      storage.remove("e:" + key);
      if (st.node) st.node.remove();
      if (currentKey === key) currentKey = null;
    }
    if (added) {
      const empty = panel.querySelector(".assure-empty");
      if (empty) empty.remove();
    }
  }

  function announce(text) {
    const region = document.getElementById("minutes-announce");
    if (region) region.textContent = text;
  }

  // --- status ----------------------------------------------------------------------------

  const statusBox = document.getElementById("save-status");

  function showStatus() {
    let waiting = false;
    let failed = false;
    let conflict = null;
    let deleted = null;
    let refused = null;
    for (const st of entries.values()) {
      const unsaved = !!st.inflight || !sameContent(content(st), st.acked);
      if (st.conflict) conflict = conflict || st;
      else if (st.deleted) deleted = deleted || st;
      else if (st.error && unsaved) refused = refused || st;
      else if (st.failed && unsaved) failed = true;
      else if (unsaved && (st.id || st.text.trim())) waiting = true;
    }
    let text;
    let state = "saved";
    if (trouble.kind && (failed || waiting)) {
      state = "kept";
      const seconds = Math.max(1, Math.round((trouble.until - Date.now()) / 1000));
      if (trouble.kind === "offline" || navigator.onLine === false) {
        text = "Offline – kept on this device; saved when the connection is back";
      } else if (trouble.kind === "signed-out") {
        text = "Signed out – kept on this device; sign in again in another tab to save";
      } else {
        text = "The server is not answering – kept on this device; trying again in " + seconds + " s";
      }
    } else if (conflict) {
      state = "kept";
      text = "A colleague changed this paragraph – kept on this device; choose what to keep";
    } else if (deleted) {
      state = "kept";
      text = "Deleted by " + (deleted.deleted.by || "a colleague") + " – your text is kept; put it back below";
    } else if (refused) {
      state = "kept";
      text = "Not saved – kept on this device: " + refused.error;
    } else if (failed) {
      state = "kept";
      text = "Not saved – kept on this device; trying again";
    } else if (waiting) {
      state = "saving";
      text = "Saving…";
    } else {
      text = "Saved " + clock(lastSaved);
    }
    if (statusBox.textContent !== text) statusBox.textContent = text;
    statusBox.dataset.state = state;
  }

  function entryStateText(st) {
    if (st.conflict) return "Changed by " + st.conflict.changedBy + " – choose below";
    if (st.deleted) return "Deleted by " + (st.deleted.by || "a colleague") + " – kept here";
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
    st.node.classList.toggle("assure-entry--unsaved", st.failed || !!st.conflict || !!st.deleted);
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
      // A question carried forward to this meeting is not yet asked here.
      const asked = !["draft", "ready", "sent"].includes(question.status) &&
        !(question.carried_forward && question.status === "carried_forward");
      list.append(el("li", { className: "assure-question" + (asked ? " assure-question--asked" : "") }, [
        index < 9 ? el("span", { className: "assure-key", text: String(index + 1) }) : null,
        " ",
        question.text,
        " ",
        el("span", { className: "govuk-hint assure-inline-hint", text: [question.asked_by, question.addressed_to].filter(Boolean).join(" to ") + (question.carried_forward ? " (carried forward)" : "") }),
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
      list: "people-list", autocomplete: "off", spellcheck: "false", value: speakerLabel(st.speakerId),
      disabled: locked, "aria-describedby": "who-" + id,
    });
    // The level of an assurance statement: shown only on one, saved with the paragraph.
    const level = el("select", {
      className: "govuk-select assure-entry__level", id: "level-" + id, disabled: locked,
    });
    level.append(el("option", { value: "" }, ["No level yet"]));
    for (const [value, label] of Object.entries(LEVELS)) {
      level.append(el("option", { value: value, selected: value === st.assuranceLevel }, [label]));
    }
    const levelBox = el("span", { className: "assure-entry__level-box", hidden: st.kind !== "assurance" }, [
      el("label", { className: "govuk-label assure-inline-label", for: "level-" + id, text: "Assurance level" }), level,
    ]);
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
        levelBox,
        el("span", { className: "govuk-body-s assure-entry__state", id: "state-" + id }),
      ]),
      el("label", { className: "govuk-label govuk-visually-hidden", for: "text-" + id, text: KINDS[st.kind] + " " + number + " of item " + item.label }),
      text,
      el("div", { className: "assure-entry__extra" }),
    ]);
    st.node = node;
    kind.addEventListener("change", () => {
      st.kind = kind.value;
      // Only an assurance statement has a level; another kind loses it (its versions keep it).
      if (st.kind !== "assurance") st.assuranceLevel = null;
      showLevel(st);
      changed(st);
    });
    level.addEventListener("change", () => {
      st.assuranceLevel = level.value || null;
      announce("Assurance level: " + (LEVELS[st.assuranceLevel] || "none yet"));
      changed(st);
    });
    speaker.addEventListener("change", () => chooseSpeaker(st, speaker.value));
    text.addEventListener("input", () => {
      // As the server keeps it (NFC): text pasted from a Mac or a PDF, with its accents as
      // separate marks, is otherwise never the same as what the server says it saved.
      st.text = text.value.normalize("NFC");
      grow(text);
      changed(st);
      renderEntryState(st);
      if (st.conflict) showDifferences(st);
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
    else if (st.deleted) renderDeleted(st);
    requestAnimationFrame(() => grow(text));
    return node;
  }

  // The level chooser as the paragraph now is: shown on an assurance statement only.
  function showLevel(st) {
    if (!st.node) return;
    const box = st.node.querySelector(".assure-entry__level-box");
    const select = st.node.querySelector(".assure-entry__level");
    if (box) box.hidden = st.kind !== "assurance";
    if (select) select.value = st.kind === "assurance" ? st.assuranceLevel || "" : "";
  }

  // The level key: the chooser of the current paragraph, when it is an assurance statement.
  function selectLevel(st) {
    if (!st || !st.node) return;
    if (st.kind !== "assurance") {
      announce("Only an assurance statement has a level. Make the paragraph an assurance statement first.");
      notice("Only an assurance statement has a level: choose “Assurance statement” as the paragraph's kind first.");
      return;
    }
    st.node.querySelector(".assure-entry__level").focus();
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
    const before = st.speakerId;
    field.classList.remove("govuk-input--error");
    field.removeAttribute("aria-invalid");
    st.speakerId = found.person ? found.person.id : null;
    field.value = speakerLabel(st.speakerId);
    who.textContent = describeSpeaker(st.speakerId);
    respeakPrefix(st, before);
    syncWording(st);
    changed(st);
    return true;
  }

  function grow(textarea) {
    textarea.style.height = "auto";
    textarea.style.height = Math.max(textarea.scrollHeight + 4, 60) + "px";
  }

  // Pasted text keeps its paragraphs, bullets, numbers and tables, and loses its formatting
  // and control characters. A table becomes lines "| cell | cell |", which the minutes read
  // as the rows of one table.
  function cleanPaste(raw) {
    return raw
      .replace(/\r\n?/g, "\n")
      .replace(/[\u000b\u000c\u2028\u2029]/g, "\n")
      .replace(/[\u0000-\u0008\u000e-\u001f\u007f-\u009f\ufffe\uffff]/g, "")
      .replace(/\u00a0/g, " ")
      .split("\n")
      .map(pastedLine)
      .join("\n")
      .replace(/\n{3,}/g, "\n\n")
      .replace(/^\n+|\n+$/g, "");
  }

  // The marks of lists as Word and web pages put them on the clipboard: bullets (U+F000-F0FF
  // are the Symbol and Wingdings fonts' bullets in Word's plain text), and numbers such as
  // "1.", "2.1.", "a)", "A.", "(iv)".
  const PASTED_BULLET = /^[•·▪◦●○■□➢►‣∙o§\-–*\uf000-\uf0ff]$/;
  const PASTED_NUMBER = /^(?:\(?(?:\d{1,3}|[a-zA-Z]|[ivxlcdm]{2,7}|[IVXLCDM]{2,7})\)|(?:\d{1,3}(?:\.\d{1,3})*|[a-zA-Z]|[ivxlcdm]{2,7}|[IVXLCDM]{2,7})\.)$/;

  // One line of pasted plain text. Word writes a list item as its mark, a tab and the text,
  // and a table row as its cells with a tab between them.
  function pastedLine(line) {
    const item = /^[ \t]*(\S{1,8})\t+([^\t]*)$/.exec(line);
    if (item && PASTED_BULLET.test(item[1])) return ("• " + item[2]).replace(/\s+$/, "");
    if (item && PASTED_NUMBER.test(item[1])) return (item[1] + " " + item[2]).replace(/\s+$/, "");
    if (line.replace(/^[ \t]+|[ \t]+$/g, "").includes("\t")) return tableRow(line.split("\t"));
    return line
      .replace(/\t+/g, " ")
      .replace(/^\s*(?:[•·▪◦●○■□➢►‣∙\uf000-\uf0ff]\s*|[o§\-–*]\s+)(?=\S)/, "• ")
      .replace(/\s+$/, "");
  }

  // A row of a table as the minutes write it; a "|" in a cell would start a new cell.
  function tableRow(cells) {
    return "| " + cells.map((cell) => cell.replace(/\|/g, "/").replace(/\s+/g, " ").trim()).join(" | ") + " |";
  }

  function htmlToText(html) {
    return htmlLines(new DOMParser().parseFromString(html, "text/html").body).join("\n");
  }

  const HTML_BLOCK = /^(ADDRESS|ARTICLE|ASIDE|BLOCKQUOTE|CAPTION|DD|DIV|DL|DT|FIGCAPTION|FIGURE|FOOTER|FORM|H[1-6]|HEADER|HR|LI|MAIN|NAV|OL|P|PRE|SECTION|UL)$/;

  // The lines of pasted HTML: one per paragraph, list items with their bullet ("• ") or
  // number, and each table as "| cell | cell |" rows with a blank line before and after.
  function htmlLines(root) {
    const lines = [];
    let line = "";
    let mark = "";
    const flush = () => {
      const text = line.replace(/\s+/g, " ").trim();
      line = "";
      if (!text) return;
      const marked = mark === "•" ? /^[•·▪◦●○■□➢►‣∙o§\-–*\uf000-\uf0ff]\s/.test(text) : text.startsWith(mark + " ");
      lines.push(mark && !marked ? mark + " " + text : text);
      mark = "";
    };
    const visit = (node) => {
      if (node.nodeType === Node.TEXT_NODE) {
        line += node.data;
        return;
      }
      if (node.nodeType !== Node.ELEMENT_NODE || /^(HEAD|SCRIPT|STYLE|TEMPLATE|TITLE)$/.test(node.tagName)) return;
      if (node.tagName === "BR") return flush();
      if (node.tagName === "TABLE") {
        flush();
        lines.push("", ...pastedTable(node), "");
        return;
      }
      const block = HTML_BLOCK.test(node.tagName);
      if (block) flush();
      const own = block ? listMark(node) : "";
      if (own) mark = own;
      node.childNodes.forEach(visit);
      if (block) flush();
      if (own) mark = "";
    };
    root.childNodes.forEach(visit);
    flush();
    return lines;
  }

  // The bullet ("•") or number of a list item, or "" for other blocks. Word writes a list
  // paragraph's mark as text before a spacer span (font 7pt) inside a span marked
  // mso-list:Ignore; the mark is taken out of the paragraph here so it is not read twice.
  function listMark(node) {
    if (node.tagName === "LI") {
      const list = node.parentElement;
      if (!list || list.tagName !== "OL") return "•";
      const items = Array.from(list.children).filter((child) => child.tagName === "LI");
      const start = list.hasAttribute("start") ? parseInt(list.getAttribute("start"), 10) || 1 : 1;
      const n = node.hasAttribute("value") ? parseInt(node.getAttribute("value"), 10) || 1 : start + items.indexOf(node);
      return listNumber(n, list.getAttribute("type") || "1") + ".";
    }
    if (!/mso-list\s*:/i.test(node.getAttribute("style") || "")) return /MsoListParagraph/.test(node.className) ? "•" : "";
    const end = node.querySelector("[style*='mso-list:Ignore' i], [style*='mso-list: Ignore' i]") ||
      Array.from(node.querySelectorAll("span[style]")).find((span) => /font:\s*7(\.0)?pt/i.test(span.getAttribute("style")));
    if (!end) return "•";
    const range = node.ownerDocument.createRange();
    range.setStart(node, 0);
    range.setEndAfter(end);
    const mark = range.toString().replace(/\s+/g, "");
    range.deleteContents();
    return PASTED_NUMBER.test(mark) ? mark : "•";
  }

  function listNumber(n, type) {
    if (type === "a" || type === "A") {
      let letters = "";
      for (let k = n; k > 0; k = Math.floor((k - 1) / 26)) letters = String.fromCharCode(97 + ((k - 1) % 26)) + letters;
      return type === "A" ? letters.toUpperCase() : letters || String(n);
    }
    if (type === "i" || type === "I") {
      const numerals = [[1000, "m"], [900, "cm"], [500, "d"], [400, "cd"], [100, "c"], [90, "xc"], [50, "l"], [40, "xl"], [10, "x"], [9, "ix"], [5, "v"], [4, "iv"], [1, "i"]];
      let roman = "";
      let k = n;
      for (const [value, numeral] of numerals) for (; k >= value; k -= value) roman += numeral;
      return type === "I" ? roman.toUpperCase() : roman || String(n);
    }
    return String(n);
  }

  // An HTML table as rows of the same number of cells: a cell spanning columns or rows is
  // followed by empty cells, and a header row (in <thead>, or all <th>) is marked with a
  // row of dashes under it.
  function pastedTable(table) {
    const rows = Array.from(table.rows);
    const grid = rows.map(() => []);
    rows.forEach((tr, r) => {
      let c = 0;
      for (const cell of tr.cells) {
        while (grid[r][c] !== undefined) c++;
        const text = htmlLines(cell).join(" ");
        const across = Math.min(Math.max(cell.colSpan, 1), 50);
        const down = Math.min(Math.max(cell.rowSpan, 1), rows.length - r);
        for (let dr = 0; dr < down; dr++) {
          for (let dc = 0; dc < across; dc++) grid[r + dr][c + dc] = dr || dc ? "" : text;
        }
        c += across;
      }
    });
    const width = Math.max(0, ...grid.map((row) => row.length));
    const lines = grid.map((row) => tableRow(Array.from({ length: width }, (_, c) => row[c] || "")));
    const first = rows[0];
    if (first && rows.length > 1 && (first.parentElement.tagName === "THEAD" ||
        Array.from(first.cells).every((cell) => cell.tagName === "TH"))) {
      lines.splice(1, 0, tableRow(Array(width).fill("---")));
    }
    return width ? lines : [];
  }

  function pasteInto(event, textarea) {
    const data = event.clipboardData;
    if (!data) return;
    const html = data.getData("text/html");
    let raw = data.getData("text/plain");
    // Word's plain text puts the paragraphs of a table's cell on lines of their own, and a web
    // page's leaves out list marks: tables and lists are read from the HTML.
    if (html && (!raw || /<(table|li)[\s>]|mso-list\s*:/i.test(html))) raw = htmlToText(html) || raw;
    event.preventDefault();
    let text = cleanPaste(raw);
    // A table starts and ends a line, or the typed text around it would join its rows.
    const before = textarea.value.slice(0, textarea.selectionStart);
    const after = textarea.value.slice(textarea.selectionEnd);
    if (/^\|.*\|$/.test(text.split("\n")[0]) && before && !before.endsWith("\n")) text = "\n" + text;
    if (/^\|.*\|$/.test(text.split("\n").pop()) && after && !after.startsWith("\n")) text += "\n";
    textarea.setRangeText(text, textarea.selectionStart, textarea.selectionEnd, "end");
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  // --- conflicts and history -------------------------------------------------------------

  // Both changed the same words: the colleague's version beside this page's, which stays
  // live (typing goes on in the paragraph and shows here), the differences marked, kind and
  // speaker too; the first choice keeps both, so that nothing is lost by default.
  function renderConflict(st) {
    if (!st.node) return;
    const conflict = st.conflict;
    const theirs = conflict.current;
    const extra = st.node.querySelector(".assure-entry__extra");
    const key = st.key;
    const mine = el("textarea", { className: "govuk-textarea", rows: "4", readonly: true, id: "mine-" + key, "aria-describedby": "mine-hint-" + key });
    const other = el("textarea", { className: "govuk-textarea", rows: "4", readonly: true, id: "theirs-" + key });
    other.value = theirs.text;
    const rows = [];
    if (theirs.kind !== st.kind || conflict.clashing.includes("kind")) {
      rows.push(["Kind", KINDS[st.kind] || st.kind, KINDS[theirs.kind] || theirs.kind]);
    }
    if ((theirs.speaker_id || null) !== (st.speakerId || null) || conflict.clashing.includes("speaker_id")) {
      rows.push(["Speaker", describeSpeaker(st.speakerId) || "None", describeSpeaker(theirs.speaker_id) || "None"]);
    }
    const myLevel = st.kind === "assurance" ? st.assuranceLevel || null : null;
    if ((theirs.assurance_level || null) !== myLevel || conflict.clashing.includes("assurance_level")) {
      rows.push(["Level", LEVELS[myLevel] || "None", LEVELS[theirs.assurance_level] || "None"]);
    }
    const fields = rows.length ? el("table", { className: "govuk-table assure-conflict__fields" }, [
      el("caption", { className: "govuk-table__caption govuk-table__caption--s", text: "Also changed" }),
      el("thead", { className: "govuk-table__head" }, [el("tr", { className: "govuk-table__row" }, [
        el("th", { scope: "col", className: "govuk-table__header", text: "" }),
        el("th", { scope: "col", className: "govuk-table__header", text: "Yours" }),
        el("th", { scope: "col", className: "govuk-table__header", text: conflict.changedBy + "’s" }),
      ])]),
      el("tbody", { className: "govuk-table__body" }, rows.map((row) => el("tr", { className: "govuk-table__row" }, [
        el("th", { scope: "row", className: "govuk-table__header", text: row[0] }),
        el("td", { className: "govuk-table__cell", id: "mine-" + row[0].toLowerCase() + "-" + key, text: row[1] }),
        el("td", { className: "govuk-table__cell", id: "theirs-" + row[0].toLowerCase() + "-" + key, text: row[2] }),
      ]))),
    ]) : null;
    const box = el("div", { className: "assure-conflict", role: "alert" }, [
      el("h4", { className: "govuk-heading-s", text: conflict.changedBy + " changed this paragraph while you were typing" }),
      el("p", { className: "govuk-body", text: "You both changed the same words. Nothing has been overwritten, and you can go on typing in the paragraph above. Choose what to keep:" }),
      el("div", { className: "govuk-grid-row" }, [
        el("div", { className: "govuk-grid-column-one-half" }, [
          el("label", { className: "govuk-label govuk-label--s", for: "mine-" + key, text: "Your text" }),
          el("div", { className: "govuk-hint", id: "mine-hint-" + key, text: "As you are typing it now." }),
          mine]),
        el("div", { className: "govuk-grid-column-one-half" }, [
          el("label", { className: "govuk-label govuk-label--s", for: "theirs-" + key, text: conflict.changedBy + "’s text (version " + theirs.version + ")" }),
          other]),
      ]),
      el("p", { className: "govuk-body-s govuk-!-margin-bottom-1", text: "Where they differ (words only in yours are underlined, words only in theirs are struck through):" }),
      el("p", { className: "govuk-body assure-diff", id: "diff-" + key }),
      fields,
      el("div", { className: "govuk-button-group" }, [
        el("button", { type: "button", className: "govuk-button", "data-command": "keep-both", text: "Keep both (nothing is lost)" }),
        el("button", { type: "button", className: "govuk-button govuk-button--secondary", "data-command": "keep-mine", text: "Keep mine" }),
        el("button", { type: "button", className: "govuk-button govuk-button--secondary", "data-command": "keep-theirs", text: "Keep theirs" }),
      ]),
    ]);
    extra.replaceChildren(box);
    showDifferences(st);
    renderEntryState(st);
    showStatus();
  }

  // The conflict box's "Your text" and marked differences, as the paragraph is now.
  function showDifferences(st) {
    if (!st.node || !st.conflict) return;
    const mine = st.node.querySelector("#mine-" + CSS.escape(st.key));
    if (mine) mine.value = st.text;
    const view = st.node.querySelector("#diff-" + CSS.escape(st.key));
    if (!view) return;
    if (typeof diff_match_patch !== "function") {
      view.textContent = "";
      return;
    }
    const dmp = new diff_match_patch();
    const diffs = dmp.diff_main(st.conflict.current.text, st.text);
    dmp.diff_cleanupSemantic(diffs);
    view.replaceChildren(...diffs.map((diff) => {
      const op = diff[0];
      const text = diff[1];
      if (op === 0) return document.createTextNode(text);
      return el(op > 0 ? "ins" : "del", { className: op > 0 ? "assure-diff__mine" : "assure-diff__theirs" }, [
        el("span", { className: "govuk-visually-hidden", text: op > 0 ? " [only in yours: " : " [only in theirs: " }),
        text,
        el("span", { className: "govuk-visually-hidden", text: "] " }),
      ]);
    }));
  }

  function resolveConflict(st, choice) {
    const conflict = st.conflict;
    const theirs = conflict.current;
    st.conflict = null;
    st.version = theirs.version;
    st.acked = serverContent(theirs);
    if (choice === "theirs") {
      st.text = theirs.text;
      st.kind = theirs.kind;
      st.speakerId = theirs.speaker_id;
      st.assuranceLevel = theirs.assurance_level || null;
    } else if (choice === "both") {
      // The server's proposal keeps each clashing passage twice (yours, then theirs) and
      // every other change once; what was typed since the clash is carried onto it.
      const proposal = conflict.proposal || { text: theirs.text + "\n" + conflict.sent, kind: st.kind, speaker_id: st.speakerId };
      st.text = carryOver(conflict.sent, st.text, proposal.text);
      // Kind and speaker as merged, unless changed on this page since.
      if (st.kind === conflict.sentBody.kind) st.kind = proposal.kind;
      if ((st.speakerId || null) === (conflict.sentBody.speaker_id || null)) st.speakerId = proposal.speaker_id;
      if ((st.assuranceLevel || null) === (conflict.sentBody.assurance_level || null) &&
          proposal.assurance_level !== undefined) st.assuranceLevel = proposal.assurance_level;
    }
    // The level a paragraph of another kind keeps is none (the server refuses one).
    if (st.kind !== "assurance") st.assuranceLevel = null;
    st.node.querySelector(".assure-entry__extra").replaceChildren();
    st.node.querySelector(".assure-entry__kind").value = st.kind;
    showLevel(st);
    st.node.querySelector(".assure-entry__speaker").value = speakerLabel(st.speakerId);
    st.node.querySelector(".assure-entry__who").textContent = describeSpeaker(st.speakerId);
    const textarea = st.node.querySelector(".assure-entry__text");
    textarea.value = st.text;
    grow(textarea);
    changed(st);
    renderEntryState(st);
    textarea.focus();
  }

  // A colleague deleted the paragraph this page was changing: its words are offered back.
  function renderDeleted(st) {
    if (!st.node) return;
    const when = st.deleted.at ? " at " + clock(new Date(st.deleted.at)) : "";
    st.node.querySelector(".assure-entry__extra").replaceChildren(el("div", { className: "assure-conflict", role: "alert" }, [
      el("h4", { className: "govuk-heading-s", text: (st.deleted.by || "A colleague") + " deleted this paragraph" + when }),
      el("p", { className: "govuk-body", text: "Your text is kept on this device. Put it back as a new paragraph, or let it go." }),
      el("div", { className: "govuk-button-group" }, [
        el("button", { type: "button", className: "govuk-button", "data-command": "put-back", text: "Put my text back as a new paragraph" }),
        el("button", { type: "button", className: "govuk-button govuk-button--secondary", "data-command": "let-go", text: "Let it go" }),
      ]),
    ]));
    renderEntryState(st);
    showStatus();
  }

  function settleDeleted(st, putBack) {
    const item = itemsById.get(st.itemId);
    const index = item.entryKeys.indexOf(st.key);
    item.entryKeys.splice(index, 1);
    entries.delete(st.key);
    storage.remove("e:" + st.key);
    let next = null;
    if (putBack) {
      next = makeState({
        key: newClientId(), itemId: st.itemId, kind: st.kind, speakerId: st.speakerId,
        questionId: st.questionId, assuranceLevel: st.assuranceLevel, text: st.text,
      });
      entries.set(next.key, next);
      item.entryKeys.splice(index, 0, next.key);
    }
    if (item === currentItem()) renderItem();
    showStatus();
    if (next) {
      changed(next);
      focusEntry(next.key, true);
      notice("Your text is back as a new paragraph; saving now.");
    } else {
      notice("The paragraph stays deleted.");
    }
  }

  async function showHistory(st) {
    if (!st || !st.id) {
      notice("This paragraph has not been saved yet, so it has no saved versions.");
      return;
    }
    const extra = st.node.querySelector(".assure-entry__extra");
    // The list comes a page at a time; follow `next` until every version is in.
    const revisions = [];
    let page = "/api/v1/entries/" + st.id + "/revisions?limit=500";
    let result = { status: 0 };
    while (page) {
      result = await api("GET", page).catch(() => ({ status: 0 }));
      if (result.status !== 200) break;
      revisions.push(...result.data.results);
      page = result.data.next;
    }
    if (result.status !== 200) {
      notice("The saved versions cannot be shown now (no connection).");
      return;
    }
    const list = el("ol", { className: "govuk-list assure-history" });
    for (const revision of revisions.slice().reverse()) {
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
    // An answer follows the question paragraph just above it: linked to that paragraph's
    // prepared question if it has one (an ad hoc question has none), said by the person that
    // paragraph says the question was put to.
    const asked = kind === "answer" && !st.questionId ? lastQuestionEntry(item) : null;
    if (asked) st.questionId = asked.questionId || null;
    if (!st.speakerId) st.speakerId = defaultSpeaker(kind, item, st);
    if (asked && !st.text && st.speakerId) st.text = answerPrefix(personNamed(st.speakerId, true));
    entries.set(st.key, st);
    const at = currentKey && item.entryKeys.includes(currentKey) ? item.entryKeys.indexOf(currentKey) + 1 : item.entryKeys.length;
    item.entryKeys.splice(at, 0, st.key);
    renderItem();
    syncWording(st);
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
    if (kind === "answer") return addresseeOf(lastQuestionEntry(item), item);
    return null;
  }

  // The question paragraph just above where a new paragraph goes, prepared or not.
  function lastQuestionEntry(item) {
    const upto = currentKey && item.entryKeys.includes(currentKey) ? item.entryKeys.indexOf(currentKey) : item.entryKeys.length - 1;
    for (let i = upto; i >= 0; i -= 1) {
      const st = entries.get(item.entryKeys[i]);
      if (st.kind === "question") return st;
    }
    return null;
  }

  // Whom a question paragraph was put to: the person its words name ("… asked the CC …"),
  // else its prepared question's addressee.
  function addresseeOf(asked, item) {
    if (!asked) return null;
    const said = /\basked (?:the )?([^\s,.:;?!]+)/i.exec(asked.text);
    if (said) {
      const named = personByWord(said[1]);
      if (named) return named.id;
    }
    const question = asked.questionId ? (item.questions || []).find((q) => q.id === asked.questionId) : null;
    return (question && question.addressed_to_id) || null;
  }

  // The one person known by this role abbreviation or these initials ("CC", "NA"), or null.
  function personByWord(word) {
    const value = word.toLowerCase();
    const found = people.filter((p) => [p.abbreviation, p.label, p.initials].some((known) => (known || "").toLowerCase() === value));
    return found.length === 1 ? found[0] : null;
  }

  // The words the page starts a question or an answer with. While a paragraph still starts
  // with them exactly as the page wrote them, a change of speaker rewrites them; once the
  // officer has edited them they are the officer's.
  function answerPrefix(named) {
    return named + " responded that ";
  }

  function questionPrefix(asker, addressee) {
    return asker + " asked " + addressee + " if ";
  }

  function respeakPrefix(st, before) {
    const was = personNamed(before, true);
    const now = personNamed(st.speakerId, true);
    if (!was || !now || was === now) return;
    let text = null;
    if (st.kind === "answer" && st.text.startsWith(answerPrefix(was))) {
      text = answerPrefix(now) + st.text.slice(answerPrefix(was).length);
    } else if (st.kind === "question" && st.text.startsWith(was + " asked ")) {
      text = now + st.text.slice(was.length);
    }
    if (text === null) return;
    st.text = text;
    const textarea = st.node.querySelector(".assure-entry__text");
    textarea.value = text;
    grow(textarea);
  }

  function askQuestion(number) {
    const item = currentItem();
    const question = (item.questions || [])[number - 1];
    if (!question || locked) return;
    const asker = personNamed(question.asked_by_id, true) || "The PCC";
    const addressee = personNamed(question.addressed_to_id, false) || "the CC";
    question.status = "asked";
    addEntry("question", {
      questionId: question.id,
      speakerId: question.asked_by_id,
      text: questionPrefix(asker, addressee),
    });
  }

  // A paragraph started from a prepared question offers the question's own words for as long
  // as nothing is written after the page's prefix: Tab (or the button) puts them in, so Tab
  // never replaces the officer's words and moves on as usual once they type.
  const OFFERED = /^(.+?) asked (.+) if $/;

  function wordingOffered(st) {
    if (!st || locked || st.kind !== "question" || !st.questionId || !OFFERED.test(st.text)) return null;
    const item = itemsById.get(st.itemId);
    return (item.questions || []).find((q) => q.id === st.questionId) || null;
  }

  function syncWording(st) {
    if (!st || !st.node) return;
    const question = wordingOffered(st);
    const shown = st.node.querySelector(".assure-wording");
    const textarea = st.node.querySelector(".assure-entry__text");
    const id = "wording-" + st.key;
    const described = (textarea.getAttribute("aria-describedby") || "").split(" ").filter((x) => x && x !== id);
    if (!question) {
      if (shown) shown.remove();
      textarea.setAttribute("aria-describedby", described.join(" "));
      return;
    }
    if (shown) return;
    const use = el("button", { type: "button", className: "govuk-button govuk-button--secondary assure-small-button" }, ["Use this wording"]);
    use.addEventListener("click", () => {
      acceptWording(st);
    });
    textarea.after(el("div", { className: "assure-wording", id: id }, [
      el("p", { className: "govuk-body-s govuk-!-margin-bottom-1" }, [el("strong", { text: "Prepared wording: " }), question.text]),
      el("p", { className: "govuk-body-s govuk-!-margin-bottom-0" }, [
        "Press ", el("span", { className: "assure-key", text: "Tab" }), " to use it, or type your own words. ", use,
      ]),
    ]));
    textarea.setAttribute("aria-describedby", described.concat([id]).join(" "));
  }

  function acceptWording(st) {
    const question = wordingOffered(st);
    if (!question) return false;
    const start = OFFERED.exec(st.text);
    st.text = start[1] + " asked " + start[2] + ": " + question.text.trim();
    const textarea = st.node.querySelector(".assure-entry__text");
    textarea.value = st.text;
    grow(textarea);
    textarea.focus();
    textarea.setSelectionRange(st.text.length, st.text.length);
    changed(st);
    renderEntryState(st);
    syncWording(st);
    return true;
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
    if (st.id) goneHere.set(st.id, Date.now());
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
      st.ackedAt = Date.now();
      goneHere.delete(st.id);
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
  const attendStatuses = [["", "Not recorded"], ["expected", "Invited"], ["present", "Present"], ["substitute", "Substitute"], ["in_attendance", "In attendance for items"], ["apologies", "Apologies"], ["absent", "Absent"]];
  const attendSearch = document.getElementById("attend-search");
  const attendFound = document.getElementById("attend-found");
  // The panel's people: the series' usual attendees and anyone recorded (from the server),
  // then whoever is added by typing a name.
  let attendRows = [];

  function itemNumbers() {
    const found = new Map();
    const walk = (items) => {
      for (const item of items) {
        found.set(item.id, item.number);
        walk(item.children || []);
      }
    };
    walk(state.items);
    return found;
  }

  function numbersText(ids) {
    const numbers = itemNumbers();
    const list = (ids || []).filter((id) => numbers.has(id)).map((id) => numbers.get(id));
    return list.length > 1 ? list.slice(0, -1).join(", ") + " and " + list[list.length - 1] : list.join("");
  }

  // "4 and 5", "2.1, 2.2" as item ids; null (and a notice) for a number not on the agenda.
  function itemIds(text, name) {
    const byNumber = new Map([...itemNumbers()].map(([id, number]) => [number, id]));
    const words = text.toLowerCase().split(/[\s,;&/]+|\band\b/).map((w) => w.replace(/^items?/, "").replace(/\.$/, "")).filter(Boolean);
    const ids = [];
    for (const word of words) {
      if (!byNumber.has(word)) {
        notice("Attendance not saved: there is no item " + word + " on this meeting's agenda (" + name + "). Give the items' numbers, like 4 and 5.");
        return null;
      }
      ids.push(byNumber.get(word));
    }
    return ids;
  }

  function attendanceRow(row, recorded) {
    const id = row.person_id;
    const select = el("select", { className: "govuk-select", id: "attend-" + id, "data-person": id });
    for (const [value, label] of attendStatuses) {
      select.append(el("option", { value: value, selected: ((recorded && recorded.status) || row.status || "") === value }, [label]));
    }
    const capacity = el("input", { className: "govuk-input", type: "text", id: "attend-capacity-" + id, value: recorded ? recorded.capacity : row.capacity || "" });
    const substitute = el("select", { className: "govuk-select", id: "attend-for-" + id });
    substitute.append(el("option", { value: "" }, ["Nobody"]));
    const chosenFor = recorded ? recorded.substitute_for_id : null;
    const names = new Map(attendRows.map((r) => [r.person_id, r.name]));
    if (chosenFor && !names.has(chosenFor)) names.set(chosenFor, (peopleById.get(chosenFor) || {}).name || "Person " + chosenFor);
    for (const [other, name] of names) {
      if (other !== id) substitute.append(el("option", { value: other, selected: other === chosenFor }, [name]));
    }
    const items = el("input", { className: "govuk-input govuk-input--width-5", type: "text", id: "attend-items-" + id, spellcheck: "false", value: recorded ? numbersText(recorded.item_ids) : "" });
    // Whom a substitute came for and the items someone came for are asked only of them: the
    // fields are off (and out of the Tab order) for everyone else.
    const enable = () => {
      substitute.disabled = select.value !== "substitute";
      items.disabled = select.value !== "in_attendance";
    };
    select.addEventListener("change", enable);
    enable();
    const cell = (child, label) => el("td", { className: "govuk-table__cell" }, [
      el("label", { className: "govuk-label govuk-visually-hidden", for: child.id, text: label + ": " + row.name }), child]);
    return el("tr", { className: "govuk-table__row", "data-person": id }, [
      el("th", { scope: "row", className: "govuk-table__header" }, [
        el("label", { className: "govuk-label", for: "attend-" + id, text: row.name }),
      ]),
      el("td", { className: "govuk-table__cell" }, [select]),
      cell(capacity, "Capacity"),
      cell(substitute, "Substitute for"),
      cell(items, "For items"),
    ]);
  }

  function openAttendance() {
    const rows = document.getElementById("attendance-rows");
    const current = new Map(state.attendance.map((a) => [a.person_id, a]));
    attendRows = state.attendance_rows.map((r) => Object.assign({}, r));
    rows.replaceChildren(...attendRows.map((row) => attendanceRow(row, current.get(row.person_id))));
    if (!attendRows.length) {
      rows.append(el("tr", { className: "govuk-table__row", id: "attend-nobody" }, [
        el("td", { className: "govuk-table__cell", colspan: 5 }, ["Nobody is on the list yet: find the people who came."])]));
    }
    attendSearch.value = "";
    showFound();
    attendancePanel.hidden = false;
    // Nobody usual or recorded yet (a new series): straight to finding them.
    (rows.querySelector("select") || attendSearch).focus();
  }

  // Results as you type, from the people directory the page already holds.
  function showFound() {
    const words = attendSearch.value.trim().toLowerCase();
    const listed = new Set(attendRows.map((r) => r.person_id));
    const count = document.getElementById("attend-found-count");
    if (!words) {
      attendFound.replaceChildren();
      count.textContent = "";
      return;
    }
    const matches = people.filter((p) => !listed.has(p.id) && [p.name, p.initials, p.title, p.abbreviation].some((v) => (v || "").toLowerCase().includes(words)));
    attendFound.replaceChildren(...matches.slice(0, 10).map((p) => el("li", {}, [
      el("button", { type: "button", className: "govuk-button govuk-button--secondary govuk-!-margin-bottom-1", "data-add": p.id }, ["Add " + p.name + (p.title ? ", " + p.title : "")]),
    ])));
    count.textContent = matches.length === 0 ? "Nobody else matches." : matches.length > 10 ? matches.length + " people match; the first 10 are shown." : matches.length + (matches.length === 1 ? " person matches." : " people match.");
    count.classList.toggle("govuk-visually-hidden", matches.length !== 0 && matches.length <= 10);
  }

  attendSearch.addEventListener("input", showFound);
  attendSearch.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      const first = attendFound.querySelector("button");
      if (first) addAttendee(peopleById.get(Number(first.dataset.add)), attendSearch);
    }
  });
  attendFound.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-add]");
    if (button) addAttendee(peopleById.get(Number(button.dataset.add)), null);
  });

  // Someone found joins the list as present; typing a name and Enter keeps the focus in the
  // search, so that several can be added in a row; the Add button goes to their row.
  function addAttendee(person, stay) {
    const row = { person_id: person.id, name: person.name, usual: false, capacity: person.capacity, status: "present" };
    attendRows.push(row);
    const nobody = document.getElementById("attend-nobody");
    if (nobody) nobody.remove();
    document.getElementById("attendance-rows").append(attendanceRow(row, null));
    for (const select of attendancePanel.querySelectorAll("select[id^='attend-for-']")) {
      const owner = Number(select.id.slice("attend-for-".length));
      if (owner !== person.id) select.append(el("option", { value: person.id }, [person.name]));
    }
    attendSearch.value = "";
    showFound();
    (stay || document.getElementById("attend-" + person.id)).focus();
    notice(person.name + " added to the attendance, as present.");
  }

  function closePanels() {
    attendancePanel.hidden = true;
    if (currentKey) focusEntry(currentKey, false);
    else panel.focus();
  }

  document.getElementById("attendance-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = [];
    for (const row of attendRows) {
      const id = row.person_id;
      const status = document.getElementById("attend-" + id).value;
      if (!status) continue;
      const sent = { person_id: id, status: status, capacity: document.getElementById("attend-capacity-" + id).value.trim() };
      if (status === "substitute") {
        const chosen = document.getElementById("attend-for-" + id).value;
        if (!chosen) {
          notice("Attendance not saved: choose whom " + row.name + " is a substitute for.");
          document.getElementById("attend-for-" + id).focus();
          return;
        }
        sent.substitute_for_id = Number(chosen);
      }
      if (status === "in_attendance") {
        const ids = itemIds(document.getElementById("attend-items-" + id).value, row.name);
        if (ids === null) {
          document.getElementById("attend-items-" + id).focus();
          return;
        }
        sent.item_ids = ids;
      }
      body.push(sent);
    }
    const result = await api("PUT", "/api/v1/meetings/" + meetingId + "/attendance", body).catch(() => ({ status: 0 }));
    if (result.status !== 200) {
      notice(result.status === 0 ? "Attendance not saved (no connection). Try again." : describeError(result));
      return;
    }
    state.attendance = result.data.map((a) => ({ person_id: a.person_id, status: a.status, capacity: a.capacity, substitute_for_id: a.substitute_for_id, item_ids: a.item_ids }));
    const usual = new Set(attendRows.map((r) => r.person_id));
    state.attendance_rows = attendRows.filter((r) => result.data.some((a) => a.person_id === r.person_id) || r.usual);
    for (const a of result.data) {
      if (!usual.has(a.person_id)) state.attendance_rows.push({ person_id: a.person_id, name: a.full_name, usual: false, capacity: a.capacity });
    }
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

  // --- single-key shortcuts: on or off, and which key does what (WCAG 2.1.4) -------------

  // The commands a character key starts. The officer may change each key, or turn them all off,
  // for this browser; the arrow keys, Enter, Delete and Esc type nothing and always work.
  const SHORTCUTS = [
    { command: "narrative", key: "n", what: "New paragraph (narrative)" },
    { command: "question", key: "q", what: "New question" },
    { command: "answer", key: "a", what: "New answer (follows the question above it)" },
    { command: "decision", key: "d", what: "New decision" },
    { command: "assurance", key: "s", what: "New assurance statement" },
    { command: "action", key: "t", what: "New action" },
    { command: "speaker", key: "p", what: "Change the speaker: what you type replaces it, e.g. DCC or NA" },
    { command: "level", key: "l", what: "Choose the level of an assurance statement: then A (assured), P (partially assured) or N (not assured)" },
    { command: "edit", key: "e", what: "Back into the paragraph's text (Enter does the same)" },
    { command: "next", key: "j", what: "Next paragraph (↓ does the same)" },
    { command: "previous", key: "k", what: "Previous paragraph (↑ does the same)" },
    { command: "down", key: "J", what: "Move the paragraph down (Shift + ↓ does the same)" },
    { command: "up", key: "K", what: "Move the paragraph up (Shift + ↑ does the same)" },
    { command: "nextItem", key: "]", what: "Next agenda item" },
    { command: "previousItem", key: "[", what: "Previous agenda item" },
    { command: "delete", key: "x", what: "Delete the paragraph (Delete does the same)" },
    { command: "undo", key: "u", what: "Undo the last delete" },
    { command: "history", key: "h", what: "Saved versions of the paragraph" },
    { command: "attendance", key: "r", what: "Attendance and apologies" },
    { command: "help", key: "?", what: "Show or hide these shortcuts" },
  ];
  const SHORTCUTS_STORE = "assure-shortcuts";

  function usualKeys() {
    const keys = {};
    for (const shortcut of SHORTCUTS) keys[shortcut.command] = shortcut.key;
    return keys;
  }

  // What is wrong with a choice of keys: [{ command, message }], empty when nothing is.
  function shortcutProblems(keys) {
    const problems = [];
    const taken = new Map();
    for (const shortcut of SHORTCUTS) {
      const key = keys[shortcut.command];
      let message = null;
      if (typeof key !== "string" || Array.from(key).length !== 1) {
        message = "Enter one key for “" + shortcut.what + "”";
      } else if (/\s/.test(key)) {
        message = "A space cannot be a shortcut: choose a letter or a symbol for “" + shortcut.what + "”";
      } else if (/[0-9]/.test(key)) {
        message = "The numbers start prepared questions: choose a letter or a symbol for “" + shortcut.what + "”";
      } else if (taken.has(key)) {
        message = key + " is already the key for “" + taken.get(key).what + "”: choose another for “" + shortcut.what + "”";
      }
      if (message) problems.push({ command: shortcut.command, message: message });
      else taken.set(key, shortcut);
    }
    return problems;
  }

  function loadShortcuts() {
    try {
      const saved = JSON.parse(localStorage.getItem(SHORTCUTS_STORE) || "null");
      if (saved && typeof saved === "object") {
        const keys = usualKeys();
        for (const command of Object.keys(keys)) {
          if (saved.keys && typeof saved.keys[command] === "string") keys[command] = saved.keys[command];
        }
        return { on: saved.on !== false, keys: shortcutProblems(keys).length ? usualKeys() : keys };
      }
    } catch (error) {
      /* the usual keys */
    }
    return { on: true, keys: usualKeys() };
  }

  let shortcuts = loadShortcuts();

  function shortcutFor(key) {
    if (!shortcuts.on) return null;
    const found = SHORTCUTS.find((shortcut) => shortcuts.keys[shortcut.command] === key);
    return found ? found.command : null;
  }

  // The help box lists the keys in use; the keys shown on the page's buttons follow them.
  function renderShortcutHelp() {
    const list = document.getElementById("shortcut-list");
    if (!list) return;
    const row = (keys, what) => el("div", { className: "govuk-summary-list__row" }, [
      el("dt", { className: "govuk-summary-list__key" }, keys),
      el("dd", { className: "govuk-summary-list__value", text: what }),
    ]);
    const key = (text, command) => el("span", { className: "assure-key", "data-shortcut": command || null, text: text });
    const rows = [];
    if (shortcuts.on) {
      for (const shortcut of SHORTCUTS) rows.push(row([key(shortcuts.keys[shortcut.command], shortcut.command)], shortcut.what));
      rows.push(row([key("1 – 9")], "Mark a prepared question as asked and start its paragraph"));
    }
    rows.push(row([key("↑"), " ", key("↓")], "Previous or next paragraph"));
    rows.push(row([key("Shift"), " + ", key("↑"), " ", key("↓")], "Move the paragraph up or down"));
    rows.push(row([key("Enter")], "Back into the paragraph's text"));
    rows.push(row([key("Delete")], "Delete the paragraph"));
    list.replaceChildren(...rows);
    document.getElementById("shortcuts-off").hidden = shortcuts.on;
    showKeys(app);
  }

  // The keys shown on the page: on the buttons and in the hints, or none when turned off.
  function showKeys(root) {
    for (const span of root.querySelectorAll("[data-command=add][data-kind] > .assure-key")) {
      span.dataset.shortcut = span.parentNode.dataset.kind;
    }
    for (const span of root.querySelectorAll("[data-command=action] > .assure-key")) span.dataset.shortcut = "action";
    for (const span of root.querySelectorAll(".assure-key[data-shortcut]")) {
      const key = shortcuts.keys[span.dataset.shortcut];
      if (span.closest("#shortcut-list")) continue;
      if (key && span.textContent !== key) span.textContent = key;
      span.hidden = !shortcuts.on;
    }
    for (const span of root.querySelectorAll(".assure-question > .assure-key")) span.hidden = !shortcuts.on;
    const agendaKeys = document.getElementById("agenda-keys");
    if (agendaKeys) agendaKeys.hidden = !shortcuts.on;
    const hints = [
      [".assure-empty", shortcuts.on ? "No paragraphs yet. Press " + shortcuts.keys.narrative + " to start one, or choose below." : "No paragraphs yet. Choose below to start one."],
      [".assure-actions > p.govuk-body-s", shortcuts.on ? "None yet. Press " + shortcuts.keys.action + " to raise one." : "None yet. Choose “Action” above to raise one.", "None yet."],
      [".assure-questions-box > p.govuk-body-s", shortcuts.on ? "Press a question's number, or its Ask button, to mark it as asked and start its paragraph." : "Choose a question's Ask button to mark it as asked and start its paragraph."],
    ];
    for (const [selector, text, startsWith] of hints) {
      for (const hint of root.querySelectorAll(selector)) {
        if (startsWith && !hint.textContent.startsWith(startsWith)) continue;
        if (hint.textContent !== text) hint.textContent = text;
      }
    }
  }

  // Every prepared question gets an Ask button: the way in without the number keys.
  function addAskButtons(root) {
    if (locked) return;
    root.querySelectorAll(".assure-question").forEach((question, index) => {
      if (question.querySelector("[data-ask]")) return;
      question.append(" ", el("button", {
        type: "button", className: "govuk-button govuk-button--secondary assure-small-button", "data-ask": String(index + 1),
      }, ["Ask", el("span", { className: "govuk-visually-hidden", text: " question " + (index + 1) })]));
    });
  }

  // The item panel is drawn afresh for each item and each new paragraph: mark it up each time.
  new MutationObserver(() => {
    addAskButtons(panel);
    showKeys(panel);
  }).observe(panel, { childList: true });

  panel.addEventListener("click", (event) => {
    const ask = event.target.closest("[data-ask]");
    if (ask) askQuestion(Number(ask.dataset.ask));
  });

  // The offer of a prepared question's wording follows the text, and is back when the
  // paragraph is drawn again and visited.
  panel.addEventListener("input", (event) => {
    const entry = event.target.closest && event.target.closest(".assure-entry");
    if (entry && event.target.classList.contains("assure-entry__text")) syncWording(entries.get(entry.dataset.key));
  });
  panel.addEventListener("focusin", (event) => {
    const entry = event.target.closest && event.target.closest(".assure-entry");
    if (entry) syncWording(entries.get(entry.dataset.key));
  });

  function renderShortcutSettings() {
    const form = document.getElementById("shortcut-settings");
    if (!form) return;
    const fields = document.getElementById("shortcut-keys");
    fields.replaceChildren(...SHORTCUTS.map((shortcut) => {
      const id = "shortcut-" + shortcut.command;
      return el("div", { className: "govuk-form-group assure-shortcut-key" }, [
        el("label", { className: "govuk-label govuk-body-s", for: id, text: shortcut.what }),
        el("p", { className: "govuk-error-message", id: id + "-error", hidden: true }),
        el("input", {
          className: "govuk-input govuk-input--width-2", id: id, name: shortcut.command, type: "text",
          maxlength: "1", autocomplete: "off", autocapitalize: "off", spellcheck: "false", "aria-describedby": "shortcut-keys-hint",
        }),
      ]);
    }));
    fillShortcutSettings(shortcuts);
    fields.addEventListener("focusin", (event) => {
      if (event.target.matches("input")) event.target.select();
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      saveShortcutSettings(form);
    });
    document.getElementById("shortcuts-usual").addEventListener("click", () => {
      fillShortcutSettings({ on: document.getElementById("shortcuts-on").checked, keys: usualKeys() });
    });
  }

  function fillShortcutSettings(chosen) {
    document.getElementById("shortcuts-on").checked = chosen.on;
    for (const shortcut of SHORTCUTS) document.getElementById("shortcut-" + shortcut.command).value = chosen.keys[shortcut.command];
  }

  function saveShortcutSettings(form) {
    const chosen = { on: document.getElementById("shortcuts-on").checked, keys: {} };
    for (const shortcut of SHORTCUTS) chosen.keys[shortcut.command] = document.getElementById("shortcut-" + shortcut.command).value;
    const problems = shortcutProblems(chosen.keys);
    const summary = document.getElementById("shortcut-errors");
    for (const shortcut of SHORTCUTS) {
      const id = "shortcut-" + shortcut.command;
      const problem = problems.find((p) => p.command === shortcut.command);
      const input = document.getElementById(id);
      const message = document.getElementById(id + "-error");
      input.closest(".govuk-form-group").classList.toggle("govuk-form-group--error", !!problem);
      input.classList.toggle("govuk-input--error", !!problem);
      message.hidden = !problem;
      message.replaceChildren(...(problem ? [el("span", { className: "govuk-visually-hidden", text: "Error: " }), problem.message] : []));
      input.setAttribute("aria-describedby", problem ? id + "-error shortcut-keys-hint" : "shortcut-keys-hint");
    }
    if (problems.length) {
      summary.querySelector("ul").replaceChildren(...problems.map((p) => el("li", {}, [
        el("a", { href: "#shortcut-" + p.command, text: p.message }),
      ])));
      summary.hidden = false;
      summary.focus();
      return;
    }
    summary.hidden = true;
    try {
      localStorage.setItem(SHORTCUTS_STORE, JSON.stringify(chosen));
    } catch (error) {
      notice("This browser cannot keep the shortcuts (its storage is full or off): they last until the page is closed.");
    }
    shortcuts = chosen;
    renderShortcutHelp();
    notice(chosen.on ? "Shortcuts saved for this browser." : "Shortcuts saved for this browser: single-key shortcuts are off.");
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
      } else if (event.key === "Tab" && !event.shiftKey && !event.ctrlKey && !event.metaKey && !event.altKey) {
        if (acceptWording(entries.get(target.closest(".assure-entry").dataset.key))) event.preventDefault();
      }
      return;
    }
    if (target.classList && target.classList.contains("assure-entry__level") && event.key === "Enter") {
      // The level chosen: back to the statement's text.
      event.preventDefault();
      focusEntry(target.closest(".assure-entry").dataset.key, true);
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
    const next = () => {
      if (keys.length) focusEntry(keys[Math.min(at + 1, keys.length - 1)], false);
    };
    const previous = () => {
      if (keys.length) focusEntry(keys[Math.max(at - 1, 0)], false);
    };
    let handled = true;
    // Keys that type no character work whether or not the single-key shortcuts are on.
    switch (event.key) {
      case "ArrowDown":
        if (event.shiftKey) moveEntry(1);
        else next();
        break;
      case "ArrowUp":
        if (event.shiftKey) moveEntry(-1);
        else previous();
        break;
      case "Enter":
        if (!onEntry) handled = false;
        else if (currentKey) focusEntry(currentKey, true);
        break;
      case "Delete":
        deleteEntry();
        break;
      default:
        handled = runShortcut(event.key, { next: next, previous: previous });
    }
    if (handled) event.preventDefault();
  });

  // A character key's command, when single-key shortcuts are on; whether there was one.
  function runShortcut(key, moves) {
    if (!shortcuts.on) return false;
    const command = shortcutFor(key);
    switch (command) {
      case "narrative": case "question": case "answer": case "decision": case "assurance":
        addEntry(command);
        break;
      case "action":
        openActionForm();
        break;
      case "next":
        moves.next();
        break;
      case "previous":
        moves.previous();
        break;
      case "down":
        moveEntry(1);
        break;
      case "up":
        moveEntry(-1);
        break;
      case "nextItem":
        goToItem(currentIndex + 1);
        break;
      case "previousItem":
        goToItem(currentIndex - 1);
        break;
      case "edit":
        if (currentKey) focusEntry(currentKey, true);
        break;
      case "speaker":
        if (currentKey) selectSpeaker(entries.get(currentKey));
        break;
      case "level":
        if (currentKey) selectLevel(entries.get(currentKey));
        break;
      case "delete":
        deleteEntry();
        break;
      case "undo":
        undoDelete();
        break;
      case "history":
        showHistory(entries.get(currentKey));
        break;
      case "attendance":
        openAttendance();
        break;
      case "help": {
        const box = document.getElementById("shortcuts");
        box.open = !box.open;
        break;
      }
      default:
        if (/^[1-9]$/.test(key)) askQuestion(Number(key));
        else return false;
    }
    return true;
  }

  // `p`: the speaker field with its text selected, so what is typed replaces it.
  function selectSpeaker(st) {
    if (!st || !st.node) return;
    const input = st.node.querySelector(".assure-entry__speaker");
    input.focus();
    input.select();
  }

  renderShortcutSettings();
  renderShortcutHelp();

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
      else if (command === "keep-both") resolveConflict(st, "both");
      else if (command === "keep-mine") resolveConflict(st, "mine");
      else if (command === "keep-theirs") resolveConflict(st, "theirs");
      else if (command === "put-back") settleDeleted(st, true);
      else if (command === "let-go") settleDeleted(st, false);
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
    const typed = {
      text: kept.text, kind: kept.kind, speaker_id: kept.speakerId, question_id: kept.questionId,
      assurance_level: kept.kind === "assurance" ? kept.assuranceLevel || null : null,
    };
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
      st = makeState({ key: kept.key, itemId: kept.itemId, kind: kept.kind, speakerId: kept.speakerId, questionId: kept.questionId, assuranceLevel: kept.assuranceLevel || null });
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
    st.text = String(kept.text || "").normalize("NFC");
    st.kind = kept.kind;
    st.speakerId = kept.speakerId;
    st.questionId = kept.questionId;
    st.assuranceLevel = kept.assuranceLevel || null;
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
  if (!locked) setInterval(poll, POLL);
})();
