// A session that ends never takes a word with it (loaded by templates/base.html on every page).
//
// 1. The warning before the idle limit (WCAG 2.2.1 Timing adjustable). A signed-in page's
//    <body> says whose session it is, the idle limit and the seconds left
//    (data-session-user, -idle-seconds, -seconds-left, -ends-by; app/web/templating.py).
//    Shortly before the end (2 minutes, or a fifth of the limit when it is short) the page
//    asks the server how long is really left (GET /session/status, which is not activity:
//    saves from the Take minutes page or another tab may have kept the session going) and
//    only then shows a dialog: "You will be signed out in 2 minutes because you have not done
//    anything", with "Stay signed in" (POST /session/keep-alive, the only request this script
//    makes that counts as activity, and only when the user chose it). When the session has
//    ended, the dialog says so and offers to sign in again, back to this page.
//
// 2. What was typed in a form survives signing in again. The values of every POST form with
//    text fields are kept in this tab's sessionStorage as they are typed (key: the page's
//    path, the form's action, and the form's id or place among forms with that action),
//    never a password, a code, a CSRF token, a file or a hidden field; a form with a password
//    or a one-time code, or marked data-keep-typed="off", is not kept at all. A sign-in page
//    marks what is kept as interrupted; the next time the same form is shown to the same
//    user, what they had typed is put back with a notice. A form sent is forgotten once the
//    next page shows it went through (a redirect, or a page without the form); a form left
//    without sending it is forgotten on the next page; signing out forgets everything.
//
// The Take minutes page keeps its paragraphs itself (assure-minutes.js) and has no POST form.
(function () {
  "use strict";

  const body = document.body;
  const PREFIX = "assure-draft:";
  const MAX_AGE_MS = 12 * 3600 * 1000; // the longest a session lasts (ASSURE_SESSION_MAX_HOURS)
  const onSignInPage = /^\/sign-in(\/|$)/.test(location.pathname);
  const user = body.dataset.sessionUser || "";

  // --- keeping what is typed -------------------------------------------------------------

  function store() {
    try {
      return window.sessionStorage;
    } catch (error) {
      return null; // storage turned off: nothing is kept, nothing breaks
    }
  }

  function readRecord(key) {
    const storage = store();
    try {
      const record = storage && JSON.parse(storage.getItem(key) || "null");
      return record && typeof record === "object" && Array.isArray(record.fields) ? record : null;
    } catch (error) {
      return null;
    }
  }

  function writeRecord(key, record) {
    const storage = store();
    if (!storage) return;
    try {
      storage.setItem(key, JSON.stringify(record));
    } catch (error) {
      // Full: the page goes on; the form itself still holds the text.
    }
  }

  function removeRecord(key) {
    const storage = store();
    if (storage) storage.removeItem(key);
  }

  function recordKeys() {
    const storage = store();
    const keys = [];
    if (!storage) return keys;
    for (let i = 0; i < storage.length; i += 1) {
      const key = storage.key(i);
      if (key && key.startsWith(PREFIX)) keys.push(key);
    }
    return keys;
  }

  function actionPath(form) {
    // The attribute, not form.action: a field named "action" would hide the property.
    const url = new URL(form.getAttribute("action") || location.href, location.href);
    return url.origin === location.origin ? url.pathname : null;
  }

  const NOT_KEPT_TYPES = new Set(["hidden", "password", "file", "submit", "button", "reset", "image"]);

  function secret(field) {
    const autocomplete = (field.getAttribute("autocomplete") || "").toLowerCase();
    return field.type === "password" || autocomplete === "one-time-code"
      || autocomplete === "current-password" || autocomplete === "new-password"
      || field.classList.contains("govuk-password-input__input");
  }

  function keptFields(form) {
    return Array.from(form.elements).filter((field) => field.name && !field.disabled
      && field.name !== "csrf_token" && !NOT_KEPT_TYPES.has(field.type) && !secret(field)
      && field.dataset.keepTyped !== "off"
      && /^(INPUT|TEXTAREA|SELECT)$/.test(field.tagName));
  }

  function isText(field) {
    return field.tagName === "TEXTAREA" || (field.tagName === "INPUT"
      && !["checkbox", "radio", "range", "color"].includes(field.type));
  }

  // A form whose typing is kept: sent by POST to this site, with a text field, and nothing
  // secret in it.
  function keptForm(form) {
    if (!(form instanceof HTMLFormElement) || form.dataset.keepTyped === "off") return false;
    if ((form.getAttribute("method") || "get").toLowerCase() !== "post") return false;
    if (!actionPath(form)) return false;
    if (Array.from(form.elements).some((field) => field.tagName === "INPUT" && secret(field))) {
      return false;
    }
    return keptFields(form).some(isText);
  }

  // The form's own name among those of the page: its id, or its place among the forms that
  // post to the same address (the redaction page has several).
  function formName(form) {
    if (form.id) return "#" + form.id;
    const action = actionPath(form);
    const same = Array.from(document.forms).filter((other) => actionPath(other) === action);
    return String(same.indexOf(form));
  }

  function keyOf(form) {
    return PREFIX + location.pathname + "|" + actionPath(form) + "|" + formName(form);
  }

  function valuesOf(form) {
    return keptFields(form).map((field) => {
      if (field.type === "checkbox" || field.type === "radio") {
        return { name: field.name, kind: field.type, value: field.value, checked: field.checked };
      }
      if (field.tagName === "SELECT") {
        return {
          name: field.name, kind: "select",
          value: Array.from(field.selectedOptions).map((option) => option.value),
        };
      }
      return { name: field.name, kind: "text", value: field.value };
    });
  }

  function keep(form, state) {
    if (!user || !keptForm(form)) return;
    writeRecord(keyOf(form), {
      user, page: location.pathname, action: actionPath(form), form: formName(form),
      saved: Date.now(), state, fields: valuesOf(form),
    });
  }

  // Put the kept values back; true when anything on the form changed.
  function putBack(form, record) {
    const fields = keptFields(form);
    const seen = {};
    let changed = false;
    const touched = [];
    for (const entry of record.fields) {
      if (entry.kind === "checkbox" || entry.kind === "radio") {
        const field = fields.find((f) => f.name === entry.name && f.type === entry.kind
          && f.value === entry.value);
        if (field && field.checked !== entry.checked) {
          field.checked = entry.checked;
          changed = true;
          touched.push(field);
        }
        continue;
      }
      const at = seen[entry.name] || 0;
      seen[entry.name] = at + 1;
      const field = fields.filter((f) => f.name === entry.name && !["checkbox", "radio"].includes(f.type))[at];
      if (!field) continue;
      if (entry.kind === "select" && field.tagName === "SELECT") {
        const wanted = new Set(entry.value);
        const options = Array.from(field.options);
        if (!entry.value.every((value) => options.some((option) => option.value === value))) continue;
        for (const option of options) {
          if (option.selected !== wanted.has(option.value)) {
            option.selected = wanted.has(option.value);
            changed = true;
            touched.push(field);
          }
        }
      } else if (entry.kind === "text" && isText(field) && field.value !== entry.value) {
        field.value = entry.value;
        changed = true;
        touched.push(field);
      }
    }
    for (const field of new Set(touched)) {
      field.dispatchEvent(new Event("input", { bubbles: true }));
      field.dispatchEvent(new Event("change", { bubbles: true }));
    }
    return changed;
  }

  function formFor(record) {
    return Array.from(document.forms).find((form) => keptForm(form)
      && actionPath(form) === record.action && formName(form) === record.form) || null;
  }

  function showPutBack(forms) {
    const main = document.getElementById("main-content");
    if (!main || document.getElementById("assure-put-back")) return;
    for (const form of forms) {
      for (let open = form.closest("details"); open; open = open.parentElement.closest("details")) {
        open.open = true;
      }
    }
    const banner = document.createElement("div");
    banner.className = "govuk-notification-banner";
    banner.id = "assure-put-back";
    banner.setAttribute("role", "region");
    banner.setAttribute("aria-labelledby", "assure-put-back-title");
    banner.tabIndex = -1;
    const header = document.createElement("div");
    header.className = "govuk-notification-banner__header";
    const title = document.createElement("h2");
    title.className = "govuk-notification-banner__title";
    title.id = "assure-put-back-title";
    title.textContent = "Important";
    header.append(title);
    const content = document.createElement("div");
    content.className = "govuk-notification-banner__content";
    const heading = document.createElement("p");
    heading.className = "govuk-notification-banner__heading";
    heading.textContent = "We put back what you had typed before you were signed out.";
    const advice = document.createElement("p");
    advice.className = "govuk-body";
    advice.textContent = "Check it, then save it: it is not saved yet.";
    content.append(heading, advice);
    banner.append(header, content);
    main.prepend(banner);
    banner.focus();
  }

  function navigation() {
    const entries = window.performance && performance.getEntriesByType
      ? performance.getEntriesByType("navigation") : [];
    const entry = entries[0];
    return {
      redirected: Boolean(entry && entry.redirectCount > 0),
      status: entry && typeof entry.responseStatus === "number" ? entry.responseStatus : 0,
    };
  }

  // Everything kept is now "interrupted": put back when its form is next shown.
  function interruptAll() {
    for (const key of recordKeys()) {
      const record = readRecord(key);
      if (!record) {
        removeRecord(key);
      } else if (record.state !== "interrupted") {
        record.state = "interrupted";
        writeRecord(key, record);
      }
    }
  }

  function forgetAll() {
    for (const key of recordKeys()) removeRecord(key);
  }

  function onSignIn() {
    interruptAll();
    if (!recordKeys().length) return;
    const form = Array.from(document.forms).find((f) => actionPath(f) === location.pathname);
    if (!form || document.getElementById("assure-kept-note")) return;
    const note = document.createElement("div");
    note.className = "govuk-inset-text";
    note.id = "assure-kept-note";
    note.textContent = "What you had typed is kept in this browser tab. Sign in again and it "
      + "will be put back.";
    form.before(note);
  }

  function onSignedInPage() {
    const { redirected, status } = navigation();
    const restored = [];
    for (const key of recordKeys()) {
      const record = readRecord(key);
      if (!record || record.user !== user || Date.now() - record.saved > MAX_AGE_MS) {
        removeRecord(key); // another user's text is never shown to this one
        continue;
      }
      const form = formFor(record);
      if (record.state === "interrupted") {
        if (!form) continue; // kept until its form is shown again
        removeRecord(key);
        if (putBack(form, record)) restored.push(form);
        keep(form, "typing");
      } else if (record.state === "sent") {
        if (form && !redirected && (status === 0 || status >= 400)) {
          // The same form again, with what was wrong: carry on keeping it.
          removeRecord(key);
          keep(form, "typing");
        } else if (!form && status >= 400) {
          record.state = "typing"; // an error page: kept for one more page (Back)
          writeRecord(key, record);
        } else {
          removeRecord(key); // it went through
        }
      } else if (!form || record.page !== location.pathname) {
        removeRecord(key); // left without sending it
      }
    }
    if (restored.length) showPutBack(restored);
  }

  const pending = new Map();

  function keepSoon(form) {
    clearTimeout(pending.get(form));
    pending.set(form, setTimeout(() => {
      pending.delete(form);
      keep(form, "typing");
    }, 250));
  }

  function keepNow() {
    for (const [form, timer] of pending) {
      clearTimeout(timer);
      keep(form, "typing");
    }
    pending.clear();
  }

  function startKeeping() {
    for (const type of ["input", "change"]) {
      document.addEventListener(type, (event) => {
        const form = event.target && event.target.form;
        if (form && keptForm(form)) keepSoon(form);
      });
    }
    // On window, so that a script that sends a form itself (the agenda builder) has had its
    // say: a form it sent in the background stays as typed.
    window.addEventListener("submit", (event) => {
      const form = event.target;
      if (!(form instanceof HTMLFormElement)) return;
      if (actionPath(form) === "/sign-out" && !event.defaultPrevented) {
        forgetAll();
        return;
      }
      if (!keptForm(form)) return;
      clearTimeout(pending.get(form));
      pending.delete(form);
      keep(form, event.defaultPrevented ? "typing" : "sent");
    });
    window.addEventListener("pagehide", keepNow);
  }

  if (onSignInPage) {
    onSignIn();
  } else if (user) {
    onSignedInPage();
    startKeeping();
  }

  // --- the warning before the idle limit -------------------------------------------------

  const idleSeconds = Number(body.dataset.sessionIdleSeconds);
  if (!user || !idleSeconds) return;

  const lead = Math.min(120, idleSeconds / 5); // seconds of warning
  let endsAt = Date.now() + Number(body.dataset.sessionSecondsLeft || 0) * 1000;
  let endsBy = body.dataset.sessionEndsBy || "idle";
  let timer = null;
  let ticker = null;
  let dialog = null;
  let returnFocus = null;
  let state = "quiet"; // "quiet", "warning" or "ended"

  function inWords(seconds) {
    if (seconds >= 60) {
      const minutes = Math.ceil(seconds / 60);
      return minutes + (minutes === 1 ? " minute" : " minutes");
    }
    const whole = Math.max(0, Math.ceil(seconds));
    return whole + (whole === 1 ? " second" : " seconds");
  }

  function csrfToken() {
    try {
      return JSON.parse(body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || "";
    } catch (error) {
      return "";
    }
  }

  function schedule(at) {
    clearTimeout(timer);
    timer = setTimeout(check, Math.max(0, at - Date.now()));
  }

  function element(tag, className, text) {
    const made = document.createElement(tag);
    if (className) made.className = className;
    if (text) made.textContent = text;
    return made;
  }

  function build() {
    if (dialog) return dialog;
    dialog = element("dialog", "assure-timeout");
    dialog.id = "assure-timeout";
    dialog.setAttribute("role", "alertdialog");
    dialog.setAttribute("aria-modal", "true");
    dialog.setAttribute("aria-labelledby", "assure-timeout-title");
    dialog.setAttribute("aria-describedby", "assure-timeout-text");
    // Keys pressed here are the dialog's, not the page's shortcuts (Esc still closes it).
    dialog.addEventListener("keydown", (event) => event.stopPropagation());
    dialog.addEventListener("cancel", (event) => {
      event.preventDefault();
      if (state === "warning") stay(); // Esc: the user is there, and chose to go on
    });
    body.append(dialog);
    return dialog;
  }

  function open() {
    const box = build();
    if (!box.open) {
      returnFocus = document.activeElement;
      if (typeof box.showModal === "function") {
        box.showModal();
      } else {
        box.setAttribute("open", "");
      }
    }
    const first = box.querySelector("[data-autofocus]");
    if (first) first.focus();
  }

  function close() {
    clearInterval(ticker);
    ticker = null;
    if (!dialog || !dialog.open) return;
    if (typeof dialog.close === "function") {
      dialog.close();
    } else {
      dialog.removeAttribute("open");
    }
    if (returnFocus && typeof returnFocus.focus === "function" && document.contains(returnFocus)) {
      returnFocus.focus();
    }
  }

  function countdown() {
    const left = (endsAt - Date.now()) / 1000;
    const words = dialog && dialog.querySelector(".assure-timeout__left");
    if (words) words.textContent = inWords(left);
  }

  function showWarning() {
    const box = build();
    if (state !== "warning") {
      state = "warning";
      box.replaceChildren();
      const title = element("h2", "govuk-heading-m", "You will be signed out soon");
      title.id = "assure-timeout-title";
      const text = element("p", "govuk-body");
      text.id = "assure-timeout-text";
      text.append("You will be signed out in ");
      text.append(element("span", "assure-timeout__left", inWords((endsAt - Date.now()) / 1000)));
      if (endsBy === "lifetime") {
        text.append(" because you have been signed in for as long as a session lasts. "
          + "Save what you are doing; you can sign in again straight away.");
      } else {
        text.append(" because you have not done anything.");
      }
      const problem = element("p", "govuk-error-message assure-timeout__problem");
      problem.hidden = true;
      const buttons = element("div", "govuk-button-group");
      if (endsBy === "lifetime") {
        const ok = element("button", "govuk-button", "Continue");
        ok.type = "button";
        ok.dataset.autofocus = "";
        ok.addEventListener("click", () => {
          state = "dismissed";
          close();
          schedule(endsAt + 500);
        });
        buttons.append(ok);
      } else {
        const stayButton = element("button", "govuk-button", "Stay signed in");
        stayButton.type = "button";
        stayButton.dataset.autofocus = "";
        stayButton.addEventListener("click", stay);
        buttons.append(stayButton);
      }
      const signOut = element("form", "assure-inline-form");
      signOut.method = "post";
      signOut.setAttribute("action", "/sign-out");
      const token = element("input");
      token.type = "hidden";
      token.name = "csrf_token";
      token.value = csrfToken();
      const leave = element("button", "govuk-button govuk-button--secondary", "Sign out");
      leave.type = "submit";
      signOut.append(token, leave);
      buttons.append(signOut);
      box.append(title, text, problem, buttons);
      open();
    }
    countdown();
    if (!ticker) ticker = setInterval(countdown, 1000);
  }

  function showEnded() {
    keepNow();
    interruptAll();
    clearTimeout(timer);
    if (state === "ended") return;
    // Ended well before its time: signed out in another tab, or by an administrator.
    const early = Date.now() < endsAt - 10000;
    state = "ended";
    const box = build();
    box.replaceChildren();
    clearInterval(ticker);
    ticker = null;
    const title = element("h2", "govuk-heading-m", "You have been signed out");
    title.id = "assure-timeout-title";
    const text = element("p", "govuk-body");
    text.id = "assure-timeout-text";
    const kept = "Anything you had typed on this page is kept in this browser and will be put "
      + "back after you sign in.";
    if (early) {
      text.textContent = "You are no longer signed in: you signed out in another window, or "
        + "an administrator signed you out. " + kept;
    } else if (endsBy === "lifetime") {
      text.textContent = "You were signed in for as long as a session lasts. " + kept;
    } else {
      text.textContent = "You had not done anything for " + inWords(idleSeconds) + ", so we "
        + "signed you out to keep the information safe. " + kept;
    }
    const again = element("a", "govuk-button", "Sign in again");
    again.href = "/sign-in?next=" + encodeURIComponent(location.pathname + location.search);
    again.dataset.autofocus = "";
    box.append(title, text, again);
    open();
  }

  function problem(words) {
    const line = dialog && dialog.querySelector(".assure-timeout__problem");
    if (!line) return;
    line.textContent = words;
    line.hidden = !words;
  }

  async function stay() {
    problem("");
    let response;
    try {
      response = await fetch("/session/keep-alive", {
        method: "POST", credentials: "same-origin", cache: "no-store",
        headers: { "X-CSRF-Token": csrfToken(), Accept: "application/json" },
      });
    } catch (error) {
      problem("Assure cannot be reached. Check your connection and try again.");
      return;
    }
    if (response.status === 401) {
      showEnded();
      return;
    }
    if (!response.ok) {
      problem("That did not work. Reload the page to carry on.");
      return;
    }
    settle(await response.json());
  }

  // The server's word on the session: close the warning, show it, or say it has ended.
  function settle(found) {
    if (!found || !found.signed_in) {
      showEnded();
      return;
    }
    endsAt = Date.now() + found.seconds_left * 1000;
    endsBy = found.ends_by || "idle";
    if (found.seconds_left > lead + 1) {
      if (state === "warning" || state === "dismissed") {
        state = "quiet";
        close();
      }
      schedule(endsAt - lead * 1000);
      return;
    }
    if (state !== "dismissed") showWarning();
    // While the warning shows, look again now and then: another tab may keep the session on.
    schedule(Math.min(endsAt + 500, Date.now() + 15000));
  }

  async function check() {
    if (state === "ended") return;
    let response;
    try {
      response = await fetch("/session/status", {
        credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" },
      });
      if (!response.ok) throw new Error(String(response.status));
      settle(await response.json());
    } catch (error) {
      // No answer (offline, or the server restarting): try again shortly.
      schedule(Date.now() + (state === "warning" ? 5000 : 30000));
    }
  }

  schedule(endsAt - lead * 1000);
  // Timers sleep in a hidden tab or a sleeping laptop: look again on coming back, and when
  // the page comes back from the browser's back-forward cache.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && state !== "ended") check();
  });
  window.addEventListener("pageshow", (event) => {
    if (event.persisted && state !== "ended") check();
  });
})();
