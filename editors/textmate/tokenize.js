#!/usr/bin/env node
// Tokenize policy text with the TextMate grammar, through the engine VS Code
// itself uses (vscode-textmate with vscode-oniguruma), and print the tokens.
//
//   node editors/textmate/tokenize.js FILE.jifen...      one JSON document per file
//   node editors/textmate/tokenize.js --json < INPUT      INPUT: {"texts": ["...", ...]}
//
// The output holds, for each text, a list of its lines (split at "\n"), each a
// list of tokens [start, end, [scope, ...]], the offsets counted in Unicode code
// points from the start of the line (not in UTF-16 units, as vscode-textmate
// counts them), so that a Python string indexes them directly.
//
// Install the engine first: editors/textmate/install-test-tools.sh.

"use strict";

const fs = require("fs");
const path = require("path");

const here = __dirname;
const grammarPath = path.join(here, "jifen.tmLanguage.json");

function load(name) {
  return require(require.resolve(name, { paths: [here] }));
}

async function loadGrammar() {
  const oniguruma = load("vscode-oniguruma");
  const textmate = load("vscode-textmate");
  const wasm = fs.readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm", { paths: [here] }));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async (scopeName) => {
      if (scopeName !== "source.jifen") return null;
      return textmate.parseRawGrammar(fs.readFileSync(grammarPath, "utf8"), grammarPath);
    },
  });
  return { grammar: await registry.loadGrammar("source.jifen"), INITIAL: textmate.INITIAL };
}

// The code point offset of every UTF-16 offset of a line (and of its end).
function codePointOffsets(line) {
  const offsets = new Array(line.length + 1);
  let points = 0;
  for (let i = 0; i < line.length; i++) {
    offsets[i] = points;
    const unit = line.charCodeAt(i);
    if (unit < 0xd800 || unit > 0xdbff || i + 1 === line.length) points++;
  }
  offsets[line.length] = points;
  return offsets;
}

function tokenize(grammar, INITIAL, text) {
  let stack = INITIAL;
  return text.split("\n").map((line) => {
    const result = grammar.tokenizeLine(line, stack, 0);
    stack = result.ruleStack;
    const at = codePointOffsets(line);
    return result.tokens
      .filter((token) => token.startIndex < line.length)
      .map((token) => [at[token.startIndex], at[Math.min(token.endIndex, line.length)], token.scopes]);
  });
}

async function main(argv) {
  const { grammar, INITIAL } = await loadGrammar();
  if (argv[0] === "--json") {
    const input = JSON.parse(fs.readFileSync(0, "utf8"));
    process.stdout.write(JSON.stringify(input.texts.map((text) => tokenize(grammar, INITIAL, text))));
    return;
  }
  if (argv.length === 0) {
    process.stderr.write("usage: tokenize.js FILE.jifen... | tokenize.js --json < {\"texts\": [...]}\n");
    process.exitCode = 2;
    return;
  }
  for (const file of argv) {
    const lines = tokenize(grammar, INITIAL, fs.readFileSync(file, "utf8"));
    process.stdout.write(JSON.stringify({ file, lines }) + "\n");
  }
}

main(process.argv.slice(2)).catch((error) => {
  process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
  process.exitCode = 1;
});
