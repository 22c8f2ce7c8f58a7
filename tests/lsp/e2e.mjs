// `platc lsp` end to end, through VS Code's client library, on a copy of
// examples/acme: initialize, diagnostics (identical to `platc check`, then
// cleared), hover, definition, references, symbols, formatting, completion.
//
//   node tests/lsp/e2e.mjs --platc build/platc --source-dir .
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client, args, copyTree, uriOf } from './client.mjs';

const { platc, 'source-dir': sourceDir } = args();
const root = copyTree(path.join(sourceDir, 'examples/acme'));
const scorerPath = path.join(root, 'fraud/scorer.plat');
const scorer = fs.readFileSync(scorerPath, 'utf8');
const scorerUri = uriOf(scorerPath);
let failures = 0, passes = 0;
async function check(name, body) {
  try {
    await body();
    passes++;
    console.log(`ok - ${name}`);
  } catch (e) {
    failures++;
    console.log(`not ok - ${name}\n  ${e.stack.replace(/\n/g, '\n  ')}`);
  }
}
const pos = (text, needle, delta = 0) => {
  const at = text.indexOf(needle);
  assert.ok(at >= 0, `${needle} not found`);
  const before = text.slice(0, at + delta);
  const line = before.split('\n').length - 1;
  return { line, character: before.length - before.lastIndexOf('\n') - 1 };
};

// A broken copy on disk: what `platc check` says about it is what the
// server must publish.
const broken = scorer.replace('owner = teams.fraud_ml', 'owner = teams.fraud_mll')
                     .replace('count = 2', 'countt = 2');
fs.writeFileSync(scorerPath, broken);
let expected = [];
try {
  execFileSync(platc, ['check', root, '--format', 'json'], { encoding: 'utf8' });
} catch (e) {
  expected = e.stdout.trim().split('\n').map((l) => JSON.parse(l));
}
assert.equal(expected.length, 2, 'the broken copy has two problems');

const client = new Client(platc);
await check('initialize advertises the implemented features', async () => {
  const r = await client.initialize(root, { general: { positionEncodings: ['utf-16'] } });
  const caps = r.capabilities;
  assert.equal(caps.positionEncoding, 'utf-16');
  for (const p of ['hoverProvider', 'definitionProvider', 'referencesProvider', 'documentSymbolProvider',
                   'workspaceSymbolProvider', 'documentFormattingProvider'])
    assert.equal(caps[p], true, p);
  assert.ok(caps.completionProvider);
  assert.equal(caps.renameProvider.prepareProvider, true);
  assert.equal(caps.inlayHintProvider, true);
  assert.equal(caps.typeHierarchyProvider, undefined);
  assert.equal(r.serverInfo.name, 'platc');
});

await check('diagnostics are those of platc check', async () => {
  await client.until(() => client.diagnostics.has(scorerUri), 'diagnostics for scorer.plat');
  const got = client.diagnostics.get(scorerUri);
  assert.deepEqual(
    got.map((d) => [d.code, d.message, d.range.start.line + 1, d.range.start.character + 1,
                    d.range.end.line + 1, d.range.end.character + 1]),
    expected.map((d) => [d.code, d.message, d.span.line, d.span.column, d.span.end_line, d.span.end_column]));
  for (const d of got) {
    assert.equal(d.source, 'platc');
    assert.match(d.codeDescription.href, new RegExp(d.code));
  }
  // Only the broken file has diagnostics.
  for (const [uri, list] of client.diagnostics)
    if (uri !== scorerUri) assert.deepEqual(list, [], uri);
});

await check('diagnostics clear when the open document is fixed', async () => {
  client.notify('textDocument/didOpen', { textDocument: { uri: scorerUri, languageId: 'plat', version: 1, text: broken } });
  // Fix both problems with two incremental edits.
  const p1 = pos(broken, 'fraud_mll', 8);
  const p2 = pos(broken, 'countt', 5);
  client.notify('textDocument/didChange', {
    textDocument: { uri: scorerUri, version: 2 },
    contentChanges: [
      { range: { start: p2, end: { line: p2.line, character: p2.character + 1 } }, text: '' },
      { range: { start: p1, end: { line: p1.line, character: p1.character + 1 } }, text: '' },
    ],
  });
  await client.until(() => client.diagnostics.get(scorerUri)?.length === 0, 'cleared diagnostics');
});

