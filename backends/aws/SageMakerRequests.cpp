#include "backends/aws/SageMakerRequests.h"

#include <algorithm>
#include <cmath>

#include "backends/Common.h"
#include "backends/Naming.h"
#include "fmt/format.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/ConvertUTF.h"
#include "llvm/Support/Unicode.h"
#include "sema/ValueText.h"

namespace plat::backends::sagemaker {

namespace {

using sema::DeclId;
using sema::Value;

// The variant every endpoint config declares; `AllTraffic` is the name the
// SageMaker SDK gives a single variant, and what operators expect to see.
constexpr const char *kVariant = "AllTraffic";

// Target of the invocations-per-instance tracking policy. Plat has no field
// for it yet; 70 is the value AWS's own autoscaling examples start from.
constexpr double kInvocationsPerInstanceTarget = 70.0;

// A JSON object built member by member: its storage reserved up front and
// members appended without the duplicate-key search of `operator[]` (or the
// temporary arrays of an initializer list). Only for distinct literal keys.
class Object {
public:
  explicit Object(size_t members) : json_(Json::value_t::object) {
    json_.get_ref<Json::object_t &>().reserve(members);
  }
  Object &add(const char *key, Json value) {
    json_.get_ref<Json::object_t &>().emplace_back(key, std::move(value));
    return *this;
  }
  Json take() { return std::move(json_); }

private:
  Json json_;
};

const Value *field(const Value *record, llvm::StringRef name) {
  return record ? record->field(name) : nullptr;
}

int64_t intOf(const Value *v, int64_t fallback) {
  if (!v)
    return fallback;
  if (v->kind == Value::Kind::Int)
    return v->integer;
  return static_cast<int64_t>(std::llround(v->asNumber()));
}

// Seconds of a duration, rounded up: a bound must never shrink.
int64_t seconds(const Value *v, int64_t fallback) {
  return v ? static_cast<int64_t>(std::ceil(v->asNumber())) : fallback;
}

std::string s3Uri(const Value *storage) {
  return fmt::format("s3://{}/{}", storage->text, llvm::StringRef(storage->text2).ltrim('/'));
}

bool hasGpu(const BackendContext &ctx, const Value *instance) {
  if (!instance || instance->ref == sema::kNoDecl)
    return false;
  const Value *gpus = ctx.env.get(instance->ref, "gpus");
  return gpus && gpus->integer > 0;
}

// The content type SageMaker containers expect for a dataset format;
// empty for formats they have no registered type for.
std::string contentType(llvm::StringRef format) {
  if (format == "csv")
    return "text/csv";
  if (format == "parquet")
    return "application/x-parquet";
  if (format == "json")
    return "application/json";
  return "";
}

// A channel name: SageMaker allows `[A-Za-z0-9.\-_]+`, at most 64.
std::string channelName(llvm::StringRef name) {
  std::string out;
  for (char c : name)
    out += (llvm::isAlnum(c) || c == '.' || c == '-' || c == '_') ? c : '-';
  return truncateWithHash(out.empty() ? "data" : out, 64);
}

// Words for threshold operators: `>` and `<` are outside the character set
// SageMaker allows in metadata values.
std::string opWord(llvm::StringRef op) {
  if (op == ">=")
    return "ge";
  if (op == ">")
    return "gt";
  if (op == "<=")
    return "le";
  if (op == "<")
    return "lt";
  if (op == "==")
    return "eq";
  if (op == "!=")
    return "ne";
  return tagValue(op);
}

// Text for `ModelPackageDescription`, which allows letters, marks, spaces,
// symbols, numbers and punctuation (botocore's EntityDescription:
// `[\p{L}\p{M}\p{Z}\p{S}\p{N}\p{P}]*`, at most 1024 characters): control
// and format characters (bidi overrides, zero-width spaces) become spaces,
// and the cut falls between characters.
std::string description(llvm::StringRef doc) {
  std::string out;
  out.reserve(doc.size());
  for (size_t i = 0; i < doc.size();) {
    const auto *begin = reinterpret_cast<const llvm::UTF8 *>(doc.data() + i);
    const auto *end = reinterpret_cast<const llvm::UTF8 *>(doc.data() + doc.size());
    unsigned len = llvm::getNumBytesForUTF8(*begin);
    llvm::UTF32 cp = 0;
    const llvm::UTF8 *from = begin;
    llvm::UTF32 *to = &cp;
    bool ok = i + len <= doc.size() &&
              llvm::ConvertUTF8toUTF32(&from, end < begin + len ? end : begin + len, &to, &cp + 1,
                                       llvm::strictConversion) == llvm::conversionOK;
    if (ok && cp >= 0x20 && llvm::sys::unicode::isPrintable(static_cast<int>(cp)))
      out.append(doc.data() + i, len);
    else
      out += ' ';
    i += ok ? len : 1;
  }
  llvm::StringRef trimmed = llvm::StringRef(out).trim();
  return utf8Prefix(trimmed, 1024);
}

std::string hyperparameterText(const BackendContext &ctx, const Value &v) {
  switch (v.kind) {
  case Value::Kind::Bool:
    return v.boolean ? "true" : "false";
  case Value::Kind::Int:
    return fmt::format("{}", v.integer);
  case Value::Kind::Float:
  case Value::Kind::Quantity:
    return sema::numberText(v.number);
  case Value::Kind::String:
  case Value::Kind::Enum:
    return v.text;
  default:
    return sema::valueText(ctx.program, v);
  }
}

bool monitored(const BackendContext &ctx, DeclId id) {
  if (const Value *m = ctx.env.get(id, "monitoring"); m && m->boolean)
    return true;
  // PCI DSS (requirement 10) and HIPAA (§164.312(b), audit controls) both
  // require a record of what a system processed; for an endpoint that is
  // request/response capture.
  if (const Value *c = ctx.env.get(id, "compliance"))
    for (const Value *p : c->items)
      if (p->text == "pci" || p->text == "hipaa")
        return true;
  return false;
}

} // namespace

std::string tagValue(llvm::StringRef s, size_t max) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      // One `_` per non-ASCII code point: skip its continuation bytes.
      while (i + 1 < s.size() && (static_cast<unsigned char>(s[i + 1]) & 0xC0) == 0x80)
        ++i;
      out += '_';
      continue;
    }
    bool ok = llvm::isAlnum(c) || c == ' ' || c == '_' || c == '.' || c == ':' || c == '/' ||
              c == '=' || c == '+' || c == '-' || c == '@';
    out += ok ? static_cast<char>(c) : '_';
  }
  if (out.size() > max)
    out.resize(max);
  return out;
}

