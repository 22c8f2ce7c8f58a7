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

#include <memory>

#include "diag/Diagnostic.h"
#include "sema/Program.h"
#include "workspace/Workspace.h"

namespace plat::pipeline {

// Checks a workspace from scratch. Never fails: problems are diagnostics,
// and the program holds what could be understood.
std::unique_ptr<sema::Program> check(const Workspace &ws, Diagnostics &diags,
                                     sema::PhaseTimes *times = nullptr);

// Checks `ws` again after Workspace::updateFile, consuming `previous` (the
// program of the last check of the same workspace). Declarations in files
// that did not change keep their resolved values, references and
// diagnostics; everything else, and the whole-graph stages, runs again. The
// result is the same as check(ws, diags): when a change could reach other
// files' values (a declaration added, removed or renamed; a template,
// record type or enum edited) it is a full check.
std::unique_ptr<sema::Program> recheck(const Workspace &ws, Diagnostics &diags,
                                       std::unique_ptr<sema::Program> previous,
                                       sema::PhaseTimes *times = nullptr,
                                       sema::RecheckStats *stats = nullptr);

} // namespace plat::pipeline