await check('hover shows the declaration, its docs and per-environment facts', async () => {
  const h = await client.request('textDocument/hover', { textDocument: { uri: scorerUri }, position: pos(scorer, 'fraud_scorer', 3) });
  assert.match(h.contents.value, /model acme\.fraud\.fraud_scorer/);
  assert.match(h.contents.value, /Scores each authorisation for fraud risk/);
  assert.match(h.contents.value, /\| prod \| fraud_scorer → transactions \(trained on\) = pii \| [0-9.]+ USD \|/);
  const f = await client.request('textDocument/hover', { textDocument: { uri: scorerUri }, position: pos(scorer, 'trained_on', 2) });
  assert.match(f.contents.value, /trained_on : list<ref<dataset>>/);
});

await check('definition goes to the declaration in another file, and into stdlib', async () => {
  const d = await client.request('textDocument/definition', { textDocument: { uri: scorerUri }, position: pos(scorer, 'teams.fraud_ml', 8) });
  assert.equal(d.uri, uriOf(path.join(root, 'teams/teams.plat')));
  assert.equal(d.range.start.line, 17);
  const s = await client.request('textDocument/definition', { textDocument: { uri: scorerUri }, position: pos(scorer, 'framework =', 2) });
  assert.match(s.uri, /stdlib-[0-9.]+\/kinds\/model\.plat$/);
  assert.ok(fs.readFileSync(new URL(s.uri), 'utf8').includes('framework'));
});

await check('references list every use across files', async () => {
  const refs = await client.request('textDocument/references', {
    textDocument: { uri: scorerUri }, position: pos(scorer, 'fraud_scorer', 3), context: { includeDeclaration: true } });
  const files = new Set(refs.map((r) => path.relative(root, new URL(r.uri).pathname)));
  assert.ok(files.has('fraud/scorer.plat'));
  assert.ok(files.has('payments/checkout.plat'));
});

await check('document and workspace symbols', async () => {
  const syms = await client.request('textDocument/documentSymbol', { textDocument: { uri: scorerUri } });
  assert.deepEqual(syms.map((s) => s.name), ['fraud_scorer']);
  assert.ok(syms[0].children.some((c) => c.name === 'train'));
  const ws = await client.request('workspace/symbol', { query: 'ledger' });
  assert.ok(ws.some((s) => s.name === 'ledger' && s.location.uri.endsWith('payments/ledger.plat')));
});

await check('formatting is platc fmt', async () => {
  const messy = scorer.replace('  count = 2', 'count=2');
  client.notify('textDocument/didChange', { textDocument: { uri: scorerUri, version: 3 }, contentChanges: [{ text: messy }] });
  const edits = await client.request('textDocument/formatting', { textDocument: { uri: scorerUri }, options: { tabSize: 2, insertSpaces: true } });
  assert.equal(edits.length, 1);
  assert.equal(edits[0].newText, scorer);
  client.notify('textDocument/didChange', { textDocument: { uri: scorerUri, version: 4 }, contentChanges: [{ text: scorer }] });
});

await check('completion: unset fields, then teams for `owner`', async () => {
  const withLine = scorer.replace('  compliance = [pci]\n', '  compliance = [pci]\n  \n');
  client.notify('textDocument/didChange', { textDocument: { uri: scorerUri, version: 5 }, contentChanges: [{ text: withLine }] });
  const c = await client.request('textDocument/completion', { textDocument: { uri: scorerUri }, position: pos(withLine, '  \n', 2) });
  const labels = c.items.map((i) => i.label);
  assert.ok(labels.includes('monitoring'), labels.join(' '));
  assert.ok(labels.includes('image'));
  assert.ok(!labels.includes('owner'), 'owner is already set');
  assert.ok(!labels.includes('trained_on'), 'trained_on is already set');
  const owner = scorer.replace('owner = teams.fraud_ml', 'owner = ');
  client.notify('textDocument/didChange', { textDocument: { uri: scorerUri, version: 6 }, contentChanges: [{ text: owner }] });
  const o = await client.request('textDocument/completion', { textDocument: { uri: scorerUri }, position: pos(owner, 'owner = ', 8) });
  const teams = o.items.map((i) => i.label);
  assert.ok(teams.includes('teams.fraud_ml'), teams.join(' '));
  assert.ok(teams.includes('teams.payments'));
  assert.ok(!teams.some((t) => t.includes('ledger')), 'a service is not a team');
});

