// `platc diff`: what a change to a workspace means, for a reviewer.
//
// Both sides of a change are loaded and checked like `platc check` does
// (the base from another folder or from a git revision read into memory,
// never checked out), every backend runs on both in memory, and the two
// checked models are compared: declarations and their fields per
// environment, generated files (provenance annotations ignored), costs, and
// risk flags — the changes a reviewer must not miss (IAM widened, new reach
// into classified data, approval gates or compliance scopes dropped, ...).
//
// A library over the checked model: the compiler core does not depend on it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "diag/Diagnostic.h"
#include "sema/Program.h"
#include "workspace/Workspace.h"

namespace plat::review {

// One side of the change: a loaded and checked workspace.
struct Side {
  std::string label; // "base (main)", "head (work tree)", shown to the user
  std::optional<Workspace> workspace;
  std::unique_ptr<sema::Program> program;
  Diagnostics diags;
  // Set when the side could not be loaded at all (no workspace, an
  // unreadable revision); `diags` then says nothing.
  std::string loadError;

  bool ok() const { return loadError.empty() && program && !diags.hasErrors(); }
};

// Loads and checks the workspace that holds `dir` on disk.
void loadFromFolder(const std::string &dir, Side &side);

// The commit a build of the workspace at `root` comes from, for provenance
// tags: the HEAD commit of the git repository that holds `root` (40 hex
// digits), followed by `-dirty` when a file below `root` differs from it
// or is untracked; "" when `root` is not in a git work tree or HEAD has no
// commit yet.
std::string workspaceCommit(const std::string &root);

// Loads and checks the workspace at `workspacePrefix` (relative to the
// repository's top, "" for the top itself) as it is in revision `rev` of
// the git repository that holds `repoDir`. Files are read from git's
// object database into memory; the work tree and index are never touched.
// Only `.plat` blobs below the workspace folder are read (hidden folders,
// `node_modules`, `build` and `out` skipped, as on disk); a symbolic link
// or submodule named `*.plat` is reported as an error of the side, and a
// blob above the size limit is reported without being read.
void loadFromGit(const std::string &repoDir, const std::string &rev,
                 const std::string &workspacePrefix, Side &side);

// The workspace folder that holds `dir` on disk (searched upward, as
// `platc check` does), and where it lies in the git repository around it:
// `repoTop` (the work tree's top) and `prefix` (the folder relative to
// it). Returns an error message, or "" on success.
std::string locateInRepository(const std::string &dir, std::string &workspaceRoot,
                               std::string &repoTop, std::string &prefix);

// Where something is written: a side, a path relative to the workspace
// root, a line and a column.
struct Location {
  bool base = false; // true: in the base side (something removed)
  std::string path;
  uint32_t line = 0, column = 0;
  bool valid() const { return !path.empty(); }
};

// A risk flag. `flag` is one of the stable names in docs/cli.md
// (`iam-widened`, `network-path-added`, `newly-public`,
// `classification-reach-grown`, `approval-gate-weakened`,
// `compliance-scope-dropped`, `agent-granted-more`, `cost-increased`,
// `patch-added`, `template-override-added`, `dataset-column-removed`,
// `dataset-column-retyped`).
struct Flag {
  std::string flag;
  std::string env;
  std::string subject; // the declaration, qualified
  std::string message; // one sentence
  Location location;   // what caused it
  std::vector<std::string> details; // path hops, permissions, blast radius
};

struct FieldChange {
  std::string field; // dotted for nested record fields
  std::string before, after; // Plat source text; empty when unset
};

struct DeclChange {
  enum Kind { Added, Removed, Changed } kind = Changed;
  std::string name; // qualified
  std::string declKind;
  Location location;
  std::vector<FieldChange> fields; // for Changed
};

struct FileChange {
  enum Kind { Added, Removed, Changed } kind = Changed;
  std::string path; // relative to the environment's output folder
  std::string unified; // with `files`: the unified diff (provenance ignored)
};

struct CostChange {
  std::string team; // qualified
  double before = 0, after = 0;
  double budget = -1; // head side; -1 when none
};

struct EnvReport {
  std::string name;
  enum Kind { Both, Added, Removed } kind = Both;
  std::vector<DeclChange> decls;
  std::vector<FileChange> files;
  std::vector<CostChange> costs; // teams whose cost changed
  double totalBefore = 0, totalAfter = 0;
};

struct Report {
  std::string base, head; // labels
  std::vector<Flag> flags;
  std::vector<EnvReport> envs;
};

struct CompareOptions {
  bool files = false; // unified diffs of generated files
  std::string env;    // only this environment; empty: all
};

// Compares two sides that both checked without errors.
Report compare(const Side &base, const Side &head, const CompareOptions &options);

std::string renderText(const Report &report, bool files);
std::string renderMarkdown(const Report &report, bool files);
std::string renderJson(const Report &report, bool files);

// Generated text with its provenance annotations (content hashes, source
// positions) removed: what `diff` compares, so that a moved declaration or
// a reformatted file changes no generated file.
std::string withoutProvenance(llvm::StringRef text);

// A unified diff of two texts (3 lines of context), "" when equal.
std::string unifiedDiff(llvm::StringRef before, llvm::StringRef after, llvm::StringRef fromName,
                        llvm::StringRef toName);

} // namespace plat::review
