// The IAM backend on the corner-case workspace: least privilege derived
// from the graph, trust policies, names shared with the other backends.
// Grammar and action names are tests/validators/iam_validate.py's job.
#include <catch2/catch.hpp>

#include "pipeline/Pipeline.h"
#include "backends/Naming.h"
#include "backends/iam/Policies.h"
#include "backends/json/JsonText.h"
#include "sema/Program.h"
#include "workspace/Workspace.h"

using namespace plat;
namespace iam = plat::backends::iam;

namespace {

struct Built {
  std::optional<Workspace> ws;
  std::unique_ptr<sema::Program> program;
  std::vector<iam::Role> roles;
};

Built load(const std::string &env) {
  Built b;
  Diagnostics diags;
  b.ws = Workspace::load(PLAT_SOURCE_DIR "/tests/golden/backends/k8s_iam/workspace", diags);
  REQUIRE(b.ws);
  b.program = pipeline::check(*b.ws, diags);
  REQUIRE_FALSE(diags.hasErrors());
  const sema::EnvModel *model = b.program->env(env);
  REQUIRE(model);
  backends::BackendContext ctx{*b.program, *model, b.ws->sources()};
  b.roles = iam::roles(ctx);
  return b;
}

const iam::Role &role(const Built &b, const std::string &name) {
  for (const iam::Role &r : b.roles)
    if (r.name == name)
      return r;
  FAIL("no role " << name);
  return b.roles.front();
}

const iam::Statement *statement(const iam::Role &r, const std::string &sid) {
  for (const iam::Statement &s : r.statements)
    if (s.sid == sid)
      return &s;
  return nullptr;
}

using Strings = std::vector<std::string>;
using Json = plat::backends::json::Json;

// The role's trust policy as written, read back.
Json trust(const iam::Role &r) {
  std::string text;
  iam::appendTrustDocument(text, r.trust);
  return Json::parse(text);
}

} // namespace

TEST_CASE("one role per service, model purpose, pipeline and agent", "[iam]") {
  Built b = load("dev");
  Strings names;
  for (const iam::Role &r : b.roles)
    names.push_back(r.name);
  std::sort(names.begin(), names.end());
  // ranker is monitored: its Model Monitor jobs get a role of their own.
  CHECK(names == Strings{"corner-dev-agent-helper", "corner-dev-agent-outside",
                         "corner-dev-model-ranker-monitoring", "corner-dev-model-ranker-serving",
                         "corner-dev-model-ranker-training", "corner-dev-pipeline-stats", "corner-dev-service-cart",
                         "corner-dev-service-mailer", "corner-dev-service-storefront"});
}

TEST_CASE("reads, writes and calls become exactly scoped statements", "[iam]") {
  Built b = load("dev");
  const iam::Role &sf = role(b, "corner-dev-service-storefront");
  const iam::Statement *read = statement(sf, "ReadOrders");
  REQUIRE(read);
  CHECK(read->actions == Strings{"s3:GetObject"});
  CHECK(read->resources == Strings{"arn:aws:s3:::corner-data/orders/*"});
  const iam::Statement *list = statement(sf, "ListOrders");
  REQUIRE(list);
  CHECK(list->resources == Strings{"arn:aws:s3:::corner-data"});
  REQUIRE(list->condition.find("StringLike", "s3:prefix"));
  CHECK(*list->condition.find("StringLike", "s3:prefix") == Strings{"orders/*"});
  const iam::Statement *kms = statement(sf, "DecryptWithOrders");
  REQUIRE(kms);
  CHECK(kms->actions == Strings{"kms:Decrypt"});
  CHECK(kms->resources == Strings{"arn:aws:kms:us-east-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab"});
  REQUIRE(kms->condition.find("StringEquals", "kms:ViaService"));
  CHECK(*kms->condition.find("StringEquals", "kms:ViaService") == Strings{"s3.us-east-1.amazonaws.com"});
  const iam::Statement *invoke = statement(sf, "InvokeRanker");
  REQUIRE(invoke);
  CHECK(invoke->resources == Strings{"arn:aws:sagemaker:us-east-1:210987654321:endpoint/ranker-dev"});
  // Calling a service is network access, not IAM.
  CHECK(sf.statements.size() == 4);

  const iam::Role &cart = role(b, "corner-dev-service-cart");
  REQUIRE(statement(cart, "WriteCarts"));
  CHECK(statement(cart, "WriteCarts")->actions == Strings{"s3:AbortMultipartUpload", "s3:PutObject"});
  CHECK(role(b, "corner-dev-service-mailer").statements.empty());

  // A key id (not an ARN) becomes the key's ARN; writers may also encrypt.
  const iam::Role &stats = role(b, "corner-dev-pipeline-stats");
  const iam::Statement *enc = statement(stats, "EncryptWithOrderStats");
  REQUIRE(enc);
  CHECK(enc->actions == Strings{"kms:Decrypt", "kms:GenerateDataKey"});
}

