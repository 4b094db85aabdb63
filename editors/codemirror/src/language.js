// The jifen policy language for CodeMirror: a line tokenizer over both surface
// languages, English and Chinese, and the classes its tokens are drawn with.
//
// The spellings come from ../generated/keywords.js, written by
// scripts/keywords.mjs from the TextMate grammar that editors/textmate/generate.py
// makes from the language's own grammar; this file only says how each category
// is drawn and follows the grammar's context rules (see keywords.mjs).

import { StreamLanguage } from "@codemirror/language";
import { Tag, tags, tagHighlighter } from "@lezer/highlight";
import * as words from "../generated/keywords.js";

// Categories of the grammar without a standard CodeMirror tag of their own.
const jifenTags = {
  section: Tag.define(tags.keyword),
  edit: Tag.define(tags.keyword),
  setting: Tag.define(tags.keyword),
  bracketed: Tag.define(tags.variableName),
  date: Tag.define(tags.literal),
};

// TextMate scope (as generate.py names the categories) -> token of the tokenizer.
const TOKENS = {
  "keyword.control.conditional": "controlKeyword",
  "keyword.operator.word": "operatorKeyword",
  "keyword.other.section": "section",
  "keyword.other.edit": "edit",
  "keyword.other.header": "moduleKeyword",
  "keyword.other.declaration": "definitionKeyword",
  "keyword.other.setting": "setting",
  "keyword.other.unit": "unit",
  "keyword.other": "keyword",
  "storage.type": "typeName",
  "storage.modifier": "modifier",
  "constant.language.boolean": "bool",
  "constant.language.value": "atom",
  "support.function.builtin": "variableName.function.standard",
  "keyword.operator.comparison": "compareOperator",
  "keyword.operator.arithmetic": "arithmeticOperator",
  "punctuation.separator.colon": "punctuation",
  "punctuation.separator.comma": "separator",
  "punctuation.section.parens.begin": "paren",
  "punctuation.section.parens.end": "paren",
  "punctuation.section.braces.begin": "brace",
  "punctuation.section.braces.end": "brace",
};

function token(scope) {
  if (scope.startsWith("entity.name.")) return "variableName.definition";
  const found = TOKENS[scope];
  if (!found) throw new Error(`jifen editor: no token for the grammar category ${scope}`);
  return found;
}

