// The policy editor of the jifen workbench.
//
// Replaces the page's <textarea id="source"> with a CodeMirror view and keeps the
// textarea's value in step with it (an "input" event is sent on the textarea at
// every change, and setting textarea.value from a script updates the editor), so
// a form or another script on the page that uses the textarea keeps working.
//
// The page's window.jifenWorkbench, when it has one, gives the language services:
//   check(text)               -> Promise<{diagnostics: [{line, column, end_line, end_column,
//                                                        severity, code, message, hint}]}>
//   hover(text, line, column) -> Promise<{markdown} | null>
//   format(text)              -> Promise<{text} | {diagnostics}>
//   save(text)                -> Promise<...>
// Lines and columns are 1-based, columns count characters (code points), and the
// end is exclusive, as in jifen check. Without it the editor is a plain
// highlighted editor.

import { EditorState, Compartment } from "@codemirror/state";
import {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter,
  highlightSpecialChars, drawSelection, dropCursor, rectangularSelection, crosshairCursor, hoverTooltip,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { searchKeymap, highlightSelectionMatches } from "@codemirror/search";
import { closeBrackets, closeBracketsKeymap } from "@codemirror/autocomplete";
import { bracketMatching, indentOnInput, indentUnit, syntaxHighlighting } from "@codemirror/language";
import { linter, lintGutter, lintKeymap, setDiagnostics, forceLinting, forEachDiagnostic } from "@codemirror/lint";
import { jifenLanguage, jifenHighlighter } from "./language.js";
import { renderMarkdown } from "./markdown.js";
import { theme } from "./theme.js";

const BRACKETS = "()[]{}「」（）｛｝";
const LINT_DELAY = 300;

const workbench = (method) => {
  const services = typeof window !== "undefined" ? window.jifenWorkbench : undefined;
  return services && typeof services[method] === "function" ? services[method].bind(services) : null;
};

// ------------------------------------------------------------ lines and columns

// The document position of a 1-based line and column (columns in code points).
export function toPosition(doc, line, column) {
  if (!(line >= 1)) return 0;
  if (line > doc.lines) return doc.length;
  const l = doc.line(line);
  let pos = l.from;
  let steps = Math.max(1, Math.floor(column) || 1) - 1;
  for (const ch of l.text) {
    if (steps-- <= 0) break;
    pos += ch.length;
  }
  return Math.min(pos, l.to);
}

// The 1-based line and column (in code points) of a document position.
export function toLineColumn(doc, pos) {
  const l = doc.lineAt(pos);
  return { line: l.number, column: [...l.text.slice(0, pos - l.from)].length + 1 };
}

const SEVERITIES = { error: "error", warning: "warning", info: "info", information: "info", hint: "hint" };

function renderDiagnostic(d) {
  return () => {
    const dom = document.createElement("div");
    dom.className = "cm-jifen-diagnostic";
    const message = document.createElement("div");
    message.className = "cm-jifen-message";
    message.textContent = d.message || "";
    dom.appendChild(message);
    if (d.hint) {
      const hint = document.createElement("div");
      hint.className = "cm-jifen-hint";
      hint.textContent = d.hint;
      dom.appendChild(hint);
    }
    return dom;
  };
}

export function toDiagnostics(doc, diagnostics) {
  if (!Array.isArray(diagnostics)) return [];
  return diagnostics.map((d) => {
    const from = toPosition(doc, d.line, d.column);
    let to = d.end_line ? toPosition(doc, d.end_line, d.end_column) : from;
    if (to < from) to = from;
    if (to === from && from < doc.lineAt(from).to) to = from + (doc.sliceString(from, from + 2).codePointAt(0) > 0xffff ? 2 : 1);
    const text = [d.message, d.hint].filter(Boolean).join("\n");
    return {
      from, to,
      severity: SEVERITIES[String(d.severity || "error").toLowerCase()] || "error",
      source: d.code || undefined,
      message: text,
      renderMessage: renderDiagnostic(d),
    };
  });
}

// ------------------------------------------------------------ language services

async function checkSource(view) {
  const check = workbench("check");
  if (!check) return [];
  const doc = view.state.doc;
  let result;
  try {
    result = await check(doc.toString());
  } catch (error) {
    // The checker could not answer (the server stopped, say): keep what was shown.
    const kept = [];
    forEachDiagnostic(view.state, (d, from, to) => kept.push({ ...d, from, to }));
    return kept;
  }
  return toDiagnostics(doc, result && result.diagnostics);
}

const hover = hoverTooltip(async (view, pos, side) => {
  const ask = workbench("hover");
  if (!ask) return null;
  const doc = view.state.doc;
  const line = doc.lineAt(pos);
  // Just past the end of a word, look at its last character.
  if (side < 0 && pos > line.from) pos -= 1;
  const { line: number, column } = toLineColumn(doc, pos);
  let result;
  try { result = await ask(doc.toString(), number, column); } catch (error) { return null; }
  if (!result || !result.markdown || view.state.doc !== doc) return null;
  const word = view.state.wordAt(pos);
  return {
    pos: word ? word.from : pos,
    end: word ? word.to : pos,
    above: true,
    create: () => ({ dom: renderMarkdown(result.markdown) }),
  };
}, { hoverTime: 350 });

// Replace the document by text with the smallest change, so the cursor stays put.
function replaceDocument(view, text) {
  const old = view.state.doc.toString();
  if (old === text) return;
  let start = 0;
  const limit = Math.min(old.length, text.length);
  while (start < limit && old.charCodeAt(start) === text.charCodeAt(start)) start++;
  let endOld = old.length, endNew = text.length;
  while (endOld > start && endNew > start && old.charCodeAt(endOld - 1) === text.charCodeAt(endNew - 1)) { endOld--; endNew--; }
  view.dispatch({ changes: { from: start, to: endOld, insert: text.slice(start, endNew) }, userEvent: "input.format" });
}

let saving = false;

// The diagnostics of a refused request: {diagnostics} or the error of a failed one.
function refusal(answer) {
  if (!answer) return null;
  if (Array.isArray(answer.diagnostics)) return answer.diagnostics;
  const body = answer.body && answer.body.error;
  return body && Array.isArray(body.diagnostics) ? body.diagnostics : null;
}

function tell(view, name, detail) {
  const target = view.dom.previousElementSibling && view.dom.previousElementSibling.jifenEditor
    ? view.dom.previousElementSibling : view.dom;
  target.dispatchEvent(new CustomEvent(name, { bubbles: true, detail }));
}

// Ctrl-S / Cmd-S: format the text (when the page can), then save it. The event
// "jifen-editor-saved" (detail {text, result} or {text, error}) tells the page.
async function formatAndSave(view) {
  if (saving) return;
  saving = true;
  let text = view.state.doc.toString();
  try {
    const format = workbench("format");
    if (format) {
      let answer;
      try { answer = await format(text); } catch (error) { answer = error; }
      if (answer && typeof answer.text === "string") {
        replaceDocument(view, answer.text);
        text = answer.text;
      } else {
        const diagnostics = refusal(answer);
        if (diagnostics) view.dispatch(setDiagnostics(view.state, toDiagnostics(view.state.doc, diagnostics)));
      }
    }
    const save = workbench("save");
    if (save) {
      const result = await save(text);
      tell(view, "jifen-editor-saved", { text, result });
    }
  } catch (error) {
    const diagnostics = refusal(error);
    if (diagnostics && view.state.doc.toString() === text) {
      view.dispatch(setDiagnostics(view.state, toDiagnostics(view.state.doc, diagnostics)));
    }
    tell(view, "jifen-editor-saved", { text, error });
  } finally {
    saving = false;
  }
}

// Handled before the page's own listeners see the key, so the text is saved once, formatted.
const saveKey = EditorView.domEventHandlers({
  keydown(event, view) {
    if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey || (event.key !== "s" && event.key !== "S")) return false;
    event.preventDefault();
    event.stopPropagation();
    formatAndSave(view);
    return true;
  },
});

