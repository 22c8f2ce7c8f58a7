#include "backends/aws/SageMakerRequests.h"

#include <algorithm>
#include <cmath>

#include "backends/Common.h"
#include "backends/Naming.h"
#include "backends/Patch.h"
#include "fmt/format.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/ConvertUTF.h"
#include "llvm/Support/Unicode.h"
#include "sema/ValueText.h"

namespace plat::backends::sagemaker {

namespace fields = sema::fields;
namespace records = sema::records;

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

// A key of a map value.
const Value *field(const Value *map, llvm::StringRef key) { return map ? map->field(key) : nullptr; }
// A field of a record value (a `type` of stdlib).
const Value *field(const Value *record, sema::RecordFieldKey key) {
  return record ? record->field(key) : nullptr;
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
  const Value *gpus = ctx.env.get(instance->ref, fields::instance::gpus);
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

// Whether the model asks for request/response capture: it is monitored, or
// its compliance scope requires a record of what it processed (PCI DSS
// requirement 10, HIPAA §164.312(b) audit controls).
bool wantsCapture(const BackendContext &ctx, DeclId id) {
  if (const Value *m = ctx.env.get(id, fields::model::monitoring); m && m->boolean)
    return true;
  if (const Value *c = ctx.env.get(id, fields::model::compliance))
    for (const Value *p : c->items)
      if (p->text == "pci" || p->text == "hipaa")
        return true;
  return false;
}

} // namespace

bool capturesData(const BackendContext &ctx, DeclId id) {
  // Serverless endpoints cannot capture data (SageMaker rejects the config);
  // modelRequests reports that instead.
  const Value *sl = field(ctx.env.get(id, fields::model::serve), records::serving::serverless);
  return wantsCapture(ctx, id) && !(sl && sl->boolean);
}

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
    if (const Value *cc = ctx.env.get(team, fields::team::cost_center))
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

// The tags of what a version is made and registered by (training job,
// model package): the common ones plus the approval gate's team and named
// approvers, so "who approves what this job trains" is answerable from AWS.
Json provenanceTags(const BackendContext &ctx, DeclId id, const Json &common) {
  Json out = common;
  auto add = [&](const char *key, llvm::StringRef value) {
    out.push_back(Object(2).add("Key", key).add("Value", tagValue(value)).take());
  };
  // Outside git (or with PLAT_COMMIT=none) there is no commit to name.
  if (!ctx.commit.empty())
    add("plat:commit", ctx.commit);
  const Value *approval = ctx.env.get(id, fields::model::approval);
  if (!approval)
    return out;
  if (const Value *by = approval->field(records::approval_gate::by); by && by->ref != sema::kNoDecl)
    add("plat:approved-by", ctx.program.decl(by->ref).name);
  if (const Value *people = approval->field(records::approval_gate::approvers);
      people && !people->items.empty()) {
    std::string list;
    for (const Value *p : people->items)
      list += (list.empty() ? "" : " ") + p->text;
    add("plat:approvers", list);
  }
  return out;
}

} // namespace


// ---- Objectives, alarms and blue/green delivery --------------------------

namespace {

// Alarms evaluate one-minute data points and fire when 3 of the last 5
// breach: quick enough to stop a canary within its baking period, and not
// woken by a single slow minute.
constexpr int kAlarmPeriod = 60, kAlarmEvaluationPeriods = 5, kAlarmDatapoints = 3;

// A number with at most 6 significant digits, so thresholds read as written
// (`0.0144`, not `0.014400000000000001`).
double rounded(double x) { return std::strtod(fmt::format("{:.6g}", x).c_str(), nullptr); }

Json dimensions(const std::string &endpoint) {
  return Json::array({Object(2).add("Name", "EndpointName").add("Value", endpoint).take(),
                      Object(2).add("Name", "VariantName").add("Value", kVariant).take()});
}

Json metricStat(const std::string &endpoint, const char *metric) {
  return Object(3)
      .add("Metric", Object(3)
                         .add("Namespace", "AWS/SageMaker")
                         .add("MetricName", metric)
                         .add("Dimensions", dimensions(endpoint))
                         .take())
      .add("Period", kAlarmPeriod)
      .add("Stat", "Sum")
      .take();
}

// The SNS topic the alarms of `model` notify: its owner team's `page`
// topic in production when the team has an on-call, else its `ticket`
// topic when it has an on-call or a channel; none otherwise.
std::optional<std::string> alarmTopic(const BackendContext &ctx, DeclId model) {
  DeclId team = ctx.program.owner(ctx.env, model);
  if (team == sema::kNoDecl)
    return std::nullopt;
  bool onCall = ctx.env.get(team, fields::team::on_call) != nullptr;
  bool channel = ctx.env.get(team, fields::team::channel) != nullptr;
  const sema::Decl &t = ctx.program.decl(team);
  if (ctx.env.tier == "production" && onCall)
    return alarmTopicArn(ctx, t, "page");
  if (onCall || channel)
    return alarmTopicArn(ctx, t, "ticket");
  return std::nullopt;
}

// The budget burn factor of the fast-burn page alert (2 % of the budget in
// an hour; 14.4 over 30 days), as the Kubernetes rules use it.
double fastBurnFactor(double windowSeconds) { return 0.02 * windowSeconds / 3600.0; }

const Value *servedSlo(const BackendContext &ctx, DeclId id) {
  return ctx.env.get(id, fields::model::serve) ? ctx.env.get(id, fields::model::slo) : nullptr;
}

std::vector<std::string> alarmNames(const BackendContext &ctx, DeclId id) {
  std::vector<std::string> names;
  const Value *slo = servedSlo(ctx, id);
  if (!slo)
    return names;
  const sema::Decl &model = ctx.program.decl(id);
  if (slo->field(records::objective::latency_p99))
    names.push_back(modelAlarmName(ctx, model, "latency-p99"));
  if (slo->field(records::objective::availability))
    names.push_back(modelAlarmName(ctx, model, "error-rate"));
  return names;
}

} // namespace

