// The exercise page: replaces the textarea with the CodeMirror editor (the form still works without JavaScript),
// runs with Ctrl-Enter, polls the results fragment until the verdict, and saves the code while typing.
(function () {
  "use strict";
  const form = document.getElementById("exercise-form");
  if (!form) return;
  const textarea = document.getElementById("code");
  const results = document.getElementById("results-body");
  const runButton = document.getElementById("run-button");
  const saveStatus = document.getElementById("save-status");
  const sandboxOn = form.dataset.sandbox === "on";
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  let editor = null;
  let saveTimer = null;
  let polling = null;

  const code = () => (editor ? editor.getCode() : textarea.value);

  function post(url, body) {
    return fetch(url, {
      method: "POST", body, credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, Accept: "application/json" },
    });
  }

  function save() {
    const body = new FormData();
    body.append("code", code());
    post(form.dataset.saveUrl, body).then((response) => {
      saveStatus.textContent = response.ok ? "Saved." : "Not saved.";
    }).catch(() => { saveStatus.textContent = "Not saved (offline?)."; });
  }

  function scheduleSave() {
    textarea.value = code();
    saveStatus.textContent = "";
    clearTimeout(saveTimer);
    saveTimer = setTimeout(save, 1500);
  }

  function poll(url, delay) {
    clearTimeout(polling);
    polling = setTimeout(() => {
      fetch(url, { credentials: "same-origin" }).then((r) => r.text()).then((html) => {
        results.innerHTML = html;
        const box = results.firstElementChild;
        if (box && box.dataset.status !== "done") {
          poll(url, Math.min(delay * 1.5, 1000));
        } else {
          runButton.disabled = false;
          runButton.removeAttribute("aria-busy");
        }
      }).catch(() => poll(url, 1000));
    }, delay);
  }

  function run() {
    if (!sandboxOn) {
      results.innerHTML = "<p role='alert'>Running is unavailable: the sandbox is not installed on the worker. Your code is saved.</p>";
      save();
      return;
    }
    if (runButton.disabled) return;
    clearTimeout(saveTimer);
    runButton.disabled = true;
    runButton.setAttribute("aria-busy", "true");
    results.innerHTML = "<p role='status'>Running…</p>";
    const body = new FormData();
    body.append("code", code());
    post(form.action, body).then((response) => response.json().then((data) => ({ ok: response.ok, data })))
      .then(({ ok, data }) => {
        if (!ok) {
          results.innerHTML = "";
          const p = document.createElement("p");
          p.setAttribute("role", "alert");
          p.textContent = data.error || "The run could not start.";
          results.appendChild(p);
          runButton.disabled = false;
          runButton.removeAttribute("aria-busy");
          return;
        }
        poll(data.results_url, 150);
      })
      .catch(() => {
        results.innerHTML = "<p role='alert'>The run could not start (network error).</p>";
        runButton.disabled = false;
      });
  }

  form.addEventListener("submit", (event) => { event.preventDefault(); run(); });
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); run(); }
  });

  if (window.ExerciseEditor) {
    const parent = document.getElementById("editor");
    parent.hidden = false;
    textarea.hidden = true;
    editor = window.ExerciseEditor.create({
      parent, doc: textarea.value, label: "Python code (Ctrl-Enter runs)", onRun: run, onChange: scheduleSave,
    });
    const reset = document.getElementById("reset-button");
    reset.hidden = false;
    reset.addEventListener("click", () => {
      if (window.confirm("Replace your code with the starter?")) {
        editor.setCode(JSON.parse(document.getElementById("starter-code").textContent));
        editor.focus();
      }
    });
  } else {
    textarea.addEventListener("input", scheduleSave);
  }

  const pending = results.querySelector("[data-status]");
  if (pending && pending.dataset.status !== "done") {
    runButton.disabled = true;
    poll(pending.dataset.url, 300);
  }
})();
