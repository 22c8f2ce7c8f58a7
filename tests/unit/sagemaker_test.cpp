// The SageMaker backend's request shapes and the Python literal escaper it
// shares with the Airflow backend. The full requests are validated against
// botocore's service models by tests/validators/sagemaker_validate.py; these
// tests pin the shapes and the edge cases in C++.

#include <catch2/catch.hpp>

#include "pipeline/Pipeline.h"
#include "backends/Backend.h"
#include "backends/python/PyLiteral.h"
#include "backends/aws/SageMakerRequests.h"
#include "backends/iam/Policies.h"
#include "sema/Program.h"
#include "workspace/Workspace.h"

namespace {

using namespace plat;
namespace py = plat::backends::python;
namespace sm = plat::backends::sagemaker;

struct Built {
  Diagnostics diags;
  std::optional<Workspace> ws;
  std::unique_ptr<sema::Program> program;

  const sema::EnvModel &env(llvm::StringRef name) const { return *program->env(name); }
  backends::BackendContext ctx(llvm::StringRef env) const {
    return backends::BackendContext{*program, this->env(env), ws->sources()};
  }
  sema::DeclId id(llvm::StringRef qualified) const {
    auto it = program->byQualifiedName.find(qualified.str());
    REQUIRE(it != program->byQualifiedName.end());
    return it->second;
  }
};

std::unique_ptr<Built> build(const std::vector<std::pair<std::string, std::string>> &files) {
  auto b = std::make_unique<Built>();
  b->ws.emplace(Workspace::fromSources("/ws", files, b->diags));
  b->program = pipeline::check(*b->ws, b->diags);
  INFO(files.back().second);
  REQUIRE(b->diags.errorCount() == 0);
  return b;
}

const char *kWorkspace = R"(workspace acme {
  account = "123456789012"
  region  = "eu-west-1"
}
environment dev {}
environment prod { tier = production }
)";

const char *kModels = R"(package ml

team ml {
  lead = "li@acme.example"
  cost_center = "CC-2001"
}

dataset txns {
  owner    = ml
  location = s3("lake", "raw/txns/")
  format   = csv
  schema { amount : double }
}

/// Scores transactions.
model scorer {
  owner      = ml
  trained_on = [txns]
  framework  = xgboost("1.7-1")
  hyperparameters = { max_depth = 6, eta = 0.25, verbose = false, objective = "reg:squarederror" }
  train { instance = "ml.m5.xlarge"  count = 3  max_runtime = 90m  volume = 100Gi }
  serve { instance = "ml.c5.large"  replicas = 2..6 }
  approval { by = ml  approvers = ["li@acme.example"]  auc >= 0.75 }
  monitoring = true
}

model tiny {
  owner      = ml
  trained_on = [txns]
  framework  = sklearn("1.2-1")
  serve { serverless = true  memory = 4Gi  max_concurrency = 7 }
}

model own {
  owner     = ml
  framework = custom
  image     = "registry.acme.example/own:1.0"
  train { instance = "ml.m5.large" }
}
)";

std::unique_ptr<Built> models() {
  return build({{"workspace.plat", kWorkspace}, {"ml/ml.plat", kModels}});
}

} // namespace

TEST_CASE("python str literals escape like repr and stay ASCII", "[python]") {
  CHECK(py::str("plain") == "'plain'");
  CHECK(py::str("") == "''");
  CHECK(py::str("it's") == "'it\\'s'");
  CHECK(py::str("say \"hi\"") == "'say \"hi\"'");
  CHECK(py::str("a\\b") == "'a\\\\b'");
  CHECK(py::str("l1\nl2\r\t") == "'l1\\nl2\\r\\t'");
  CHECK(py::str(llvm::StringRef("\0x", 2)) == "'\\x00x'");
  CHECK(py::str("\x07\x1b\x7f") == "'\\x07\\x1b\\x7f'");
  CHECK(py::str("caf\xc3\xa9") == "'caf\\xe9'");
  CHECK(py::str("\xe2\x98\x83") == "'\\u2603'");
  CHECK(py::str("\xf0\x9f\x98\x80") == "'\\U0001f600'");
  CHECK(py::str("\xe2\x80\xae") == "'\\u202e'"); // right-to-left override
  CHECK(py::str("\xe2\x80\xa8") == "'\\u2028'"); // line separator
  CHECK(py::str("{{ x }}") == "'{{ x }}'");      // Jinja is handled by the DAG, not here
  CHECK(py::str("'''") == "'\\'\\'\\''");
}

