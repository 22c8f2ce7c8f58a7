// Latency of `platc lsp` over stdio (not a test; figures for issue 13's
// targets). On a workspace (bench/gen_workspace.py makes large ones):
// initialize to the first complete check, an edit to the diagnostics of the
// edited file (alternately breaking and fixing a reference, so that every
// edit publishes), an edit to the complete check, hover, definition and
// completion, and the server's resident memory after the edits.
//
//   node tests/lsp/bench.mjs --platc build/platc --source-dir . --workspace DIR [--edits 100]
import fs from 'node:fs';
import path from 'node:path';
import { Client, args, uriOf } from './client.mjs';

const opts = args();
const root = path.resolve(opts.workspace ?? path.join(opts['source-dir'], 'examples/acme'));
const edits = Number(opts.edits ?? 100);
const files = fs.readdirSync(root, { recursive: true }).map(String).filter((f) => f.endsWith('.plat')).sort();
// A user file with a service that names its owner.
const rel = files.find((f) => /service /.test(fs.readFileSync(path.join(root, f), 'utf8')) &&
                              /owner\s*=\s*\w/.test(fs.readFileSync(path.join(root, f), 'utf8')));
const file = path.join(root, rel);
const text = fs.readFileSync(file, 'utf8');
const uri = uriOf(file);
const lines = text.split('\n');
const line = lines.findIndex((l) => /owner\s*=\s*\w/.test(l));
const owner = /owner\s*=\s*/.exec(lines[line]);
const ownerAt = { line, character: owner.index + owner[0].length + 1 }; // inside the name
const stats = (v) => {
  const s = [...v].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return `median ${q(0.5).toFixed(1)} ms, p99 ${q(0.99).toFixed(1)} ms (n=${s.length})`;
};
const rss = (pid) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

const client = new Client(opts.platc, ['--debounce-ms=0']);
let t = performance.now();
await client.initialize(root);
await client.request('workspace/symbol', { query: 'zzzz' }, 120000);
console.log(`${files.length} files; initialize to the first complete check: ${(performance.now() - t).toFixed(0)} ms`);
client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'plat', version: 1, text } });
await client.request('textDocument/documentSymbol', { textDocument: { uri } });
const rssBefore = rss(client.proc.pid);

const editTimes = [];
for (let i = 0; i < edits; i++) {
  const broken = i % 2 === 0;
  const before = client.publishCount;
  t = performance.now();
  // Insert or remove one character in the owner's name.
  client.notify('textDocument/didChange', {
    textDocument: { uri, version: i + 2 },
    contentChanges: [broken ? { range: { start: ownerAt, end: ownerAt }, text: 'x' }
                            : { range: { start: ownerAt, end: { line: ownerAt.line, character: ownerAt.character + 1 } }, text: '' }],
  });
  await client.until(() => client.publishCount > before && (client.diagnostics.get(uri)?.length > 0) === broken,
                     `diagnostics after edit ${i}`, 60000);
  editTimes.push(performance.now() - t);
}
console.log(`edit to the edited file's diagnostics: ${stats(editTimes)}`);
// The same edits, each followed by a request on the edited file, which the
// server answers once the complete check of the new text is done and every
// affected file's diagnostics are published.
const completeTimes = [];
for (let i = 0; i < Math.min(edits, 40); i++) {
  const broken = i % 2 === 0;
  t = performance.now();
  client.notify('textDocument/didChange', {
    textDocument: { uri, version: edits + i + 2 },
    contentChanges: [broken ? { range: { start: ownerAt, end: ownerAt }, text: 'x' }
                            : { range: { start: ownerAt, end: { line: ownerAt.line, character: ownerAt.character + 1 } }, text: '' }],
  });
  await client.request('textDocument/documentSymbol', { textDocument: { uri } }, 60000);
  completeTimes.push(performance.now() - t);
}
console.log(`edit to the complete check (every file's diagnostics): ${stats(completeTimes)}`);
console.log(`resident memory: ${rssBefore.toFixed(0)} MiB before the edits, ${rss(client.proc.pid).toFixed(0)} MiB after ${edits}`);
for (const [method, extra] of [['textDocument/hover', {}], ['textDocument/definition', {}], ['textDocument/completion', {}]]) {
  const times = [];
  for (let i = 0; i < 200; i++) {
    t = performance.now();
    await client.request(method, { textDocument: { uri }, position: ownerAt, ...extra });
    times.push(performance.now() - t);
  }
  console.log(`${method}: ${stats(times)}`);
}
await client.stop();
