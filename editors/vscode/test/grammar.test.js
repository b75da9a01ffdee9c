// The TextMate grammars tokenized by the engine VS Code uses
// (vscode-textmate with the Oniguruma regular expressions): `npm ci && npm test`
// in editors/vscode.  tests/test_lsp_grammar.py runs this where node and the
// packages are installed.
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const fs = require("node:fs");
const path = require("node:path");
const vsctm = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

const here = path.join(__dirname, "..");
const files = {
  "source.deriv": "syntaxes/deriv.tmLanguage.json",
  "markdown.deriv.codeblock": "syntaxes/markdown-deriv.tmLanguage.json",
};

const onigLib = (async () => {
  const wasm = fs.readFileSync(path.join(require.resolve("vscode-oniguruma"), "..", "onig.wasm")).buffer;
  await oniguruma.loadWASM(wasm);
  return {
    createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
    createOnigString: (s) => new oniguruma.OnigString(s),
  };
})();

const registry = new vsctm.Registry({
  onigLib,
  loadGrammar: async (scope) => {
    const file = files[scope];
    if (!file) return null;
    const full = path.join(here, file);
    return vsctm.parseRawGrammar(fs.readFileSync(full, "utf8"), full);
  },
});

// Each line's tokens as [text, innermost scope] pairs.
async function tokens(scope, text) {
  const grammar = await registry.loadGrammar(scope);
  let stack = vsctm.INITIAL;
  const out = [];
  for (const line of text.split("\n")) {
    const r = grammar.tokenizeLine(line, stack);
    out.push(r.tokens.map((t) => [line.slice(t.startIndex, t.endIndex), t.scopes]));
    stack = r.ruleStack;
  }
  return out;
}

function scopeOf(lineTokens, text) {
  const hit = lineTokens.find(([t]) => t.trim() === text);
  assert.ok(hit, `no token '${text}' in ${JSON.stringify(lineTokens.map(([t]) => t))}`);
  return hit[1][hit[1].length - 1];
}

test("a .deriv file: sizes, declarations, definitions, claims, comments", async () => {
  const [dims, decl, def, claim, unicode] = await tokens("source.deriv", [
    "dims n = 5, k = 3   # sizes",
    "y : 1 x n onehot",
    "h = sigma(x @ W1 + b1)",
    "dL/dx = (yhat - y) @ W2.T * sigma'(a) @ W1.T",
    "∂L/∂x = (ŷ − y) @ W₂ᵀ ⊙ σ'(a)",
  ].join("\n"));
  assert.strictEqual(scopeOf(dims, "dims"), "keyword.other.dims.deriv");
  assert.strictEqual(scopeOf(dims, "n"), "variable.other.constant.size.deriv");
  assert.strictEqual(scopeOf(dims, "5"), "constant.numeric.deriv");
  assert.strictEqual(scopeOf(dims, "# sizes"), "comment.line.number-sign.deriv");
  assert.strictEqual(scopeOf(decl, "y"), "variable.parameter.input.deriv");
  assert.strictEqual(scopeOf(decl, "x"), "keyword.operator.shape.deriv");
  assert.strictEqual(scopeOf(decl, "onehot"), "storage.modifier.attribute.deriv");
  assert.strictEqual(scopeOf(def, "h"), "entity.name.variable.definition.deriv");
  assert.strictEqual(scopeOf(def, "sigma"), "support.function.builtin.deriv");
  assert.strictEqual(scopeOf(def, "@"), "keyword.operator.arithmetic.deriv");
  assert.strictEqual(scopeOf(def, "W1"), "variable.other.deriv");
  assert.strictEqual(scopeOf(claim, "dL/dx"), "entity.name.function.derivative.deriv");
  assert.strictEqual(scopeOf(claim, ".T"), "keyword.operator.transpose.deriv");
  assert.strictEqual(scopeOf(claim, "sigma'"), "support.function.builtin.deriv");
  assert.strictEqual(scopeOf(unicode, "∂L/∂x"), "entity.name.function.derivative.deriv");
  assert.strictEqual(scopeOf(unicode, "ᵀ"), "keyword.operator.transpose.deriv");
  assert.strictEqual(scopeOf(unicode, "⊙"), "keyword.operator.arithmetic.deriv");
  assert.strictEqual(scopeOf(unicode, "ŷ"), "variable.other.deriv");
});

test("a ```deriv fence in Markdown is chainrule inside, prose outside", async () => {
  const lines = await tokens("markdown.deriv.codeblock", [
    "```deriv",
    "x : 1 x n",
    "a = x @ W1",
    "```",
    "a = x @ W1 in prose",
  ].join("\n"));
  assert.ok(lines[0][0][1].includes("markup.fenced_code.block.markdown"));
  const inside = lines[2].find(([t]) => t === "@")[1];
  assert.ok(inside.includes("meta.embedded.block.deriv"), JSON.stringify(inside));
  assert.strictEqual(inside[inside.length - 1], "keyword.operator.arithmetic.deriv");
  for (const [, scopes] of lines[4]) {
    assert.ok(!scopes.some((s) => s.endsWith(".deriv")), `prose tokenized as chainrule: ${scopes}`);
  }
});
