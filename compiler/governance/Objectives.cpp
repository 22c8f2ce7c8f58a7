// Objectives the declared capacity cannot meet.
//
// A service's availability objective leaves an error budget of
// (100 - availability) % of the window: 43 minutes a month at 99.9 %, 4 at
// 99.99 %. One pod is down for every restart, eviction and node drain, which
// takes minutes each; so 99.9 % needs a second replica to serve meanwhile,
// and 99.99 % a third (a zone can be lost while one pod restarts).

#include <set>

#include "fmt/format.h"
#include "governance/Governance.h"

namespace plat::governance {

using sema::DeclId;
using sema::Value;

constexpr double kMinWindow = 86400, kMaxWindow = 90 * 86400;

int64_t replicasForAvailability(double availability) {
  if (availability >= 99.99)
    return 3;
  if (availability >= 99.9)
    return 2;
  return 1;
}

void checkObjectives(const sema::Program &p, const sema::EnvModel &env, std::set<DeclId> &reported,
                     Diagnostics &diags) {
  for (DeclId id : p.ofKind("service")) {
    if (!env.exists[id] || reported.count(id))
      continue;
    const Value *slo = env.get(id, "slo");
    if (!slo)
      continue;
    // The burn-rate alerts need a window of days: their long windows are
    // 1h to 3d, and the budget fractions they page on assume weeks.
    if (const Value *window = slo->field("window");
        window && (window->number < kMinWindow || window->number > kMaxWindow)) {
      reported.insert(id);
      diags
          .report(DiagId::ObjectiveWindow, window->span,
                  fmt::format("the objective window of `{}` is {:g} days: it must be 1d to 90d", p.decl(id).name,
                              window->number / 86400))
          .withHelp("measure objectives over 7d, 28d or 30d")
          .fix("measure over 30 days", window->span, "30d");
      continue;
    }
    // The objectives are measured on the metrics Prometheus scrapes through
    // the service's Kubernetes Service, which only a service with a port has.
    if (!env.get(id, "port")) {
      reported.insert(id);
      diags
          .report(DiagId::ObjectiveWithoutPort, slo->span,
                  fmt::format("`{}` declares objectives but has no `port`: its metrics cannot be scraped",
                              p.decl(id).name))
          .note(p.decl(id).nameSpan, fmt::format("`{}` is declared here", p.decl(id).name))
          .withHelp(fmt::format("add the port `{}` listens on (`port = 8080`), or remove its `slo`",
                                p.decl(id).name));
      continue;
    }
    // Capacity matters where the objective pages: production tiers.
    if (env.tier != "production")
      continue;
    const Value *availability = slo ? slo->field("availability") : nullptr;
    if (!availability)
      continue;
    double target = availability->asNumber();
    int64_t needed = replicasForAvailability(target);
    const Value *replicas = env.get(id, "replicas");
    if (!replicas || replicas->items.size() != 2)
      continue;
    int64_t min = replicas->items[0]->integer;
    int64_t max = replicas->items[1]->integer;
    if (min >= needed)
      continue;
    reported.insert(id);
    const sema::Decl &decl = p.decl(id);
    Diagnostic &d =
        diags
            .report(DiagId::ObjectiveBeyondReplicas, availability->span,
                    fmt::format("`{}` promises {:g}% availability but runs {} {} in `{}`", decl.name, target,
                                min, min == 1 ? "replica" : "replicas", env.name))
            .note(fmt::format("{:g}% leaves an error budget of {:.1f} minutes per 30 days, and every restart, "
                              "eviction or node drain of a lone pod spends minutes of it",
                              target, (100.0 - target) / 100.0 * 30 * 24 * 60))
            .withHelp(fmt::format("run at least {} replicas (`replicas = {}..{}`), or lower the objective", needed,
                                  needed, std::max(max, needed)));
    if (replicas->span.valid() && replicas->span.file == decl.nameSpan.file) {
      d.label(replicas->span, "declared here");
      d.fix(fmt::format("run at least {} replicas", needed), replicas->span,
            fmt::format("{}..{}", needed, std::max(max, needed)));
    }
  }
}

} // namespace plat::governance
