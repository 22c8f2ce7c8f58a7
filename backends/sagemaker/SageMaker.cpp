// The SageMaker backend: per model and environment, the request JSON of every
// SageMaker and Application Auto Scaling call that trains, registers and
// serves it (see Requests.h and docs/backends/sagemaker.md), plus a manifest
// that lists them in the order to run, with their provenance.
#include "backends/Common.h"
#include "backends/sagemaker/Requests.h"
#include "fmt/format.h"

namespace plat::backends {
namespace {

using sagemaker::Json;

// The JSON text of a request. Requests that take tags get one more,
// `plat:content-hash`: the hash of the request as it reads without that tag,
// so a reviewer can tell whether a deployed resource still matches its
// source. JSON has no comments; requests without tags (the autoscaling ones)
// carry their provenance in the manifest only.
std::string render(Json &body, std::string &hash) {
  hash = contentHash(body.dump());
  if (body.contains("Tags") && body["Tags"].is_array())
    body["Tags"].push_back(Json{{"Key", "plat:content-hash"}, {"Value", hash}});
  return body.dump(2) + "\n";
}

class SageMakerBackend final : public Backend {
public:
  llvm::StringRef name() const override { return "sagemaker"; }

  void emit(const BackendContext &ctx, Output &out) const override {
    Json requests = Json::array();
    std::vector<std::string> skipped;
    for (const sema::Decl &decl : ctx.program.decls) {
      if (decl.fromStdlib || decl.id >= ctx.env.exists.size() || !ctx.env.exists[decl.id])
        continue;
      switch (decl.kindId) {
      case sema::DeclKind::Model:
        break;
      // Only models become SageMaker resources; services reach them through
      // IAM and Kubernetes, datasets only as training input.
      case sema::DeclKind::Workspace:
      case sema::DeclKind::Environment:
      case sema::DeclKind::Team:
      case sema::DeclKind::Service:
      case sema::DeclKind::Dataset:
      case sema::DeclKind::Pipeline:
      case sema::DeclKind::Agent:
      case sema::DeclKind::Policy:
      case sema::DeclKind::Instance:
      case sema::DeclKind::Framework:
      case sema::DeclKind::Region:
        continue;
      }
      for (sagemaker::Request &r : sagemaker::modelRequests(ctx, decl.id, skipped)) {
        std::string hash;
        std::string text = render(r.body, hash);
        requests.push_back(Json{
            {"file", r.file},
            {"command", fmt::format("aws {} {} --cli-input-json file://{}", r.service, r.cli, r.file)},
            {"operation", r.service + ":" + r.operation},
            {"declaration", decl.qualifiedName},
            {"source", sourceLocation(ctx, decl)},
            {"contentHash", hash}});
        out.add(r.file, std::move(text), decl.nameSpan);
      }
    }
    if (requests.empty() && skipped.empty())
      return;
    Json manifest;
    manifest["generatedBy"] = "platc";
    manifest["environment"] = ctx.env.name;
    manifest["note"] = "Run the commands in this order from the environment's folder (the "
                       "parent of sagemaker/). Training job names are stable here; the Airflow "
                       "training DAG appends -{{ ts_nodash }} to make each run's name unique.";
    manifest["requests"] = requests;
    manifest["skipped"] = skipped;
    out.add("sagemaker/manifest.json", manifest.dump(2) + "\n");
  }
};

} // namespace

std::unique_ptr<Backend> makeSageMakerBackend() { return std::make_unique<SageMakerBackend>(); }

} // namespace plat::backends