std::string resourceName(const BackendContext &ctx, const sema::Decl &model) {
  return endpointName(ctx, model);
}

std::string trainingJobBaseName(const BackendContext &ctx, const sema::Decl &model) {
  return trainingJobName(ctx, model);
}

std::string outputPath(const BackendContext &ctx, const sema::Decl &model) {
  // Under the model's artifact prefix, which its IAM roles are scoped to.
  return fmt::format("s3://{}/{}", workspaceInfo(ctx).artifactBucket,
                     llvm::StringRef(artifactPrefix(ctx, model)).rtrim('/'));
}

Json tags(const BackendContext &ctx, const sema::Decl &decl) {
  Json out = Json::array();
  out.get_ref<Json::array_t &>().reserve(5);
  auto add = [&](const char *key, llvm::StringRef value) {
    out.push_back(Object(2).add("Key", key).add("Value", tagValue(value)).take());
  };
  DeclId team = ctx.program.owner(ctx.env, decl.id);
  if (team != sema::kNoDecl) {
    add("plat:team", ctx.program.decl(team).name);
    if (const Value *cc = ctx.env.get(team, "cost_center"))
      add("plat:cost-center", cc->text);
  }
  add("plat:environment", ctx.env.name);
  add("plat:declaration", decl.qualifiedName);
  add("plat:source", sourceLocation(ctx, decl));
  return out;
}

namespace {

// What the requests of one model repeat, computed once per model.
struct ModelCommon {
  ModelCommon(const BackendContext &ctx, DeclId id)
      : decl(ctx.program.decl(id)), name(resourceName(ctx, decl)),
        jobName(trainingJobBaseName(ctx, decl)), output(outputPath(ctx, decl)),
        tags(sagemaker::tags(ctx, decl)) {}

  // Where SageMaker puts the artifact of the stable-named training job:
  // `<S3OutputPath>/<TrainingJobName>/output/model.tar.gz`.
  std::string modelDataUrl() const {
    return fmt::format("{}/{}/output/model.tar.gz", output, jobName);
  }

