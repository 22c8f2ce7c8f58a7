#include "backends/Evidence.h"

#include <algorithm>
#include <set>

#include "backends/Common.h"
#include "backends/Naming.h"
#include "backends/aws/SageMakerRequests.h"
#include "backends/json/JsonText.h"
#include "fmt/format.h"
#include "sema/ValueText.h"

namespace plat::backends::evidence {

namespace fields = sema::fields;
namespace records = sema::records;

using sema::DeclId;
using sema::DeclKind;
using sema::EdgeKind;
using sema::Value;

namespace {

constexpr const char *kDeclaredOnly =
    "declared, not generated: platc writes no ingress, load balancer or firewall configuration";

bool isStd(llvm::StringRef path) { return path.startswith("<std>"); }

std::string declared(const BackendContext &ctx, DeclId id, sema::FieldKey field) {
  const Value *v = ctx.env.get(id, field);
  return v ? sema::valueText(ctx.program, *v) : "none";
}

// The IAM roles file of a declaration's owner (backends/iam: `roles/<team>.json`).
std::string rolesFile(const BackendContext &ctx, DeclId id) {
  DeclId team = ctx.program.owner(ctx.env, id);
  return "iam/roles/" +
         (team == sema::kNoDecl ? std::string("_unowned") : dnsLabel(ctx.program.decl(team).name)) +
         ".json";
}

// The IAM statements that let the readers and writers of a dataset use its
// KMS key (backends/iam `datasetAccess`): `DecryptWith<Dataset>` for reads,
// `EncryptWith<Dataset>` for writes, in each accessor's role.
std::vector<ObjectRef> encryptionObjects(const BackendContext &ctx, DeclId dataset) {
  std::vector<ObjectRef> out;
  const Value *key = ctx.env.get(dataset, fields::dataset::kms_key);
  const Value *location = ctx.env.get(dataset, fields::dataset::location);
  if (!key || key->text.empty() || !location || location->text.empty())
    return out;
  std::string what = sidWord(ctx.program.decl(dataset).name);
  for (const sema::Edge *e : edgesInto(ctx).of(dataset)) {
    const sema::Decl &from = ctx.program.decl(e->from);
    if (from.fromStdlib || e->from >= ctx.env.exists.size() || !ctx.env.exists[e->from])
      continue;
    std::string purpose;
    bool write = false;
    switch (e->kind) {
    case EdgeKind::Reads:
    case EdgeKind::AgentReads:
      break;
    case EdgeKind::Writes:
    case EdgeKind::AgentWrites:
      write = true;
      break;
    case EdgeKind::TrainedOn:
      if (!ctx.env.get(from.id, fields::model::train))
        continue;
      purpose = "training";
      break;
    case EdgeKind::Owns:
    case EdgeKind::Calls:
    case EdgeKind::RetrainsOn:
    case EdgeKind::Invokes:
    case EdgeKind::Triggers:
      continue;
    }
    if (from.kindId != DeclKind::Service && from.kindId != DeclKind::Pipeline &&
        from.kindId != DeclKind::Model && from.kindId != DeclKind::Agent)
      continue;
    out.push_back(ObjectRef{rolesFile(ctx, from.id), "IAM statement",
                            roleName(ctx, from, purpose) + " " + (write ? "EncryptWith" : "DecryptWith") + what});
  }
  return out;
}

// What the SageMaker requests of a model implement, by control.
void modelObjects(const BackendContext &ctx, DeclId model, llvm::StringRef control,
                  std::vector<ObjectRef> &out) {
  std::vector<std::string> skipped;
  for (const sagemaker::Request &r : sagemaker::modelRequests(ctx, model, skipped)) {
    auto name = [&](const char *key) {
      auto it = r.body.find(key);
      return it != r.body.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    if (control == "approval" && r.operation == "CreateModelPackage" &&
        name("ModelApprovalStatus") == "PendingManualApproval")
      out.push_back(ObjectRef{r.file, r.operation, name("ModelPackageGroupName")});
    else if (control == "monitoring" && r.operation == "CreateEndpointConfig" &&
             r.body.contains("DataCaptureConfig"))
      out.push_back(ObjectRef{r.file, r.operation, name("EndpointConfigName")});
    else if (control == "monitoring" && r.operation == "CreateMonitoringSchedule")
      out.push_back(ObjectRef{r.file, r.operation, name("MonitoringScheduleName")});
    else if (control == "monitoring" && r.operation == "CreateDataQualityJobDefinition")
      out.push_back(ObjectRef{r.file, r.operation, name("JobDefinitionName")});
    else if (control == "alarms" && r.operation == "PutMetricAlarm")
      out.push_back(ObjectRef{r.file, r.operation, name("AlarmName")});
    else if (control == "deployment" && r.body.contains("DeploymentConfig"))
      out.push_back(ObjectRef{r.file, r.operation, name("EndpointName")});
  }
  if (control == "monitoring" && ctx.env.get(model, fields::model::serve)) {
    // The serving role may write the captured requests (backends/iam).
    if (const Value *m = ctx.env.get(model, fields::model::monitoring); m && m->boolean)
      out.push_back(ObjectRef{rolesFile(ctx, model), "IAM statement",
                              roleName(ctx, ctx.program.decl(model), "serving") + " WriteDataCapture"});
  }
}

std::string noteFor(llvm::StringRef control) {
  if (control == "tls" || control == "waf")
    return kDeclaredOnly;
  if (control == "audit_logging")
    return "declared, not generated: platc writes no audit log configuration for services";
  if (control == "retention")
    return "declared, not generated: platc writes no storage lifecycle rule";
  if (control == "human_approval")
    return "declared, not generated: the agent's runtime asks for the approval";
  return "nothing generated in this environment";
}

struct ControlDef {
  const char *control;
  sema::FieldKey field;
  bool onlyWithObjects; // listed only where something implements it
};

std::vector<ControlDef> controlDefs(DeclKind kind) {
  switch (kind) {
  case DeclKind::Service:
    return {{"network_policy", fields::service::expose, false},
            {"tls", fields::service::tls, false},
            {"waf", fields::service::waf, false},
            {"audit_logging", fields::service::audit_logging, false},
            {"objectives", fields::service::slo, false}};
  case DeclKind::Dataset:
    return {{"encryption", fields::dataset::kms_key, false},
            {"retention", fields::dataset::retention, false}};
  case DeclKind::Model:
    return {{"approval", fields::model::approval, false},
            {"monitoring", fields::model::monitoring, false},
            {"alarms", fields::model::serve, true},
            {"deployment", fields::model::serve, true}};
  case DeclKind::Agent:
    return {{"network_policy", fields::agent::in_cluster, false},
            {"human_approval", fields::agent::human_approval, false}};
  case DeclKind::Workspace:
  case DeclKind::Environment:
  case DeclKind::Team:
  case DeclKind::Pipeline:
  case DeclKind::Policy:
  case DeclKind::Instance:
  case DeclKind::Framework:
  case DeclKind::Region:
    return {};
  }
  return {};
}

Json sourceJson(const BackendContext &ctx, Span span, const review::GitProvenance *git) {
  Json out = Json::object();
  if (!span.valid())
    return out;
  const SourceFile &f = ctx.sources.file(span.file);
  LineCol begin = f.lineCol(span.begin), end = f.lineCol(span.end);
  out["file"] = f.path();
  out["line"] = begin.line;
  out["column"] = begin.column;
  out["end_line"] = end.line;
  out["end_column"] = end.column;
  if (git)
    if (auto it = git->files.find(f.path()); it != git->files.end() && it->second == "committed")
      out["commit"] = git->commit;
  return out;
}

std::string location(const BackendContext &ctx, Span span) {
  if (!span.valid())
    return "";
  LineCol lc = ctx.sources.lineCol(span);
  return fmt::format("{}:{}", ctx.sources.file(span.file).path(), lc.line);
}

Json objectsJson(const std::vector<ObjectRef> &objects) {
  Json out = Json::array();
  for (const ObjectRef &o : objects)
    out.push_back(Json{{"file", o.file}, {"kind", o.kind}, {"name", o.name}});
  return out;
}

Json controlJson(const Control &c) {
  Json out{{"control", c.control}, {"field", c.field}, {"declared", c.declared},
           {"objects", objectsJson(c.objects)}};
  if (!c.note.empty())
    out["note"] = c.note;
  return out;
}

std::vector<std::string> compliance(const BackendContext &ctx, DeclId id) {
  std::vector<std::string> out;
  if (const Value *c = ctx.env.get(id, fields::any::compliance))
    for (const Value *item : c->items)
      out.push_back(item->text);
  return out;
}

std::string paragraph(const std::string &doc) {
  std::string out;
  for (char c : doc.substr(0, doc.find("\n\n")))
    out += c == '\n' ? ' ' : c;
  return out;
}

// The controls a rule checks, from the fields it reads.
std::vector<std::string> ruleControls(const governance::RuleOutcome &o) {
  std::set<std::string> set;
  for (const std::string &f : o.fields)
    if (llvm::StringRef c = controlOfField(f); !c.empty())
      set.insert(c.str());
  return {set.begin(), set.end()};
}

Json approvalJson(const BackendContext &ctx, DeclId id) {
  const Value *approval = ctx.env.get(id, fields::model::approval);
  if (!approval)
    return nullptr;
  Json out = Json::object();
  const Value *by = approval->field(records::approval_gate::by);
  out["by"] = by && by->ref != sema::kNoDecl ? Json(ctx.program.decl(by->ref).name) : Json(nullptr);
  Json people = Json::array();
  if (const Value *list = approval->field(records::approval_gate::approvers))
    for (const Value *p : list->items)
      people.push_back(p->text);
  out["approvers"] = std::move(people);
  Json thresholds = Json::array();
  if (const Value *list = approval->field(records::approval_gate::thresholds))
    for (const Value *t : list->items) {
      const Value *metric = t->field(records::threshold::metric), *op = t->field(records::threshold::op),
                  *value = t->field(records::threshold::value);
      if (metric && op && value)
        thresholds.push_back(Json{{"metric", metric->text}, {"op", op->text}, {"value", value->asNumber()}});
    }
  out["thresholds"] = std::move(thresholds);
  return out;
}

} // namespace

llvm::StringRef controlOfField(llvm::StringRef field) {
  static const std::pair<const char *, const char *> table[] = {
      {"approval", "approval"},       {"audit_logging", "audit_logging"},
      {"expose", "network_policy"},   {"human_approval", "human_approval"},
      {"in_cluster", "network_policy"}, {"kms_key", "encryption"},
      {"monitoring", "monitoring"},   {"retention", "retention"},
      {"slo", "objectives"},          {"tls", "tls"},
      {"waf", "waf"}};
  for (const auto &[f, c] : table)
    if (field == f)
      return c;
  return "";
}

std::vector<ObjectRef> controlObjects(const BackendContext &ctx, DeclId id, llvm::StringRef control) {
  std::vector<ObjectRef> out;
  const sema::Decl &decl = ctx.program.decl(id);
  if (control == "network_policy") {
    if (decl.kindId == DeclKind::Agent)
      if (const Value *inCluster = ctx.env.get(id, fields::agent::in_cluster);
          inCluster && !inCluster->boolean)
        return out; // a Bedrock agent: no pods
    std::string ns = namespaceOf(ctx, id);
    if ((decl.kindId == DeclKind::Service || decl.kindId == DeclKind::Agent) && !ns.empty())
      out.push_back(ObjectRef{"k8s/" + ns + ".yaml", "NetworkPolicy", ns + "/" + dnsLabel(decl.name)});
  } else if (control == "objectives") {
    std::string ns = namespaceOf(ctx, id);
    if (decl.kindId == DeclKind::Service && ctx.env.get(id, fields::service::slo) &&
        ctx.env.get(id, fields::service::port) && !ns.empty()) {
      out.push_back(ObjectRef{"k8s/" + ns + ".yaml", "ServiceMonitor", ns + "/" + dnsLabel(decl.name)});
      out.push_back(ObjectRef{"k8s/" + ns + ".yaml", "PrometheusRule", ns + "/objectives"});
    }
  } else if (control == "encryption") {
    if (decl.kindId == DeclKind::Dataset)
      out = encryptionObjects(ctx, id);
  } else if (decl.kindId == DeclKind::Model &&
             (control == "approval" || control == "monitoring" || control == "alarms" ||
              control == "deployment")) {
    modelObjects(ctx, id, control, out);
  }
  std::sort(out.begin(), out.end(), [](const ObjectRef &a, const ObjectRef &b) {
    return std::tie(a.file, a.kind, a.name) < std::tie(b.file, b.kind, b.name);
  });
  out.erase(std::unique(out.begin(), out.end(),
                        [](const ObjectRef &a, const ObjectRef &b) {
                          return a.file == b.file && a.kind == b.kind && a.name == b.name;
                        }),
            out.end());
  return out;
}

std::vector<Control> controlsOf(const BackendContext &ctx, DeclId id) {
  std::vector<Control> out;
  for (const ControlDef &def : controlDefs(ctx.program.decl(id).kindId)) {
    Control c{def.control, sema::fieldName(def.field).str(), declared(ctx, id, def.field),
              controlObjects(ctx, id, def.control), ""};
    if (def.onlyWithObjects && c.objects.empty())
      continue;
    if (c.objects.empty())
      c.note = noteFor(def.control);
    if (c.objects.empty() && c.control == "network_policy" && c.declared == "false")
      c.note = "the agent runs outside the cluster (a Bedrock agent): no pods to isolate";
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<std::string> profileNames(const sema::Program &program) {
  std::set<std::string> names;
  for (const sema::EnvModel &env : program.envs)
    for (const sema::Decl &d : program.decls) // stdlib policies too (ofKind skips them)
      if (d.kindId == DeclKind::Policy && d.id < env.exists.size() && env.exists[d.id])
        if (const Value *p = env.get(d.id, fields::policy::profile); p && !p->text.empty())
          names.insert(p->text);
  return {names.begin(), names.end()};
}

std::string recordText(const BackendContext &ctx, const std::vector<governance::RuleOutcome> &outcomes,
                       const RecordInputs &inputs) {
  const sema::Program &p = ctx.program;
  const review::GitProvenance *git = inputs.git;
  // The small members are built as a tree; the two arrays that grow with
  // the workspace (declarations, files) are written item by item, so the
  // record never exists as a whole tree (nlohmann's nodes of a 10,000-service
  // record took more memory than the rest of the build).
  Json out = Json::object();
  out["evidence_version"] = 1;
  out["generated_by"] = "platc";
  out["workspace"] = p.workspace == sema::kNoDecl ? "" : p.decl(p.workspace).name;
  out["environment"] = ctx.env.name;
  out["tier"] = ctx.env.tier;
  out["targets"] = inputs.targets;

  // Sources: the workspace's files, and the standard library files whose
  // policies were evaluated (they hold the compliance rules' text).
  std::set<FileId> stdFiles;
  for (const governance::RuleOutcome &o : outcomes)
    if (p.decl(o.policy).fromStdlib && o.ruleSpan.valid())
      stdFiles.insert(o.ruleSpan.file);
  std::vector<std::pair<std::string, FileId>> files;
  for (uint32_t i = 0; i < ctx.sources.size(); ++i) {
    FileId f{i};
    const std::string &path = ctx.sources.file(f).path();
    if (!isStd(path) || stdFiles.count(f))
      files.emplace_back(path, f);
  }
  std::sort(files.begin(), files.end());
  if (git) {
    bool clean = std::all_of(git->files.begin(), git->files.end(),
                             [](const auto &f) { return f.second == "committed"; });
    out["git"] = Json{{"commit", git->commit}, {"sources_committed", clean}};
  }
  Json sources = Json::array();
  for (const auto &[path, id] : files) {
    Json s{{"path", path}, {"sha256", sha256Hex(ctx.sources.file(id).text())}};
    if (git && !isStd(path))
      if (auto it = git->files.find(path); it != git->files.end())
        s["git"] = it->second;
    sources.push_back(std::move(s));
  }
  out["sources"] = std::move(sources);

  // Rules, by policy name and rule index; per declaration, its outcomes.
  struct RuleKey {
    std::string policy;
    size_t rule;
    bool operator<(const RuleKey &o) const { return std::tie(policy, rule) < std::tie(o.policy, o.rule); }
  };
  std::map<RuleKey, std::vector<const governance::RuleOutcome *>> byRule;
  std::map<DeclId, std::vector<const governance::RuleOutcome *>> byDecl;
  for (const governance::RuleOutcome &o : outcomes) {
    byRule[{p.decl(o.policy).name, o.rule}].push_back(&o);
    byDecl[o.decl].push_back(&o);
  }
  Json rules = Json::array();
  for (const auto &[key, list] : byRule) {
    const governance::RuleOutcome &first = *list.front();
    size_t passed = std::count_if(list.begin(), list.end(), [](auto *o) { return o->passed; });
    const sema::Decl &policy = p.decl(first.policy);
    rules.push_back(Json{{"policy", key.policy},
                         {"rule", key.rule},
                         {"profile", first.profile.empty() ? Json(nullptr) : Json(first.profile)},
                         {"baseline", policy.fromStdlib && first.profile.empty()},
                         {"kind", first.ruleKind},
                         {"severity", first.error ? "error" : "warning"},
                         {"doc", paragraph(policy.doc)},
                         {"source", sourceJson(ctx, first.ruleSpan, git)},
                         {"controls", ruleControls(first)},
                         {"in_scope", list.size()},
                         {"passed", passed},
                         {"failed", list.size() - passed}});
  }
  out["rules"] = std::move(rules);

  std::string text;
  text += '{';
  bool firstMember = true;
  for (auto it = out.begin(); it != out.end(); ++it) {
    json::member(text, 2, 1, it.key(), firstMember);
    firstMember = false;
    json::appendValue(text, it.value(), 2, 1);
  }
  out = nullptr;

  std::vector<const sema::Decl *> decls;
  for (const sema::Decl &d : p.decls)
    if (!d.fromStdlib && d.id < ctx.env.exists.size() && ctx.env.exists[d.id] &&
        (d.kindId == DeclKind::Team || d.kindId == DeclKind::Service || d.kindId == DeclKind::Model ||
         d.kindId == DeclKind::Dataset || d.kindId == DeclKind::Pipeline || d.kindId == DeclKind::Agent))
      decls.push_back(&d);
  std::sort(decls.begin(), decls.end(),
            [](auto *a, auto *b) { return std::tie(a->qualifiedName, a->id) < std::tie(b->qualifiedName, b->id); });
  json::member(text, 2, 1, "declarations", firstMember);
  text += '[';
  for (size_t i = 0; i < decls.size(); ++i) {
    const sema::Decl *d = decls[i];
    Json j = Json::object();
    j["name"] = d->name;
    j["qualified_name"] = d->qualifiedName;
    j["kind"] = d->kind;
    DeclId owner = p.owner(ctx.env, d->id);
    j["owner"] = owner == sema::kNoDecl ? Json(nullptr) : Json(p.decl(owner).name);
    j["source"] = sourceJson(ctx, d->span, git);
    int level = d->id < ctx.env.classification.size() ? ctx.env.classification[d->id] : -1;
    j["classification"] = level < 0 ? Json(nullptr) : Json(governance::classificationName(level).str());
    j["compliance"] = compliance(ctx, d->id);
    Json controls = Json::array();
    for (Control &c : controlsOf(ctx, d->id)) {
      // A narrowed build (`--target`) vouches only for the files it wrote.
      size_t before = c.objects.size();
      llvm::erase_if(c.objects, [&](const ObjectRef &o) {
        std::string target = o.file.substr(0, o.file.find('/'));
        return std::find(inputs.targets.begin(), inputs.targets.end(), target) == inputs.targets.end();
      });
      if (c.objects.empty() && before)
        c.note = "implemented in the output of a target this build did not write";
      controls.push_back(controlJson(c));
    }
    j["controls"] = std::move(controls);
    Json applied = Json::array();
    if (auto it = byDecl.find(d->id); it != byDecl.end()) {
      std::vector<const governance::RuleOutcome *> os = it->second;
      std::sort(os.begin(), os.end(), [&](auto *a, auto *b) {
        return std::make_pair(p.decl(a->policy).name, a->rule) < std::make_pair(p.decl(b->policy).name, b->rule);
      });
      for (const governance::RuleOutcome *o : os) {
        Json r{{"policy", p.decl(o->policy).name},
               {"rule", o->rule},
               {"profile", o->profile.empty() ? Json(nullptr) : Json(o->profile)},
               {"result", o->passed ? "passed" : "failed"},
               {"controls", ruleControls(*o)}};
        if (!o->passed)
          r["message"] = o->message;
        applied.push_back(std::move(r));
      }
    }
    j["rules"] = std::move(applied);
    if (d->kindId == DeclKind::Model)
      j["approval"] = approvalJson(ctx, d->id);
    json::item(text, 2, 2, i == 0);
    json::appendValue(text, j, 2, 2);
  }
  if (decls.empty())
    text += ']';
  else
    json::close(text, 2, 1, ']');

  json::member(text, 2, 1, "files");
  text += '[';
  bool firstFile = true;
  for (const auto &[path, hash] : inputs.generated) {
    json::item(text, 2, 2, firstFile);
    firstFile = false;
    text += '{';
    json::member(text, 2, 3, "path", true);
    json::appendString(text, path);
    json::member(text, 2, 3, "sha256");
    json::appendString(text, hash);
    json::close(text, 2, 2, '}');
  }
  if (inputs.generated.empty())
    text += ']';
  else
    json::close(text, 2, 1, ']');
  json::close(text, 2, 0, '}');
  text += '\n';
  return text;
}

Json record(const BackendContext &ctx, const std::vector<governance::RuleOutcome> &outcomes,
            const RecordInputs &inputs) {
  return Json::parse(recordText(ctx, outcomes, inputs));
}

// ---------------------------------------------------------------- report

namespace {

struct PolicyRows {
  const sema::Decl *policy;
  bool error = true;
  bool baseline = false; // a stdlib rule every workspace gets
  std::vector<const governance::RuleOutcome *> rows;
};

std::string objectText(const ObjectRef &o) { return fmt::format("{} `{}` in {}", o.kind, o.name, o.file); }

std::string controlLine(const Control &c) {
  std::string out = fmt::format("{} ({} = {}): ", c.control, c.field, c.declared);
  if (c.objects.empty())
    return out + c.note;
  for (size_t i = 0; i < c.objects.size(); ++i)
    out += (i ? "; " : "") + objectText(c.objects[i]);
  return out;
}

// The controls of `decl` that `o` checks, in the kind's order.
std::vector<Control> checkedControls(const BackendContext &ctx, const governance::RuleOutcome &o) {
  std::vector<std::string> wanted = ruleControls(o);
  std::vector<Control> out;
  for (Control &c : controlsOf(ctx, o.decl))
    if (std::find(wanted.begin(), wanted.end(), c.control) != wanted.end())
      out.push_back(std::move(c));
  return out;
}

std::string mdEscape(llvm::StringRef s) {
  std::string out;
  for (char c : s) {
    if (c == '|') // the one character a table cell cannot hold
      out += '\\';
    out += c == '\n' ? ' ' : c;
  }
  return out;
}

} // namespace

ProfileReport profileReport(const BackendContext &ctx, const std::vector<governance::RuleOutcome> &outcomes,
                            const std::string &profile, ReportFormat format) {
  const sema::Program &p = ctx.program;
  // The profile's policies in declaration order, then the baseline rules
  // for the declarations in the profile's scope.
  std::vector<PolicyRows> policies;
  std::map<DeclId, size_t> index;
  for (const sema::Decl &decl : p.decls) { // stdlib policies too (ofKind skips them)
    DeclId id = decl.id;
    if (decl.kindId != DeclKind::Policy || id >= ctx.env.exists.size() || !ctx.env.exists[id])
      continue;
    const Value *prof = ctx.env.get(id, fields::policy::profile);
    if (prof && prof->text == profile) {
      index[id] = policies.size();
      const Value *sev = ctx.env.get(id, fields::policy::severity);
      policies.push_back(PolicyRows{&p.decl(id), !(sev && sev->text == "warning"), false, {}});
    }
  }
  std::set<DeclId> inScope;
  for (const sema::Decl &d : p.decls)
    if (!d.fromStdlib && d.id < ctx.env.exists.size() && ctx.env.exists[d.id]) {
      std::vector<std::string> c = compliance(ctx, d.id);
      if (std::find(c.begin(), c.end(), profile) != c.end())
        inScope.insert(d.id);
    }
  std::map<std::pair<DeclId, DeclId>, size_t> rowOf; // (policy, declaration) -> its row
  for (const governance::RuleOutcome &o : outcomes) {
    const sema::Decl &policy = p.decl(o.policy);
    bool baseline = policy.fromStdlib && o.profile.empty();
    if (o.profile != profile && !(baseline && inScope.count(o.decl)))
      continue;
    auto [it, added] = index.try_emplace(o.policy, policies.size());
    if (added)
      policies.push_back(PolicyRows{&policy, o.error, baseline, {}});
    // A policy of several rules checks a declaration once in the report:
    // one row per declaration, a failing rule's in place of a passing one
    // (several failures keep their own messages).
    std::vector<const governance::RuleOutcome *> &rows = policies[it->second].rows;
    auto [row, first] = rowOf.try_emplace({o.policy, o.decl}, rows.size());
    if (first || (!rows[row->second]->passed && !o.passed))
      rows.push_back(&o);
    else if (rows[row->second]->passed && !o.passed)
      rows[row->second] = &o;
  }
  size_t passed = 0, failed = 0, warned = 0;
  std::set<DeclId> covered;
  for (const PolicyRows &pr : policies)
    for (const governance::RuleOutcome *o : pr.rows) {
      covered.insert(o->decl);
      if (o->passed)
        ++passed;
      else if (o->error)
        ++failed;
      else
        ++warned;
    }
  const std::string workspace = p.workspace == sema::kNoDecl ? "" : p.decl(p.workspace).name;
  ProfileReport report;
  report.failed = failed;
  std::string &out = report.text;
  auto declLine = [&](DeclId id) {
    const sema::Decl &d = p.decl(id);
    DeclId owner = p.owner(ctx.env, id);
    return fmt::format("{} `{}` ({}{})", d.kind, d.name, location(ctx, d.nameSpan),
                       owner == sema::kNoDecl ? "" : ", owner " + p.decl(owner).name);
  };
  std::string summary =
      fmt::format("{} rule{}, {} declaration{} in scope of `{}`; {} check{} passed, {} failed{}",
                  policies.size(), policies.size() == 1 ? "" : "s", inScope.size(),
                  inScope.size() == 1 ? "" : "s", profile, passed, passed == 1 ? "" : "s", failed,
                  warned ? fmt::format(", {} warning{}", warned, warned == 1 ? "" : "s") : "");

  if (format == ReportFormat::Json) {
    Json j = Json::object();
    j["profile"] = profile;
    j["workspace"] = workspace;
    j["environment"] = ctx.env.name;
    j["tier"] = ctx.env.tier;
    Json rules = Json::array();
    for (const PolicyRows &pr : policies) {
      Json r = Json::object();
      r["policy"] = pr.policy->name;
      r["baseline"] = pr.baseline;
      r["severity"] = pr.error ? "error" : "warning";
      r["control"] = paragraph(pr.policy->doc);
      r["source"] = location(ctx, pr.policy->nameSpan);
      Json rows = Json::array();
      for (const governance::RuleOutcome *o : pr.rows) {
        const sema::Decl &d = p.decl(o->decl);
        DeclId owner = p.owner(ctx.env, o->decl);
        Json row{{"declaration", d.name},
                 {"kind", d.kind},
                 {"owner", owner == sema::kNoDecl ? Json(nullptr) : Json(p.decl(owner).name)},
                 {"source", location(ctx, d.nameSpan)},
                 {"result", o->passed ? "passed" : "failed"}};
        if (!o->passed)
          row["message"] = o->message;
        Json controls = Json::array();
        for (const Control &c : checkedControls(ctx, *o))
          controls.push_back(controlJson(c));
        row["controls"] = std::move(controls);
        rows.push_back(std::move(row));
      }
      r["declarations"] = std::move(rows);
      rules.push_back(std::move(r));
    }
    j["rules"] = std::move(rules);
    Json scope = Json::array();
    for (DeclId id : inScope)
      scope.push_back(p.decl(id).name);
    j["in_scope"] = std::move(scope);
    j["summary"] = Json{{"rules", policies.size()}, {"in_scope", inScope.size()}, {"passed", passed},
                        {"failed", failed}, {"warnings", warned}};
    out = j.dump(2) + "\n";
    return report;
  }

  bool md = format == ReportFormat::Markdown;
  std::string title = fmt::format("Evidence for profile `{}`: workspace `{}`, environment `{}` ({})", profile,
                                  workspace, ctx.env.name, ctx.env.tier);
  out += md ? "# " + title + "\n\n" : title + "\n\n";
  for (const PolicyRows &pr : policies) {
    std::string head = fmt::format("{}{} ({}, {})", pr.policy->name, pr.baseline ? " [baseline]" : "",
                                   pr.error ? "error" : "warning", location(ctx, pr.policy->nameSpan));
    if (md) {
      out += "## " + mdEscape(head) + "\n\n";
      if (!pr.policy->doc.empty())
        out += "> " + mdEscape(paragraph(pr.policy->doc)) + "\n\n";
      if (pr.rows.empty()) {
        out += "No declaration in scope.\n\n";
        continue;
      }
      out += "| declaration | result | evidence |\n|---|---|---|\n";
      for (const governance::RuleOutcome *o : pr.rows) {
        std::string evidence;
        for (const Control &c : checkedControls(ctx, *o))
          evidence += (evidence.empty() ? "" : "<br>") + mdEscape(controlLine(c));
        if (!o->passed)
          evidence = mdEscape(o->message) + (evidence.empty() ? "" : "<br>" + evidence);
        out += fmt::format("| {} | {} | {} |\n", mdEscape(declLine(o->decl)), o->passed ? "passed" : "**failed**",
                           evidence.empty() ? "-" : evidence);
      }
      out += "\n";
      continue;
    }
    out += head + "\n";
    if (!pr.policy->doc.empty())
      out += "  " + paragraph(pr.policy->doc) + "\n";
    if (pr.rows.empty())
      out += "  no declaration in scope\n";
    for (const governance::RuleOutcome *o : pr.rows) {
      out += fmt::format("  {} {}\n", o->passed ? "passed" : "FAILED", declLine(o->decl));
      if (!o->passed)
        out += "      " + o->message + "\n";
      for (const Control &c : checkedControls(ctx, *o))
        out += "      " + controlLine(c) + "\n";
    }
    out += "\n";
  }
  std::vector<std::string> uncovered;
  for (DeclId id : inScope)
    if (!covered.count(id))
      uncovered.push_back(p.decl(id).kind + " `" + p.decl(id).name + "`");
  if (!uncovered.empty()) {
    std::string list;
    for (size_t i = 0; i < uncovered.size(); ++i)
      list += (i ? ", " : "") + uncovered[i];
    std::string line = fmt::format("in scope, checked by no rule of `{}`: {}", profile, list);
    out += md ? mdEscape(line) + "\n\n" : line + "\n\n";
  }
  out += md ? "**Summary:** " + mdEscape(summary) + "\n" : "summary: " + summary + "\n";
  return report;
}

} // namespace plat::backends::evidence
