#include "pipeline/Pipeline.h"

#include <ctime>

#include "governance/Governance.h"
#include "sema/Cross.h"
#include "sema/PolicyTypes.h"
#include "sema/TargetLimits.h"

namespace plat::pipeline {

namespace {

double cpuSeconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

std::unique_ptr<sema::Program> run(const Workspace &ws, Diagnostics &diags,
                                   sema::Program *previous, sema::PhaseTimes *times,
                                   sema::RecheckStats *stats) {
  double t0 = cpuSeconds();
  std::unique_ptr<sema::Program> program = sema::resolve(ws, diags, previous, stats);
  double t1 = cpuSeconds();
  sema::crossCheck(*program, diags);
  sema::checkTargetLimits(*program, diags);
  sema::typePolicies(*program, diags);
  double t2 = cpuSeconds();
  governance::checkGovernance(*program, diags);
  double t3 = cpuSeconds();
  if (times)
    *times = sema::PhaseTimes{t1 - t0, t2 - t1, t3 - t2};
  return program;
}

} // namespace

std::unique_ptr<sema::Program> check(const Workspace &ws, Diagnostics &diags,
                                     sema::PhaseTimes *times) {
  return run(ws, diags, nullptr, times, nullptr);
}

std::unique_ptr<sema::Program> recheck(const Workspace &ws, Diagnostics &diags,
                                       std::unique_ptr<sema::Program> previous,
                                       sema::PhaseTimes *times, sema::RecheckStats *stats) {
  if (stats)
    *stats = sema::RecheckStats{};
  // Reused values stay in the store with the garbage of replaced ones; once
  // the garbage outgrows the live values, start afresh.
  if (!previous || !previous->memo ||
      previous->values.size() > 2 * previous->memo->valuesAfterFullCheck + 100000)
    return run(ws, diags, nullptr, times, stats);
  return run(ws, diags, previous.get(), times, stats);
}

} // namespace plat::pipeline
