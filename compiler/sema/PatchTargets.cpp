#include "sema/PatchTargets.h"

#include "llvm/ADT/StringExtras.h"

namespace plat::sema {
namespace {

// The objects a service generates (backends/k8s): `service` is also `svc`,
// which reads better next to the keyword.
constexpr PatchTarget kServiceTargets[] = {
    {"deployment", "Deployment", ""},
    {"service", "Service", "svc"},
    {"horizontal_pod_autoscaler", "HorizontalPodAutoscaler", "hpa"},
    {"pod_disruption_budget", "PodDisruptionBudget", "pdb"},
    {"service_account", "ServiceAccount", ""},
    {"config_map", "ConfigMap", ""},
    {"network_policy", "NetworkPolicy", ""},
};

// The requests a model generates (backends/aws/SageMakerRequests.cpp), by
// the stem of their file name; each may also be named without its verb.
constexpr PatchTarget kModelTargets[] = {
    {"create_model_package_group", "create-model-package-group", "model_package_group"},
    {"create_training_job", "create-training-job", "training_job"},
    {"create_model_package", "create-model-package", "model_package"},
    {"create_model", "create-model", ""},
    {"create_endpoint_config", "create-endpoint-config", "endpoint_config"},
    {"put_metric_alarm_latency", "put-metric-alarm-latency", ""},
    {"put_metric_alarm_errors", "put-metric-alarm-errors", ""},
    {"create_endpoint", "create-endpoint", "endpoint"},
    {"create_processing_job", "create-processing-job", "processing_job"},
    {"create_data_quality_job_definition", "create-data-quality-job-definition",
     "data_quality_job_definition"},
    {"create_monitoring_schedule", "create-monitoring-schedule", "monitoring_schedule"},
    {"register_scalable_target", "register-scalable-target", "scalable_target"},
    {"put_scaling_policy", "put-scaling-policy", "scaling_policy"},
    {"update_endpoint", "update-endpoint", ""},
};

constexpr const char *kNames = "it is a name other generated objects and IAM grants refer to";

constexpr GovernedPath kServiceGoverned[] = {
    {"", "metadata.name", "the object's name", kNames},
    {"", "metadata.namespace", "the object's namespace", "the namespace is the owner team's; change `owner`"},
    {"Deployment", "spec.selector", "the pod selector",
     "the network policy and disruption budget select the same pods"},
    {"Deployment", "spec.template.spec.serviceAccountName", "the pod's service account (its IAM role)",
     "each service runs as its own role; grant more with `iam_allow`"},
    {"Deployment", "spec.template.spec.automountServiceAccountToken", "the service account token mount",
     "pods get no Kubernetes API token; an agent's role is declared on the agent"},
    {"Deployment", "spec.template.spec.securityContext", "the pod security context",
     "pods run as non-root with the runtime's seccomp profile"},
    {"Deployment", "spec.template.spec.containers", "the containers",
     "set `image`, `resources`, `config` and `secrets` on the service"},
    {"Deployment", "spec.template.spec.hostNetwork", "host networking", "pods stay in their network namespace"},
    {"Deployment", "spec.template.spec.hostPID", "the host PID namespace", "pods stay isolated from the node"},
    {"Deployment", "spec.template.spec.hostIPC", "the host IPC namespace", "pods stay isolated from the node"},
    {"ServiceAccount", "metadata.annotations", "the service account's annotations (its IAM role)",
     "each service runs as its own role; grant more with `iam_allow`"},
    {"ServiceAccount", "automountServiceAccountToken", "the service account token mount",
     "pods get no Kubernetes API token"},
    {"NetworkPolicy", "spec.podSelector", "the pods the network policy isolates",
     "every pod of the service is isolated"},
    {"NetworkPolicy", "spec.policyTypes", "the directions the network policy isolates",
     "ingress and egress are both isolated"},
    {"NetworkPolicy", "spec.egress", "the allowed egress",
     "egress allows exactly the declared dependencies: add them to `calls`, `reads` or `writes`"},
};

constexpr GovernedPath kModelGoverned[] = {
    {"", "Tags", "the audit tags (team, cost centre, source, content hash)",
     "tags record who owns what and why; they come from the declaration"},
    {"create-model-package-group", "ModelPackageGroupName", "the model package group's name", kNames},
    {"create-training-job", "TrainingJobName", "the training job's name", kNames},
    {"create-training-job", "RoleArn", "the training role",
     "the role is derived from the model's `trained_on`; grant more with `iam_allow`"},
    {"create-training-job", "EnableNetworkIsolation", "network isolation", "it is part of the model's security baseline"},
    {"create-training-job", "VpcConfig", "the network the job runs in", "it is part of the model's security baseline"},
    {"create-training-job", "EnableInterContainerTrafficEncryption", "encryption between training instances",
     "it is part of the model's security baseline"},
    {"create-training-job", "OutputDataConfig", "where and how the model artifact is written (encryption)",
     "the artifact prefix is what the serving role may read"},
    {"create-training-job", "ResourceConfig.VolumeKmsKeyId", "the training volume's encryption key",
     "it is part of the model's security baseline"},
    {"create-training-job", "InputDataConfig", "the training data",
     "lineage and classification follow `trained_on`; change that"},
    {"create-training-job", "AlgorithmSpecification.TrainingImage", "the training image",
     "set `framework` (or `image` for `custom`): the role may pull only that image"},
    {"create-model-package", "ModelPackageGroupName", "the model package group", kNames},
    {"create-model-package", "ModelApprovalStatus", "the approval status",
     "versions of a model with `approval` wait for manual approval"},
    {"create-model-package", "CustomerMetadataProperties", "the approval record",
     "it records the `approval` block; change that"},
    {"create-model", "ModelName", "the model's name", kNames},
    {"create-model", "ExecutionRoleArn", "the serving role",
     "the role is derived from the model; grant more with `iam_allow`"},
    {"create-model", "EnableNetworkIsolation", "network isolation", "it is part of the model's security baseline"},
    {"create-model", "VpcConfig", "the network the endpoint runs in", "it is part of the model's security baseline"},
    {"create-model", "PrimaryContainer.Image", "the serving image",
     "set `framework` (or `image` for `custom`): the role may pull only that image"},
    {"create-model", "PrimaryContainer.ModelDataUrl", "the model artifact",
     "the artifact is the one the training job wrote"},
    {"create-endpoint-config", "EndpointConfigName", "the endpoint config's name", kNames},
    {"create-endpoint-config", "DataCaptureConfig", "data capture",
     "capture follows `monitoring` and the model's `compliance`: set `monitoring`"},
    {"create-endpoint-config", "KmsKeyId", "the endpoint's storage encryption key",
     "it is part of the model's security baseline"},
    {"create-endpoint-config", "ProductionVariants", "the production variant (instances, cost)",
     "set `serve { instance, replicas }`, which cost and budgets are checked on"},
    {"put-metric-alarm-latency", "", "the latency alarm", "alarms follow `slo`; change that"},
    {"put-metric-alarm-errors", "", "the error-rate alarm", "alarms follow `slo`; change that"},
    {"create-endpoint", "EndpointName", "the endpoint's name", kNames},
    {"create-endpoint", "EndpointConfigName", "the endpoint config", kNames},
    {"create-endpoint", "DeploymentConfig", "the blue/green deployment and its automatic rollback",
     "rollouts follow the environment's tier and roll back on the model's alarms"},
    {"create-processing-job", "", "the monitoring baseline", "monitoring follows `monitoring` and `monitor`"},
    {"create-data-quality-job-definition", "", "the monitoring job",
     "monitoring follows `monitoring` and `monitor`"},
    {"create-monitoring-schedule", "", "the monitoring schedule",
     "monitoring follows `monitoring` and `monitor`"},
    {"register-scalable-target", "ResourceId", "the scaled endpoint", kNames},
    {"register-scalable-target", "MinCapacity", "the instance range (cost)",
     "set `serve.replicas`, which cost and budgets are checked on"},
    {"register-scalable-target", "MaxCapacity", "the instance range (cost)",
     "set `serve.replicas`, which cost and budgets are checked on"},
    {"put-scaling-policy", "PolicyName", "the scaling policy's name", kNames},
    {"put-scaling-policy", "ResourceId", "the scaled endpoint", kNames},
    {"update-endpoint", "EndpointName", "the endpoint's name", kNames},
    {"update-endpoint", "EndpointConfigName", "the endpoint config", kNames},
    {"update-endpoint", "DeploymentConfig", "the blue/green deployment and its automatic rollback",
     "rollouts follow the environment's tier and roll back on the model's alarms"},
};

std::string normalize(llvm::StringRef key) {
  std::string k;
  for (char c : key)
    if (c != '_' && c != '-')
      k += llvm::toLower(c);
  return k;
}

// `a` is `b` or a dotted prefix of it.
bool within(llvm::StringRef a, llvm::StringRef b) {
  return a.empty() || b == a || (b.startswith(a) && b[a.size()] == '.');
}

} // namespace

llvm::ArrayRef<PatchTarget> patchTargets(DeclKind kind) {
  switch (kind) {
  case DeclKind::Service:
    return kServiceTargets;
  case DeclKind::Model:
    return kModelTargets;
  case DeclKind::Workspace:
  case DeclKind::Environment:
  case DeclKind::Team:
  case DeclKind::Dataset:
  case DeclKind::Pipeline:
  case DeclKind::Agent:
  case DeclKind::Policy:
  case DeclKind::Instance:
  case DeclKind::Framework:
  case DeclKind::Region:
    break;
  }
  return {};
}

const PatchTarget *findPatchTarget(DeclKind kind, llvm::StringRef key) {
  std::string k = normalize(key);
  for (const PatchTarget &t : patchTargets(kind))
    if (normalize(t.key) == k || normalize(t.object) == k || (!t.alias.empty() && normalize(t.alias) == k))
      return &t;
  return nullptr;
}

const GovernedPath *governedPath(DeclKind kind, const PatchTarget &target, llvm::StringRef path) {
  llvm::ArrayRef<GovernedPath> governed;
  if (kind == DeclKind::Service)
    governed = kServiceGoverned;
  else if (kind == DeclKind::Model)
    governed = kModelGoverned;
  for (const GovernedPath &g : governed) {
    if (!g.target.empty() && g.target != target.object)
      continue;
    // Inside the governed value, or replacing (or deleting) something that
    // holds it.
    if (within(g.path, path) || within(path, g.path))
      return &g;
  }
  return nullptr;
}

} // namespace plat::sema
