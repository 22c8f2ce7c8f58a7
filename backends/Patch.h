// The escape hatch shared by the backends: a declaration's `patch` entries
// as JSON, merged into the objects a backend generated. Which key names
// which object is sema/PatchTargets.h (the checker reads the same table,
// and has refused unknown keys and governed values before any backend
// runs).
#pragma once

#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "sema/PatchTargets.h"
#include "sema/Program.h"

namespace plat::backends {

using PatchJson = nlohmann::ordered_json;

// A raw Plat value (a `patch` entry) as JSON: records become objects,
// lists arrays, quantities and enums their text as written.
PatchJson rawToJson(const sema::Value *value);

// Merges `patch` into `target` like a strategic merge patch without
// directives: objects merge key by key, recursively; anything else (lists
// included) replaces. A `null` in the patch deletes the key. Appends the
// dotted path of every leaf it set or deleted to `paths`.
void mergePatch(PatchJson &target, const PatchJson &patch, const std::string &path,
                std::vector<std::string> &paths);

// The entries of `patch` (a declaration's `patch` value, or null) whose key
// names `object` (PatchTarget::object: a Kubernetes kind, a SageMaker
// request's file stem), merged into one JSON object; null JSON when none
// does.
PatchJson patchFor(const sema::Value *patch, sema::DeclKind kind, llvm::StringRef object);

} // namespace plat::backends
