// A client for `platc lsp` built on the library VS Code itself uses
// (vscode-languageserver-protocol over vscode-jsonrpc): starts the server as
// a subprocess and speaks JSON-RPC over its stdin/stdout.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
let protocol;
try {
  protocol = await import(pathToFileURL(path.join(here, 'node_modules/vscode-languageserver-protocol/node.js')).href);
} catch {
  // Not installed (scripts/setup.sh runs `npm ci` in tests/lsp): skipped,
  // unless CI requires the client.
  console.error('vscode-languageserver-protocol is not installed: run `npm ci` in tests/lsp');
  process.exit(process.env.PLAT_REQUIRE_LSP_CLIENT === '1' ? 1 : 77);
}
export const { createProtocolConnection, StreamMessageReader, StreamMessageWriter } = protocol;

export function args() {
  const out = {};
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++)
    if (argv[i].startsWith('--')) out[argv[i].slice(2)] = argv[++i];
  if (!out.platc || !out['source-dir']) {
    console.error('usage: node SCRIPT --platc PLATC --source-dir SOURCE_DIR');
    process.exit(2);
  }
  return out;
}

// A copy of a folder in a fresh temporary folder.
export function copyTree(from) {
  const to = fs.mkdtempSync(path.join(os.tmpdir(), 'plat-lsp-e2e-'));
  fs.cpSync(from, to, { recursive: true });
  return to;
}

export const uriOf = (file) => pathToFileURL(file).href;

export class Client {
  constructor(platc, extraArgs = []) {
    this.proc = spawn(platc, ['lsp', '--stdio', ...extraArgs], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.exited = null;
    this.proc.on('exit', (code, signal) => { this.exited = { code, signal }; });
    this.conn = createProtocolConnection(new StreamMessageReader(this.proc.stdout),
                                         new StreamMessageWriter(this.proc.stdin));
    this.diagnostics = new Map(); // uri -> latest list
    this.publishCount = 0;
    this.waiters = new Set(); // woken on every published list
    this.conn.onNotification('textDocument/publishDiagnostics', (p) => {
      this.diagnostics.set(p.uri, p.diagnostics);
      this.publishCount++;
      for (const wake of this.waiters) wake();
    });
    this.conn.onRequest('client/registerCapability', () => null);
    this.conn.listen();
  }

  async initialize(root, capabilities = {}) {
    const r = await this.request('initialize', {
      processId: process.pid, rootUri: uriOf(root), capabilities,
      workspaceFolders: [{ uri: uriOf(root), name: path.basename(root) }],
    });
    this.notify('initialized', {});
    return r;
  }

  async request(method, params, timeoutMs = 20000) {
    let timer;
    try {
      return await Promise.race([
        this.conn.sendRequest(method, params),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer to ${method} within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  notify(method, params) { this.conn.sendNotification(method, params); }

  // Waits until `predicate()` holds (checked as each diagnostics list
  // arrives, and every 10 ms), or fails.
  async until(predicate, what, timeoutMs = 20000) {
    const start = Date.now();
    while (!predicate()) {
      if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
      if (this.exited) throw new Error(`the server exited (${JSON.stringify(this.exited)}) waiting for ${what}`);
      let wake, timer;
      await new Promise((r) => {
        wake = r;
        this.waiters.add(wake);
        timer = setTimeout(r, 10);
      });
      clearTimeout(timer);
      this.waiters.delete(wake);
    }
  }

  async stop() {
    await this.request('shutdown', null);
    this.notify('exit', null);
    await new Promise((resolve) => {
      if (this.exited) resolve();
      else this.proc.on('exit', resolve);
    });
    this.conn.dispose();
    return this.exited;
  }
}