TEST_CASE("python str literals replace invalid UTF-8 with U+FFFD", "[python]") {
  CHECK(py::str("a\xff" "b") == "'a\\ufffdb'");
  CHECK(py::str("\xc3") == "'\\ufffd'");                  // truncated sequence
  CHECK(py::str("\xc0\xaf") == "'\\ufffd\\ufffd'");       // overlong `/`
  CHECK(py::str("\xed\xa0\x80") == "'\\ufffd\\ufffd\\ufffd'"); // surrogate
  CHECK(py::str("\xf4\x90\x80\x80") == "'\\ufffd\\ufffd\\ufffd\\ufffd'"); // past U+10FFFF
}

TEST_CASE("python numbers and JSON values", "[python]") {
  CHECK(py::boolean(true) == "True");
  CHECK(py::integer(-42) == "-42");
  CHECK(py::floating(0.2) == "0.2");
  CHECK(py::floating(5) == "5.0");
  CHECK(py::floating(1e300) == "1e+300");
  CHECK(py::floating(1.0 / 0.0) == "float('inf')");
  nlohmann::ordered_json j = {{"b", 1}, {"a", {true, nullptr, "x'y"}}, {"e", nlohmann::ordered_json::object()}};
  CHECK(py::fromJson(j) == "{\n    'b': 1,\n    'a': [\n        True,\n        None,\n        'x\\'y',\n    ],\n"
                           "    'e': {},\n}");
}

TEST_CASE("CreateTrainingJob has the catalogue image, role, channels and string hyperparameters",
          "[sagemaker]") {
  auto b = models();
  auto ctx = b->ctx("dev");
  std::string why;
  auto job = sm::createTrainingJob(ctx, b->id("ml.scorer"), why);
  REQUIRE(job);
  CHECK((*job)["TrainingJobName"] == "scorer-dev");
  CHECK((*job)["AlgorithmSpecification"]["TrainingImage"] ==
        "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1");
  CHECK((*job)["AlgorithmSpecification"]["TrainingInputMode"] == "File");
  CHECK((*job)["RoleArn"] == "arn:aws:iam::123456789012:role/acme-dev-model-scorer-training");
  CHECK((*job)["HyperParameters"] == nlohmann::ordered_json({{"eta", "0.25"},
                                                              {"max_depth", "6"},
                                                              {"objective", "reg:squarederror"},
                                                              {"verbose", "false"}}));
  auto &channel = (*job)["InputDataConfig"][0];
  CHECK(channel["ChannelName"] == "train");
  CHECK(channel["ContentType"] == "text/csv");
  CHECK(channel["DataSource"]["S3DataSource"]["S3Uri"] == "s3://lake/raw/txns/");
  CHECK((*job)["OutputDataConfig"]["S3OutputPath"] ==
        "s3://acme-sagemaker-artifacts-123456789012/scorer/dev");
  CHECK((*job)["ResourceConfig"] == nlohmann::ordered_json({{"InstanceType", "ml.m5.xlarge"},
                                                            {"InstanceCount", 3},
                                                            {"VolumeSizeInGB", 100}}));
  CHECK((*job)["StoppingCondition"]["MaxRuntimeInSeconds"] == 5400);
  std::map<std::string, std::string> tags;
  for (auto &t : (*job)["Tags"])
    tags[t["Key"]] = t["Value"];
  CHECK(tags["plat:team"] == "ml");
  CHECK(tags["plat:cost-center"] == "CC-2001");
  CHECK(tags["plat:source"] == "ml/ml.plat:16");
}

TEST_CASE("a custom framework trains with the model's own image", "[sagemaker]") {
  auto b = models();
  std::string why;
  auto job = sm::createTrainingJob(b->ctx("prod"), b->id("ml.own"), why);
  REQUIRE(job);
  CHECK((*job)["AlgorithmSpecification"]["TrainingImage"] == "registry.acme.example/own:1.0");
  CHECK((*job)["TrainingJobName"] == "own-prod");
  CHECK_FALSE((*job).contains("InputDataConfig"));
}