// ------------------------------------------------------------ the editor

const readOnly = new Compartment();

function extensions(textarea, onChange) {
  return [
    lineNumbers(),
    highlightActiveLineGutter(),
    highlightSpecialChars(),
    history(),
    drawSelection(),
    dropCursor(),
    EditorState.allowMultipleSelections.of(true),
    indentOnInput(),
    indentUnit.of("    "),
    jifenLanguage,
    syntaxHighlighting(jifenHighlighter),
    bracketMatching({ brackets: BRACKETS }),
    closeBrackets(),
    rectangularSelection(),
    crosshairCursor(),
    highlightActiveLine(),
    highlightSelectionMatches(),
    EditorView.lineWrapping,
    linter(checkSource, { delay: LINT_DELAY }),
    lintGutter(),
    hover,
    saveKey,
    keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...searchKeymap, ...historyKeymap, ...lintKeymap, indentWithTab]),
    readOnly.of(EditorState.readOnly.of(textarea.readOnly || textarea.disabled)),
    EditorView.contentAttributes.of({
      "aria-label": textarea.getAttribute("aria-label") || "policy text",
      lang: document.documentElement.lang || "zh-CN",
    }),
    EditorView.updateListener.of((update) => { if (update.docChanged) onChange(update); }),
    theme,
  ];
}

