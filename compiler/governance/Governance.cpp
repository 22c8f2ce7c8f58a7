#include <set>

#include "governance/Governance.h"

namespace plat::governance {

void checkGovernance(sema::Program &program, Diagnostics &diags,
                     const std::function<bool()> &stop) {
  auto stopped = [&] { return stop && stop(); };
  for (sema::EnvModel &env : program.envs) {
    if (stopped())
      return;
    computeClassification(program, env, diags);
    computeCosts(program, env);
  }
  std::set<sema::DeclId> objectivesReported; // once per declaration, not per environment
  std::set<std::pair<sema::DeclId, int>> dataObjectivesReported;
  std::set<sema::DeclId> monitorReported;
  std::set<std::pair<uint32_t, uint32_t>> patchesReported, grantsReported;
  for (size_t i = 0; i < program.envs.size(); ++i) {
    const sema::EnvModel &env = program.envs[i];
    if (stopped())
      return;
    checkPolicies(program, env, diags);
    if (stopped())
      return;
    checkAgents(program, env, diags);
    checkObjectives(program, env, objectivesReported, diags);
    checkDataObjectives(program, env, dataObjectivesReported, diags);
    checkModelObjectives(program, env, objectivesReported, monitorReported, diags);
    checkPatches(program, env, patchesReported, diags);
    checkIamGrants(program, env, grantsReported, diags);
  }
  if (!program.envs.empty())
    checkBudgets(program, program.envs.front(), diags);
}

} // namespace plat::governance
