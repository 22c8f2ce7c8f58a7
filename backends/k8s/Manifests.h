// Pieces of the Kubernetes backend that tests exercise on their own.
#pragma once

#include <string>
#include <vector>

#include "backends/yaml/YamlWriter.h"
#include "sema/Program.h"

namespace plat::backends::k8s {

using Json = yaml::Json;

// Kubernetes quantities from Plat's base units: cores → `500m` / `2`,
// bytes → `512Mi` / `4Gi` (the largest binary unit that divides evenly).
std::string cpuQuantity(double cores);
std::string memoryQuantity(double bytes);

// A raw Plat value (a `patch` entry) as JSON: records become objects,
// lists arrays, quantities and enums their text as written.
Json rawToJson(const sema::Value *value);

// Merges `patch` into `target` like a strategic merge patch without
// directives: objects merge key by key, recursively; anything else (lists
// included) replaces. A `null` in the patch deletes the key. Appends the
// dotted path of every leaf it set or deleted to `paths`.
void mergePatch(Json &target, const Json &patch, const std::string &path,
                std::vector<std::string> &paths);

} // namespace plat::backends::k8s