std::vector<std::pair<std::string, Json>> objectiveAlarms(const BackendContext &ctx, DeclId id) {
  std::vector<std::pair<std::string, Json>> out;
  const Value *slo = servedSlo(ctx, id);
  if (!slo)
    return out;
  const sema::Decl &model = ctx.program.decl(id);
  std::string endpoint = endpointName(ctx, model);
  std::optional<std::string> topic = alarmTopic(ctx, id);
  std::string source = sourceLocation(ctx, model);
  Json tagList = tags(ctx, model);
  auto common = [&](Object &alarm, const char *objective, const std::string &what) {
    alarm.add("AlarmName", modelAlarmName(ctx, model, objective));
    const Value *runbook = slo->field(records::objective::runbook);
    alarm.add("AlarmDescription",
              utf8Prefix(fmt::format("SageMaker endpoint {} of {} ({}): {}. The objective is broken and a "
                                     "deployment in progress rolls back.{}{}",
                                     endpoint, model.qualifiedName, source, what, runbook ? " Runbook: " : "",
                                     runbook ? runbook->text : std::string()),
                         1024));
    alarm.add("ActionsEnabled", true);
    if (topic) {
      // OK actions too: the pager resolves the incident when the alarm clears.
      alarm.add("OKActions", Json::array({*topic}));
      alarm.add("AlarmActions", Json::array({*topic}));
    }
  };
  auto finish = [&](Object &alarm, double threshold) {
    alarm.add("EvaluationPeriods", kAlarmEvaluationPeriods);
    alarm.add("DatapointsToAlarm", kAlarmDatapoints);
    alarm.add("Threshold", threshold);
    alarm.add("ComparisonOperator", "GreaterThanThreshold");
    // An idle endpoint is not a broken one.
    alarm.add("TreatMissingData", "notBreaching");
    alarm.add("Tags", tagList);
  };
  if (const Value *latency = slo->field(records::objective::latency_p99)) {
    // ModelLatency is in microseconds: the time the container took,
    // without SageMaker's own overhead (OverheadLatency).
    double micros = rounded(latency->asNumber() * 1e6);
    Object alarm(16);
    common(alarm, "latency-p99",
           fmt::format("p99 model latency above {} ms", sema::numberText(latency->asNumber() * 1000)));
    alarm.add("MetricName", "ModelLatency");
    alarm.add("Namespace", "AWS/SageMaker");
    alarm.add("ExtendedStatistic", "p99");
    alarm.add("Dimensions", dimensions(endpoint));
    // No `Unit`: an alarm whose unit differs from the published one never
    // leaves INSUFFICIENT_DATA.
    alarm.add("Period", kAlarmPeriod);
    finish(alarm, micros);
    out.emplace_back("latency", alarm.take());
  }
  if (const Value *availability = slo->field(records::objective::availability)) {
    const Value *window = slo->field(records::objective::window);
    double budget = (100.0 - availability->asNumber()) / 100.0;
    double factor = fastBurnFactor(window ? window->number : 30 * 86400.0);
    // Above 1 the rate could never breach: the objective is too loose for
    // a fast burn to show, and the alarm fires on every failed request.
    double threshold = rounded(std::min(budget * factor, 1.0));
    Object alarm(12);
    common(alarm, "error-rate",
           fmt::format("5xx error rate above {}% ({} times the error budget of {:g}% availability)",
                       sema::numberText(rounded(threshold * 100)), sema::numberText(rounded(factor)),
                       availability->asNumber()));
    alarm.add("Metrics",
              Json::array({Object(3)
                               .add("Id", "errors")
                               .add("MetricStat", metricStat(endpoint, "Invocation5XXErrors"))
                               .add("ReturnData", false)
                               .take(),
                           Object(3)
                               .add("Id", "invocations")
                               .add("MetricStat", metricStat(endpoint, "Invocations"))
                               .add("ReturnData", false)
                               .take(),
                           Object(4)
                               .add("Id", "error_rate")
                               .add("Expression", "errors / invocations")
                               .add("Label", "5xx error rate")
                               .add("ReturnData", true)
                               .take()}));
    finish(alarm, threshold);
    out.emplace_back("errors", alarm.take());
  }
  return out;
}

