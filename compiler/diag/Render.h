// Rendering diagnostics for people (text) and tools (JSON Lines, SARIF).
//
// docs/diagnostics-format.md documents the JSON and SARIF shapes; they are
// an interface that CI systems and AI agents depend on.
#pragma once

#include <string>

#include "diag/Diagnostic.h"
#include "llvm/Support/raw_ostream.h"

namespace plat {

enum class DiagFormat { Text, Json, Sarif };

struct RenderOptions {
  bool color = false;
  // Folder that SARIF artifact URIs are relative to (uriBaseId %SRCROOT%).
  std::string root;
};

// rustc/clang style: `error[P0102]: message`, `--> file:line:col`, the source
// line with carets, labels, notes and help.
void renderText(llvm::raw_ostream &out, const SourceManager &sources, const Diagnostics &diags,
                const RenderOptions &options);
// One JSON object per line, one line per diagnostic.
void renderJson(llvm::raw_ostream &out, const SourceManager &sources, const Diagnostics &diags);
// A SARIF 2.1.0 log with one run.
void renderSarif(llvm::raw_ostream &out, const SourceManager &sources, const Diagnostics &diags,
                 const RenderOptions &options);

void render(DiagFormat format, llvm::raw_ostream &out, const SourceManager &sources,
            const Diagnostics &diags, const RenderOptions &options);

// `text` made safe to print on a terminal: control characters (C0 but tab,
// DEL, C1), bidirectional overrides and isolates, and bytes that are not
// UTF-8 are written as visible escapes (`\n`, `\u{1b}`, `\u{202e}`, `\x{ff}`),
// so no message, file name or source line can move the cursor, recolour or
// rewrite a CI log, or reorder what a reviewer reads.
std::string escapeForTerminal(llvm::StringRef text);

// "2 errors, 1 warning" (text output's closing line).
std::string summaryLine(const Diagnostics &diags);

} // namespace plat
