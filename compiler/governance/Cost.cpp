// Monthly cost estimates from the stdlib instance catalogue (on-demand
// prices of one region; see stdlib/catalogue/). Estimates, not bills: every
// line says how it was computed, and the rules are in docs/governance.md.

#include <algorithm>
#include <cmath>

#include "fmt/format.h"
#include "governance/Governance.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "sema/ValueText.h"

namespace plat::governance {

namespace fields = sema::fields;
namespace records = sema::records;

using sema::DeclId;
using sema::Value;

namespace {

constexpr double kHoursPerMonth = 730.5;    // a twelfth of a Julian year
constexpr double kSecondsPerMonth = 2629800; // the `month` period in stdlib
constexpr double kGiB = 1024.0 * 1024 * 1024;
// AWS Fargate prices one vCPU like 9.1 GiB of memory (0.04048 / 0.004445 per
// hour in us-east-1); node prices are split between CPU and memory the same way.
constexpr double kCpuToGiB = 9.1;

double hourly(const sema::EnvModel &env, DeclId instance) {
  const Value *price = env.get(instance, fields::instance::price);
  return price ? price->number * 3600 : 0;
}

// Fires per month of a cron schedule or preset, approximately.
double runsPerMonth(llvm::StringRef cron) {
  if (cron == "@hourly")
    return kHoursPerMonth;
  if (cron == "@daily")
    return kHoursPerMonth / 24;
  if (cron == "@weekly")
    return kHoursPerMonth / 168;
  if (cron == "@monthly")
    return 1;
  if (cron == "@quarterly")
    return 1.0 / 3;
  if (cron == "@yearly" || cron == "@annually")
    return 1.0 / 12;
  if (cron == "@once")
    return 0;
  llvm::SmallVector<llvm::StringRef, 5> f;
  cron.split(f, ' ', -1, false);
  if (f.size() != 5)
    return 0;
  auto count = [](llvm::StringRef field, double full) {
    if (field == "*")
      return full;
    double total = 0;
    llvm::SmallVector<llvm::StringRef, 4> parts;
    field.split(parts, ',');
    for (llvm::StringRef part : parts) {
      auto [range, step] = part.split('/');
      double span = 1;
      if (range == "*") {
        span = full;
      } else if (range.contains('-')) {
        auto [a, b] = range.split('-');
        int lo = 0, hi = 0;
        if (!a.getAsInteger(10, lo) && !b.getAsInteger(10, hi))
          span = hi - lo + 1;
      }
      int s = 1;
      if (!step.empty())
        step.getAsInteger(10, s);
      total += std::ceil(span / std::max(1, s));
    }
    return total;
  };
  double perDay = count(f[0], 60) * count(f[1], 24);
  double days = f[4] != "*" ? count(f[4], 7) * (30.44 / 7) : count(f[2], 30.44);
  double months = f[3] == "*" ? 1 : count(f[3], 12) / 12;
  return perDay * days * months;
}

struct Rates {
  double cpuHour = 0; // USD per vCPU-hour
  double gibHour = 0; // USD per GiB-hour
  std::string node;
};

Rates nodeRates(const sema::Program &p, const sema::EnvModel &env) {
  Rates r;
  if (p.workspace == sema::kNoDecl)
    return r;
  const Value *node = env.get(p.workspace, fields::workspace::node_type);
  if (!node || node->ref == sema::kNoDecl)
    return r;
  const Value *vcpu = env.get(node->ref, fields::instance::vcpu);
  const Value *mem = env.get(node->ref, fields::instance::memory);
  double price = hourly(env, node->ref);
  if (!vcpu || !mem)
    return r;
  double gib = mem->number / kGiB;
  r.cpuHour = price / (vcpu->asNumber() + gib / kCpuToGiB);
  r.gibHour = r.cpuHour / kCpuToGiB;
  r.node = node->text;
  return r;
}

double podHour(const Rates &r, const Value *resources, std::string *what) {
  if (!resources)
    return 0;
  const Value *cpu = resources->field(records::resources::cpu);
  const Value *mem = resources->field(records::resources::memory);
  double cores = cpu ? cpu->number : 0;
  double gib = mem ? mem->number / kGiB : 0;
  if (what)
    *what = fmt::format("{} vCPU + {} GiB", sema::numberText(std::round(cores * 1000) / 1000),
                     sema::numberText(std::round(gib * 1000) / 1000));
  return cores * r.cpuHour + gib * r.gibHour;
}

double lowReplicas(const Value *range) {
  if (!range || range->items.size() != 2)
    return 1;
  return range->items[0]->asNumber();
}

// Which pipelines write each dataset, per environment, so that a pipeline's
// runs are found without scanning every edge.
struct Flow {
  const sema::EnvModel &env;
  std::vector<llvm::SmallVector<DeclId, 1>> pipelineWriters; // by dataset, in edge order

