/* Demo pages: when a run's result (or its failure) arrives, move focus to it, and say each change of status in a
   polite live region. The panel is replaced on every poll, so a live region inside it would be a new node each
   time (not reliably announced); this region stays on the page. The page works without this file. */
(function () {
  "use strict";
  const motion = () => (window.matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth");
  const FINISHED = ["done", "failed"];
  let last = null;

  function panelState() {
    const panel = document.getElementById("run-panel");
    if (!panel) return null;
    const status = (panel.className.match(/\bstatus-(\w+)/) || [])[1] || "";
    const chip = panel.querySelector(".status-chip");
    return { panel: panel, status: status, label: chip ? chip.textContent.trim() : status };
  }

  document.addEventListener("DOMContentLoaded", function () {
    const state = panelState();
    last = state ? state.status : null; // a run already shown on load: nothing to announce, focus stays put
  });

  document.addEventListener("htmx:afterSettle", function () {
    const state = panelState();
    if (!state || state.status === last) return;
    last = state.status;
    const live = document.getElementById("run-status");
    const finished = FINISHED.includes(state.status);
    if (live) {
      const progress = state.panel.querySelector(".progress label");
      live.textContent = "Run " + state.label.toLowerCase() +
        (finished ? (state.status === "done" ? ": the result follows." : ".") : progress ? ": " + progress.textContent.trim() : ".");
    }
    if (finished) {
      const heading = state.panel.querySelector("#run-h") || state.panel;
      heading.tabIndex = -1;
      heading.focus({ preventScroll: true });
      heading.scrollIntoView({ block: "start", behavior: motion() });
    }
  });
})();
