// The editor's look: fonts that draw Chinese and Latin text together, and the
// colours of the token classes of language.js (tok-*). A page may restyle the
// same classes.

import { EditorView } from "@codemirror/view";

const MONO = '"Noto Sans Mono CJK SC", "Noto Sans CJK SC", "Source Han Mono SC", "Sarasa Mono SC", ' +
  'ui-monospace, "DejaVu Sans Mono", "Microsoft YaHei Mono", monospace';

export const theme = EditorView.baseTheme({
  "&": { fontSize: "15px", border: "1px solid #c8ccd4", borderRadius: "4px", minHeight: "12em" },
  "&.cm-focused": { outline: "2px solid #7aa7e8", outlineOffset: "-1px" },
  ".cm-scroller": { fontFamily: MONO, lineHeight: "1.6", minHeight: "12em" },
  ".cm-tooltip, .cm-panel": { fontFamily: '"Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", sans-serif' },
  ".cm-jifen-hover": { maxWidth: "42em", padding: "4px 8px", lineHeight: "1.5" },
  ".cm-jifen-hover p": { margin: "4px 0" },
  ".cm-jifen-hover ul": { margin: "4px 0", paddingLeft: "1.4em" },
  ".cm-jifen-hover code, .cm-jifen-hover pre": { fontFamily: MONO, fontSize: "90%" },
  ".cm-jifen-hover pre": { margin: "4px 0", whiteSpace: "pre-wrap" },
  ".cm-jifen-hint": { opacity: "0.8", marginTop: "2px" },
  ".cm-diagnosticSource": { fontFamily: MONO },

  "&light .tok-comment": { color: "#6a737d", fontStyle: "italic" },
  "&light .tok-keyword": { color: "#8f2d96" },
  "&light .tok-keyword-control": { color: "#a626a4", fontWeight: "bold" },
  "&light .tok-keyword-operator": { color: "#a626a4" },
  "&light .tok-keyword-declaration": { color: "#0b57a4", fontWeight: "bold" },
  "&light .tok-keyword-header": { color: "#0b57a4" },
  "&light .tok-keyword-section": { color: "#b3261e", fontWeight: "bold" },
  "&light .tok-keyword-edit": { color: "#b3261e" },
  "&light .tok-type": { color: "#00796b" },
  "&light .tok-modifier": { color: "#00796b" },
  "&light .tok-unit": { color: "#8f2d96" },
  "&light .tok-bool, &light .tok-atom": { color: "#c45500" },
  "&light .tok-function": { color: "#1565c0" },
  "&light .tok-name": { color: "#24292f" },
  "&light .tok-bracketed": { color: "#005f73" },
  "&light .tok-definition": { color: "#005f73", fontWeight: "bold" },
  "&light .tok-date": { color: "#2e7d32" },
  "&light .tok-number": { color: "#2e7d32" },
  "&light .tok-string": { color: "#7a4f01" },
  "&light .tok-operator": { color: "#a626a4" },

  "&dark .tok-comment": { color: "#8b949e", fontStyle: "italic" },
  "&dark .tok-keyword": { color: "#d2a8ff" },
  "&dark .tok-keyword-control, &dark .tok-keyword-declaration, &dark .tok-keyword-section": { fontWeight: "bold" },
  "&dark .tok-keyword-section, &dark .tok-keyword-edit": { color: "#ff7b72" },
  "&dark .tok-type, &dark .tok-modifier": { color: "#56d4bc" },
  "&dark .tok-bool, &dark .tok-atom": { color: "#ffa657" },
  "&dark .tok-function": { color: "#79c0ff" },
  "&dark .tok-bracketed, &dark .tok-definition": { color: "#7ee0f0" },
  "&dark .tok-date, &dark .tok-number": { color: "#7ee787" },
  "&dark .tok-string": { color: "#e3b341" },
  "&dark .tok-operator": { color: "#d2a8ff" },
});
