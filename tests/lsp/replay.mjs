// Replay: types an example file into the server through incremental
// didChange notifications, a few characters at a time, then deletes it
// again the same way; after every change it sends one request (hover,
// completion, symbols, ...) at the cursor. Every request must be answered
// (a result, or an error the protocol allows), the server must never die,
// and once the file is whole again every diagnostic must be gone.
//
//   node tests/lsp/replay.mjs --platc build/platc --source-dir . [--file teams/teams.plat] [--stride 7]
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Client, args, copyTree, uriOf } from './client.mjs';

const opts = args();
const rel = opts.file ?? 'teams/teams.plat';
const stride = Number(opts.stride ?? 7);
const root = copyTree(path.join(opts['source-dir'], 'examples/acme'));
const file = path.join(root, rel);
const uri = uriOf(file);
const full = fs.readFileSync(file, 'utf8');

// LSP position (UTF-16) of the end of `text`.
const endOf = (text) => {
  const lines = text.split('\n');
  return { line: lines.length - 1, character: lines[lines.length - 1].length };
};

const client = new Client(opts.platc, ['--debounce-ms=20']);
await client.initialize(root);
client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'plat', version: 1, text: '' } });

const requests = [
  (p) => ['textDocument/hover', { textDocument: { uri }, position: p }],
  (p) => ['textDocument/completion', { textDocument: { uri }, position: p }],
  () => ['textDocument/documentSymbol', { textDocument: { uri } }],
  (p) => ['textDocument/definition', { textDocument: { uri }, position: p }],
  () => ['textDocument/semanticTokens/full', { textDocument: { uri } }],
  () => ['textDocument/foldingRange', { textDocument: { uri } }],
  (p) => ['textDocument/documentHighlight', { textDocument: { uri }, position: p }],
  (p) => ['textDocument/references', { textDocument: { uri }, position: p, context: { includeDeclaration: true } }],
  () => ['textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } }],
];
let version = 1, answered = 0, refused = 0;
const started = Date.now();

async function step(text, change) {
  client.notify('textDocument/didChange', { textDocument: { uri, version: ++version }, contentChanges: [change] });
  const [method, params] = requests[version % requests.length](endOf(text));
  try {
    await client.request(method, params);
  } catch (e) {
    // Formatting a half-typed file is refused (RequestFailed); nothing else may fail.
    if (!(method === 'textDocument/formatting' && e.code === -32803))
      throw new Error(`${method} at version ${version} (${JSON.stringify(text.slice(-40))}): ${e.message}`);
    refused++;
  }
  answered++;
  assert.equal(client.exited, null, `the server died at version ${version}`);
}

// Type.
for (let n = 0; n < full.length; n += stride) {
  const before = full.slice(0, n);
  const after = full.slice(0, Math.min(full.length, n + stride));
  const p = endOf(before);
  await step(after, { range: { start: p, end: p }, text: after.slice(n) });
}
// The file is whole again: every diagnostic of the workspace clears.
await client.until(() => [...client.diagnostics.values()].every((l) => l.length === 0),
                   'every diagnostic to clear once the file is complete', 20000);
// Delete.
for (let n = full.length; n > 0; n -= stride) {
  const m = Math.max(0, n - stride);
  const before = full.slice(0, n);
  await step(full.slice(0, m), { range: { start: endOf(full.slice(0, m)), end: endOf(before) }, text: '' });
}
// An empty teams file leaves every owner dangling: the server says so.
await client.until(() => [...client.diagnostics.values()].some((l) => l.length > 0),
                   'diagnostics about the deleted declarations', 20000);
const exit = await client.stop();
assert.equal(exit.code, 0);
fs.rmSync(root, { recursive: true, force: true });
console.log(`replayed ${rel} (${full.length} bytes, every ${stride} characters): ${answered} requests ` +
            `answered (${refused} formatting refusals), ${client.publishCount} diagnostic publications, ` +
            `${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log('1 passed, 0 failed');
