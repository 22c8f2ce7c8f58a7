// The one pipeline every front end calls: the command line, the language
// server, `diff` and the tests.
//
//   Workspace ──► sema::resolve ──► sema::crossCheck ──► sema::checkTargetLimits ──► sema::typePolicies ──► governance ──► Program
//                 (names, types,    (the dependency      (values the clouds          (policy rules'          (lineage, policies,
//                  values)           graph's checks)      and Airflow accept)         types)                  agents, cost)
//
// Each stage reads what the earlier ones produced and adds its own results
// and diagnostics; no stage calls a later one (tools/check_layering.py).
#pragma once

#include <functional>
#include <memory>

#include "diag/Diagnostic.h"
#include "sema/Program.h"
#include "workspace/Workspace.h"

namespace plat::pipeline {

// Checks a workspace from scratch. Never fails: problems are diagnostics,
// and the program holds what could be understood.
std::unique_ptr<sema::Program> check(const Workspace &ws, Diagnostics &diags,
                                     sema::PhaseTimes *times = nullptr);

// Checks `ws` again after Workspace::updateFile, reading `previous` (the
// program of the last check of the same workspace; it is not changed, and
// may be read by other threads meanwhile). Declarations in files
// that did not change keep their resolved values, references and
// diagnostics; everything else, and the whole-graph stages, runs again. The
// result is the same as check(ws, diags): when a change could reach other
// files' values (a declaration added, removed or renamed; a template,
// record type or enum edited) it is a full check.
std::unique_ptr<sema::Program> recheck(const Workspace &ws, Diagnostics &diags,
                                       const sema::Program &previous,
                                       sema::PhaseTimes *times = nullptr,
                                       sema::RecheckStats *stats = nullptr);
// The same, for a caller that has no further use for `previous`.
std::unique_ptr<sema::Program> recheck(const Workspace &ws, Diagnostics &diags,
                                       std::unique_ptr<sema::Program> previous,
                                       sema::PhaseTimes *times = nullptr,
                                       sema::RecheckStats *stats = nullptr);

// A checked snapshot: one workspace version, the program checked from it and
// its diagnostics. Immutable, and self-contained by construction: the
// workspace value holds its files, and the program holds every text and AST
// its references name (sema::Program::syntax), so a snapshot can be read, from
// any thread, for as long as someone holds it. An edit makes a new snapshot
// that shares the unchanged files and values; it never changes an old one.
// Old texts and ASTs are freed when the last snapshot holding them goes.
struct Snapshot {
  Workspace workspace;
  std::shared_ptr<const sema::Program> program;
  std::vector<Diagnostic> diagnostics; // sorted, as `platc check` prints them
};

// Checks a workspace version from scratch.
std::shared_ptr<const Snapshot> snapshot(Workspace ws, Diagnostics diags = {});

// One file's new text (path relative to the root; a new file when unknown).
struct FileEdit {
  std::string relativePath;
  std::string text;
};
// What an editor can show for the edited files before the whole-graph
// stages finish: called by `edit` once the new version is parsed and its
// declarations resolved, with `files` (the edited files' ids in `ws`) and
// their diagnostics, sorted. Those are the new version's syntax, name, type
// and value diagnostics, and the previous snapshot's graph-stage diagnostics
// (Stage::Graph) that lie in declarations whose text the edit left as it
// was, moved to where those declarations now are. The complete snapshot
// that `edit` returns supersedes them.
using EarlyDiagnostics = std::function<void(const Workspace &ws, const std::vector<FileId> &files,
                                            std::vector<Diagnostic> diagnostics)>;

// The snapshot after `edits`, checked incrementally from `previous`.
// `stop`, when given, is asked between stages whether the result is still
// wanted (an editor has newer text); once it says no, `edit` returns null.
std::shared_ptr<const Snapshot> edit(const Snapshot &previous, std::vector<FileEdit> edits,
                                     const LoadOptions &options = {},
                                     sema::RecheckStats *stats = nullptr,
                                     const EarlyDiagnostics &early = {},
                                     const std::function<bool()> &stop = {});

} // namespace plat::pipeline