  const sema::Decl &decl;
  std::string name;    // resourceName
  std::string jobName; // trainingJobBaseName
  std::string output;  // outputPath
  Json tags;
};

} // namespace

std::optional<std::string> imageUri(const BackendContext &ctx, DeclId id, bool training,
                                    std::string &why) {
  const Value *fw = ctx.env.get(id, "framework");
  if (!fw || fw->kind != Value::Kind::Framework || fw->ref == sema::kNoDecl) {
    why = "it has no framework";
    return std::nullopt;
  }
  if (fw->text == "custom") {
    if (const Value *image = ctx.env.get(id, "image"))
      return image->text;
    why = "its framework is `custom` and it declares no `image`";
    return std::nullopt;
  }
  const WorkspaceInfo &ws = workspaceInfo(ctx);
  std::string regionKey = ws.region;
  std::replace(regionKey.begin(), regionKey.end(), '-', '_');
  const Value *registry = field(ctx.env.get(fw->ref, "registries"), regionKey);
  if (!registry) {
    why = fmt::format("the framework catalogue has no `{}` image registry in region `{}`",
                      fw->text, ws.region);
    return std::nullopt;
  }
  auto text = [&](const char *name) {
    const Value *v = ctx.env.get(fw->ref, name);
    return v ? v->text : std::string();
  };
  std::string repository = text(training ? "training_repository" : "inference_repository");
  if (repository.empty())
    repository = text("repository");
  const Value *instance =
      field(ctx.env.get(id, training ? "train" : "serve"), "instance");
  std::string device = hasGpu(ctx, instance) ? "gpu" : "cpu";
  std::string tag;
  if (!training && fw->text == "tensorflow") {
    // TensorFlow Serving images carry no Python version (catalogue notes).
    tag = fmt::format("{}-{}", fw->text2, device);
  } else if (!training && fw->text == "huggingface") {
    // The inference images are built on a different transformers release
    // than the training one and must not be derived from `tag_pattern`
    // (catalogue notes); these are the two catalogued tags.
    tag = device == "gpu" ? "2.1.0-transformers4.37.0-gpu-py310-cu118-ubuntu20.04"
                          : "2.1.0-transformers4.37.0-cpu-py310-ubuntu22.04";
  } else {
    tag = text("tag_pattern");
    if (tag.empty())
      tag = "{version}";
    auto replaceAll = [&](llvm::StringRef from, llvm::StringRef to) {
      for (size_t at = tag.find(from.str()); at != std::string::npos;
           at = tag.find(from.str(), at + to.size()))
        tag.replace(at, from.size(), to.str());
    };
    replaceAll("{version}", fw->text2);
    replaceAll("{device}", device);
  }
  // China partitions use the amazonaws.com.cn domain.
  std::string domain = ws.partition == "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";
  return fmt::format("{}.dkr.ecr.{}.{}/{}:{}", registry->text, ws.region, domain, repository, tag);
}

