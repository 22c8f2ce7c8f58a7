// Packages the extension with @vscode/vsce and checks what the .vsix holds:
// the manifest, the client, the grammar, the language configuration and the
// client library it needs at run time (and no test files).
//
//   node editors/vscode/test/package.test.mjs
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ext = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const vsce = path.join(ext, 'node_modules/@vscode/vsce/vsce');
if (!fs.existsSync(vsce)) {
  console.error('@vscode/vsce is not installed: run `npm ci` in editors/vscode');
  process.exit(process.env.PLAT_REQUIRE_LSP_CLIENT === '1' ? 1 : 77);
}
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'plat-vsix-'));
const vsix = path.join(out, 'plat.vsix');
execFileSync(process.execPath, [vsce, 'package', '--skip-license', '--allow-missing-repository', '--out', vsix],
             { cwd: ext, stdio: ['ignore', 'ignore', 'inherit'] });
const entries = execFileSync('python3', ['-c', 'import sys, zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))', vsix],
                             { encoding: 'utf8' }).trim().split('\n');
for (const want of ['extension.vsixmanifest', 'extension/package.json', 'extension/extension.js',
                    'extension/syntaxes/plat.tmLanguage.json', 'extension/language-configuration.json',
                    'extension/readme.md', 'extension/node_modules/vscode-languageclient/node.js'])
  assert.ok(entries.some((e) => e.toLowerCase() === want.toLowerCase()), `${want} is in the package`);
assert.ok(!entries.some((e) => e.startsWith('extension/test/')), 'tests are not packaged');
assert.ok(!entries.some((e) => e.includes('node_modules/@vscode/vsce')), 'build tools are not packaged');
const manifest = JSON.parse(execFileSync('python3', ['-c', 'import sys, zipfile; sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read("extension/package.json").decode())', vsix], { encoding: 'utf8' }));
assert.equal(manifest.contributes.languages[0].id, 'plat');
fs.rmSync(out, { recursive: true, force: true });
console.log(`packaged ${entries.length} files`);
console.log('1 passed, 0 failed');
