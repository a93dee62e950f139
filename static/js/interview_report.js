/* Interview report: after htmx swaps an answer's key points (a contest or its undo), focus goes back to the
   button that was pressed (or, when it is gone, the same point's first button), so a keyboard user stays in place.
   A refused contest (the server's message) is shown under its form and read out. */
(function () {
  "use strict";
  var lastId = null;

  document.addEventListener("htmx:beforeRequest", function (event) {
    var active = document.activeElement;
    lastId = active && active.id && event.detail.elt.contains(active) ? active.id : null;
    var old = event.detail.elt.querySelector(".contest-error");
    if (old) old.remove();
  });

  document.addEventListener("htmx:afterSettle", function () {
    if (!lastId) return;
    var target = document.getElementById(lastId);
    if (!target) target = document.getElementById(lastId.replace(/-(undo|missed)$/, "-covered"));
    if (target) target.focus({ preventScroll: true });
    lastId = null;
  });

  document.addEventListener("htmx:responseError", function (event) {
    var form = event.detail.elt.closest && event.detail.elt.closest("form.kp-contest");
    if (!form) return;
    var note = document.createElement("p");
    note.className = "contest-error flash flash-error";
    note.setAttribute("role", "alert");
    note.textContent = event.detail.xhr.responseText || "That could not be saved; please try again.";
    form.appendChild(note);
  });
})();