TEST_CASE("no wildcard action, and `*` only where AWS allows nothing narrower", "[iam]") {
  Built b = load("prod");
  size_t explicitStatements = 0;
  for (const iam::Role &r : b.roles)
    for (const iam::Statement &s : r.statements) {
      INFO(r.name << " " << s.sid);
      // What a declaration asked for in `iam_allow` (warned on, P0516) is
      // the one place wildcards may appear; it is marked by its Sid.
      if (llvm::StringRef(s.sid).startswith("Explicit")) {
        ++explicitStatements;
        CHECK(r.name == "corner-prod-service-cart");
        continue;
      }
      for (const std::string &a : s.actions)
        CHECK(a.find('*') == std::string::npos);
      for (const std::string &res : s.resources)
        if (res == "*")
          CHECK(s.actions == Strings{"ecr:GetAuthorizationToken"});
    }
  CHECK(explicitStatements == 2);
  const iam::Statement *metrics = statement(role(b, "corner-prod-service-cart"), "Explicit");
  REQUIRE(metrics);
  CHECK(metrics->actions == Strings{"cloudwatch:PutMetricData"});
  CHECK(metrics->resources == Strings{"*"});
}

TEST_CASE("training and serving roles", "[iam]") {
  Built b = load("prod");
  const iam::Role &train = role(b, "corner-prod-model-ranker-training");
  CHECK(trust(train)["Statement"][0]["Principal"]["Service"] == "sagemaker.amazonaws.com");
  CHECK(trust(train)["Statement"][0]["Condition"]["StringEquals"]["aws:SourceAccount"] == "210987654321");
  REQUIRE(statement(train, "ReadOrders"));
  CHECK(statement(train, "WriteArtifacts")->resources == Strings{"arn:aws:s3:::corner-artifacts/ranker/prod/*"});
  CHECK(statement(train, "EcrPull")->resources ==
        Strings{"arn:aws:ecr:us-east-1:683313688378:repository/sagemaker-xgboost"});
  CHECK(statement(train, "PassOwnRole")->resources == Strings{train.arn});
  CHECK(statement(train, "LogStreams")->resources ==
        Strings{"arn:aws:logs:us-east-1:210987654321:log-group:/aws/sagemaker/TrainingJobs:log-stream:ranker-prod*"});

  const iam::Role &serve = role(b, "corner-prod-model-ranker-serving");
  CHECK(statement(serve, "ReadArtifacts")->resources == Strings{"arn:aws:s3:::corner-artifacts/ranker/prod/*"});
  // monitoring = true: data capture under the artifact prefix.
  CHECK(statement(serve, "WriteDataCapture")->resources ==
        Strings{"arn:aws:s3:::corner-artifacts/ranker/prod/data-capture/*"});
  CHECK_FALSE(statement(serve, "ReadOrders"));
}

TEST_CASE("pods trust EKS Pod Identity when the workspace names no OIDC provider", "[iam]") {
  Built b = load("dev");
  const iam::Role &sf = role(b, "corner-dev-service-storefront");
  Json st = trust(sf)["Statement"][0];
  CHECK(st["Principal"]["Service"] == "pods.eks.amazonaws.com");
  CHECK(st["Condition"]["StringEquals"]["aws:RequestTag/kubernetes-namespace"] == "shop-dev");
  CHECK(st["Condition"]["StringEquals"]["aws:RequestTag/kubernetes-service-account"] == "storefront");
  CHECK(st["Condition"]["ArnEquals"]["aws:SourceArn"] == "arn:aws:eks:us-east-1:210987654321:cluster/corner");
  CHECK(sf.podIdentityNamespace == "shop-dev");
}

TEST_CASE("agents get their `may` list, explicit denies, and Bedrock outside the cluster", "[iam]") {
  Built b = load("dev");
  const iam::Role &helper = role(b, "corner-dev-agent-helper");
  CHECK(statement(helper, "ReadOrderStats"));
  CHECK(statement(helper, "InvokeRanker"));
  CHECK(statement(helper, "FoundationModel")->resources ==
        Strings{"arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"});
  const iam::Statement *deny = statement(helper, "DenyWriteOrders");
  REQUIRE(deny);
  CHECK_FALSE(deny->allow);
  CHECK(deny->actions == Strings{"s3:AbortMultipartUpload", "s3:DeleteObject", "s3:PutObject"});
  CHECK_FALSE(statement(helper, "WriteOrders"));

  const iam::Role &outside = role(b, "corner-dev-agent-outside");
  CHECK(trust(outside)["Statement"][0]["Principal"]["Service"] == "bedrock.amazonaws.com");
  CHECK(outside.podIdentityServiceAccount.empty());
}

TEST_CASE("role names fit IAM's limit and stay distinct", "[iam]") {
  Built b = load("dev");
  for (const iam::Role &r : b.roles) {
    CHECK(r.name.size() <= 64);
    CHECK(r.arn == "arn:aws:iam::210987654321:role/" + r.name);
  }
}

TEST_CASE("documents are written as nlohmann dumps them, compact and pretty", "[iam]") {
  for (const char *env : {"dev", "prod"}) {
    Built b = load(env);
    for (const iam::Role &r : b.roles) {
      INFO(env << " " << r.name);
      for (int which = 0; which < 2; ++which) {
        auto write = [&](std::string &out, int indent, int level) {
          if (which == 0)
            iam::appendTrustDocument(out, r.trust, indent, level);
          else
            iam::appendPolicyDocument(out, r.statements, indent, level);
        };
        std::string compact, pretty, nested;
        write(compact, -1, 0);
        write(pretty, 2, 0);
        write(nested, 2, 3);
        Json doc = Json::parse(compact);
        CHECK(compact == doc.dump());
        CHECK(pretty == doc.dump(2));
        std::string want;
        plat::backends::json::appendValue(want, doc, 2, 3);
        CHECK(nested == want);
      }
    }
  }
}
