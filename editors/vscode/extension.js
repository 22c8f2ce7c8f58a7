// The Plat extension: starts `platc lsp` for the workspace and hands every
// `.plat` document to it (vscode-languageclient). Highlighting is the
// TextMate grammar in syntaxes/; everything else comes from the server.
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

async function activate(context) {
  const config = vscode.workspace.getConfiguration('plat');
  const command = config.get('server.path', 'platc');
  const debounce = config.get('debounceMs', 200);
  const serverOptions = {
    command,
    args: ['lsp', `--debounce-ms=${debounce}`],
    transport: TransportKind.stdio,
  };
  const clientOptions = {
    documentSelector: [{ scheme: 'file', language: 'plat' }],
    synchronize: {
      // `plat.debounceMs` changes reach the server as didChangeConfiguration.
      configurationSection: 'plat',
      fileEvents: vscode.workspace.createFileSystemWatcher('**/*.plat'),
    },
  };
  client = new LanguageClient('plat', 'Plat (platc lsp)', serverOptions, clientOptions);
  context.subscriptions.push(vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration('plat.server.path'))
      vscode.window.showInformationMessage('Reload the window to start the new `platc`.');
  }));
  await client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
