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

namespace fields = sema::fields;
namespace records = sema::records;

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

namespace {

// The burn-rate alerts (and a model's alarm thresholds) need a window of
// days: their long windows are 1h to 3d, and the budget fractions they page
// on assume weeks. False when the window was reported.
bool checkWindow(const sema::Program &p, DeclId id, const Value *slo, Diagnostics &diags) {
  const Value *window = slo->field(records::objective::window);
  if (!window || (window->number >= kMinWindow && window->number <= kMaxWindow))
    return true;
  diags
      .report(DiagId::ObjectiveWindow, window->span,
              fmt::format("the objective window of `{}` is {:g} days: it must be 1d to 90d", p.decl(id).name,
                          window->number / 86400))
      .withHelp("measure objectives over 7d, 28d or 30d")
      .fix("measure over 30 days", window->span, "30d");
  return false;
}

bool isTrue(const Value *v) { return v && v->kind == Value::Kind::Bool && v->boolean; }

} // namespace

void checkObjectives(const sema::Program &p, const sema::EnvModel &env, std::set<DeclId> &reported,
                     Diagnostics &diags) {
  for (DeclId id : p.ofKind(sema::DeclKind::Service)) {
    if (!env.exists[id] || reported.count(id))
      continue;
    const Value *slo = env.get(id, fields::service::slo);
    if (!slo)
      continue;
    if (!checkWindow(p, id, slo, diags)) {
      reported.insert(id);
      continue;
    }
    // The objectives are measured on the metrics Prometheus scrapes through
    // the service's Kubernetes Service, which only a service with a port has.
    if (!env.get(id, fields::service::port)) {
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
    const Value *availability = slo ? slo->field(records::objective::availability) : nullptr;
    if (!availability)
      continue;
    double target = availability->asNumber();
    int64_t needed = replicasForAvailability(target);
    const Value *replicas = env.get(id, fields::service::replicas);
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

// A model's objectives are measured on its SageMaker endpoint. The capacity
// argument is the one for services: an endpoint on one instance is down
// while SageMaker replaces the instance, and that instance's Availability
// Zone is a single point of failure (AWS recommends two or more instances
// for production endpoints). Serverless endpoints have no instance count:
// SageMaker spreads them over zones itself, so they are not checked.
void checkModelObjectives(const sema::Program &p, const sema::EnvModel &env, std::set<DeclId> &reported,
                          std::set<DeclId> &monitorReported, Diagnostics &diags) {
  for (DeclId id : p.ofKind(sema::DeclKind::Model)) {
    if (!env.exists[id])
      continue;
    const sema::Decl &decl = p.decl(id);
    const Value *serve = env.get(id, fields::model::serve);
    const Value *serverless = serve ? serve->field(records::serving::serverless) : nullptr;
    bool onInstances = serve && !isTrue(serverless);
    if (!monitorReported.count(id)) {
      const Value *monitoring = env.get(id, fields::model::monitoring);
      const Value *monitor = env.get(id, fields::model::monitor);
      if (monitor && !isTrue(monitoring)) {
        monitorReported.insert(id);
        Diagnostic &d =
            diags
                .report(DiagId::MonitorWithoutMonitoring, monitor->span,
                        fmt::format("`{}` configures `monitor` but does not set `monitoring = true` in `{}`: no "
                                    "data is captured and no schedule runs",
                                    decl.name, env.name))
                .withHelp("set `monitoring = true`, or remove the `monitor` block");
        if (monitoring && monitoring->span.valid() && monitoring->span.file == decl.nameSpan.file)
          d.label(monitoring->span, "set to false here").fix("set `monitoring = true`", monitoring->span, "true");
      } else if (isTrue(monitoring) && serve && !onInstances) {
        monitorReported.insert(id);
        diags
            .report(DiagId::MonitoringServerless, monitoring->span,
                    fmt::format("`{}` sets `monitoring = true` but is served from a serverless endpoint in `{}`: "
                                "serverless endpoints cannot capture data, so nothing is monitored",
                                decl.name, env.name))
            .note(serverless->span, "served serverless here")
            .withHelp("serve it from an `instance` to monitor it, or remove `monitoring = true`");
      } else if (isTrue(monitoring) && onInstances) {
        const Value *baseline = monitor ? monitor->field(records::model_monitor::baseline) : nullptr;
        const Value *trainedOn = env.get(id, fields::model::trained_on);
        if (!baseline && (!trainedOn || trainedOn->items.empty())) {
          monitorReported.insert(id);
          diags
              .report(DiagId::MonitoringWithoutBaseline, monitoring->span,
                      fmt::format("`{}` is monitored but has no dataset to compute its data-quality baseline from: "
                                  "requests are captured, but no Model Monitor schedule checks them",
                                  decl.name))
              .withHelp("name the dataset in `monitor { baseline = ... }`, or declare what the model is "
                        "`trained_on`");
        }
      }
    }

    if (reported.count(id))
      continue;
    const Value *slo = env.get(id, fields::model::slo);
    if (!slo)
      continue;
    if (!checkWindow(p, id, slo, diags)) {
      reported.insert(id);
      continue;
    }
    if (!serve) {
      reported.insert(id);
      diags
          .report(DiagId::ObjectiveWithoutEndpoint, slo->span,
                  fmt::format("`{}` declares objectives but is not served in `{}`: there is no endpoint to "
                              "measure them on",
                              decl.name, env.name))
          .note(decl.nameSpan, fmt::format("`{}` is declared here", decl.name))
          .withHelp(fmt::format("serve `{}` (`serve {{ instance = \"ml.m5.large\" }}`), or remove its `slo`",
                                decl.name));
      continue;
    }
    if (env.tier != "production" || !onInstances)
      continue;
    const Value *availability = slo->field(records::objective::availability);
    const Value *replicas = serve->field(records::serving::replicas);
    if (!availability || !replicas || replicas->items.size() != 2)
      continue;
    double target = availability->asNumber();
    int64_t needed = replicasForAvailability(target);
    int64_t min = replicas->items[0]->integer;
    int64_t max = replicas->items[1]->integer;
    if (min >= needed)
      continue;
    reported.insert(id);
    Diagnostic &d =
        diags
            .report(DiagId::ObjectiveBeyondInstances, availability->span,
                    fmt::format("`{}` promises {:g}% availability but its endpoint runs {} {} in `{}`", decl.name,
                                target, min, min == 1 ? "instance" : "instances", env.name))
            .note(fmt::format("{:g}% leaves an error budget of {:.1f} minutes per 30 days; an endpoint is down "
                              "while SageMaker replaces a lone instance, and its Availability Zone is a single "
                              "point of failure",
                              target, (100.0 - target) / 100.0 * 30 * 24 * 60))
            .withHelp(fmt::format("run at least {} instances (`replicas = {}..{}` in `serve`), or lower the "
                                  "objective",
                                  needed, needed, std::max(max, needed)));
    if (replicas->span.valid() && replicas->span.file == decl.nameSpan.file) {
      d.label(replicas->span, "declared here");
      d.fix(fmt::format("run at least {} instances", needed), replicas->span,
            fmt::format("{}..{}", needed, std::max(max, needed)));
    }
  }
}

} // namespace plat::governance