const anchored = (pattern) => new RegExp(`^(?:${pattern})`);
const CHINESE = anchored(words.chinese);
const DATETIME = anchored(words.datetime);
const DATE = anchored(words.date);
const NUMBER = anchored(words.number);
const NAME = anchored(words.name);
const SYMBOLS = words.symbols.map(([pattern, scope]) => [anchored(pattern), token(scope)]);
const FUNCTIONS = new Set(words.functions);
const SECTIONS = new Set(words.sections);
const EDITS = new Set(words.edits);
const BEFORE_CALL = /^\s*[(\uFF08]/; // ( or （
const OPENS_SECTION = /^\s*(?:[{\uFF5B]|cite(?![A-Za-z0-9_]))/; // { or ｛, or cite
const OPENING = "{｛";
const CLOSING = "}｝";

// A quoted text up to its closing mark, or to the end of the line (as the grammar has it).
function quoted(stream, close, escapes) {
  let ch;
  while ((ch = stream.next()) != null) {
    if (escapes && ch === "\\") stream.next();
    else if (ch === close) break;
  }
  return "string";
}

// A declared name after field/字段, define/定义 ..., or null.
function declared(stream, state, text) {
  const pending = state.declaring;
  state.declaring = null;
  if (!pending || pending.notNames.includes(text)) return null;
  return "variableName.definition";
}

const parser = {
  name: "jifen",
  startState: () => ({ declaring: null, afterEdit: false, depth: 0 }),
  copyState: (s) => ({ declaring: s.declaring, afterEdit: s.afterEdit, depth: s.depth }),
  token(stream, state) {
    if (stream.sol()) { state.declaring = null; state.afterEdit = false; }
    if (stream.eatSpace()) return null;
    const afterEdit = state.afterEdit;
    state.afterEdit = false;
    const ch = stream.peek();

    if (ch === "#") { stream.skipToEnd(); state.declaring = null; return "lineComment"; }
    if (ch === '"') { stream.next(); state.declaring = null; return quoted(stream, '"', true); }
    if (ch === "“") { stream.next(); state.declaring = null; return quoted(stream, "”", false); }
    if (ch === "「") {
      stream.next();
      quoted(stream, "」", false);
      return declared(stream, state, "") || "bracketed";
    }
    if (stream.match(DATETIME) || stream.match(DATE)) { state.declaring = null; return "date"; }
    if (stream.match(NUMBER)) { state.declaring = null; return "number"; }

    let m = stream.match(NAME);
    if (m) {
      const word = m[0];
      const asName = declared(stream, state, word);
      if (asName) return asName;
      const rest = stream.string.slice(stream.pos);
      if (FUNCTIONS.has(word) && BEFORE_CALL.test(rest)) return token(words.functionScope);
      if (SECTIONS.has(word) && (afterEdit || OPENS_SECTION.test(rest))) return token(words.sectionScope);
      const scope = words.english[word];
      if (!scope) return "variableName";
      if (EDITS.has(word)) state.afterEdit = true;
      if (words.declaring[word]) state.declaring = words.declaring[word];
      return token(scope);
    }

    m = stream.match(CHINESE);
    if (m) {
      const word = m[0];
      state.declaring = words.declaring[word] || null;
      return token(words.chineseScopes[word]);
    }

    state.declaring = null;
    for (const [pattern, style] of SYMBOLS) {
      if (stream.match(pattern)) {
        if (style === "brace") {
          if (OPENING.includes(stream.current())) state.depth++;
          else if (CLOSING.includes(stream.current())) state.depth = Math.max(0, state.depth - 1);
        }
        return style;
      }
    }
    stream.next();
    return null;
  },
  indent(state, textAfter, context) {
    const closing = textAfter && CLOSING.includes(textAfter.trim().charAt(0));
    return Math.max(0, state.depth - (closing ? 1 : 0)) * context.unit;
  },
  languageData: {
    commentTokens: { line: "#" },
    closeBrackets: { brackets: ["(", "[", "{", "「", "（", "｛", '"', "“"] },
    indentOnInput: /^\s*[}\uFF5D]$/, // } or ｝
  },
  tokenTable: jifenTags,
};

export const jifenLanguage = StreamLanguage.define(parser);

// Stable class names for the tokens, styled in the editor's theme (and by any page).
export const jifenHighlighter = tagHighlighter([
  { tag: tags.keyword, class: "tok-keyword" },
  { tag: tags.controlKeyword, class: "tok-keyword tok-keyword-control" },
  { tag: tags.operatorKeyword, class: "tok-keyword tok-keyword-operator" },
  { tag: tags.definitionKeyword, class: "tok-keyword tok-keyword-declaration" },
  { tag: tags.moduleKeyword, class: "tok-keyword tok-keyword-header" },
  { tag: jifenTags.section, class: "tok-keyword tok-keyword-section" },
  { tag: jifenTags.edit, class: "tok-keyword tok-keyword-edit" },
  { tag: jifenTags.setting, class: "tok-keyword tok-keyword-setting" },
  { tag: tags.unit, class: "tok-keyword tok-unit" },
  { tag: tags.typeName, class: "tok-keyword tok-type" },
  { tag: tags.modifier, class: "tok-keyword tok-modifier" },
  { tag: tags.bool, class: "tok-bool" },
  { tag: tags.atom, class: "tok-atom" },
  { tag: tags.standard(tags.function(tags.variableName)), class: "tok-function" },
  { tag: tags.definition(tags.variableName), class: "tok-name tok-definition" },
  { tag: jifenTags.bracketed, class: "tok-name tok-bracketed" },
  { tag: tags.variableName, class: "tok-name" },
  { tag: jifenTags.date, class: "tok-date" },
  { tag: tags.number, class: "tok-number" },
  { tag: tags.string, class: "tok-string" },
  { tag: tags.lineComment, class: "tok-comment" },
  { tag: tags.operator, class: "tok-operator" },
  { tag: tags.punctuation, class: "tok-punctuation" },
]);
