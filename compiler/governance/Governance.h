// Governance as types: what no configuration language checks.
//
// Runs on the typed IR after the cross-persona checks, per environment:
// - lineage: classification (public < internal < confidential < pii) flows
//   from datasets through the pipelines that read them into what they write
//   (unless a task de-identifies every pii column it reads), into models
//   trained on them, and into the services and agents that call or read
//   them; each violation explains the path hop by hop;
// - policies: user `policy` declarations and the stdlib compliance profiles
//   (stdlib/compliance/), evaluated over the graph by a small total rule
//   language (Policy.cpp);
// - agents: permissions bounded by the owner team's reach, human approval
//   for production writes and pii reach, quotas bounded by the budget;
// - cost: monthly estimates per declaration and per team against budgets.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "diag/Diagnostic.h"
#include "sema/Program.h"

namespace plat::governance {

// `stop`, when given, is asked between checks whether to go on; once it
// says no, checkGovernance returns with its work unfinished (pipeline::edit
// then discards the program).
void checkGovernance(sema::Program &program, Diagnostics &diags,
                     const std::function<bool()> &stop = {});

// Lineage (Lineage.cpp).
void computeClassification(sema::Program &program, sema::EnvModel &env, Diagnostics &diags);
// "checkout_api → scorer (trained on) → transactions (pii)" and one note per
// hop, for explaining why a declaration has its classification.
std::string lineagePath(const sema::Program &program, const sema::EnvModel &env, sema::DeclId id);
void addLineageNotes(Diagnostic &d, const sema::Program &program, const sema::EnvModel &env,
                     sema::DeclId id);
llvm::StringRef classificationName(int level);

// Policies (Policy.cpp).
// Evaluates the rules sema::typePolicies typed (rules with a type error are
// skipped: they were reported once).
void checkPolicies(const sema::Program &program, const sema::EnvModel &env, Diagnostics &diags);

// What one rule decided for one declaration in its scope (its `where` held),
// for audit evidence (backends/Evidence.h): the same evaluation as
// checkPolicies, recorded instead of reported.
struct RuleOutcome {
  sema::DeclId policy = sema::kNoDecl;
  size_t rule = 0;          // index of the rule in its policy, in source order
  std::string ruleKind;     // the kind it ranges over (`service`)
  Span ruleSpan;
  std::string profile;      // `pci`, ...; empty for baseline rules and own policies
  bool error = true;        // the policy's severity
  sema::DeclId decl = sema::kNoDecl;
  bool passed = false;
  std::string message;      // the finding's message when it failed
  // The fields of the rule's variable that its `where` and `require` read
  // (`s.tls and s.waf` → tls, waf; `m.approval.approvers` → approval),
  // sorted: the controls the rule checks.
  std::vector<std::string> fields;
};
// Every rule of every policy that exists in `env`, over every declaration in
// its scope, ordered by policy, rule and declaration id. Rules with a type
// error are left out (they are never evaluated).
std::vector<RuleOutcome> evaluateRules(const sema::Program &program, const sema::EnvModel &env);

// Agents (Agents.cpp).
void checkAgents(const sema::Program &program, const sema::EnvModel &env, Diagnostics &diags);

// Objectives (Objectives.cpp): an availability objective the declared
// replicas cannot meet. Reports each declaration once, in the first
// environment where it fails (`reported` carries them across environments).
int64_t replicasForAvailability(double availability);
void checkObjectives(const sema::Program &program, const sema::EnvModel &env,
                     std::set<sema::DeclId> &reported, Diagnostics &diags);
// The same for models (their endpoint's instances), and the checks of
// `monitoring` and `monitor`; `reported` is as above, `monitorReported` the
// same for the monitoring checks.
void checkModelObjectives(const sema::Program &program, const sema::EnvModel &env,
                          std::set<sema::DeclId> &reported, std::set<sema::DeclId> &monitorReported,
                          Diagnostics &diags);

// Objectives of datasets and pipelines (DataObjectives.cpp): a freshness no
// writer serves or no schedule can meet, task durations beyond the
// pipeline's `max_duration`, task timeouts that contradict the durations.
// Each declaration is reported once per code, in the first environment
// where it fails.
void checkDataObjectives(const sema::Program &program, const sema::EnvModel &env,
                         std::set<std::pair<sema::DeclId, int>> &reported, Diagnostics &diags);

// Escape hatches (Patches.cpp): `patch` keys that name no generated object
// (P0322) and entries that would change a governed value (P0515); each
// place is reported once (`reported` holds file and offset across
// environments).
void checkPatches(const sema::Program &program, const sema::EnvModel &env,
                  std::set<std::pair<uint32_t, uint32_t>> &reported, Diagnostics &diags);

// Explicit IAM grants (IamGrants.cpp): every `iam_allow` entry is a
// warning (P0516), once per entry across environments.
void checkIamGrants(const sema::Program &program, const sema::EnvModel &env,
                    std::set<std::pair<uint32_t, uint32_t>> &reported, Diagnostics &diags);

// Cost (Cost.cpp).
struct CostLine {
  sema::DeclId decl;
  double monthly; // USD
  std::string basis; // how it was estimated, for the report
};
struct TeamCost {
  sema::DeclId team;
  double total = 0;
  double budget = -1; // USD per month, -1 when the team declares none
  std::vector<CostLine> lines; // biggest first
};
void computeCosts(sema::Program &program, sema::EnvModel &env);
// Costs per team in one environment. Without `withBasis` the lines' basis is
// left empty (except for models without a cost, which are listed for it).
std::vector<TeamCost> teamCosts(const sema::Program &program, const sema::EnvModel &env,
                                bool withBasis = true);
std::string costBasis(const sema::Program &program, const sema::EnvModel &env, sema::DeclId id);
void checkBudgets(const sema::Program &program, const sema::EnvModel &env, Diagnostics &diags);

} // namespace plat::governance
