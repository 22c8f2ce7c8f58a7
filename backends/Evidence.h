// Audit evidence: what a build produced for one environment and why
// (docs/guide-objectives.md, "Audit evidence"; the record's JSON Schema is
// tests/data/schemas/evidence.schema.json).
//
// A shared layer, not a backend: `platc build` writes the record as
// `<env>/evidence.json` beside the backends' folders, and `platc evidence
// --profile P` renders the rules of one compliance profile from the same
// functions. Which generated objects implement a control is decided in one
// place, `controlObjects`; a backend that starts generating an object for a
// control (alarms, deployment guardrails) adds it there.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "backends/Backend.h"
#include "governance/Governance.h"
#include "nlohmann/json.hpp"
#include "review/Provenance.h"

namespace plat::backends::evidence {

using Json = nlohmann::ordered_json;

// A generated object: the file (relative to the environment's folder), what
// kind of object it is (`NetworkPolicy`, `IAM statement`,
// `CreateModelPackage`) and its name inside the file.
struct ObjectRef {
  std::string file;
  std::string kind;
  std::string name;
};

// One control of a declaration: the field that declares it, its value in
// this environment, and the generated objects that implement it. `note`
// says why the list is empty where platc generates nothing for it.
struct Control {
  std::string control; // `network_policy`, `encryption`, `approval`, ...
  std::string field;   // `expose`, `kms_key`, `approval`, ...
  std::string declared;
  std::vector<ObjectRef> objects;
  std::string note;
};

// The controls of a kind, in a fixed order (services: network_policy, tls,
// waf, audit_logging, objectives; datasets: encryption, retention; models:
// approval, monitoring, alarms, deployment; agents: network_policy,
// human_approval). Empty for other kinds.
std::vector<Control> controlsOf(const BackendContext &ctx, sema::DeclId decl);

// The generated objects that implement `control` for `decl` in this
// environment: the one mapping from controls to objects.
std::vector<ObjectRef> controlObjects(const BackendContext &ctx, sema::DeclId decl,
                                      llvm::StringRef control);

// The control a field read by a rule stands for (`kms_key` → encryption),
// or "" for fields that only select (compliance, classification, name).
llvm::StringRef controlOfField(llvm::StringRef field);

struct RecordInputs {
  std::vector<std::string> targets;                 // the backends that ran, in order
  std::map<std::string, std::string> generated;     // env-relative path → sha256
  const review::GitProvenance *git = nullptr;       // null outside git
};

// The evidence record of one environment as the text of evidence.json
// (deterministic: no time, sorted), written without building the whole tree.
std::string recordText(const BackendContext &ctx, const std::vector<governance::RuleOutcome> &outcomes,
                       const RecordInputs &inputs);
// The same record read back as a tree (for tests and small callers).
Json record(const BackendContext &ctx, const std::vector<governance::RuleOutcome> &outcomes,
            const RecordInputs &inputs);

// The compliance profiles of the standard library, sorted.
std::vector<std::string> profileNames(const sema::Program &program);

enum class ReportFormat { Text, Markdown, Json };
struct ProfileReport {
  std::string text;
  size_t failed = 0; // declarations that break an error-severity rule
};
// For an auditor: each rule of `profile` (its doc as the control text) with
// the declarations in scope, their result and the objects that implement it,
// then a summary. Baseline rules are included for the declarations in the
// profile's scope.
ProfileReport profileReport(const BackendContext &ctx,
                            const std::vector<governance::RuleOutcome> &outcomes,
                            const std::string &profile, ReportFormat format);

} // namespace plat::backends::evidence
