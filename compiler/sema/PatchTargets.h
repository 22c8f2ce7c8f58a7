// What a `patch` may name and what it may not change.
//
// A declaration's `patch` merges raw values into the objects a backend
// generates for it: a service's Kubernetes objects (keyed by kind), a
// model's SageMaker and Application Auto Scaling requests (keyed by
// operation). This table is the one place both sides read: the checker
// (governance/Patches.cpp) reports keys that name nothing and entries that
// would change a governed value, and the backends (backends/Patch.h) find
// the object a key names with the same lookup, so the two cannot disagree.
//
// Governed values are those another part of the language decides and
// checks: identity and names (IAM grants and network policies refer to
// them), roles, encryption, network isolation, data capture and
// monitoring, approval, audit tags, safe delivery. An escape hatch passes
// through the same checks as everything else, so a patch cannot reach them;
// each says which field to set instead.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "sema/Program.h"

namespace plat::sema {

struct PatchTarget {
  // The key as documented (`deployment`, `create_endpoint_config`).
  llvm::StringRef key;
  // What it names: the Kubernetes kind (`Deployment`) for services, the
  // request's file stem (`create-endpoint-config`) for models.
  llvm::StringRef object;
  // A second accepted spelling (`hpa`, `endpoint_config`), or empty.
  llvm::StringRef alias;
};

// A value of a target that a patch may not change.
struct GovernedPath {
  llvm::StringRef target; // PatchTarget::object; empty: every target of the kind
  llvm::StringRef path;   // dotted; empty: the whole target
  llvm::StringRef what;   // "the training role"
  llvm::StringRef instead; // "it is derived from the model's reads; ..."
};

// The targets of a kind's `patch`, in documentation order; empty for kinds
// without `patch`.
llvm::ArrayRef<PatchTarget> patchTargets(DeclKind kind);

// The target `key` names: case, `_` and `-` are ignored, and aliases
// count. Null when it names none.
const PatchTarget *findPatchTarget(DeclKind kind, llvm::StringRef key);

// The governed value a patch entry would change: `path` is the dotted path
// inside `target` the entry sets (a leaf) or deletes; an entry that sets a
// value at a path above a governed one replaces it and counts too. Null
// when the entry changes nothing governed.
const GovernedPath *governedPath(DeclKind kind, const PatchTarget &target, llvm::StringRef path);

} // namespace plat::sema