  Flow(const sema::Program &p, const sema::EnvModel &e) : env(e), pipelineWriters(p.decls.size()) {
    for (const sema::Edge &w : e.edges)
      if (w.kind == sema::EdgeKind::Writes && p.decl(w.from).kindId == sema::DeclKind::Pipeline)
        pipelineWriters[w.to].push_back(w.from);
  }
};

// How often a pipeline runs: its schedule, else as often as whatever writes
// the datasets it reads (one level up), else daily.
double pipelineRuns(const sema::Program &p, const Flow &flow, DeclId id, int depth = 0) {
  if (const Value *s = flow.env.get(id, fields::pipeline::schedule))
    return runsPerMonth(s->text);
  if (depth < 4)
    for (const sema::Edge &e : flow.env.edgesFrom(id, sema::EdgeKind::Reads))
      for (DeclId writer : flow.pipelineWriters[e.to])
        if (writer != id)
          return pipelineRuns(p, flow, writer, depth + 1);
  return kHoursPerMonth / 24;
}

// The monthly cost of one declaration. `basis`, when given, receives how it
// was computed (for reports; formatting it costs more than the estimate).
double estimate(const sema::Program &p, const Flow &flow, const Rates &rates, DeclId id,
                std::string *basis) {
  const sema::EnvModel &env = flow.env;
  const sema::Decl &d = p.decl(id);
  switch (d.kindId) {
  case sema::DeclKind::Service: {
    double replicas = lowReplicas(env.get(id, fields::service::replicas));
    std::string pod;
    double perHour = podHour(rates, env.get(id, fields::service::resources), basis ? &pod : nullptr);
    if (basis)
      *basis = fmt::format("{} replica{} × ({}) at {} prices", sema::numberText(replicas),
                           replicas == 1 ? "" : "s", pod, rates.node);
    return replicas * perHour * kHoursPerMonth;
  }
  case sema::DeclKind::Model: {
    double total = 0;
    std::vector<std::string> parts;
    if (const Value *train = env.get(id, fields::model::train)) {
      const Value *instance = train->field(records::training::instance);
      const Value *count = train->field(records::training::count);
      const Value *runtime = train->field(records::training::max_runtime);
      double runs = 0;
      std::string why;
      if (const Value *s = train->field(records::training::schedule)) {
        runs = runsPerMonth(s->text);
        why = s->text;
      } else if (const Value *r = train->field(records::training::retrain_on); r && !r->items.empty()) {
        for (const Value *ds : r->items)
          if (ds->kind == Value::Kind::Ref && ds->ref < flow.pipelineWriters.size())
            for (DeclId writer : flow.pipelineWriters[ds->ref])
              runs = std::max(runs, pipelineRuns(p, flow, writer));
        why = "each update of its retraining dataset";
      } else if (const Value *rpm = train->field(records::training::runs_per_month)) {
        runs = rpm->asNumber();
        why = "runs_per_month";
      }
      if (instance && instance->ref != sema::kNoDecl && count && runtime) {
        double cost = runs * count->asNumber() * hourly(env, instance->ref) * (runtime->number / 3600);
        total += cost;
        if (basis)
          parts.push_back(fmt::format("training {} runs/month ({}) × {} × {} for up to {}h",
                                    sema::numberText(std::round(runs * 10) / 10), why,
                                    sema::numberText(count->asNumber()), instance->text,
                                    sema::numberText(runtime->number / 3600)));
      }
    }
    if (const Value *serve = env.get(id, fields::model::serve)) {
      const Value *serverless = serve->field(records::serving::serverless);
      const Value *instance = serve->field(records::serving::instance);
      if (serverless && serverless->boolean) {
        if (basis)
          parts.push_back("serverless serving, billed per request (not estimated)");
      } else if (instance && instance->ref != sema::kNoDecl) {
        double replicas = lowReplicas(serve->field(records::serving::replicas));
        total += replicas * hourly(env, instance->ref) * kHoursPerMonth;
        if (basis)
          parts.push_back(fmt::format("serving {} × {}", sema::numberText(replicas), instance->text));
      }
    }
    if (basis)
      for (const std::string &part : parts)
        *basis += (basis->empty() ? "" : "; ") + part;
    return total;
  }
  case sema::DeclKind::Pipeline: {
    double runs = pipelineRuns(p, flow, id);
    double perRun = 0;
    size_t tasks = 0;
    if (const Value *list = env.get(id, fields::pipeline::task))
      for (const Value *t : list->items) {
        std::string pod;
        const Value *duration = t->field(records::task::duration);
        perRun += podHour(rates, t->field(records::task::resources), nullptr) *
                  (duration ? duration->number / 3600 : 0);
        ++tasks;
      }
    if (basis)
      *basis = fmt::format("{} runs/month × {} task{} at {} prices", sema::numberText(std::round(runs * 10) / 10),
                           tasks, tasks == 1 ? "" : "s", rates.node);
    return runs * perRun;
  }
  case sema::DeclKind::Agent: {
    const Value *quota = env.get(id, fields::agent::quota);
    const Value *spend = quota ? quota->field(records::agent_quota::spend) : nullptr;
    if (basis)
      *basis = "its spend quota";
    return spend ? spend->number * kSecondsPerMonth : 0;
  }
  case sema::DeclKind::Workspace:
  case sema::DeclKind::Environment:
  case sema::DeclKind::Team:
  case sema::DeclKind::Dataset:
  case sema::DeclKind::Policy:
  case sema::DeclKind::Instance:
  case sema::DeclKind::Framework:
  case sema::DeclKind::Region:
    return 0;
  }
  return 0;
}

std::string usd(double amount) {
  // 12345.6 → "$12,346"
  long long whole = std::llround(amount);
  std::string digits = std::to_string(std::llabs(whole));
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0)
      out += ',';
    out += digits[i];
  }
  return (whole < 0 ? "-$" : "$") + out;
}

} // namespace

