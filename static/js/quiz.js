/* Quiz keys and the match board. Question pages work without this file (radios, a textarea, plain forms); this
   adds keys: 1-9 pick an option, T/F judge a statement, Enter checks the answer or goes on, Ctrl+Enter submits a
   typed answer. Keys are never taken while focus is in a text field or on a select, nor with a modifier held. On a match board it turns the forms into
   tiles (pick a question, then its answer) posted one pairing at a time, with a running clock. */
(function () {
  "use strict";

  function typing(target) {
    return target.closest && target.closest("input[type=text], input:not([type]), textarea, select, [contenteditable]");
  }

  function pick(form, key) {
    const radio = form.querySelector('input[type=radio][data-key="' + key + '"]');
    if (!radio) return false;
    radio.checked = true;
    radio.focus({ preventScroll: false });
    return true;
  }

  document.addEventListener("keydown", function (event) {
    // In the typed-answer box Enter is a new line; Ctrl+Enter (Cmd+Enter) submits, as in most editors.
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target.id === "typed-text") {
      event.preventDefault();
      event.target.form.requestSubmit();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing || typing(event.target)) return;
    const card = document.getElementById("quiz-card");
    if (!card) return;
    const key = event.key.toLowerCase();
    const form = card.querySelector("form.choice-form");
    let handled = false;
    if (form && /^[1-9tf]$/.test(key)) {
      handled = pick(form, key);
    } else if (key === "enter") {
      if (event.target.closest("a, button, summary")) return; // Enter activates the focused control itself
      if (form && form.querySelector("input[type=radio]:checked")) {
        form.requestSubmit();
        handled = true;
      } else {
        const next = document.getElementById("next-link");
        if (next) { next.click(); handled = true; }
      }
    }
    if (handled) event.preventDefault();
  });

  /* --- Match board ------------------------------------------------------------------------------------------- */
  function matchBoard(board) {
    const tiles = board.querySelector(".match-tiles");
    const forms = board.querySelector(".match-forms");
    const status = document.getElementById("match-status");
    const clock = document.getElementById("match-clock");
    const mistakes = document.getElementById("match-mistakes");
    const csrf = board.querySelector("input[name=csrfmiddlewaretoken]");
    if (!tiles || !forms || !csrf) return;
    tiles.hidden = false;
    forms.hidden = true;
    board.querySelector(".match-help").hidden = false;

    let base = parseFloat(board.dataset.elapsed) || 0;
    let since = performance.now();
    let busy = false;
    const timer = setInterval(function () {
      clock.textContent = (base + (performance.now() - since) / 1000).toFixed(1);
    }, 100);

    function selected(kind) { return tiles.querySelector(".match-" + kind + '[aria-pressed="true"]'); }

    function toggle(tile) {
      const kind = tile.classList.contains("match-q") ? "q" : "a";
      const current = selected(kind);
      if (current && current !== tile) current.setAttribute("aria-pressed", "false");
      tile.setAttribute("aria-pressed", tile.getAttribute("aria-pressed") === "true" ? "false" : "true");
    }

    function send(question, answer) {
      busy = true;
      const body = new URLSearchParams({ number: question.dataset.number, choice: answer.dataset.choice });
      fetch(board.dataset.pairUrl, {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "Accept": "application/json", "X-CSRFToken": csrf.value },
      }).then(function (response) { return response.json(); }).then(function (data) {
        busy = false;
        if (data.error) { status.textContent = data.error; return; }
        base = data.elapsed; since = performance.now();
        mistakes.textContent = data.mistakes;
        question.setAttribute("aria-pressed", "false");
        answer.setAttribute("aria-pressed", "false");
        if (data.right) {
          status.textContent = "Paired.";
          const nextTile = question.nextElementSibling || question.previousElementSibling;
          question.remove();
          answer.remove();
          if (nextTile) nextTile.focus();
        } else {
          status.textContent = "Not a pair: " + board.dataset.penalty + " s added.";
          question.classList.add("wrong");
          answer.classList.add("wrong");
          setTimeout(function () { question.classList.remove("wrong"); answer.classList.remove("wrong"); }, 400);
          question.focus();
        }
        if (data.finished) {
          clearInterval(timer);
          clock.textContent = data.seconds.toFixed(1);
          window.location.assign(data.url);
        }
      }).catch(function () {
        busy = false;
        status.textContent = "The pairing could not be sent; try again.";
      });
    }

    tiles.addEventListener("click", function (event) {
      const tile = event.target.closest(".match-tile");
      if (!tile || busy) return;
      toggle(tile);
      const question = selected("q");
      const answer = selected("a");
      if (question && answer) send(question, answer);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    const board = document.getElementById("match-board");
    if (board) matchBoard(board);
  });
})();
