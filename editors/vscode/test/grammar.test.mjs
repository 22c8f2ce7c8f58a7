// The TextMate grammar, tokenized as VS Code does it (vscode-textmate with
// the oniguruma WebAssembly engine): every .plat file of the repository
// tokenizes, and the tokens listed in test/expected.json carry their scopes.
//
//   node editors/vscode/test/grammar.test.mjs --source-dir .
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const ext = path.dirname(here);
const require = createRequire(import.meta.url);
let vsctm, oniguruma;
try {
  vsctm = require(path.join(ext, 'node_modules/vscode-textmate'));
  oniguruma = require(path.join(ext, 'node_modules/vscode-oniguruma'));
} catch {
  console.error('vscode-textmate is not installed: run `npm ci` in editors/vscode');
  process.exit(process.env.PLAT_REQUIRE_LSP_CLIENT === '1' ? 1 : 77);
}
const argv = process.argv.slice(2);
const sourceDir = path.resolve(argv[argv.indexOf('--source-dir') + 1] ?? '.');

const wasm = fs.readFileSync(path.join(ext, 'node_modules/vscode-oniguruma/release/onig.wasm')).buffer;
await oniguruma.loadWASM(wasm);
const registry = new vsctm.Registry({
  onigLib: Promise.resolve({
    createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
    createOnigString: (s) => new oniguruma.OnigString(s),
  }),
  loadGrammar: async (scope) => scope === 'source.plat'
    ? vsctm.parseRawGrammar(fs.readFileSync(path.join(ext, 'syntaxes/plat.tmLanguage.json'), 'utf8'), 'plat.tmLanguage.json')
    : null,
});
const grammar = await registry.loadGrammar('source.plat');
assert.ok(grammar, 'the grammar loads');

function tokenize(text) {
  let stack = vsctm.INITIAL;
  return text.split('\n').map((line) => {
    const r = grammar.tokenizeLine(line, stack);
    stack = r.ruleStack;
    return r.tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes }));
  });
}

let passes = 0, failures = 0;
const fail = (what) => { failures++; console.log(`not ok - ${what}`); };

// Every .plat file tokenizes, and no line of the formatted examples ends
// inside a string or a block comment it did not open.
const files = [];
for (const top of ['examples', 'stdlib'])
  for (const f of fs.readdirSync(path.join(sourceDir, top), { recursive: true }))
    if (String(f).endsWith('.plat')) files.push(path.join(top, String(f)));
for (const f of files) {
  const lines = tokenize(fs.readFileSync(path.join(sourceDir, f), 'utf8'));
  const leaked = lines.findIndex((toks) => toks.length && toks[toks.length - 1].scopes.some((s) => s.startsWith('string.quoted.double')) &&
                                            !toks[toks.length - 1].text.endsWith('"'));
  if (leaked >= 0) fail(`${f}:${leaked + 1}: a string runs past the end of the line`);
  else passes++;
}

const { expectations } = JSON.parse(fs.readFileSync(path.join(here, 'expected.json'), 'utf8'));
const cache = new Map();
for (const e of expectations) {
  if (!cache.has(e.file)) cache.set(e.file, tokenize(fs.readFileSync(path.join(sourceDir, e.file), 'utf8')));
  const tokens = cache.get(e.file)[e.line - 1] ?? [];
  const tok = tokens.find((t) => t.text === e.text);
  const what = `${e.file}:${e.line} \`${e.text}\` is ${e.scope}`;
  if (!tok) fail(`${what}: no such token; the line's tokens: ${JSON.stringify(tokens.map((t) => t.text))}`);
  else if (!tok.scopes.some((s) => s.startsWith(e.scope))) fail(`${what}: it has ${tok.scopes.join(' ')}`);
  else passes++;
}
console.log(`${passes} passed, ${failures} failed`);
process.exit(failures ? 1 : 0);
