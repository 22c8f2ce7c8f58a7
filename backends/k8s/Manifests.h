// Pieces of the Kubernetes backend that tests exercise on their own.
#pragma once

#include <string>
#include <vector>

#include "backends/Patch.h"
#include "backends/yaml/YamlWriter.h"
#include "sema/Program.h"

namespace plat::backends::k8s {

using Json = yaml::Json;

// Kubernetes quantities from Plat's base units: cores → `500m` / `2`,
// bytes → `512Mi` / `4Gi` (the largest binary unit that divides evenly).
std::string cpuQuantity(double cores);
std::string memoryQuantity(double bytes);

// Patches: backends/Patch.h (rawToJson, mergePatch).

} // namespace plat::backends::k8s
