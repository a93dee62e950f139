/* Study page keys, Anki's: Space shows the answer (then rates Good), 1-4 rate, U undo, E open card, S or @
   suspend, B or - bury. The page works without this file (buttons + HTMX); this adds keys, shows the answer
   without a round trip, and sends how long the answer took.
   The keys are shortcuts only while focus rests on no control: a focused link, button, summary or form field
   keeps its own keys, so Space on a focused "Again" records Again, never the Good shortcut. */
(function () {
  "use strict";
  const motion = () => (window.matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth");
  const root = () => document.getElementById("study-card");

  function reveal() {
    const card = root();
    const answer = card && card.querySelector("#study-answer");
    const ratings = card && card.querySelector("form.ratings");
    if (!answer || !ratings || !answer.hidden) return false;
    answer.hidden = false;
    ratings.hidden = false;
    const show = card.querySelector("#show-answer");
    if (show) show.remove();
    card.dataset.revealedAt = Date.now();
    // Focus goes to the answer itself (a screen reader reads it; the keys keep working there), not to a button.
    answer.tabIndex = -1;
    answer.focus({ preventScroll: true });
    answer.scrollIntoView({ block: "nearest", behavior: motion() });
    return true;
  }

  function click(selector) {
    const card = root();
    const target = card && card.querySelector(selector);
    if (!target || target.disabled) return false;
    // A key can come before htmx has wired up a card it just swapped in; process it first (idempotent), or
    // the click would submit the form natively and reload the page.
    if (window.htmx) window.htmx.process(card);
    target.click();
    return true;
  }

  function answerShown() {
    const answer = root() && root().querySelector("#study-answer");
    return answer && !answer.hidden;
  }

  document.addEventListener("click", function (event) {
    const show = event.target.closest("#show-answer");
    if (show && reveal()) event.preventDefault();
  });

  // Tapping the question side of the card also shows the answer (phones).
  document.addEventListener("click", function (event) {
    if (event.target.closest("a, button, summary, input, select, textarea, details")) return;
    if (event.target.closest("#study-card .study-face")) reveal();
  });

  // How long the answer took: from showing the card to pressing a rating.
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!form.matches || !form.matches("form.ratings")) return;
    const shownAt = Number(root() && root().dataset.shownAt);
    const field = form.querySelector('input[name="duration_ms"]');
    if (field && shownAt) field.value = Math.max(0, Math.min(Date.now() - shownAt, 3600000));
  }, true);
  // The server stamps shown_at in its own clock; restamp with the browser's when a card arrives.
  function stamp() { const card = root(); if (card && card.dataset.cardId) card.dataset.shownAt = Date.now(); }
  document.addEventListener("DOMContentLoaded", stamp);
  document.addEventListener("htmx:afterSettle", function (event) {
    stamp();
    const card = root();
    if (card && event.detail.elt && event.detail.elt.id === "study-card") {
      const heading = card.querySelector(".study-question, .study-done h2");
      if (heading) { heading.tabIndex = -1; heading.focus({ preventScroll: true }); }
    }
  });

  // The Export menu floats over the page: it closes when focus leaves it or on Escape (back to its summary), so
  // it never hides the control that has focus (WCAG 2.4.11).
  document.addEventListener("focusout", function (event) {
    const menu = event.target.closest && event.target.closest("details.menu");
    if (menu && menu.open && !menu.contains(event.relatedTarget)) menu.open = false;
  });
  document.addEventListener("keydown", function (event) {
    const menu = event.key === "Escape" && event.target.closest && event.target.closest("details.menu[open]");
    if (!menu) return;
    menu.open = false;
    menu.querySelector("summary").focus();
    event.preventDefault();
  });

  const CONTROLS = 'a[href], button, summary, input, select, textarea, [contenteditable]:not([contenteditable="false"]), ' +
    '[role="button"], [role="link"], [role="checkbox"], [role="menuitem"], [role="tab"], [role="textbox"]';

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    const target = event.target;
    if (!root()) return;
    const key = event.key.toLowerCase();
    if (target.closest && target.closest("#show-answer") && key === " ") {
      // A link that acts as a button (role="button"): Space activates it, as it would a button.
      if (reveal()) event.preventDefault();
      return;
    }
    if (target.closest && target.closest(CONTROLS)) return;
    let handled = false;
    if (key === " " || key === "enter") {
      handled = answerShown() ? click('form.ratings button[data-key="3"]') : reveal();
    } else if (["1", "2", "3", "4"].includes(key)) {
      handled = answerShown() && click('form.ratings button[data-key="' + key + '"]');
    } else if (key === "u") {
      handled = click('[data-key="u"]');
    } else if (key === "e") {
      handled = click('a[data-key="e"]');
    } else if (key === "s" || key === "@") {
      handled = click('[data-key="s"]');
    } else if (key === "b" || key === "-") {
      handled = click('[data-key="b"]');
    }
    if (handled) event.preventDefault();
  });
})();
