// The chainrule client: starts `chainrule lsp` (the `chainrule.command`
// setting) over stdio for .deriv, Markdown and LaTeX documents.  Everything
// else (diagnostics, hover, inlay hints, quick fixes, formatting) is the
// server's.
"use strict";
const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration("chainrule");
  const [command, ...args] = config.get("command", ["chainrule", "lsp"]);
  const server = { command, args, transport: TransportKind.stdio };
  const documentSelector = config.get("documents", ["deriv", "markdown", "latex"])
    .map((language) => ({ language }));
  client = new LanguageClient("chainrule", "chainrule", server, {
    documentSelector,
    initializationOptions: { verify: config.get("verify", true) },
  });
  context.subscriptions.push({ dispose: () => client && client.stop() });
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
