// The language features, as pure functions over one checked workspace.
//
// Nothing here reads stdin, keeps state or knows about debouncing: the
// server (Server.h) owns the workspace and the program, and calls these
// with a Snapshot of the latest complete check. Each function answers one
// LSP request and returns the JSON of its result.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lsp/Protocol.h"
#include "sema/Program.h"
#include "workspace/Workspace.h"

namespace plat::lsp {

struct Snapshot {
  const Workspace &ws;
  const sema::Program &program;
  const std::vector<Diagnostic> &diagnostics; // sorted, as `platc check` prints them
  Encoding encoding = Encoding::Utf16;
  // Folder holding a copy of stdlib/ (for definitions in stdlib files);
  // empty: such locations are left out.
  std::string stdlibDir;
};

// The file URI of a workspace file or a stdlib file ("" when there is none).
std::string uriOf(const Snapshot &s, FileId file);

// ---- diagnostics
// One internal diagnostic as an LSP Diagnostic: same code, range and message
// as `platc check`; labels, notes and help as relatedInformation.
json toLspDiagnostic(const Snapshot &s, const Diagnostic &d);
// Every user file of the workspace (URI) with its diagnostics (possibly
// none); diagnostics without a place go to workspace.plat.
std::map<std::string, json> diagnosticsByUri(const Snapshot &s);

// ---- requests on one file at one byte offset
json hover(const Snapshot &s, const LoadedFile &file, uint32_t offset);
json definition(const Snapshot &s, const LoadedFile &file, uint32_t offset);
json references(const Snapshot &s, const LoadedFile &file, uint32_t offset,
                bool includeDeclaration);
json documentHighlight(const Snapshot &s, const LoadedFile &file, uint32_t offset);
json completion(const Snapshot &s, const LoadedFile &file, uint32_t offset);

// A WorkspaceEdit, or the reason the rename is refused.
struct RenameResult {
  json edit;
  std::string error;
};
RenameResult rename(const Snapshot &s, const LoadedFile &file, uint32_t offset,
                    const std::string &newName);
// prepareRename: the range of the name to rename, or why it cannot be.
RenameResult prepareRename(const Snapshot &s, const LoadedFile &file, uint32_t offset);

// ---- requests on one file
json documentSymbols(const Snapshot &s, const LoadedFile &file);
json foldingRanges(const Snapshot &s, const LoadedFile &file);
json codeActions(const Snapshot &s, const LoadedFile &file, uint32_t begin, uint32_t end);
json semanticTokens(const Snapshot &s, const LoadedFile &file);
// The edits (LSP SemanticTokensEdit) that turn `previous` into `current`
// (both `data` arrays): one edit replacing what lies between their common
// prefix and common suffix, none when they are equal.
json semanticTokensEdits(const json &previous, const json &current);
// The legend semanticTokens' numbers index into.
json semanticTokensLegend();

// Code lenses: each declaration's monthly cost per environment and the
// classification that reaches it (the default environment's).
json codeLenses(const Snapshot &s, const LoadedFile &file);
// Inlay hints in [begin, end]: after a field's value, its per-environment
// overrides (`prod: 4..8`).
json inlayHints(const Snapshot &s, const LoadedFile &file, uint32_t begin, uint32_t end);
// Call hierarchy over the dependency graph of the default environment (the
// first production one): who calls, reads, trains on a declaration, and
// what it reaches. Items carry the qualified name in `data`.
json prepareCallHierarchy(const Snapshot &s, const LoadedFile &file, uint32_t offset);
json incomingCalls(const Snapshot &s, const json &item);
json outgoingCalls(const Snapshot &s, const json &item);

// ---- workspace-wide
json workspaceSymbols(const Snapshot &s, const std::string &query);

// ---- formatting: the text of one document, as `platc fmt` writes it, or
// nullopt when it has syntax errors (then it is left alone).
std::optional<std::string> formatText(const std::string &path, const std::string &text);

} // namespace plat::lsp