namespace {

std::optional<Json> createTrainingJob(const BackendContext &ctx, DeclId id, const ModelCommon &common,
                                      std::string &why) {
  const sema::Decl &model = common.decl;
  const Value *train = ctx.env.get(id, "train");
  if (!train) {
    why = "it has no `train` block";
    return std::nullopt;
  }
  std::optional<std::string> image = imageUri(ctx, id, /*training=*/true, why);
  if (!image)
    return std::nullopt;

  Object job(10);
  job.add("TrainingJobName", common.jobName);
  if (const Value *hp = ctx.env.get(id, "hyperparameters"); hp && !hp->fields.empty()) {
    Json params = Json::object();
    for (const sema::NamedValue &p : hp->fields)
      params[p.name] = hyperparameterText(ctx, *p.value);
    job.add("HyperParameters", std::move(params));
  }
  job.add("AlgorithmSpecification", Object(2)
                                        .add("TrainingImage", std::move(*image))
                                        .add("TrainingInputMode", "File")
                                        .take());
  job.add("RoleArn", roleArn(ctx, model, "training"));

  Json channels = Json::array();
  if (const Value *datasets = ctx.env.get(id, "trained_on")) {
    bool first = true;
    for (const Value *ref : datasets->items) {
      if (ref->ref == sema::kNoDecl)
        continue;
      const Value *location = ctx.env.get(ref->ref, "location");
      if (!location)
        continue;
      Object channel(3);
      // Built-in algorithms and the framework containers read the first
      // channel as `train` (SM_CHANNEL_TRAIN); further datasets keep their
      // names.
      channel.add("ChannelName",
                  first ? std::string("train") : channelName(ctx.program.decl(ref->ref).name));
      channel.add("DataSource", Object(1)
                                    .add("S3DataSource", Object(3)
                                                             .add("S3DataType", "S3Prefix")
                                                             .add("S3Uri", s3Uri(location))
                                                             .add("S3DataDistributionType",
                                                                  "FullyReplicated")
                                                             .take())
                                    .take());
      if (const Value *format = ctx.env.get(ref->ref, "format"))
        if (std::string type = contentType(format->text); !type.empty())
          channel.add("ContentType", std::move(type));
      channels.push_back(channel.take());
      first = false;
    }
  }
  if (!channels.empty())
    job.add("InputDataConfig", std::move(channels));
  job.add("OutputDataConfig", Object(1).add("S3OutputPath", common.output).take());
  int64_t volumeBytes = static_cast<int64_t>(
      std::ceil(field(train, "volume") ? field(train, "volume")->number : 30.0 * (1 << 30)));
  int64_t gib = (volumeBytes + (int64_t(1) << 30) - 1) >> 30;
  const Value *instance = field(train, "instance");
  job.add("ResourceConfig", Object(3)
                                .add("InstanceType", instance ? instance->text : std::string())
                                .add("InstanceCount", intOf(field(train, "count"), 1))
                                .add("VolumeSizeInGB", std::max<int64_t>(gib, 1))
                                .take());
  job.add("StoppingCondition",
          Object(1).add("MaxRuntimeInSeconds", seconds(field(train, "max_runtime"), 86400)).take());
  job.add("Tags", common.tags);
  return job.take();
}

std::optional<Json> createModel(const BackendContext &ctx, DeclId id, const ModelCommon &common,
                                std::string &why) {
  if (!ctx.env.get(id, "serve")) {
    why = "it has no `serve` block";
    return std::nullopt;
  }
  std::optional<std::string> image = imageUri(ctx, id, /*training=*/false, why);
  if (!image)
    return std::nullopt;
  Json req;
  req["ModelName"] = common.name;
  req["PrimaryContainer"] = {{"Image", std::move(*image)}, {"ModelDataUrl", common.modelDataUrl()}};
  req["ExecutionRoleArn"] = roleArn(ctx, common.decl, "serving");
  req["Tags"] = common.tags;
  return req;
}

std::optional<Json> createEndpointConfig(const BackendContext &ctx, DeclId id,
                                         const ModelCommon &common, std::string &why) {
  const Value *serve = ctx.env.get(id, "serve");
  if (!serve) {
    why = "it has no `serve` block";
    return std::nullopt;
  }
  Json variant;
  variant["VariantName"] = kVariant;
  variant["ModelName"] = common.name;
  const Value *sl = field(serve, "serverless");
  bool serverless = sl && sl->boolean;
  if (serverless) {
    const Value *memory = field(serve, "memory");
    int64_t mb = memory ? static_cast<int64_t>(std::ceil(memory->number / (1024.0 * 1024.0))) : 2048;
    variant["ServerlessConfig"] = {{"MemorySizeInMB", mb},
                                   {"MaxConcurrency", intOf(field(serve, "max_concurrency"), 5)}};
  } else {
    const Value *instance = field(serve, "instance");
    if (!instance) {
      why = "its `serve` block has no `instance` and is not serverless";
      return std::nullopt;
    }
    const Value *replicas = field(serve, "replicas");
    int64_t min = replicas && replicas->items.size() == 2 ? intOf(replicas->items[0], 1) : 1;
    variant["InstanceType"] = instance->text;
    variant["InitialInstanceCount"] = std::max<int64_t>(min, 1);
    variant["InitialVariantWeight"] = 1.0;
  }
  Json req;
  req["EndpointConfigName"] = common.name;
  Json &variants = req["ProductionVariants"] = Json::array();
  variants.push_back(std::move(variant));
  // Serverless endpoints cannot capture data (SageMaker rejects the
  // config); modelRequests reports that instead.
  if (!serverless && monitored(ctx, id))
    req["DataCaptureConfig"] = {
        {"EnableCapture", true},
        {"InitialSamplingPercentage", 100},
        {"DestinationS3Uri", common.output + "/data-capture"},
        {"CaptureOptions", Json::array({Json{{"CaptureMode", "Input"}}, Json{{"CaptureMode", "Output"}}})}};
  req["Tags"] = common.tags;
  return req;
}

Json createEndpoint(const ModelCommon &common) {
  Json req;
  // resourceName is the endpoint name.
  req["EndpointName"] = common.name;
  req["EndpointConfigName"] = common.name;
  req["Tags"] = common.tags;
  return req;
}

Json createModelPackageGroup(const BackendContext &ctx, const ModelCommon &common) {
  const sema::Decl &model = common.decl;
  Json req;
  req["ModelPackageGroupName"] = common.name;
  std::string doc = description(model.doc);
  req["ModelPackageGroupDescription"] =
      doc.empty() ? fmt::format("Versions of model {} in environment {}", model.qualifiedName,
                                ctx.env.name)
                  : std::move(doc);
  req["Tags"] = common.tags;
  return req;
}

} // namespace