await check('code lenses and the call hierarchy show the cross-persona model', async () => {
  client.notify('textDocument/didChange', { textDocument: { uri: scorerUri, version: 7 }, contentChanges: [{ text: scorer }] });
  const lenses = await client.request('textDocument/codeLens', { textDocument: { uri: scorerUri } });
  const titles = lenses.map((l) => l.command.title);
  assert.ok(titles.some((t) => /^monthly cost: dev [0-9.]+, staging [0-9.]+, prod [0-9.]+ USD$/.test(t)), titles.join(' | '));
  assert.ok(titles.includes('prod: fraud_scorer → transactions (trained on) = pii'), titles.join(' | '));
  const [item] = await client.request('textDocument/prepareCallHierarchy', { textDocument: { uri: scorerUri }, position: pos(scorer, 'fraud_scorer', 3) });
  const incoming = await client.request('callHierarchy/incomingCalls', { item });
  assert.ok(incoming.some((c) => c.from.name === 'checkout_api'), incoming.map((c) => c.from.name).join(' '));
  const outgoing = await client.request('callHierarchy/outgoingCalls', { item });
  assert.ok(outgoing.some((c) => c.to.name === 'transactions'), outgoing.map((c) => c.to.name).join(' '));
});

await check('shutdown and exit end the server with status 0', async () => {
  const exit = await client.stop();
  assert.equal(exit.code, 0);
});

await check('malformed input over stdio gets JSON-RPC errors and the server carries on', async () => {
  // Raw bytes, below the client library: a body that is not JSON, a header
  // without Content-Length (its body runs into the next header), a request
  // of the wrong shape, then a good request.
  const proc = spawn(platc, ['lsp'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const frame = (s) => `Content-Length: ${Buffer.byteLength(s)}\r\n\r\n${s}`;
  let out = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stdin.write(frame('{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}'));
  proc.stdin.write(frame('{"jsonrpc": "2.0", "id": 2, "method": '));
  proc.stdin.write('Content-Type: application/vscode-jsonrpc\r\n\r\n{"jsonrpc": "2.0"}');
  proc.stdin.write(frame('{"jsonrpc": "2.0", "id": 3, "method": "textDocument/hover", "params": {"textDocument": 7}}'));
  proc.stdin.write(frame('{"jsonrpc": "2.0", "id": 4, "method": "workspace/symbol", "params": {"query": "x"}}'));
  const start = Date.now();
  while (!out.includes('"id":4') && Date.now() - start < 10000) await new Promise((r) => setTimeout(r, 20));
  proc.stdin.end();
  const bodies = out.split(/Content-Length: \d+\r\n\r\n/).filter(Boolean).map((b) => JSON.parse(b));
  const byId = (id) => bodies.find((b) => b.id === id);
  assert.ok(byId(1).result.capabilities);
  const errors = bodies.filter((b) => b.error && b.id === null).map((b) => b.error.code);
  assert.deepEqual(errors, [-32700, -32700]);
  assert.equal(byId(3).error.code, -32602);
  assert.ok(Array.isArray(byId(4).result));
  const code = await new Promise((r) => proc.on('exit', r));
  assert.equal(code, 1, 'end of input without exit: status 1');
});

fs.rmSync(root, { recursive: true, force: true });
console.log(`${passes} passed, ${failures} failed`);
process.exit(failures ? 1 : 0);
