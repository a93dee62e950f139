// Mock interview page: countdown from the server's remaining seconds, one-minute warning, autosave.
// The server's deadline is authoritative; this clock only displays it. Drafts are saved every 5 s when changed,
// on blur, and with sendBeacon when the page goes away, each with a rising revision so a late save never wins.
(function () {
  "use strict";
  const root = document.querySelector("[data-interview]");
  if (!root) return;

  const AUTOSAVE_MS = 5000;
  const WARN_AT_S = 60;

  // --- Countdown -----------------------------------------------------------------------------------------------
  const timer = root.querySelector("[data-timer]");
  const timerText = root.querySelector("[data-timer-text]");
  const alertBox = root.querySelector("[data-timer-alert]");
  const note = root.querySelector("[data-timer-note]");
  const endAt = performance.now() + Number(timer.dataset.remaining) * 1000; // monotonic: ignores clock changes
  let warned = false;
  let over = false;

  function format(seconds) {
    const h = Math.floor(seconds / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    const s = seconds % 60;
    const mm = h ? String(m).padStart(2, "0") : String(m);
    return (h ? h + ":" : "") + mm + ":" + String(s).padStart(2, "0");
  }

  function announce(message) {
    alertBox.textContent = message;
    note.textContent = message;
    note.hidden = false;
  }

  function tick() {
    const left = Math.max(0, Math.ceil((endAt - performance.now()) / 1000));
    timerText.textContent = format(left);
    if (left <= WARN_AT_S && !warned) {
      warned = true;
      timer.classList.add("warning");
      if (left > 0) announce("One minute left.");
    }
    if (left === 0 && !over) {
      over = true;
      timer.classList.add("over");
      announce("Time is up. Submit now: answers that reach the server after the deadline are marked late.");
    }
  }
  tick();
  setInterval(tick, 250);

  // --- Autosave ------------------------------------------------------------------------------------------------
  const form = root.querySelector("[data-answer-form]");
  const textarea = form.querySelector("textarea");
  const revInput = form.querySelector("[data-rev-input]");
  const status = form.querySelector("[data-save-status]");
  const count = form.querySelector("[data-count]");
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const url = textarea.dataset.draftUrl;
  let rev = Number(textarea.dataset.rev) || 0;
  let saved = textarea.value;
  let inFlight = false;

  function nextRev() {
    rev = Math.max(Date.now(), rev + 1); // above the stored one even if this device's clock is behind
    return rev;
  }

  function body(text, revision) {
    const data = new FormData();
    data.append("csrfmiddlewaretoken", csrf);
    data.append("text", text);
    data.append("rev", String(revision));
    return data;
  }

  async function save() {
    const text = textarea.value;
    if (text === saved || inFlight) return;
    inFlight = true;
    try {
      const response = await fetch(url, {
        method: "POST", body: body(text, nextRev()), credentials: "same-origin", headers: { "X-CSRFToken": csrf },
      });
      const data = await response.json();
      if (response.status === 409 && data.redirect) {
        window.location.assign(data.redirect); // finished elsewhere (another tab, or the deadline)
        return;
      }
      if (response.status === 400 && data.error) {
        status.textContent = "Not saved: " + data.error; // e.g. a control character pasted in: the text stays here
        return;
      }
      if (!response.ok) throw new Error(data.error || response.statusText);
      saved = text;
      const time = new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
      status.textContent = (data.capped ? data.capped + " " : "") + "Saved " + time + (data.late ? " (late)" : "");
    } catch (error) {
      status.textContent = "Not saved yet (connection lost?): retrying.";
    } finally {
      inFlight = false;
    }
  }

  setInterval(save, AUTOSAVE_MS);
  textarea.addEventListener("blur", save);
  textarea.addEventListener("input", function () {
    count.textContent = String(textarea.value.length);
  });
  window.addEventListener("pagehide", function () {
    if (textarea.value !== saved) navigator.sendBeacon(url, body(textarea.value, nextRev()));
  });
  form.addEventListener("submit", function () {
    revInput.value = String(nextRev()); // newer than any autosave still on its way
    saved = textarea.value; // the form carries the text: no beacon on the way out
  });

  // --- Finish ----------------------------------------------------------------------------------------------------
  const finish = root.querySelector("form[data-confirm]");
  if (finish) {
    finish.addEventListener("submit", function (event) {
      if (!window.confirm(finish.dataset.confirm)) {
        event.preventDefault();
        return;
      }
      // the open answer travels with the finish request, so it is stored before the interview closes
      finish.querySelector("[data-finish-text]").value = textarea.value;
      finish.querySelector("[data-finish-rev]").value = String(nextRev());
      saved = textarea.value;
    });
  }
})();
