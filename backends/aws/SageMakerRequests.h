// The SageMaker and Application Auto Scaling requests of a model: a shared
// AWS layer, not a backend. The SageMaker backend writes them as files, the
// IAM backend derives the training and serving roles' images from them, and
// the Airflow backend builds the training DAG from the same functions, so the
// three can never disagree and no backend includes another
// (tools/check_layering.py).
//
// Each request is the input of one AWS API operation, shaped exactly as
// botocore's service model wants it, so the JSON works as-is with
// `aws <service> <operation> --cli-input-json file://...`.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "backends/Backend.h"
#include "nlohmann/json.hpp"

namespace plat::backends::sagemaker {

using Json = nlohmann::ordered_json;

struct Request {
  std::string file;      // `sagemaker/<model>.create-training-job.json`
  std::string service;   // `sagemaker` or `application-autoscaling`
  std::string operation; // botocore's name: `CreateTrainingJob`
  std::string cli;       // `create-training-job`
  Json body;
  // Not part of the first deployment: run to roll out a new version of an
  // existing endpoint (UpdateEndpoint). The manifest lists these apart.
  bool onUpdate = false;
  // The dotted paths the model's `patch` set or deleted in `body`, sorted;
  // empty when it was not patched. Taggable requests also carry them in a
  // `plat:patched` tag, and the manifest lists them.
  std::vector<std::string> patched = {};
};

// Every request of one model in this environment, in the order they must
// run (the training job before the model, the endpoint config before the
// endpoint, the scalable target before its policy). A request that cannot
// be built (no container image for the region, say) is left out and the
// reason appended to `skipped`.
std::vector<Request> modelRequests(const BackendContext &ctx, sema::DeclId model,
                                   std::vector<std::string> &skipped);

// `<model>-<env>`: the name of the model's SageMaker model, endpoint config,
// model package group and (as a base) training job. At most 63 characters.
std::string resourceName(const BackendContext &ctx, const sema::Decl &model);

// The stable training job name (Naming.h `trainingJobName`): `resourceName`
// cut to 47 characters, so that a run's `-<ts_nodash>` suffix (16
// characters) keeps it within SageMaker's 63.
std::string trainingJobBaseName(const BackendContext &ctx, const sema::Decl &model);

// `s3://<artifact bucket>/<artifactPrefix without its />`: where training
// jobs write and data capture goes.
std::string outputPath(const BackendContext &ctx, const sema::Decl &model);

// The container image for training or for serving the model, from the
// framework catalogue (or the model's own `image` for `custom`); nullopt
// with a reason when the catalogue has no image for the workspace region.
std::optional<std::string> imageUri(const BackendContext &ctx, sema::DeclId model, bool training,
                                    std::string &why);

// Merges the model's `patch` entries for the request whose file stem is
// `object` (`create-training-job`; sema/PatchTargets.h) into `body`, and
// tags taggable requests `plat:patched`. Returns the paths it set or
// deleted, sorted.
std::vector<std::string> applyPatch(const BackendContext &ctx, sema::DeclId model, llvm::StringRef object,
                                    Json &body);

// The individual requests, patched; each returns nullopt (with `why`) when the model
// lacks what the request needs.
// Whether the model's endpoint captures requests and responses: it asks
// for monitoring, or its compliance scope (PCI DSS, HIPAA) requires a record
// of what it processed. The endpoint config and the serving role's
// WriteDataCapture statement both follow this one answer.
bool capturesData(const BackendContext &ctx, sema::DeclId model);

std::optional<Json> createTrainingJob(const BackendContext &ctx, sema::DeclId model,
                                      std::string &why);
std::optional<Json> createModel(const BackendContext &ctx, sema::DeclId model, std::string &why);
std::optional<Json> createEndpointConfig(const BackendContext &ctx, sema::DeclId model,
                                         std::string &why);
Json createEndpoint(const BackendContext &ctx, sema::DeclId model);
Json createModelPackageGroup(const BackendContext &ctx, sema::DeclId model);
std::optional<Json> createModelPackage(const BackendContext &ctx, sema::DeclId model,
                                       std::string &why);
// Objectives, alarms and safe delivery (docs/backends/sagemaker.md,
// "Alarms" and "Blue/green updates"). The CloudWatch PutMetricAlarm inputs
// for a served model's objectives, each with a word for its file name:
// `latency` first, then `errors`; empty when it has none.
std::vector<std::pair<std::string, Json>> objectiveAlarms(const BackendContext &ctx, sema::DeclId model);
// The endpoint's DeploymentConfig: blue/green traffic shifting chosen by the
// environment's tier, rolled back automatically on `alarmNames`.
Json deploymentConfig(const BackendContext &ctx, const std::vector<std::string> &alarmNames);

// What a Model Monitor data-quality schedule of the model needs, when it
// gets one (`monitoring = true`, served on instances, a baseline dataset
// Model Monitor can read, an analyzer image in the region); nullopt with
// `why` otherwise. The IAM backend grants the monitoring role from it.
struct MonitorPlan {
  sema::DeclId baseline;   // the dataset the baseline is computed from
  std::string image;       // the Model Monitor analyzer image
  std::string datasetFormat; // the analyzer's `dataset_format`
};
std::optional<MonitorPlan> monitorPlan(const BackendContext &ctx, sema::DeclId model, std::string &why);

// The approval thresholds as CreateModelPackage's CustomerMetadataProperties
// (`plat:threshold:<metric>` → `ge:0.8`), with the approving team and named
// approvers; empty for a model without `approval`.
Json approvalMetadata(const BackendContext &ctx, sema::DeclId model);

// Tags every taggable request carries: team, cost centre, environment,
// declaration and source location.
Json tags(const BackendContext &ctx, const sema::Decl &decl);

// A tag value with every character SageMaker's tag pattern
// (`[\p{L}\p{Z}\p{N}_.:/=+\-@]*`) refuses replaced by `_`, cut to `max`.
std::string tagValue(llvm::StringRef s, size_t max = 256);

} // namespace plat::backends::sagemaker