Json deploymentConfig(const BackendContext &ctx, const std::vector<std::string> &alarms) {
  // Production shifts a 10 % canary and bakes it for 10 minutes; staging
  // shifts in two linear steps of 50 % with 5 minutes each; development
  // shifts all at once. The blue fleet is kept for as long again before it
  // is terminated, and SageMaker gives up (and rolls back) after the
  // maximum execution time.
  Json routing;
  int64_t termination = 0, maxExecution = 600;
  if (ctx.env.tier == "production") {
    routing = Object(3)
                  .add("Type", "CANARY")
                  .add("CanarySize", Object(2).add("Type", "CAPACITY_PERCENT").add("Value", 10).take())
                  .add("WaitIntervalInSeconds", 600)
                  .take();
    termination = 600;
    maxExecution = 3600;
  } else if (ctx.env.tier == "staging") {
    routing = Object(3)
                  .add("Type", "LINEAR")
                  .add("LinearStepSize", Object(2).add("Type", "CAPACITY_PERCENT").add("Value", 50).take())
                  .add("WaitIntervalInSeconds", 300)
                  .take();
    termination = 300;
    maxExecution = 1800;
  } else {
    routing = Object(2).add("Type", "ALL_AT_ONCE").add("WaitIntervalInSeconds", 0).take();
  }
  Object config(2);
  config.add("BlueGreenUpdatePolicy", Object(3)
                                          .add("TrafficRoutingConfiguration", std::move(routing))
                                          .add("TerminationWaitInSeconds", termination)
                                          .add("MaximumExecutionTimeoutInSeconds", maxExecution)
                                          .take());
  if (!alarms.empty()) {
    Json list = Json::array();
    for (const std::string &name : alarms)
      list.push_back(Object(1).add("AlarmName", name).take());
    config.add("AutoRollbackConfiguration", Object(1).add("Alarms", std::move(list)).take());
  }
  return config.take();
}