void computeCosts(sema::Program &p, sema::EnvModel &env) {
  env.monthlyCost.assign(p.decls.size(), 0);
  Rates rates = nodeRates(p, env);
  Flow flow(p, env);
  for (const sema::Decl &d : p.decls) {
    if (d.fromStdlib || !env.exists[d.id])
      continue;
    env.monthlyCost[d.id] = estimate(p, flow, rates, d.id, nullptr);
  }
}

std::string costBasis(const sema::Program &p, const sema::EnvModel &env, DeclId id) {
  std::string basis;
  estimate(p, Flow(p, env), nodeRates(p, env), id, &basis);
  return basis;
}

std::vector<TeamCost> teamCosts(const sema::Program &p, const sema::EnvModel &env, bool withBasis) {
  Flow flow(p, env);
  Rates rates = nodeRates(p, env);
  std::map<DeclId, TeamCost> byTeam;
  for (DeclId team : p.ofKind(sema::DeclKind::Team)) {
    if (!env.exists[team])
      continue;
    TeamCost &t = byTeam[team];
    t.team = team;
    if (const Value *b = env.get(team, fields::team::budget); b && b->kind == Value::Kind::MoneyRate)
      t.budget = b->number * kSecondsPerMonth;
  }
  for (const sema::Decl &d : p.decls) {
    if (d.fromStdlib || !env.exists[d.id] || env.monthlyCost.size() <= d.id)
      continue;
    DeclId team = p.owner(env, d.id);
    if (team == sema::kNoDecl || !byTeam.count(team))
      continue;
    double cost = env.monthlyCost[d.id];
    // A model with no cost still gets a line when its basis says why
    // (serverless serving is not estimated).
    std::string basis;
    if ((cost > 0 || d.kindId == sema::DeclKind::Model) && (withBasis || cost <= 0))
      estimate(p, flow, rates, d.id, &basis);
    if (cost <= 0 && basis.empty())
      continue;
    byTeam[team].total += cost;
    byTeam[team].lines.push_back(CostLine{d.id, cost, basis});
  }
  std::vector<TeamCost> out;
  for (auto &[id, t] : byTeam) {
    std::stable_sort(t.lines.begin(), t.lines.end(),
                     [](const CostLine &a, const CostLine &b) { return a.monthly > b.monthly; });
    out.push_back(std::move(t));
  }
  return out;
}

