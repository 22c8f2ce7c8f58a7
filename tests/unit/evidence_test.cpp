// Audit evidence: the rule outcomes it records are the checker's, and the
// IAM statements it names for encryption are the ones the IAM backend
// writes (tests/validators/evidence_validate.py checks the files on disk).
#include <catch2/catch.hpp>

#include <set>

#include "backends/Evidence.h"
#include "backends/iam/Policies.h"
#include "governance/Governance.h"
#include "pipeline/Pipeline.h"
#include "sema/Program.h"
#include "workspace/Workspace.h"

using namespace plat;
namespace evidence = plat::backends::evidence;

namespace {

const char *kWorkspace = R"(workspace w {
  account = "123456789012"
  region = "eu-west-1"
  artifact_bucket = "w-ml"
}
environment prod {
  tier = production
}
team care {
  lead = "ann@example.com"
  cost_center = "cc-1"
  on_call = "pagerduty:care"
}
)";

const char *kDecls = R"(
/// Internal services log their requests.
policy internal_audit {
  severity = warning
  for service s
    where s.expose == internal and s.port != none
    require s.audit_logging
    else "`${s.name}` keeps no audit log"
}

service records_api {
  owner = care
  image = "registry.example/records:1.0.0"
  port = 8080
  tls = true
  audit_logging = true
  compliance = [hipaa]
  reads = [records]
}

service notes_api {
  owner = care
  image = "registry.example/notes:1.0.0"
  port = 8080
  writes = [records]
}

dataset records {
  owner = care
  location = s3("w-data", "records/")
  compliance = [hipaa]
  kms_key = "alias/records"
  schema {
    id : string
  }
}
)";

} // namespace

TEST_CASE("evidence: rule outcomes are the checker's, controls name the IAM backend's statements",
          "[evidence]") {
  Diagnostics diags;
  Workspace ws = Workspace::fromSources("/w", {{"workspace.plat", kWorkspace}, {"care.plat", kDecls}}, diags);
  std::unique_ptr<sema::Program> program = pipeline::check(ws, diags);
  REQUIRE_FALSE(diags.hasErrors());
  const sema::EnvModel *env = program->env("prod");
  REQUIRE(env);

  // One warning from the workspace's own policy, and the same finding as a
  // failed outcome; the passing declarations in scope recorded as passed.
  size_t warnings = 0;
  for (const Diagnostic &d : diags.all())
    warnings += d.id == DiagId::PolicyViolation;
  CHECK(warnings == 1);
  std::vector<governance::RuleOutcome> outcomes = governance::evaluateRules(*program, *env);
  std::map<std::pair<std::string, std::string>, const governance::RuleOutcome *> byName;
  for (const governance::RuleOutcome &o : outcomes)
    byName[{program->decl(o.policy).name, program->decl(o.decl).name}] = &o;
  const governance::RuleOutcome *failed = byName[{"internal_audit", "notes_api"}];
  REQUIRE(failed);
  CHECK_FALSE(failed->passed);
  CHECK_FALSE(failed->error);
  CHECK(failed->message == "`notes_api` keeps no audit log");
  CHECK(failed->fields == std::vector<std::string>{"audit_logging", "expose", "port"});
  REQUIRE(byName[{"internal_audit", "records_api"}]);
  CHECK(byName[{"internal_audit", "records_api"}]->passed);
  const governance::RuleOutcome *enc = byName[{"hipaa_encryption", "records"}];
  REQUIRE(enc);
  CHECK(enc->passed);
  CHECK(enc->profile == "hipaa");

  // Encryption evidence: exactly the KMS statements the IAM backend writes.
  backends::BackendContext ctx{*program, *env, ws.sources()};
  std::set<std::string> fromIam;
  for (const backends::iam::Role &r : backends::iam::roles(ctx))
    for (const backends::iam::Statement &s : r.statements)
      if (s.sid.rfind("DecryptWith", 0) == 0 || s.sid.rfind("EncryptWith", 0) == 0)
        fromIam.insert(r.name + " " + s.sid);
  std::set<std::string> fromEvidence;
  for (const evidence::ObjectRef &o :
       evidence::controlObjects(ctx, program->ofKind(sema::DeclKind::Dataset)[0], "encryption")) {
    CHECK(o.file == "iam/roles/care.json");
    CHECK(o.kind == "IAM statement");
    fromEvidence.insert(o.name);
  }
  CHECK(fromEvidence == std::set<std::string>{"w-prod-service-notes-api EncryptWithRecords",
                                              "w-prod-service-records-api DecryptWithRecords"});
  CHECK(fromEvidence == fromIam);

  // The record: the failed warning rule with its finding, no commit outside git.
  evidence::RecordInputs inputs;
  inputs.targets = {"k8s", "iam"};
  evidence::Json record = evidence::record(ctx, outcomes, inputs);
  CHECK_FALSE(record.contains("git"));
  bool found = false;
  for (const evidence::Json &d : record["declarations"])
    if (d["name"] == "notes_api")
      for (const evidence::Json &r : d["rules"])
        if (r["policy"] == "internal_audit") {
          found = true;
          CHECK(r["result"] == "failed");
          CHECK(r["message"] == "`notes_api` keeps no audit log");
          CHECK(r["controls"] == evidence::Json::array({"audit_logging", "network_policy"}));
        }
  CHECK(found);

  // The auditor's report for hipaa: both rules, nothing failed.
  evidence::ProfileReport report =
      evidence::profileReport(ctx, outcomes, "hipaa", evidence::ReportFormat::Text);
  CHECK(report.failed == 0);
  CHECK(report.text.find("hipaa_encryption") != std::string::npos);
  CHECK(report.text.find("IAM statement `w-prod-service-records-api DecryptWithRecords` in iam/roles/care.json") !=
        std::string::npos);
}