std::optional<std::string> imageUri(const BackendContext &ctx, DeclId id, bool training,
                                    std::string &why) {
  const Value *fw = ctx.env.get(id, fields::model::framework);
  if (!fw || fw->kind != Value::Kind::Framework || fw->ref == sema::kNoDecl) {
    why = "it has no framework";
    return std::nullopt;
  }
  if (fw->text == "custom") {
    if (const Value *image = ctx.env.get(id, fields::model::image))
      return image->text;
    why = "its framework is `custom` and it declares no `image`";
    return std::nullopt;
  }
  const WorkspaceInfo &ws = workspaceInfo(ctx);
  std::string regionKey = ws.region;
  std::replace(regionKey.begin(), regionKey.end(), '-', '_');
  const Value *registry = field(ctx.env.get(fw->ref, fields::framework::registries), regionKey);
  if (!registry) {
    why = fmt::format("the framework catalogue has no `{}` image registry in region `{}`",
                      fw->text, ws.region);
    return std::nullopt;
  }
  auto text = [&](sema::FieldKey key) {
    const Value *v = ctx.env.get(fw->ref, key);
    return v ? v->text : std::string();
  };
  std::string repository =
      text(training ? fields::framework::training_repository : fields::framework::inference_repository);
  if (repository.empty())
    repository = text(fields::framework::repository);
  const Value *instance = training ? field(ctx.env.get(id, fields::model::train), records::training::instance)
                                   : field(ctx.env.get(id, fields::model::serve), records::serving::instance);
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
    tag = text(fields::framework::tag_pattern);
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
  const Value *train = ctx.env.get(id, fields::model::train);
  if (!train) {
    why = "it has no `train` block";
    return std::nullopt;
  }
  std::optional<std::string> image = imageUri(ctx, id, /*training=*/true, why);
  if (!image)
    return std::nullopt;

  Object job(10);
  job.add("TrainingJobName", common.jobName);
  if (const Value *hp = ctx.env.get(id, fields::model::hyperparameters); hp && !hp->fields.empty()) {
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
  if (const Value *datasets = ctx.env.get(id, fields::model::trained_on)) {
    bool first = true;
    for (const Value *ref : datasets->items) {
      if (ref->ref == sema::kNoDecl)
        continue;
      const Value *location = ctx.env.get(ref->ref, fields::dataset::location);
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
      if (const Value *format = ctx.env.get(ref->ref, fields::dataset::format))
        if (std::string type = contentType(format->text); !type.empty())
          channel.add("ContentType", std::move(type));
      channels.push_back(channel.take());
      first = false;
    }
  }
  if (!channels.empty())
    job.add("InputDataConfig", std::move(channels));
  job.add("OutputDataConfig", Object(1).add("S3OutputPath", common.output).take());
  int64_t volumeBytes = static_cast<int64_t>(std::ceil(field(train, records::training::volume)
                                                           ? field(train, records::training::volume)->number
                                                           : 30.0 * (1 << 30)));
  int64_t gib = (volumeBytes + (int64_t(1) << 30) - 1) >> 30;
  const Value *instance = field(train, records::training::instance);
  job.add("ResourceConfig", Object(3)
                                .add("InstanceType", instance ? instance->text : std::string())
                                .add("InstanceCount", intOf(field(train, records::training::count), 1))
                                .add("VolumeSizeInGB", std::max<int64_t>(gib, 1))
                                .take());
  job.add("StoppingCondition",
          Object(1)
              .add("MaxRuntimeInSeconds", seconds(field(train, records::training::max_runtime), 86400))
              .take());
  job.add("Tags", provenanceTags(ctx, id, common.tags));
  return job.take();
}

std::optional<Json> createModel(const BackendContext &ctx, DeclId id, const ModelCommon &common,
                                std::string &why) {
  if (!ctx.env.get(id, fields::model::serve)) {
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
  const Value *serve = ctx.env.get(id, fields::model::serve);
  if (!serve) {
    why = "it has no `serve` block";
    return std::nullopt;
  }
  Json variant;
  variant["VariantName"] = kVariant;
  variant["ModelName"] = common.name;
  const Value *sl = field(serve, records::serving::serverless);
  bool serverless = sl && sl->boolean;
  if (serverless) {
    const Value *memory = field(serve, records::serving::memory);
    int64_t mb = memory ? static_cast<int64_t>(std::ceil(memory->number / (1024.0 * 1024.0))) : 2048;
    variant["ServerlessConfig"] = {
        {"MemorySizeInMB", mb},
        {"MaxConcurrency", intOf(field(serve, records::serving::max_concurrency), 5)}};
  } else {
    const Value *instance = field(serve, records::serving::instance);
    if (!instance) {
      why = "its `serve` block has no `instance` and is not serverless";
      return std::nullopt;
    }
    const Value *replicas = field(serve, records::serving::replicas);
    int64_t min = replicas && replicas->items.size() == 2 ? intOf(replicas->items[0], 1) : 1;
    variant["InstanceType"] = instance->text;
    variant["InitialInstanceCount"] = std::max<int64_t>(min, 1);
    variant["InitialVariantWeight"] = 1.0;
  }
  Json req;
  req["EndpointConfigName"] = common.name;
  Json &variants = req["ProductionVariants"] = Json::array();
  variants.push_back(std::move(variant));
  if (capturesData(ctx, id))
    req["DataCaptureConfig"] = {
        {"EnableCapture", true},
        {"InitialSamplingPercentage", 100},
        {"DestinationS3Uri", common.output + "/data-capture"},
        {"CaptureOptions", Json::array({Json{{"CaptureMode", "Input"}}, Json{{"CaptureMode", "Output"}}})}};
  req["Tags"] = common.tags;
  return req;
}

Json createEndpoint(const BackendContext &ctx, DeclId id, const ModelCommon &common) {
  Json req;
  // resourceName is the endpoint name.
  req["EndpointName"] = common.name;
  req["EndpointConfigName"] = common.name;
  req["DeploymentConfig"] = deploymentConfig(ctx, alarmNames(ctx, id));
  req["Tags"] = common.tags;
  return req;
}

// What rolls out a new version of the endpoint: the same endpoint config
// name (recreated with the new model) and the same deployment config, so
// an update is blue/green and rolls back on the alarms even when it is run
// without `--retain-deployment-config`.
Json updateEndpoint(const BackendContext &ctx, DeclId id, const ModelCommon &common) {
  Json req;
  req["EndpointName"] = common.name;
  req["EndpointConfigName"] = common.name;
  req["DeploymentConfig"] = deploymentConfig(ctx, alarmNames(ctx, id));
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
  const Value *approval = ctx.env.get(id, fields::model::approval);
  if (!approval)
    return meta;
  // Who, what and why, readable from the model registry itself: the owner
  // team, the declaration and its source line (the tags say the same).
  const sema::Decl &model = ctx.program.decl(id);
  if (DeclId team = ctx.program.owner(ctx.env, id); team != sema::kNoDecl)
    meta["plat:team"] = tagValue(ctx.program.decl(team).name);
  meta["plat:declaration"] = tagValue(model.qualifiedName);
  meta["plat:source"] = tagValue(sourceLocation(ctx, model));
  if (!ctx.commit.empty())
    meta["plat:commit"] = tagValue(ctx.commit);
  if (const Value *by = field(approval, records::approval_gate::by); by && by->ref != sema::kNoDecl)
    meta["plat:approved-by"] = tagValue(ctx.program.decl(by->ref).name);
  if (const Value *people = field(approval, records::approval_gate::approvers);
      people && !people->items.empty()) {
    std::string list;
    for (const Value *p : people->items)
      list += (list.empty() ? "" : " ") + p->text;
    meta["plat:approvers"] = tagValue(list);
  }
  if (const Value *thresholds = field(approval, records::approval_gate::thresholds))
    for (const Value *t : thresholds->items) {
      const Value *metric = field(t, records::threshold::metric);
      const Value *op = field(t, records::threshold::op);
      const Value *value = field(t, records::threshold::value);
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
  if (!ctx.env.get(id, fields::model::approval)) {
    why = "it has no `approval` block";
    return std::nullopt;
  }
  std::optional<std::string> image = imageUri(ctx, id, /*training=*/false, why);
  if (!image)
    return std::nullopt;
  std::string type = "text/csv";
  if (const Value *fw = ctx.env.get(id, fields::model::framework);
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
  if (const Value *instance = field(ctx.env.get(id, fields::model::serve), records::serving::instance))
    spec["SupportedRealtimeInferenceInstanceTypes"] = Json::array({instance->text});
  req["ModelApprovalStatus"] = "PendingManualApproval";
  if (Json meta = approvalMetadata(ctx, id); !meta.empty())
    req["CustomerMetadataProperties"] = std::move(meta);
  req["Tags"] = provenanceTags(ctx, id, common.tags);
  return req;
}

} // namespace


// ---- Model Monitor data quality -----------------------------------------

namespace {

// Where the Model Monitor analyzer image lives, per region: the ECR
// registry accounts of the SageMaker Python SDK
// (src/sagemaker/image_uri_config/model-monitor.json), for the regions the
// framework catalogue covers and their neighbours.
std::optional<std::string> monitorImage(const BackendContext &ctx, std::string &why) {
  static constexpr std::pair<const char *, const char *> kRegistries[] = {
      {"ca-central-1", "536280801234"}, {"eu-central-1", "048819808253"}, {"eu-north-1", "895015795356"},
      {"eu-west-1", "468650794304"},    {"eu-west-2", "749857270468"},    {"eu-west-3", "680080141114"},
      {"us-east-1", "156813124566"},    {"us-east-2", "777275614652"},    {"us-west-1", "890145073186"},
      {"us-west-2", "159807026194"},
  };
  const WorkspaceInfo &ws = workspaceInfo(ctx);
  for (const auto &[region, account] : kRegistries)
    if (ws.region == region)
      return fmt::format("{}.dkr.ecr.{}.amazonaws.com/sagemaker-model-monitor-analyzer", account, region);
  why = fmt::format("platc knows no Model Monitor analyzer image in region `{}`", ws.region);
  return std::nullopt;
}

// The analyzer's `dataset_format` for a dataset format, as the SageMaker
// SDK writes it; empty for formats Model Monitor cannot read.
std::string monitorDatasetFormat(llvm::StringRef format) {
  if (format == "csv")
    return R"({"csv": {"header": true, "output_columns_position": "START"}})";
  if (format == "json")
    return R"({"json": {"lines": true}})";
  if (format == "parquet")
    return R"({"parquet": {}})";
  return "";
}

constexpr const char *kMonitorInput = "/opt/ml/processing/input/baseline_dataset_input";
constexpr const char *kMonitorOutput = "/opt/ml/processing/output";

} // namespace

std::optional<MonitorPlan> monitorPlan(const BackendContext &ctx, DeclId id, std::string &why) {
  const Value *monitoring = ctx.env.get(id, fields::model::monitoring);
  const Value *serve = ctx.env.get(id, fields::model::serve);
  const Value *serverless = field(serve, records::serving::serverless);
  if (!monitoring || !monitoring->boolean || !serve || (serverless && serverless->boolean)) {
    why = "it is not monitored on a real-time endpoint";
    return std::nullopt;
  }
  const Value *monitor = ctx.env.get(id, fields::model::monitor);
  DeclId dataset = sema::kNoDecl;
  if (const Value *baseline = field(monitor, records::model_monitor::baseline))
    dataset = baseline->ref;
  else if (const Value *trainedOn = ctx.env.get(id, fields::model::trained_on);
           trainedOn && !trainedOn->items.empty())
    dataset = trainedOn->items.front()->ref;
  if (dataset == sema::kNoDecl) {
    why = "it has no baseline dataset (`monitor.baseline` or a `trained_on` dataset)";
    return std::nullopt;
  }
  const sema::Decl &data = ctx.program.decl(dataset);
  const Value *location = ctx.env.get(dataset, fields::dataset::location);
  const Value *format = ctx.env.get(dataset, fields::dataset::format);
  std::string datasetFormat = format ? monitorDatasetFormat(format->text) : "";
  if (!location || datasetFormat.empty()) {
    why = fmt::format("Model Monitor reads csv, json or parquet baselines, and `{}` is {}", data.name,
                      format ? format->text : std::string("of no known format"));
    return std::nullopt;
  }
  std::optional<std::string> image = monitorImage(ctx, why);
  if (!image)
    return std::nullopt;
  return MonitorPlan{dataset, std::move(*image), std::move(datasetFormat)};
}

namespace {

// The three Model Monitor requests of a monitored real-time endpoint: the
// processing job that computes the baseline, the data-quality job
// definition that checks captured requests against it, and the schedule.
struct MonitorRequests {
  Json baselineJob, jobDefinition, schedule;
};

std::optional<MonitorRequests> monitorRequests(const BackendContext &ctx, DeclId id, const ModelCommon &common,
                                               std::string &why) {
  std::optional<MonitorPlan> plan = monitorPlan(ctx, id, why);
  if (!plan)
    return std::nullopt;
  const Value *monitor = ctx.env.get(id, fields::model::monitor);
  const Value *location = ctx.env.get(plan->baseline, fields::dataset::location);
  std::string datasetFormat = plan->datasetFormat;
  std::optional<std::string> image = plan->image;
  const sema::Decl &model = common.decl;
  std::string role = roleArn(ctx, model, "monitoring");
  const Value *instance = field(monitor, records::model_monitor::instance);
  std::string instanceType = instance ? instance->text : std::string("ml.m5.xlarge");
  std::string baselineUri = common.output + "/monitoring/baseline";
  auto cluster = [&] {
    return Object(3)
        .add("InstanceCount", 1)
        .add("InstanceType", instanceType)
        .add("VolumeSizeInGB", 20)
        .take();
  };
  std::string name = monitoringScheduleName(ctx, model);
  MonitorRequests out;

  Object job(9);
  job.add("ProcessingJobName", baselineJobName(ctx, model));
  job.add("ProcessingInputs", Json::array({Object(2)
                                               .add("InputName", "baseline_dataset_input")
                                               .add("S3Input", Object(5)
                                                                   .add("S3Uri", s3Uri(location))
                                                                   .add("LocalPath", kMonitorInput)
                                                                   .add("S3DataType", "S3Prefix")
                                                                   .add("S3InputMode", "File")
                                                                   .add("S3DataDistributionType",
                                                                        "FullyReplicated")
                                                                   .take())
                                               .take()}));
  job.add("ProcessingOutputConfig",
          Object(1)
              .add("Outputs", Json::array({Object(2)
                                               .add("OutputName", "monitoring_output")
                                               .add("S3Output", Object(3)
                                                                    .add("S3Uri", baselineUri)
                                                                    .add("LocalPath", kMonitorOutput)
                                                                    .add("S3UploadMode", "EndOfJob")
                                                                    .take())
                                               .take()}))
              .take());
  job.add("ProcessingResources", Object(1).add("ClusterConfig", cluster()).take());
  job.add("StoppingCondition", Object(1).add("MaxRuntimeInSeconds", 3600).take());
  job.add("AppSpecification", Object(1).add("ImageUri", *image).take());
  job.add("Environment", Object(4)
                             .add("dataset_format", datasetFormat)
                             .add("dataset_source", kMonitorInput)
                             .add("output_path", kMonitorOutput)
                             .add("publish_cloudwatch_metrics", "Disabled")
                             .take());
  job.add("RoleArn", role);
  job.add("Tags", common.tags);
  out.baselineJob = job.take();

  Object def(9);
  def.add("JobDefinitionName", name);
  def.add("DataQualityBaselineConfig",
          Object(2)
              .add("ConstraintsResource", Object(1).add("S3Uri", baselineUri + "/constraints.json").take())
              .add("StatisticsResource", Object(1).add("S3Uri", baselineUri + "/statistics.json").take())
              .take());
  def.add("DataQualityAppSpecification", Object(1).add("ImageUri", std::move(*image)).take());
  def.add("DataQualityJobInput", Object(1)
                                     .add("EndpointInput", Object(4)
                                                               .add("EndpointName", common.name)
                                                               .add("LocalPath", "/opt/ml/processing/input/endpoint")
                                                               .add("S3InputMode", "File")
                                                               .add("S3DataDistributionType", "FullyReplicated")
                                                               .take())
                                     .take());
  def.add("DataQualityJobOutputConfig",
          Object(1)
              .add("MonitoringOutputs",
                   Json::array({Object(1)
                                    .add("S3Output", Object(3)
                                                         .add("S3Uri", common.output + "/monitoring/reports")
                                                         .add("LocalPath", kMonitorOutput)
                                                         .add("S3UploadMode", "EndOfJob")
                                                         .take())
                                    .take()}))
              .take());
  def.add("JobResources", Object(1).add("ClusterConfig", cluster()).take());
  def.add("RoleArn", role);
  // Within the hour of an hourly schedule.
  def.add("StoppingCondition", Object(1).add("MaxRuntimeInSeconds", 1800).take());
  def.add("Tags", common.tags);
  out.jobDefinition = def.take();

  const Value *schedule = field(monitor, records::model_monitor::schedule);
  bool daily = schedule && schedule->text == "daily";
  out.schedule = Object(3)
                     .add("MonitoringScheduleName", name)
                     .add("MonitoringScheduleConfig",
                          Object(3)
                              .add("ScheduleConfig", Object(1)
                                                         .add("ScheduleExpression",
                                                              daily ? "cron(0 0 ? * * *)" : "cron(0 * ? * * *)")
                                                         .take())
                              .add("MonitoringJobDefinitionName", name)
                              .add("MonitoringType", "DataQuality")
                              .take())
                     .add("Tags", common.tags)
                     .take();
  return out;
}

} // namespace

std::vector<std::string> applyPatch(const BackendContext &ctx, DeclId id, llvm::StringRef object, Json &body) {
  std::vector<std::string> paths;
  Json patch = patchFor(ctx.env.get(id, fields::model::patch), sema::DeclKind::Model, object);
  if (patch.is_null())
    return paths;
  mergePatch(body, patch, "", paths);
  std::sort(paths.begin(), paths.end());
  if (!paths.empty() && body.contains("Tags") && body["Tags"].is_array())
    body["Tags"].push_back(Object(2).add("Key", "plat:patched").add("Value", tagValue(llvm::join(paths, " "))).take());
  return paths;
}

std::optional<Json> createTrainingJob(const BackendContext &ctx, DeclId id, std::string &why) {
  std::optional<Json> job = createTrainingJob(ctx, id, ModelCommon(ctx, id), why);
  if (job)
    applyPatch(ctx, id, "create-training-job", *job);
  return job;
}

std::optional<Json> createModel(const BackendContext &ctx, DeclId id, std::string &why) {
  std::optional<Json> m = createModel(ctx, id, ModelCommon(ctx, id), why);
  if (m)
    applyPatch(ctx, id, "create-model", *m);
  return m;
}

std::optional<Json> createEndpointConfig(const BackendContext &ctx, DeclId id, std::string &why) {
  std::optional<Json> c = createEndpointConfig(ctx, id, ModelCommon(ctx, id), why);
  if (c)
    applyPatch(ctx, id, "create-endpoint-config", *c);
  return c;
}

Json createEndpoint(const BackendContext &ctx, DeclId id) {
  Json e = createEndpoint(ctx, id, ModelCommon(ctx, id));
  applyPatch(ctx, id, "create-endpoint", e);
  return e;
}

Json createModelPackageGroup(const BackendContext &ctx, DeclId id) {
  Json g = createModelPackageGroup(ctx, ModelCommon(ctx, id));
  applyPatch(ctx, id, "create-model-package-group", g);
  return g;
}

std::optional<Json> createModelPackage(const BackendContext &ctx, DeclId id, std::string &why) {
  std::optional<Json> p = createModelPackage(ctx, id, ModelCommon(ctx, id), why);
  if (p)
    applyPatch(ctx, id, "create-model-package", *p);
  return p;
}

namespace {

// The alarms go before CreateEndpoint, whose rollback configuration names
// them.
void addObjectiveRequests(const BackendContext &ctx, DeclId id, const std::string &prefix,
                          std::vector<Request> &out) {
  for (auto &[what, alarm] : objectiveAlarms(ctx, id))
    out.push_back(Request{prefix + "put-metric-alarm-" + what + ".json", "cloudwatch", "PutMetricAlarm",
                          "put-metric-alarm", std::move(alarm)});
}

// Model Monitor where `monitoring = true` on a real-time endpoint: the
// schedule reads what data capture records, which serverless endpoints
// cannot do.
void addMonitorRequests(const BackendContext &ctx, DeclId id, const ModelCommon &common,
                        const std::string &prefix, std::vector<Request> &out, std::vector<std::string> &skipped) {
  const Value *monitoring = ctx.env.get(id, fields::model::monitoring);
  const Value *serverless = field(ctx.env.get(id, fields::model::serve), records::serving::serverless);
  // Serverless endpoints are reported as skipped data capture already.
  if (!monitoring || !monitoring->boolean || (serverless && serverless->boolean))
    return;
  std::string why;
  std::optional<MonitorRequests> monitor = monitorRequests(ctx, id, common, why);
  if (!monitor) {
    skipped.push_back(fmt::format("{}: no Model Monitor schedule because {}", common.decl.qualifiedName, why));
    return;
  }
  out.push_back(Request{prefix + "create-processing-job.json", "sagemaker", "CreateProcessingJob",
                        "create-processing-job", std::move(monitor->baselineJob)});
  out.push_back(Request{prefix + "create-data-quality-job-definition.json", "sagemaker",
                        "CreateDataQualityJobDefinition", "create-data-quality-job-definition",
                        std::move(monitor->jobDefinition)});
  out.push_back(Request{prefix + "create-monitoring-schedule.json", "sagemaker", "CreateMonitoringSchedule",
                        "create-monitoring-schedule", std::move(monitor->schedule)});
}

} // namespace

namespace {

std::vector<Request> unpatchedRequests(const BackendContext &ctx, DeclId id, std::vector<std::string> &skipped) {
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
  if (ctx.env.get(id, fields::model::train)) {
    if (auto job = createTrainingJob(ctx, id, common, why))
      add("create-training-job", "sagemaker", "CreateTrainingJob", std::move(*job));
    else
      skip("CreateTrainingJob", why);
  }
  if (ctx.env.get(id, fields::model::approval)) {
    if (auto pkg = createModelPackage(ctx, id, common, why))
      add("create-model-package", "sagemaker", "CreateModelPackage", std::move(*pkg));
    else
      skip("CreateModelPackage", why);
  }
  const Value *serve = ctx.env.get(id, fields::model::serve);
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
  addObjectiveRequests(ctx, id, prefix, out);
  add("create-endpoint", "sagemaker", "CreateEndpoint", createEndpoint(ctx, id, common));

  const Value *serverless = field(serve, records::serving::serverless);
  if (serverless && serverless->boolean && wantsCapture(ctx, id))
    skip("DataCaptureConfig", "serverless endpoints do not support data capture; serve it from "
                              "an `instance` to monitor it");
  addMonitorRequests(ctx, id, common, prefix, out, skipped);
  // Last: the manifest lists it apart, as the way to roll out a new version.
  Request update{prefix + "update-endpoint.json", "sagemaker", "UpdateEndpoint", "update-endpoint",
                 updateEndpoint(ctx, id, common), /*onUpdate=*/true};
  const Value *replicas = field(serve, records::serving::replicas);
  int64_t min = replicas && replicas->items.size() == 2 ? intOf(replicas->items[0], 1) : 1;
  int64_t max = replicas && replicas->items.size() == 2 ? intOf(replicas->items[1], 1) : 1;
  if ((serverless && serverless->boolean) || min >= max) {
    out.push_back(std::move(update));
    return out;
  }
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
  out.push_back(std::move(update));
  return out;
}

} // namespace

std::vector<Request> modelRequests(const BackendContext &ctx, DeclId id, std::vector<std::string> &skipped) {
  std::vector<Request> out = unpatchedRequests(ctx, id, skipped);
  if (!ctx.env.get(id, fields::model::patch))
    return out;
  // `sagemaker/<model>.<stem>.json`: the stem is what a patch key names.
  for (Request &r : out) {
    llvm::StringRef stem = llvm::StringRef(r.file).drop_back(5); // `.json`
    stem = stem.substr(stem.rfind('.') + 1);
    r.patched = applyPatch(ctx, id, stem, r.body);
  }
  return out;
}

} // namespace plat::backends::sagemaker