TEST_CASE("endpoint configs: instances with capture, serverless without", "[sagemaker]") {
  auto b = models();
  auto ctx = b->ctx("dev");
  std::string why;
  auto cfg = sm::createEndpointConfig(ctx, b->id("ml.scorer"), why);
  REQUIRE(cfg);
  auto &v = (*cfg)["ProductionVariants"][0];
  CHECK(v["InstanceType"] == "ml.c5.large");
  CHECK(v["InitialInstanceCount"] == 2);
  CHECK((*cfg)["DataCaptureConfig"]["EnableCapture"] == true);
  auto tiny = sm::createEndpointConfig(ctx, b->id("ml.tiny"), why);
  REQUIRE(tiny);
  CHECK((*tiny)["ProductionVariants"][0]["ServerlessConfig"] ==
        nlohmann::ordered_json({{"MemorySizeInMB", 4096}, {"MaxConcurrency", 7}}));
  CHECK_FALSE((*tiny)["ProductionVariants"][0].contains("InstanceType"));
}

TEST_CASE("requests of a model come in run order, with autoscaling when min < max",
          "[sagemaker]") {
  auto b = models();
  std::vector<std::string> skipped;
  auto reqs = sm::modelRequests(b->ctx("dev"), b->id("ml.scorer"), skipped);
  std::vector<std::string> ops;
  for (auto &r : reqs)
    ops.push_back(r.operation);
  // Model Monitor after the endpoint it reads; the update last, apart.
  CHECK(ops == std::vector<std::string>{"CreateModelPackageGroup", "CreateTrainingJob",
                                        "CreateModelPackage", "CreateModel",
                                        "CreateEndpointConfig", "CreateEndpoint",
                                        "CreateProcessingJob", "CreateDataQualityJobDefinition",
                                        "CreateMonitoringSchedule", "RegisterScalableTarget",
                                        "PutScalingPolicy", "UpdateEndpoint"});
  CHECK(reqs.back().onUpdate);
  CHECK_FALSE(reqs[5].onUpdate);
  CHECK(skipped.empty());
  auto &target = reqs[9].body;
  CHECK(target["ResourceId"] == "endpoint/scorer-dev/variant/AllTraffic");
  CHECK(target["MinCapacity"] == 2);
  CHECK(target["MaxCapacity"] == 6);
  CHECK(reqs[10].body["TargetTrackingScalingPolicyConfiguration"]["PredefinedMetricSpecification"]
                    ["PredefinedMetricType"] == "SageMakerVariantInvocationsPerInstance");
  auto &pkg = reqs[2].body;
  CHECK(pkg["ModelApprovalStatus"] == "PendingManualApproval");
  CHECK(pkg["CustomerMetadataProperties"]["plat:threshold:auc"] == "ge:0.75");
  CHECK(pkg["CustomerMetadataProperties"]["plat:approvers"] == "li@acme.example");
  // Who, what and why travel with the version: in the registry's metadata
  // and in the tags of the job that trains it and of the package.
  CHECK(pkg["CustomerMetadataProperties"]["plat:declaration"] == "ml.scorer");
  CHECK(pkg["CustomerMetadataProperties"].contains("plat:source"));
  for (const auto *req : {&reqs[1].body, &pkg}) {
    std::map<std::string, std::string> tags;
    for (const auto &t : (*req)["Tags"])
      tags[t["Key"].get<std::string>()] = t["Value"].get<std::string>();
    CHECK(tags["plat:approvers"] == "li@acme.example");
    CHECK(tags.count("plat:approved-by") == 1);
    CHECK(tags.count("plat:source") == 1);
  }
  CHECK(pkg["InferenceSpecification"]["Containers"][0]["ModelDataUrl"] ==
        "s3://acme-sagemaker-artifacts-123456789012/scorer/dev/scorer-dev/output/model.tar.gz");

  skipped.clear();
  auto tiny = sm::modelRequests(b->ctx("dev"), b->id("ml.tiny"), skipped);
  // group, model, config, endpoint, update: serverless does not autoscale
  CHECK(tiny.size() == 5);
  CHECK(skipped.empty());
}