function attach(textarea) {
  if (textarea.jifenEditor) return textarea.jifenEditor;
  const proto = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, "value");
  const setTextareaValue = (value) => proto.set.call(textarea, value);
  let view = null;

  const onChange = (update) => {
    setTextareaValue(update.state.doc.toString());
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  };

  view = new EditorView({
    state: EditorState.create({ doc: textarea.value, extensions: extensions(textarea, onChange) }),
  });
  view.dom.classList.add("cm-jifen");
  textarea.parentNode.insertBefore(view.dom, textarea.nextSibling);
  textarea.style.display = "none";
  textarea.setAttribute("aria-hidden", "true");

  // A script setting textarea.value changes the editor's text too.
  Object.defineProperty(textarea, "value", {
    configurable: true,
    enumerable: true,
    get: () => proto.get.call(textarea),
    set: (value) => {
      value = value == null ? "" : String(value);
      setTextareaValue(value);
      if (view.state.doc.toString() !== value) {
        view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: value } });
      }
    },
  });
  // A label or script focusing the textarea, or selecting in it, does so in the editor.
  textarea.focus = () => view.focus();
  textarea.setSelectionRange = (start, end) => {
    const length = view.state.doc.length;
    const anchor = Math.max(0, Math.min(length, start | 0));
    const head = end == null ? anchor : Math.max(0, Math.min(length, end | 0));
    view.dispatch({ selection: { anchor, head }, scrollIntoView: true });
  };
  if (textarea.id) {
    for (const label of document.querySelectorAll(`label[for="${CSS.escape(textarea.id)}"]`)) {
      label.addEventListener("click", (event) => { event.preventDefault(); view.focus(); });
    }
  }

  const api = {
    view,
    textarea,
    getText: () => view.state.doc.toString(),
    setText: (text) => { textarea.value = text; },
    setReadOnly: (on) => view.dispatch({ effects: readOnly.reconfigure(EditorState.readOnly.of(!!on)) }),
    check: () => forceLinting(view),
    save: () => formatAndSave(view),
    showDiagnostics: (diagnostics) => view.dispatch(setDiagnostics(view.state, toDiagnostics(view.state.doc, diagnostics))),
    toPosition: (line, column) => toPosition(view.state.doc, line, column),
  };
  textarea.jifenEditor = api;
  return api;
}

function start() {
  const textarea = document.getElementById("source");
  if (!textarea || textarea.tagName !== "TEXTAREA") return;
  window.jifenEditor = attach(textarea);
  document.dispatchEvent(new CustomEvent("jifen-editor-ready", { detail: window.jifenEditor }));
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
