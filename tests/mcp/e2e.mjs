// `platc mcp` end to end, through the official MCP client
// (@modelcontextprotocol/sdk over its stdio transport): the handshake, the
// tool list, check (identical to `platc check --format json`, and a proposed
// edit checked without writing), explain, fix (a dry run by default, then for
// real), graph, cost, and errors.
//
//   node tests/mcp/e2e.mjs --platc build/platc
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

let Client, StdioClientTransport;
try {
  ({ Client } = await import('@modelcontextprotocol/sdk/client/index.js'));
  ({ StdioClientTransport } = await import('@modelcontextprotocol/sdk/client/stdio.js'));
} catch {
  console.log('SKIP: @modelcontextprotocol/sdk is not installed (npm ci in tests/mcp)');
  process.exit(process.env.PLAT_REQUIRE_MCP_CLIENT === '1' ? 1 : 77);
}

const i = process.argv.indexOf('--platc');
assert.ok(i > 0, 'usage: e2e.mjs --platc PATH');
const platc = path.resolve(process.argv[i + 1]);

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'plat-mcp-'));
const files = {
  'workspace.plat': 'workspace t {\n  account = "123456789012"\n  region = "eu-west-1"\n}\n',
  'b.plat': 'package billing\n\nteam finance {\n  lead = "bo@example.com"\n  cost_center = "cc-2"\n}\n',
  'a.plat': 'package shop\n\nimport billing\nimport billing\n\nteam payments {\n' +
            '  lead = "ana@example.com"\n  cost_center = "cc-1"\n}\n',
};
for (const [rel, text] of Object.entries(files)) fs.writeFileSync(path.join(root, rel), text);
const read = (rel) => fs.readFileSync(path.join(root, rel), 'utf8');
const checkJson = () => {
  let out;
  try { out = execFileSync(platc, ['check', root, '--format', 'json'], { encoding: 'utf8' }); }
  catch (e) { out = e.stdout; }
  return out.split('\n').filter(Boolean).map((l) => JSON.parse(l));
};

let failures = 0, passes = 0;
async function check(name, body) {
  try {
    await body();
    passes++;
    console.log(`ok - ${name}`);
  } catch (e) {
    failures++;
    console.log(`not ok - ${name}\n  ${String(e.stack).replace(/\n/g, '\n  ')}`);
  }
}

const transport = new StdioClientTransport({ command: platc, args: ['mcp'], stderr: 'inherit' });
const client = new Client({ name: 'plat-e2e', version: '1.0.0' });
await client.connect(transport);

await check('initialize: server info and the tools capability', async () => {
  assert.equal(client.getServerVersion().name, 'platc');
  assert.ok(client.getServerCapabilities().tools);
});

await check('tools/list: check, explain, fix, graph, cost, evidence, each with an object schema', async () => {
  const { tools } = await client.listTools();
  assert.deepEqual(tools.map((t) => t.name).sort(), ['check', 'cost', 'evidence', 'explain', 'fix', 'graph']);
  for (const t of tools) assert.equal(t.inputSchema.type, 'object');
});

await check('check: the same diagnostics as `platc check --format json`', async () => {
  const r = await client.callTool({ name: 'check', arguments: { dir: root } });
  assert.equal(r.isError, false);
  assert.deepEqual(r.structuredContent.diagnostics, checkJson());
  assert.deepEqual(JSON.parse(r.content[0].text), r.structuredContent);
  const codes = r.structuredContent.diagnostics.map((d) => d.code).sort();
  assert.deepEqual(codes, ['P0203', 'P0206']);
  assert.equal(r.structuredContent.warnings, 2);
  assert.ok(r.structuredContent.diagnostics.every((d) => d.fixes.length && d.fixes[0].safe));
});

await check('check a proposed edit: checked in memory, nothing written', async () => {
  const text = 'package shop\n\nteam payments {\n  lead = "ana@example.com"\n}\n';
  const r = await client.callTool({ name: 'check', arguments: { dir: root, file: 'a.plat', text } });
  assert.equal(r.isError, false);
  const d = r.structuredContent.diagnostics;
  assert.deepEqual(d.map((x) => x.code), ['P0302']);
  assert.match(d[0].message, /cost_center/);
  assert.equal(d[0].span.file, 'a.plat');
  assert.equal(read('a.plat'), files['a.plat']);
  const bad = await client.callTool({ name: 'check', arguments: { dir: root, file: '../x.plat', text } });
  assert.equal(bad.isError, true);
});

await check('explain: the page of a code', async () => {
  const r = await client.callTool({ name: 'explain', arguments: { code: 'P0206' } });
  assert.equal(r.isError, false);
  assert.match(r.structuredContent.text, /^# P0206 unused-import/);
  const bad = await client.callTool({ name: 'explain', arguments: { code: 'P9999' } });
  assert.equal(bad.isError, true);
  assert.match(bad.content[0].text, /no diagnostic/);
});

await check('fix: a dry run by default (a diff, nothing written), then applied', async () => {
  const dry = await client.callTool({ name: 'fix', arguments: { dir: root } });
  assert.equal(dry.isError, false);
  assert.equal(dry.structuredContent.dry_run, true);
  assert.match(dry.structuredContent.diff, /^--- a\/a\.plat\n\+\+\+ b\/a\.plat\n/);
  assert.match(dry.structuredContent.diff, /\n-import billing\n/);
  assert.equal(dry.structuredContent.applied.length, 2);
  assert.equal(read('a.plat'), files['a.plat']);
  const real = await client.callTool({ name: 'fix', arguments: { dir: root, dry_run: false } });
  assert.equal(real.isError, false);
  assert.deepEqual(real.structuredContent.diagnostics, []);
  assert.ok(!read('a.plat').includes('import'));
  assert.deepEqual(checkJson(), []);
});

await check('graph around a declaration, and cost', async () => {
  const g = await client.callTool({ name: 'graph', arguments: { dir: root, focus: 'payments', depth: 1 } });
  assert.equal(g.isError, false);
  assert.deepEqual(g.structuredContent.graph.nodes.map((n) => n.id), ['shop.payments']);
  const c = await client.callTool({ name: 'cost', arguments: { dir: root } });
  assert.equal(c.isError, false);
  assert.equal(c.structuredContent.cost.currency, 'USD');
  const bad = await client.callTool({ name: 'graph', arguments: { dir: root, focus: 'nobody' } });
  assert.equal(bad.isError, true);
});

await check('evidence for a profile, and an unknown profile', async () => {
  const e = await client.callTool({ name: 'evidence', arguments: { dir: root, profile: 'pci' } });
  assert.equal(e.isError, false);
  assert.equal(e.structuredContent.evidence.profile, 'pci');
  assert.ok(e.structuredContent.evidence.rules.some((r) => r.policy === 'pci_public_controls'));
  const bad = await client.callTool({ name: 'evidence', arguments: { dir: root, profile: 'pcidss' } });
  assert.equal(bad.isError, true);
  assert.match(bad.content[0].text, /no compliance profile named `pcidss`/);
});

await check('an unknown tool is a protocol error', async () => {
  await assert.rejects(client.callTool({ name: 'deploy', arguments: {} }), /no tool `deploy`/);
});

await client.close();
fs.rmSync(root, { recursive: true, force: true });
console.log(`${passes} passed, ${failures} failed`);
process.exit(failures ? 1 : 0);
