/* Interview report: after htmx swaps an answer's key points (a contest or its undo), focus goes back to the
   button that was pressed (or, when it is gone, the same point's first button), so a keyboard user stays in place. */
(function () {
  "use strict";
  var lastId = null;

  document.addEventListener("htmx:beforeRequest", function (event) {
    var active = document.activeElement;
    lastId = active && active.id && event.detail.elt.contains(active) ? active.id : null;
  });

  document.addEventListener("htmx:afterSettle", function () {
    if (!lastId) return;
    var target = document.getElementById(lastId);
    if (!target) target = document.getElementById(lastId.replace(/-(undo|missed)$/, "-covered"));
    if (target) target.focus({ preventScroll: true });
    lastId = null;
  });
})();