void checkBudgets(const sema::Program &p, const sema::EnvModel &, Diagnostics &diags) {
  // A budget pays for everything the team runs: all environments together.
  std::map<DeclId, double> total;
  struct Contributor {
    double monthly;
    DeclId decl;
    const sema::EnvModel *env;
  };
  std::map<DeclId, std::vector<Contributor>> contributors;
  for (const sema::EnvModel &env : p.envs)
    for (const TeamCost &t : teamCosts(p, env, /*withBasis=*/false)) {
      total[t.team] += t.total;
      for (const CostLine &l : t.lines)
        if (l.monthly > 0)
          contributors[t.team].push_back(Contributor{l.monthly, l.decl, &env});
    }
  for (const auto &[team, cost] : total) {
    const Value *budget = p.envs.front().get(team, fields::team::budget);
    if (!budget || budget->kind != Value::Kind::MoneyRate)
      continue;
    double limit = budget->number * kSecondsPerMonth;
    if (cost <= 0.8 * limit)
      continue;
    bool over = cost > limit;
    Diagnostic &d = diags.report(
        over ? DiagId::OverBudget : DiagId::NearBudget, budget->span,
        over ? fmt::format("team `{}` is estimated at {}/month across all environments, over its "
                           "budget of {}/month",
                           p.decl(team).name, usd(cost), usd(limit))
             : fmt::format("team `{}` is estimated at {}/month across all environments, {:.0f}% of "
                           "its budget of {}/month",
                           p.decl(team).name, usd(cost), 100 * cost / limit, usd(limit)));
    auto &list = contributors[team];
    std::stable_sort(list.begin(), list.end(),
                     [](const auto &a, const auto &b) { return a.monthly > b.monthly; });
    // Only the notes shown say how they were estimated.
    for (size_t i = 0; i < list.size() && i < 3; ++i) {
      const Contributor &c = list[i];
      d.note(p.decl(c.decl).nameSpan,
             fmt::format("`{}` in `{}`: {} ({})", p.decl(c.decl).name, c.env->name, usd(c.monthly),
                         costBasis(p, *c.env, c.decl)));
    }
    d.withHelp(over ? "lower replicas, requests or instance sizes of the biggest contributors, or "
                      "raise the budget; `platc cost` shows the whole report"
                    : "`platc cost` shows the whole report");
  }
}

} // namespace plat::governance
