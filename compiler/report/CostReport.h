// `platc cost`: the monthly cost estimate per team and declaration.
#pragma once

#include <string>
#include <vector>

#include "sema/Program.h"

namespace plat::report {

enum class CostFormat { Text, Json, Csv };

// The report for the given environments (all when `envs` is empty). Team
// totals are the sum of their lines, and the grand total the sum of teams.
std::string renderCost(const sema::Program &program, const std::vector<const sema::EnvModel *> &envs,
                       CostFormat format);

} // namespace plat::report