Json approvalMetadata(const BackendContext &ctx, DeclId id) {
  Json meta = Json::object();
  const Value *approval = ctx.env.get(id, "approval");
  if (!approval)
    return meta;
  if (const Value *by = field(approval, "by"); by && by->ref != sema::kNoDecl)
    meta["plat:approved-by"] = tagValue(ctx.program.decl(by->ref).name);
  if (const Value *people = field(approval, "approvers"); people && !people->items.empty()) {
    std::string list;
    for (const Value *p : people->items)
      list += (list.empty() ? "" : " ") + p->text;
    meta["plat:approvers"] = tagValue(list);
  }
  if (const Value *thresholds = field(approval, "thresholds"))
    for (const Value *t : thresholds->items) {
      const Value *metric = field(t, "metric");
      const Value *op = field(t, "op");
      const Value *value = field(t, "value");
      if (!metric || !op || !value)
        continue;
      // Keys are at most 128 characters, values 256; both share the tag
      // character set.
      meta[tagValue("plat:threshold:" + metric->text, 128)] =
          tagValue(opWord(op->text) + ":" + sema::numberText(value->asNumber()));
    }
  return meta;
}

namespace {

std::optional<Json> createModelPackage(const BackendContext &ctx, DeclId id,
                                       const ModelCommon &common, std::string &why) {
  const sema::Decl &model = common.decl;
  if (!ctx.env.get(id, "approval")) {
    why = "it has no `approval` block";
    return std::nullopt;
  }
  std::optional<std::string> image = imageUri(ctx, id, /*training=*/false, why);
  if (!image)
    return std::nullopt;
  std::string type = "text/csv";
  if (const Value *fw = ctx.env.get(id, "framework");
      fw && fw->text != "xgboost" && fw->text != "sklearn")
    type = "application/json";
  Json req;
  req["ModelPackageGroupName"] = common.name;
  req["ModelPackageDescription"] = fmt::format("{} trained by platc's stable-named job {}",
                                               model.qualifiedName, common.jobName);
  Json &spec = req["InferenceSpecification"] = Json::object();
  Json &containers = spec["Containers"] = Json::array();
  containers.push_back({{"Image", std::move(*image)}, {"ModelDataUrl", common.modelDataUrl()}});
  spec["SupportedContentTypes"] = Json::array({type});
  spec["SupportedResponseMIMETypes"] = Json::array({type});
  if (const Value *instance = field(ctx.env.get(id, "serve"), "instance"))
    spec["SupportedRealtimeInferenceInstanceTypes"] = Json::array({instance->text});
  req["ModelApprovalStatus"] = "PendingManualApproval";
  if (Json meta = approvalMetadata(ctx, id); !meta.empty())
    req["CustomerMetadataProperties"] = std::move(meta);
  req["Tags"] = common.tags;
  return req;
}

} // namespace

std::optional<Json> createTrainingJob(const BackendContext &ctx, DeclId id, std::string &why) {
  return createTrainingJob(ctx, id, ModelCommon(ctx, id), why);
}

std::optional<Json> createModel(const BackendContext &ctx, DeclId id, std::string &why) {
  return createModel(ctx, id, ModelCommon(ctx, id), why);
}

std::optional<Json> createEndpointConfig(const BackendContext &ctx, DeclId id, std::string &why) {
  return createEndpointConfig(ctx, id, ModelCommon(ctx, id), why);
}

Json createEndpoint(const BackendContext &ctx, DeclId id) {
  return createEndpoint(ModelCommon(ctx, id));
}

