// Names that more than one backend must agree on.
//
// The Kubernetes backend creates service accounts in team namespaces; the IAM
// backend writes roles whose trust policies name those service accounts and
// whose permissions name SageMaker endpoints and artifact prefixes; the
// SageMaker backend creates the endpoints and passes the roles; the Airflow
// backend runs pods under the service accounts. Every such name is computed
// here and nowhere else, so the four outputs line up by construction.
// docs/backends/iam.md and docs/backends/kubernetes.md describe the scheme.
//
// All names derive from a declaration's unqualified name: two declarations
// of the same kind and name in one environment (in different packages) get
// the same file paths, which Output::add reports as a conflict.
#pragma once

#include <string>

#include "backends/Backend.h"

namespace plat::backends {

// `name` if it has at most `max` characters; otherwise its first characters
// and `-` and 8 hex digits of its SHA-256, `max` characters in all, so that
// distinct long names stay distinct. `max` must be at least 10.
std::string truncateWithHash(llvm::StringRef name, size_t max);

// A declaration's name as a word of an IAM statement id (Sids allow only
// letters and digits): `raw_events` → `RawEvents`. The IAM backend names
// statements with it and `platc diff` reads them back.
std::string sidWord(llvm::StringRef name);

// A DNS-1123 label (Kubernetes object names, SageMaker names): lower case,
// every character outside [a-z0-9] becomes `-`, no leading or trailing `-`,
// at most 63 characters (truncateWithHash).
std::string dnsLabel(llvm::StringRef name);

// The Kubernetes namespace of a team in the current environment:
// `dnsLabel(team)`, followed by the environment's `namespace_suffix` when
// set (joined with `-` unless the suffix starts with one): team `payments`,
// suffix `dev` → `payments-dev`.
std::string namespaceFor(const BackendContext &ctx, const sema::Decl &team);
// The namespace of a declaration's owner team, or "" if it has none.
std::string namespaceOf(const BackendContext &ctx, sema::DeclId decl);

// The Kubernetes service account a service, pipeline (its task pods) or
// in-cluster agent runs as, in `namespaceOf` its owner: `dnsLabel(name)`.
std::string serviceAccountName(const sema::Decl &decl);

// The SageMaker endpoint of a served model: `<model>-<env>` as a DNS label
// (`scorer` in `prod` → `scorer-prod`); also the name of its model, endpoint
// config and model package group.
std::string endpointName(const BackendContext &ctx, const sema::Decl &model);
// `arn:<partition>:sagemaker:<region>:<account>:endpoint/<endpointName>`.
// SageMaker lower-cases endpoint names in ARNs; endpointName already is.
std::string endpointArn(const BackendContext &ctx, const sema::Decl &model);
// The stable training job name: endpointName cut to 47 characters so that
// a `-<14-digit timestamp>` suffix per run stays within SageMaker's 63.
std::string trainingJobName(const BackendContext &ctx, const sema::Decl &model);
// The CloudWatch alarm on one objective of a served model's endpoint:
// `<endpointName>-<objective>` with `objective` "latency-p99" or
// "error-rate" (`scorer-prod-latency-p99`). The endpoint's deployment
// config names these alarms for automatic rollback; audit evidence lists
// them. At most 255 characters (CloudWatch's limit).
std::string modelAlarmName(const BackendContext &ctx, const sema::Decl &model, llvm::StringRef objective);
// The SNS topic a team's alarms notify in the current environment:
// `<workspace>-<env>-<team>-<severity>`, lower case, with `severity`
// "page" or "ticket" as for the Kubernetes alert routing (production
// pages, the other tiers open tickets). The platform team creates the
// topics and subscribes the team's on-call or channel to them. At most 256
// characters of `[a-z0-9-]` (SNS's limit and character set).
std::string alarmTopicName(const BackendContext &ctx, const sema::Decl &team, llvm::StringRef severity);
// `arn:<partition>:sns:<region>:<account>:<alarmTopicName>`.
std::string alarmTopicArn(const BackendContext &ctx, const sema::Decl &team, llvm::StringRef severity);
// A model's Model Monitor objects: `<endpointName>-data-quality` for the
// data-quality job definition and the monitoring schedule (SageMaker keeps
// them apart by type), `<endpointName>-baseline` for the processing job
// that computes the baseline. At most 63 characters each.
std::string monitoringScheduleName(const BackendContext &ctx, const sema::Decl &model);
std::string baselineJobName(const BackendContext &ctx, const sema::Decl &model);
// Key prefix of a model's artifacts in the workspace's artifact bucket:
// `<model>/<env>/` (kebab case). SageMaker writes training output there and
// reads the serving artifact from there; the IAM roles allow exactly it.
std::string artifactPrefix(const BackendContext &ctx, const sema::Decl &model);

// The IAM role of a declaration in the current environment:
// `<workspace>-<env>-<kind>-<name>[-<purpose>]`, lower case, at most 64
// characters (IAM's limit). `purpose` is "training" or "serving" for models
// (each model has both roles) and empty for services, pipelines and agents.
// The kind is part of the name so that a service and an agent of the same
// name never share a role.
std::string roleName(const BackendContext &ctx, const sema::Decl &decl, llvm::StringRef purpose = "");
// `arn:<partition>:iam::<account>:role/<roleName>` (roles use path `/`).
std::string roleArn(const BackendContext &ctx, const sema::Decl &decl, llvm::StringRef purpose = "");

// How Kubernetes pods get their IAM role. With the workspace's
// `oidc_provider` declared: IRSA (the service account is annotated with
// `eks.amazonaws.com/role-arn`, the role trusts the OIDC provider). Without
// it: EKS Pod Identity (the role trusts `pods.eks.amazonaws.com`, and the
// IAM backend's Terraform associates role and service account), because the
// provider's id is random per cluster and cannot be derived from anything
// the workspace says.
bool usesIrsa(const BackendContext &ctx);

} // namespace plat::backends
