// The exercise editor: CodeMirror 6 with Python highlighting; Tab indents (Escape then Tab leaves the editor,
// CodeMirror's own keyboard escape hatch), Ctrl-Enter / Cmd-Enter runs. Exposed as window.ExerciseEditor.
import { basicSetup } from "codemirror";
import { EditorView, keymap } from "@codemirror/view";
import { EditorState, Prec } from "@codemirror/state";
import { indentWithTab } from "@codemirror/commands";
import { indentUnit } from "@codemirror/language";
import { python } from "@codemirror/lang-python";

function create({ parent, doc, label, onRun, onChange }) {
  const runKeys = Prec.highest(
    keymap.of([
      { key: "Mod-Enter", run: () => { onRun(); return true; } },
      { key: "Shift-Enter", run: () => { onRun(); return true; } },
    ]),
  );
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        runKeys,
        basicSetup,
        keymap.of([indentWithTab]),
        indentUnit.of("    "),
        python(),
        EditorView.lineWrapping,
        // CodeMirror injects style elements: they carry the page nonce the CSP allows (meta name=csp-nonce)
        EditorView.cspNonce.of(document.querySelector('meta[name="csp-nonce"]')?.content || ""),
        EditorView.contentAttributes.of({ "aria-label": label, "aria-multiline": "true" }),
        EditorView.updateListener.of((update) => { if (update.docChanged && onChange) onChange(); }),
      ],
    }),
  });
  return {
    view,
    getCode: () => view.state.doc.toString(),
    setCode: (code) => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: code } }),
    focus: () => view.focus(),
  };
}

window.ExerciseEditor = { create };