Json createModelPackageGroup(const BackendContext &ctx, DeclId id) {
  return createModelPackageGroup(ctx, ModelCommon(ctx, id));
}

std::optional<Json> createModelPackage(const BackendContext &ctx, DeclId id, std::string &why) {
  return createModelPackage(ctx, id, ModelCommon(ctx, id), why);
}

std::vector<Request> modelRequests(const BackendContext &ctx, DeclId id,
                                   std::vector<std::string> &skipped) {
  const ModelCommon common(ctx, id);
  const sema::Decl &model = common.decl;
  std::vector<Request> out;
  out.reserve(8);
  // One folder for all models: `<model>.<operation>.json` (declaration
  // names have no dots). A folder per model cost a directory creation and
  // removal per model on every build, which on ext4 costs more than the
  // files in it.
  std::string prefix = "sagemaker/" + model.name + ".";
  auto add = [&](const char *cli, const char *service, const char *operation, Json body) {
    out.push_back(Request{prefix + cli + ".json", service, operation, cli, std::move(body)});
  };
  auto skip = [&](llvm::StringRef what, const std::string &why) {
    skipped.push_back(fmt::format("{}: no {} because {}", model.qualifiedName, what, why));
  };
  std::string why;

  add("create-model-package-group", "sagemaker", "CreateModelPackageGroup",
      createModelPackageGroup(ctx, common));
  if (ctx.env.get(id, "train")) {
    if (auto job = createTrainingJob(ctx, id, common, why))
      add("create-training-job", "sagemaker", "CreateTrainingJob", std::move(*job));
    else
      skip("CreateTrainingJob", why);
  }
  if (ctx.env.get(id, "approval")) {
    if (auto pkg = createModelPackage(ctx, id, common, why))
      add("create-model-package", "sagemaker", "CreateModelPackage", std::move(*pkg));
    else
      skip("CreateModelPackage", why);
  }
  const Value *serve = ctx.env.get(id, "serve");
  if (!serve)
    return out;
  auto m = createModel(ctx, id, common, why);
  if (!m) {
    skip("CreateModel, CreateEndpointConfig or CreateEndpoint", why);
    return out;
  }
  auto config = createEndpointConfig(ctx, id, common, why);
  if (!config) {
    skip("CreateEndpointConfig or CreateEndpoint", why);
    return out;
  }
  add("create-model", "sagemaker", "CreateModel", std::move(*m));
  add("create-endpoint-config", "sagemaker", "CreateEndpointConfig", std::move(*config));
  add("create-endpoint", "sagemaker", "CreateEndpoint", createEndpoint(common));

  const Value *serverless = field(serve, "serverless");
  if (serverless && serverless->boolean && monitored(ctx, id))
    skip("DataCaptureConfig", "serverless endpoints do not support data capture; serve it from "
                              "an `instance` to monitor it");
  const Value *replicas = field(serve, "replicas");
  if ((serverless && serverless->boolean) || !replicas || replicas->items.size() != 2)
    return out;
  int64_t min = intOf(replicas->items[0], 1), max = intOf(replicas->items[1], 1);
  if (min >= max)
    return out;
  // resourceName is the endpoint name.
  std::string resourceId = fmt::format("endpoint/{}/variant/{}", common.name, kVariant);
  add("register-scalable-target", "application-autoscaling", "RegisterScalableTarget",
      Json{{"ServiceNamespace", "sagemaker"},
           {"ResourceId", resourceId},
           {"ScalableDimension", "sagemaker:variant:DesiredInstanceCount"},
           {"MinCapacity", min},
           {"MaxCapacity", max}});
  add("put-scaling-policy", "application-autoscaling", "PutScalingPolicy",
      Json{{"PolicyName", common.name + "-invocations"},
           {"ServiceNamespace", "sagemaker"},
           {"ResourceId", resourceId},
           {"ScalableDimension", "sagemaker:variant:DesiredInstanceCount"},
           {"PolicyType", "TargetTrackingScaling"},
           {"TargetTrackingScalingPolicyConfiguration",
            {{"TargetValue", kInvocationsPerInstanceTarget},
             {"PredefinedMetricSpecification",
              {{"PredefinedMetricType", "SageMakerVariantInvocationsPerInstance"}}},
             {"ScaleInCooldown", 300},
             {"ScaleOutCooldown", 60}}}});
  return out;
}

} // namespace plat::backends::sagemaker