TEST_CASE("tag values keep only the characters SageMaker allows", "[sagemaker]") {
  CHECK(sm::tagValue("CC-1001") == "CC-1001");
  CHECK(sm::tagValue("a,b;c<d>e") == "a_b_c_d_e");
  CHECK(sm::tagValue("caf\xc3\xa9\n") == "caf__");
  CHECK(sm::tagValue(std::string(300, 'x')).size() == 256);
}

TEST_CASE("the model package description is cut between characters and keeps out format "
          "characters", "[sagemaker]") {
  auto description = [](const std::string &doc) {
    std::string source = std::string(kModels);
    const std::string old = "/// Scores transactions.\n";
    source.replace(source.find(old), old.size(), "/// " + doc + "\n");
    auto b = build({{"workspace.plat", kWorkspace}, {"ml/ml.plat", source}});
    sm::Json req = sm::createModelPackageGroup(b->ctx("dev"), b->id("ml.scorer"));
    // Valid UTF-8 only: nlohmann refuses to dump anything else.
    CHECK_NOTHROW(req.dump());
    return req["ModelPackageGroupDescription"].get<std::string>();
  };
  // 1,023 bytes, then a two-byte character across SageMaker's 1,024 limit.
  std::string cut = description(std::string(1023, 'a') + "\u00e9 and more");
  CHECK(cut == std::string(1023, 'a'));
  // A bidi override and a zero-width space, which botocore's
  // EntityDescription pattern (letters, marks, spaces, symbols, numbers,
  // punctuation) does not admit, become spaces.
  CHECK(description("a\u202eb\u200bc") == "a b c");
}

// The serving role may write captured data exactly when the endpoint config
// captures it: a HIPAA-scoped model captures without `monitoring = true`
// (the role once lacked the grant, so SageMaker could not write the capture),
// and a serverless endpoint never captures (the role once had it anyway).
TEST_CASE("the serving role can write data capture exactly when the endpoint captures", "[sagemaker][iam]") {
  const char *hipaa = R"(package ml
team ml {
  lead = "li@acme.example"
  cost_center = "CC-2001"
}

dataset visits {
  owner    = ml
  location = s3("lake", "raw/visits/")
  format   = csv
  compliance = [hipaa]
  kms_key    = "alias/lake"
  schema { age : int }
}

model triage {
  owner      = ml
  trained_on = [visits]
  framework  = xgboost("1.7-1")
  compliance = [hipaa]
  serve { instance = "ml.c5.large" }
  approval { by = ml  approvers = ["li@acme.example"] }
}

model quiet {
  owner      = ml
  trained_on = [visits]
  framework  = sklearn("1.2-1")
  compliance = [hipaa]
  monitoring = true
  serve { serverless = true  memory = 4Gi }
  approval { by = ml  approvers = ["li@acme.example"] }
}
)";
  auto b = build({{"workspace.plat", kWorkspace}, {"ml/ml.plat", hipaa}});
  auto ctx = b->ctx("prod");
  std::vector<plat::backends::iam::Role> roles = plat::backends::iam::roles(ctx);
  auto hasCaptureGrant = [&](const std::string &role) {
    for (const auto &r : roles)
      if (r.name == role) {
        for (const auto &st : r.statements)
          if (st.sid == "WriteDataCapture")
            return true;
        return false;
      }
    FAIL("no role " << role);
    return false;
  };
  for (const char *model : {"ml.triage", "ml.quiet"}) {
    INFO(model);
    std::string why;
    auto cfg = sm::createEndpointConfig(ctx, b->id(model), why);
    REQUIRE(cfg);
    bool captures = cfg->contains("DataCaptureConfig");
    CHECK(captures == sm::capturesData(ctx, b->id(model)));
    std::string role = std::string("acme-prod-model-") + (llvm::StringRef(model).endswith("triage") ? "triage" : "quiet") +
                       "-serving";
    CHECK(hasCaptureGrant(role) == captures);
  }
  std::string why;
  CHECK(sm::createEndpointConfig(ctx, b->id("ml.triage"), why)->contains("DataCaptureConfig"));
  CHECK_FALSE(sm::createEndpointConfig(ctx, b->id("ml.quiet"), why)->contains("DataCaptureConfig"));
}
