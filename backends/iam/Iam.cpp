// The IAM backend: one role per service, model (training and serving),
// pipeline and agent, each with a trust policy and one least-privilege
// permission policy derived from the graph. Written per owner team: the
// documents, `aws iam create-role` / `put-role-policy` input and provenance
// of its roles in `iam/roles/<team>.json`, and the same roles as Terraform
// JSON in `iam/terraform/<team>.tf.json`; `iam/manifest.json` indexes them.
// docs/backends/iam.md explains every grant.
#include <algorithm>
#include <cstring>
#include <map>
#include <set>

#include "backends/Common.h"
#include "backends/Naming.h"
#include "backends/iam/Policies.h"
#include "backends/json/JsonText.h"
#include "backends/aws/SageMakerRequests.h"
#include "fmt/format.h"
#include "llvm/ADT/StringExtras.h"

namespace plat::backends {

namespace fields = sema::fields;
namespace iam {

using sema::DeclId;
using sema::DeclKind;
using sema::EdgeKind;
using sema::Value;

// The keys under `op`, which is added after the others when new.
static std::vector<ConditionKey> &keysOf(std::vector<Condition::Operator> &ops, llvm::StringRef op) {
  for (Condition::Operator &o : ops)
    if (o.op == op)
      return o.keys;
  ops.push_back(Condition::Operator{op.str(), {}});
  return ops.back().keys;
}

Condition &Condition::add(llvm::StringRef op, llvm::StringRef key, std::string value) {
  std::vector<std::string> values;
  values.push_back(std::move(value));
  keysOf(ops, op).push_back(ConditionKey{key.str(), std::move(values), /*list=*/false});
  return *this;
}

Condition &Condition::addList(llvm::StringRef op, llvm::StringRef key, std::vector<std::string> values) {
  keysOf(ops, op).push_back(ConditionKey{key.str(), std::move(values), /*list=*/true});
  return *this;
}

const std::vector<std::string> *Condition::find(llvm::StringRef op, llvm::StringRef key) const {
  for (const Operator &o : ops)
    if (o.op == op)
      for (const ConditionKey &k : o.keys)
        if (k.key == key)
          return &k.values;
  return nullptr;
}

namespace {

// ---- JSON text of the documents, compact (`indent` < 0) or pretty, laid
// out as nlohmann's dump lays out the same tree (see json::appendValue).

// Appends a string literal with its length known at compile time
// (`out += "..."` would measure it on every call).
template <size_t N> void lit(std::string &out, const char (&text)[N]) { out.append(text, N - 1); }

void appendList(std::string &out, const std::vector<std::string> &items, int indent, int level) {
  if (items.empty()) {
    out += "[]";
    return;
  }
  out += '[';
  for (size_t i = 0; i < items.size(); ++i) {
    json::item(out, indent, level + 1, i == 0);
    json::appendString(out, items[i]);
  }
  json::close(out, indent, level, ']');
}

void appendCondition(std::string &out, const Condition &c, int indent, int level) {
  if (c.ops.empty()) {
    out += "{}";
    return;
  }
  out += '{';
  for (size_t i = 0; i < c.ops.size(); ++i) {
    const Condition::Operator &op = c.ops[i];
    json::member(out, indent, level + 1, op.op, i == 0);
    if (op.keys.empty()) {
      out += "{}";
      continue;
    }
    out += '{';
    for (size_t j = 0; j < op.keys.size(); ++j) {
      const ConditionKey &k = op.keys[j];
      json::member(out, indent, level + 2, k.key, j == 0);
      if (k.list)
        appendList(out, k.values, indent, level + 2);
      else
        json::appendString(out, k.values.empty() ? llvm::StringRef() : llvm::StringRef(k.values.front()));
    }
    json::close(out, indent, level + 1, '}');
  }
  json::close(out, indent, level, '}');
}

// `{"Version": "2012-10-17", "Statement": [{...}, ...]}`, each statement's
// members written by `body(statement, level of its members)`.
template <typename S, typename F>
void appendDocument(std::string &out, const std::vector<S> &statements, int indent, int level, F &&body) {
  out += '{';
  json::member(out, indent, level + 1, "Version", true);
  lit(out, "\"2012-10-17\"");
  json::member(out, indent, level + 1, "Statement");
  if (statements.empty()) {
    out += "[]";
  } else {
    out += '[';
    for (size_t i = 0; i < statements.size(); ++i) {
      json::item(out, indent, level + 2, i == 0);
      out += '{';
      body(statements[i], level + 3);
      json::close(out, indent, level + 2, '}');
    }
    json::close(out, indent, level + 1, ']');
  }
  json::close(out, indent, level, '}');
}

} // namespace

void appendPolicyDocument(std::string &out, const std::vector<Statement> &statements, int indent, int level) {
  appendDocument(out, statements, indent, level, [&](const Statement &s, int l) {
    json::member(out, indent, l, "Sid", true);
    json::appendString(out, s.sid);
    json::member(out, indent, l, "Effect");
    if (s.allow)
      lit(out, "\"Allow\"");
    else
      lit(out, "\"Deny\"");
    json::member(out, indent, l, "Action");
    appendList(out, s.actions, indent, l);
    json::member(out, indent, l, "Resource");
    appendList(out, s.resources, indent, l);
    if (!s.condition.empty()) {
      json::member(out, indent, l, "Condition");
      appendCondition(out, s.condition, indent, l);
    }
  });
}

void appendTrustDocument(std::string &out, const std::vector<TrustStatement> &statements, int indent, int level) {
  appendDocument(out, statements, indent, level, [&](const TrustStatement &s, int l) {
    json::member(out, indent, l, "Sid", true);
    json::appendString(out, s.sid);
    json::member(out, indent, l, "Effect");
    lit(out, "\"Allow\"");
    json::member(out, indent, l, "Principal");
    out += '{';
    json::member(out, indent, l + 1, s.principalType, true);
    json::appendString(out, s.principal);
    json::close(out, indent, l, '}');
    json::member(out, indent, l, "Action");
    if (s.actions.size() == 1)
      json::appendString(out, s.actions.front());
    else
      appendList(out, s.actions, indent, l);
    if (!s.condition.empty()) {
      json::member(out, indent, l, "Condition");
      appendCondition(out, s.condition, indent, l);
    }
  });
}

namespace {


// Sorted and unique, as policies list actions and resources.
std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

class Builder {
public:
  explicit Builder(const BackendContext &ctx) : ctx_(ctx), ws_(workspaceInfo(ctx)) {}

  std::vector<Role> run() {
    std::vector<Role> out;
    forEach([&](Role &&r) { out.push_back(std::move(r)); });
    return out;
  }

  // Calls `f` with every role, in declaration order, one at a time.
  template <typename F> void forEach(F &&f) {
    for (const sema::Decl &decl : ctx_.program.decls) {
      if (decl.fromStdlib || !exists(decl.id))
        continue;
      switch (decl.kindId) {
      case DeclKind::Service:
        f(explicitGrants(service(decl)));
        break;
      case DeclKind::Model:
        if (ctx_.env.get(decl.id, fields::model::train))
          f(explicitGrants(training(decl)));
        if (ctx_.env.get(decl.id, fields::model::serve))
          f(explicitGrants(serving(decl)));
        if (std::string why; auto plan = sagemaker::monitorPlan(ctx_, decl.id, why))
          f(monitoring(decl, *plan));
        break;
      case DeclKind::Pipeline:
        f(explicitGrants(pipeline(decl)));
        break;
      case DeclKind::Agent:
        f(agent(decl));
        break;
      // Datasets are resources, not principals; the rest deploy nothing.
      case DeclKind::Dataset:
      case DeclKind::Team:
      case DeclKind::Workspace:
      case DeclKind::Environment:
      case DeclKind::Policy:
      case DeclKind::Instance:
      case DeclKind::Framework:
      case DeclKind::Region:
        break;
      }
    }
  }

private:
  const BackendContext &ctx_;
  const WorkspaceInfo &ws_;

  bool exists(DeclId id) const { return id < ctx_.env.exists.size() && ctx_.env.exists[id]; }

  // Targets of the edges of `kind` out of `from`: sorted and unique, since
  // the edges are sorted by (from, kind, to) and deduplicated.
  std::vector<DeclId> edgesFrom(DeclId from, EdgeKind kind) const {
    std::vector<DeclId> out;
    for (const sema::Edge &e : ctx_.env.edgesFrom(from, kind))
      if (exists(e.to))
        out.push_back(e.to);
    return out;
  }

  Role start(const sema::Decl &decl, llvm::StringRef purpose, llvm::StringRef what) const {
    Role r;
    r.decl = &decl;
    r.purpose = purpose.str();
    r.name = roleName(ctx_, decl, purpose);
    r.arn = roleArn(ctx_, decl, purpose);
    r.description = fmt::format("{} {} in environment {}, generated by platc", what,
                                decl.qualifiedName, ctx_.env.name);
    return r;
  }

  static void add(Role &r, std::string sid, bool allow, std::vector<std::string> actions,
                  std::vector<std::string> resources, Condition condition = {}) {
    // Sids must be unique within a policy. A role holds a handful of
    // statements, so looking through them is cheaper than a set.
    auto taken = [&](const std::string &candidate) {
      for (const Statement &s : r.statements)
        if (s.sid == candidate)
          return true;
      return false;
    };
    if (taken(sid)) {
      std::string unique;
      for (int n = 2;; ++n) {
        unique = sid + std::to_string(n);
        if (!taken(unique))
          break;
      }
      sid = std::move(unique);
    }
    r.statements.push_back(Statement{std::move(sid), allow, sorted(std::move(actions)),
                                     sorted(std::move(resources)), std::move(condition)});
  }

  // What the declaration asks for in `iam_allow`, beyond the derived
  // grants: one statement per entry, Sid `Explicit<n>`, so a reviewer (and
  // the IAM validator) can tell them from the derived ones. The checker
  // has validated the actions and ARNs and warned on each (P0516).
  Role explicitGrants(Role r) const {
    const Value *grants = ctx_.env.get(r.decl->id, fields::any::iam_allow);
    if (!grants)
      return r;
    for (const Value *g : grants->items) {
      std::vector<std::string> actions, resources;
      if (const Value *a = g->field(sema::records::iam_grant::actions))
        for (const Value *x : a->items)
          actions.push_back(x->text);
      if (const Value *res = g->field(sema::records::iam_grant::resources))
        for (const Value *x : res->items)
          resources.push_back(x->text);
      if (actions.empty() || resources.empty())
        continue;
      add(r, "Explicit", true, std::move(actions), std::move(resources));
    }
    return r;
  }

  // ---- ARNs

  std::string s3Bucket(llvm::StringRef bucket) const {
    return fmt::format("arn:{}:s3:::{}", ws_.partition, bucket);
  }
  // Every object under `prefix` (the whole bucket when it is empty).
  std::string s3Objects(llvm::StringRef bucket, llvm::StringRef prefix) const {
    return fmt::format("arn:{}:s3:::{}/{}*", ws_.partition, bucket, prefix);
  }
  std::string logGroup(llvm::StringRef group) const {
    return fmt::format("arn:{}:logs:{}:{}:log-group:{}", ws_.partition, ws_.region, ws_.account, group);
  }

  // ---- trust policies

  // Pods running as `sa` in `ns`.
  TrustStatement podStatement(Role &r, const std::string &ns, const std::string &sa) const {
    TrustStatement st;
    if (usesIrsa(ctx_)) {
      const std::string &oidc = ws_.oidcProvider;
      st.sid = "KubernetesServiceAccount";
      st.principalType = "Federated";
      st.principal = fmt::format("arn:{}:iam::{}:oidc-provider/{}", ws_.partition, ws_.account, oidc);
      st.actions = {"sts:AssumeRoleWithWebIdentity"};
      st.condition.add("StringEquals", oidc + ":sub", fmt::format("system:serviceaccount:{}:{}", ns, sa))
          .add("StringEquals", oidc + ":aud", "sts.amazonaws.com");
      return st;
    }
    // EKS Pod Identity: the association (Terraform) binds the service
    // account; the conditions pin account, cluster, namespace and service
    // account again through the session tags EKS sets.
    r.podIdentityNamespace = ns;
    r.podIdentityServiceAccount = sa;
    st.sid = "EksPodIdentity";
    st.principalType = "Service";
    st.principal = "pods.eks.amazonaws.com";
    st.actions = {"sts:AssumeRole", "sts:TagSession"};
    st.condition.add("StringEquals", "aws:SourceAccount", ws_.account)
        .add("StringEquals", "aws:RequestTag/kubernetes-namespace", ns)
        .add("StringEquals", "aws:RequestTag/kubernetes-service-account", sa)
        .add("ArnEquals", "aws:SourceArn",
             fmt::format("arn:{}:eks:{}:{}:cluster/{}", ws_.partition, ws_.region, ws_.account, ws_.cluster));
    return st;
  }

  TrustStatement serviceTrust(const std::string &service, const std::string &sid = "SageMaker") const {
    // aws:SourceAccount keeps another account's use of the service from
    // assuming this role (the confused-deputy guard AWS documents).
    TrustStatement st;
    st.sid = sid;
    st.principalType = "Service";
    st.principal = service;
    st.actions = {"sts:AssumeRole"};
    st.condition.add("StringEquals", "aws:SourceAccount", ws_.account);
    return st;
  }

  // ---- permissions

  void datasetAccess(Role &r, DeclId dataset, bool write, bool allow = true) const {
    const sema::Decl &d = ctx_.program.decl(dataset);
    const Value *location = ctx_.env.get(dataset, fields::dataset::location);
    if (!location || location->text.empty())
      return;
    const std::string &bucket = location->text;
    const std::string &prefix = location->text2;
    std::string what = sidWord(d.name);
    if (!write) {
      add(r, (allow ? "Read" : "DenyRead") + what, allow, {"s3:GetObject"}, {s3Objects(bucket, prefix)});
      if (allow) {
        // Listing is a bucket-level action; the condition keeps it to the
        // dataset's prefix.
        Condition condition;
        if (!prefix.empty())
          condition.addList("StringLike", "s3:prefix", {prefix + "*"});
        add(r, "List" + what, true, {"s3:ListBucket"}, {s3Bucket(bucket)}, std::move(condition));
      }
    } else {
      std::vector<std::string> actions{"s3:PutObject", "s3:AbortMultipartUpload"};
      if (!allow)
        actions.push_back("s3:DeleteObject");
      add(r, (allow ? "Write" : "DenyWrite") + what, allow, std::move(actions), {s3Objects(bucket, prefix)});
    }
    if (!allow)
      return;
    if (const Value *key = ctx_.env.get(dataset, fields::dataset::kms_key); key && !key->text.empty()) {
      std::vector<std::string> actions{"kms:Decrypt"};
      if (write)
        actions.push_back("kms:GenerateDataKey");
      // Only through S3 in this region: the key cannot be used directly.
      Condition condition;
      condition.add("StringEquals", "kms:ViaService", fmt::format("s3.{}.amazonaws.com", ws_.region));
      llvm::StringRef k = key->text;
      std::string resource;
      if (k.startswith("arn:")) {
        resource = k.str();
      } else if (k.startswith("alias/")) {
        // An alias cannot be a policy resource for Decrypt; the key it
        // names is matched by the kms:ResourceAliases condition instead.
        resource = fmt::format("arn:{}:kms:{}:{}:key/*", ws_.partition, ws_.region, ws_.account);
        condition.addList("ForAnyValue:StringEquals", "kms:ResourceAliases", {k.str()});
      } else {
        resource = fmt::format("arn:{}:kms:{}:{}:key/{}", ws_.partition, ws_.region, ws_.account, k);
      }
      add(r, (write ? "EncryptWith" : "DecryptWith") + what, true, std::move(actions), {std::move(resource)},
          std::move(condition));
    }
  }

  void invokeModel(Role &r, DeclId model, bool allow = true) const {
    const sema::Decl &m = ctx_.program.decl(model);
    if (!ctx_.env.get(model, fields::model::serve)) {
      r.notGranted.push_back(fmt::format("invoke model {}: it is not served", m.qualifiedName));
      return;
    }
    add(r, (allow ? "Invoke" : "DenyInvoke") + sidWord(m.name), allow, {"sagemaker:InvokeEndpoint"},
        {endpointArn(ctx_, m)});
  }

  // ECR pull of the model's image, if it lives in ECR.
  void ecrPull(Role &r, const sema::Decl &model, bool forTraining) const {
    std::string why;
    std::optional<std::string> image = sagemaker::imageUri(ctx_, model.id, forTraining, why);
    if (!image) {
      r.notGranted.push_back(fmt::format("pull the {} image: {}", forTraining ? "training" : "serving", why));
      return;
    }
    ecrPullImage(r, *image);
  }

  void ecrPullImage(Role &r, llvm::StringRef image) const {
    // <registry>.dkr.ecr.<region>.<domain>/<repository>[:tag|@digest]
    llvm::StringRef uri = image;
    auto [host, path] = uri.split('/');
    llvm::SmallVector<llvm::StringRef, 6> parts;
    host.split(parts, '.');
    if (parts.size() < 4 || parts[1] != "dkr" || parts[2] != "ecr" || path.empty()) {
      r.notGranted.push_back(fmt::format("pull image {}: not in ECR, so no IAM permission applies", uri));
      return;
    }
    llvm::StringRef repository = path.split('@').first;
    if (size_t colon = repository.rfind(':'); colon != llvm::StringRef::npos)
      repository = repository.take_front(colon);
    // GetAuthorizationToken has no resource type: it returns a registry
    // login token, and the repository statement below decides what that
    // token can pull. It is the one action AWS only grants on `*`.
    add(r, "EcrLogin", true, {"ecr:GetAuthorizationToken"}, {"*"});
    add(r, "EcrPull", true, {"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"},
        {fmt::format("arn:{}:ecr:{}:{}:repository/{}", ws_.partition, parts[3], parts[0], repository)});
  }

  void logs(Role &r, const std::string &group, const std::string &streamPrefix) const {
    add(r, "LogGroup", true, {"logs:CreateLogGroup", "logs:DescribeLogStreams"}, {logGroup(group)});
    add(r, "LogStreams", true, {"logs:CreateLogStream", "logs:PutLogEvents"},
        {logGroup(group) + ":log-stream:" + streamPrefix + "*"});
  }

  // ---- roles

  Role service(const sema::Decl &decl) const {
    Role r = start(decl, "", "Service");
    r.trust.push_back(podStatement(r, namespaceOf(ctx_, decl.id), serviceAccountName(decl)));
    std::set<DeclId> writes;
    for (DeclId d : edgesFrom(decl.id, EdgeKind::Writes))
      writes.insert(d);
    for (DeclId d : edgesFrom(decl.id, EdgeKind::Reads))
      datasetAccess(r, d, /*write=*/false);
    for (DeclId d : writes)
      datasetAccess(r, d, /*write=*/true);
    for (DeclId to : edgesFrom(decl.id, EdgeKind::Calls))
      if (ctx_.program.decl(to).kindId == DeclKind::Model)
        invokeModel(r, to);
    return r;
  }

  Role training(const sema::Decl &decl) const {
    Role r = start(decl, "training", "Training jobs of model");
    r.trust.push_back(serviceTrust("sagemaker.amazonaws.com"));
    for (DeclId d : edgesFrom(decl.id, EdgeKind::TrainedOn))
      datasetAccess(r, d, false);
    std::string prefix = artifactPrefix(ctx_, decl);
    add(r, "WriteArtifacts", true, {"s3:AbortMultipartUpload", "s3:PutObject"},
        {s3Objects(ws_.artifactBucket, prefix)});
    ecrPull(r, decl, true);
    logs(r, "/aws/sagemaker/TrainingJobs", trainingJobName(ctx_, decl));
    // SageMaker checks that whoever starts a job may pass its role; a job
    // that starts follow-up work with its own role needs the same.
    Condition passedTo;
    passedTo.add("StringEquals", "iam:PassedToService", "sagemaker.amazonaws.com");
    add(r, "PassOwnRole", true, {"iam:PassRole"}, {r.arn}, std::move(passedTo));
    return r;
  }

  Role serving(const sema::Decl &decl) const {
    Role r = start(decl, "serving", "Endpoint of model");
    r.trust.push_back(serviceTrust("sagemaker.amazonaws.com"));
    std::string prefix = artifactPrefix(ctx_, decl);
    add(r, "ReadArtifacts", true, {"s3:GetObject"}, {s3Objects(ws_.artifactBucket, prefix)});
    // Data capture writes under <artifact prefix>data-capture/, exactly when
    // the endpoint config enables it.
    if (sagemaker::capturesData(ctx_, decl.id))
      add(r, "WriteDataCapture", true, {"s3:AbortMultipartUpload", "s3:PutObject"},
          {s3Objects(ws_.artifactBucket, prefix + "data-capture/")});
    ecrPull(r, decl, false);
    logs(r, "/aws/sagemaker/Endpoints/" + endpointName(ctx_, decl), "");
    return r;
  }

  // The Model Monitor jobs of a monitored endpoint (docs/backends/sagemaker.md):
  // the baseline job reads the baseline dataset and writes statistics and
  // constraints under <artifact prefix>monitoring/; the scheduled jobs read
  // the captured requests and the baseline and write reports there.
  Role monitoring(const sema::Decl &decl, const sagemaker::MonitorPlan &plan) const {
    Role r = start(decl, "monitoring", "Model Monitor jobs of model");
    r.trust.push_back(serviceTrust("sagemaker.amazonaws.com"));
    datasetAccess(r, plan.baseline, false);
    std::string prefix = artifactPrefix(ctx_, decl);
    add(r, "ReadMonitoringInput", true, {"s3:GetObject"},
        {s3Objects(ws_.artifactBucket, prefix + "data-capture/"), s3Objects(ws_.artifactBucket, prefix + "monitoring/")});
    Condition listed;
    listed.addList("StringLike", "s3:prefix", {prefix + "data-capture/*", prefix + "monitoring/*"});
    add(r, "ListMonitoringInput", true, {"s3:ListBucket"}, {s3Bucket(ws_.artifactBucket)}, std::move(listed));
    add(r, "WriteMonitoringOutput", true, {"s3:AbortMultipartUpload", "s3:PutObject"},
        {s3Objects(ws_.artifactBucket, prefix + "monitoring/")});
    ecrPullImage(r, plan.image);
    // Monitoring executions are processing jobs that SageMaker names itself,
    // so their log streams have no prefix platc could know.
    logs(r, "/aws/sagemaker/ProcessingJobs", "");
    return r;
  }

  Role pipeline(const sema::Decl &decl) const {
    Role r = start(decl, "", "Pipeline");
    r.trust.push_back(podStatement(r, namespaceOf(ctx_, decl.id), serviceAccountName(decl)));
    if (!ws_.airflowRole.empty())
      // Tasks that run as Airflow operators (not pods) assume this role
      // from the Airflow workers' role.
      r.trust.push_back(TrustStatement{"AirflowWorkers", "AWS", ws_.airflowRole, {"sts:AssumeRole"}, {}});
    for (DeclId d : edgesFrom(decl.id, EdgeKind::Reads))
      datasetAccess(r, d, false);
    for (DeclId d : edgesFrom(decl.id, EdgeKind::Writes))
      datasetAccess(r, d, true);
    return r;
  }

  Role agent(const sema::Decl &decl) const {
    Role r = start(decl, "", "Agent");
    const Value *inCluster = ctx_.env.get(decl.id, fields::agent::in_cluster);
    if (!inCluster || inCluster->boolean) {
      r.trust.push_back(podStatement(r, namespaceOf(ctx_, decl.id), serviceAccountName(decl)));
    } else {
      // An agent outside the cluster runs as a Bedrock agent.
      TrustStatement st = serviceTrust("bedrock.amazonaws.com", "BedrockAgents");
      st.condition.add("ArnLike", "aws:SourceArn",
                       fmt::format("arn:{}:bedrock:{}:{}:agent/*", ws_.partition, ws_.region, ws_.account));
      r.trust.push_back(std::move(st));
    }
    if (const Value *fm = ctx_.env.get(decl.id, fields::agent::foundation_model); fm && !fm->text.empty()) {
      std::string arn = llvm::StringRef(fm->text).startswith("arn:")
                            ? fm->text
                            : fmt::format("arn:{}:bedrock:{}::foundation-model/{}", ws_.partition, ws_.region, fm->text);
      add(r, "FoundationModel", true, {"bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"}, {arn});
    }
    for (DeclId d : edgesFrom(decl.id, EdgeKind::AgentReads))
      datasetAccess(r, d, false);
    for (DeclId d : edgesFrom(decl.id, EdgeKind::AgentWrites))
      datasetAccess(r, d, true);
    for (DeclId to : edgesFrom(decl.id, EdgeKind::Invokes))
      if (ctx_.program.decl(to).kindId == DeclKind::Model)
        invokeModel(r, to);
    for (DeclId p : edgesFrom(decl.id, EdgeKind::Triggers))
      r.notGranted.push_back(fmt::format(
          "trigger pipeline {}: the workspace names no Airflow environment to grant "
          "airflow:InvokeRestApi on", ctx_.program.decl(p).qualifiedName));

    // Explicit denies win over any allow, including ones attached outside
    // platc.
    if (const Value *deny = ctx_.env.get(decl.id, fields::agent::deny)) {
      auto refs = [&](const char *field) {
        std::set<DeclId> out;
        if (const Value *list = deny->field(field))
          for (const Value *item : list->items)
            if (item->ref != sema::kNoDecl && exists(item->ref))
              out.insert(item->ref);
        return out;
      };
      for (DeclId d : refs("read"))
        datasetAccess(r, d, false, /*allow=*/false);
      for (DeclId d : refs("write"))
        datasetAccess(r, d, true, /*allow=*/false);
      for (DeclId m : refs("invoke"))
        if (ctx_.program.decl(m).kindId == DeclKind::Model)
          invokeModel(r, m, /*allow=*/false);
    }
    return r;
  }
};

// Whether `s` holds a `$` or `%` (memchr scans a word or more at a time).
bool hasDollarOrPercent(llvm::StringRef s) {
  return std::memchr(s.data(), '$', s.size()) || std::memchr(s.data(), '%', s.size());
}

// Terraform evaluates `${` and `%{` in every string; `$${` and `%%{` are
// their literal forms.
std::string tfEscape(llvm::StringRef s) {
  // Most text (every policy document without a `$` or `%`) needs nothing.
  if (!hasDollarOrPercent(s))
    return s.str();
  std::string out;
  out.reserve(s.size() + 16);
  for (size_t i = 0; i < s.size(); ++i) {
    if ((s[i] == '$' || s[i] == '%') && i + 1 < s.size() && s[i + 1] == '{')
      out += s[i];
    out += s[i];
  }
  return out;
}

std::string tfId(llvm::StringRef name) {
  std::string out;
  for (char c : name)
    out += (llvm::isAlnum(c) || c == '_' || c == '-') ? c : '_';
  if (out.empty() || !(llvm::isAlpha(out[0]) || out[0] == '_'))
    out = "_" + out;
  return out;
}

// The file name for a role's owner team: `dnsLabel(team)`, or `_unowned`
// (which no dnsLabel can be) for a declaration without one.
std::string teamFile(const BackendContext &ctx, const sema::Decl &decl) {
  DeclId team = ctx.program.owner(ctx.env, decl.id);
  return team == sema::kNoDecl ? std::string("_unowned") : dnsLabel(ctx.program.decl(team).name);
}

// The text of a team's files, written straight into buffers: a team holds
// hundreds of roles, and nlohmann objects look keys up linearly.
struct TeamFiles {
  std::string file;      // `roles/<team>.json`
  std::string roles;     // the file up to and including the entries of `roles`, comma-joined
  size_t rolesStart = 0; // where the entries start
  std::string tf[4];     // aws_iam_role, aws_iam_policy, ..._attachment, ..._association
  const sema::Decl *first = nullptr;
};

constexpr const char *kTfTypes[4] = {"aws_iam_role", "aws_iam_policy", "aws_iam_role_policy_attachment",
                                     "aws_eks_pod_identity_association"};

// `,\n<indent>"key": ` (the comma unless `first`).
void key(std::string &out, int level, llvm::StringRef k, bool first = false) {
  json::member(out, 2, level, k, first);
}

void str(std::string &out, int level, llvm::StringRef k, llvm::StringRef v, bool first = false) {
  key(out, level, k, first);
  json::appendString(out, v);
}

// The same for a Terraform string: `v` through tfEscape, copied only when
// it holds a `$` or `%`.
void tfStr(std::string &out, int level, llvm::StringRef k, llvm::StringRef v, bool first = false) {
  if (!hasDollarOrPercent(v))
    str(out, level, k, v, first);
  else
    str(out, level, k, tfEscape(v), first);
}

// IAM's documented quotas, in characters without white space.
constexpr size_t kManagedPolicyChars = 6144;
constexpr size_t kInlinePolicyChars = 10240;

class IamBackend final : public Backend {
public:
  llvm::StringRef name() const override { return "iam"; }

  void emit(const BackendContext &ctx, Output &out) const override {
    const WorkspaceInfo &ws = workspaceInfo(ctx);
    // Roles per team file, to size the buffers once: a team's files run to
    // megabytes, and growing them by doubling copies and faults in fresh
    // pages again and again. Over-reserving costs address space only.
    std::map<std::string, size_t> counts;
    size_t total = 0;
    // Each role's team file name, by declaration id (ids index `decls`):
    // the owner lookup is not free, and every role needs it twice.
    std::vector<std::string> teamOf(ctx.program.decls.size());
    for (const sema::Decl &decl : ctx.program.decls) {
      if (decl.fromStdlib || decl.id >= ctx.env.exists.size() || !ctx.env.exists[decl.id])
        continue;
      size_t n = decl.kindId == DeclKind::Model          ? 2
                 : decl.kindId == DeclKind::Service || decl.kindId == DeclKind::Pipeline ||
                         decl.kindId == DeclKind::Agent
                     ? 1
                     : 0;
      if (n) {
        teamOf[decl.id] = teamFile(ctx, decl);
        counts[teamOf[decl.id]] += n;
        total += n;
      }
    }
    std::map<std::string, TeamFiles> teams;
    // The manifest, written from its opening on so the finished text needs
    // no copy.
    std::string manifest;
    manifest.reserve(total * 192 + 1024);
    manifest = "{";
    str(manifest, 1, "generatedBy", "platc", true);
    str(manifest, 1, "environment", ctx.env.name);
    key(manifest, 1, "roles");
    manifest += '[';
    const size_t indexStart = manifest.size();
    std::set<std::string> seen;
    bool any = false;
    // Per role, reused: the compact trust and policy documents joined by a
    // newline (the content hash's input), each as a JSON string, and a
    // command line.
    std::string docs, trustString, policyString, command;
    Builder(ctx).forEach([&](Role &&r) {
      any = true;
      // forEach yields roles for exactly the declarations counted above.
      const std::string &team = teamOf[r.decl->id];
      if (!seen.insert(r.name).second) {
        out.conflict("iam/roles/" + team + ".json", fmt::format("role `{}`", r.name), r.decl->nameSpan);
        return;
      }
      auto [it, added] = teams.try_emplace(team);
      TeamFiles &t = it->second;
      const std::string &file = t.file;
      if (added) {
        t.first = r.decl;
        t.file = "roles/" + team + ".json";
        size_t n = counts[team] + 1;
        // The file's opening, so the finished text needs no copy.
        std::string &doc = t.roles;
        doc.reserve(n * 6144 + 4096);
        doc = "{";
        str(doc, 1, "generatedBy", "platc", true);
        str(doc, 1, "environment", ctx.env.name);
        str(doc, 1, "team", team);
        key(doc, 1, "roles");
        doc += '{';
        t.rolesStart = doc.size();
        static const size_t kPerRole[4] = {1536, 2048, 320, 384};
        for (int k = 0; k < 4; ++k)
          t.tf[k].reserve(n * kPerRole[k]);
      }
      std::string source = sourceLocation(ctx, *r.decl);
      // Each document's compact text is written once, and quoted once for
      // the CLI input and (when it holds no `$` or `%`) Terraform.
      docs.clear();
      appendTrustDocument(docs, r.trust);
      size_t trustSize = docs.size();
      docs += '\n';
      appendPolicyDocument(docs, r.statements);
      llvm::StringRef trustText = llvm::StringRef(docs).take_front(trustSize);
      llvm::StringRef policyText = llvm::StringRef(docs).drop_front(trustSize + 1);
      std::string hash = contentHash(docs);
      trustString.clear();
      json::appendString(trustString, trustText);
      policyString.clear();
      json::appendString(policyString, policyText);
      const std::pair<const char *, const std::string *> tags[] = {{"plat:source", &source},
                                                                   {"plat:declaration", &r.decl->qualifiedName},
                                                                   {"plat:content-hash", &hash}};
      // IAM rejects a policy without statements: a role that needs no
      // permission (a service that only calls other services) gets none.
      bool hasPolicy = !r.statements.empty();
      // IAM counts a policy's characters without white space: at most
      // 6,144 for a managed policy (what Terraform creates) and 10,240 for
      // a role's inline policies (what the CLI calls put). Past the smaller,
      // one of the two ways to apply the output would fail.
      if (hasPolicy) {
        size_t chars = 0;
        for (char c : policyText)
          chars += c != ' ' && c != '\n' && c != '\t' && c != '\r';
        if (chars > kManagedPolicyChars)
          out.problem(r.decl->nameSpan,
                      fmt::format("the permission policy of role `{}` is {} characters, over IAM's "
                                  "limit of {} for a managed policy ({} for inline policies)",
                                  r.name, chars, kManagedPolicyChars, kInlinePolicyChars),
                      fmt::format("`{}` reaches too many resources for one role: split it, or "
                                  "read a dataset's whole prefix instead of many sub-prefixes",
                                  r.decl->name));
      }

      // roles/<team>.json: "roles": { "<name>": { ... } } at depth 2.
      std::string &o = t.roles;
      key(o, 2, r.name, o.size() == t.rolesStart);
      o += '{';
      str(o, 3, "arn", r.arn, true);
      str(o, 3, "declaration", r.decl->qualifiedName);
      str(o, 3, "kind", r.decl->kind);
      if (!r.purpose.empty())
        str(o, 3, "purpose", r.purpose);
      str(o, 3, "source", source);
      str(o, 3, "contentHash", hash);
      key(o, 3, "trustPolicy");
      appendTrustDocument(o, r.trust, 2, 3);
      if (hasPolicy) {
        key(o, 3, "policy");
        appendPolicyDocument(o, r.statements, 2, 3);
      }
      key(o, 3, "notGranted");
      if (r.notGranted.empty()) {
        o += "[]";
      } else {
        o += '[';
        for (size_t i = 0; i < r.notGranted.size(); ++i) {
          o += i ? "," : "";
          json::newline(o, 2, 4);
          json::appendString(o, r.notGranted[i]);
        }
        json::newline(o, 2, 3);
        o += ']';
      }
      key(o, 3, "createRole");
      o += '{';
      str(o, 4, "RoleName", r.name, true);
      str(o, 4, "Path", "/");
      str(o, 4, "Description", r.description);
      key(o, 4, "MaxSessionDuration");
      o += "3600";
      key(o, 4, "AssumeRolePolicyDocument");
      o += trustString;
      key(o, 4, "Tags");
      o += '[';
      for (const auto &[k, v] : tags) {
        o += k == tags[0].first ? "" : ",";
        json::newline(o, 2, 5);
        o += '{';
        str(o, 6, "Key", k, true);
        str(o, 6, "Value", *v);
        json::newline(o, 2, 5);
        o += '}';
      }
      o += ',';
      json::newline(o, 2, 5);
      o += '{';
      str(o, 6, "Key", "plat:managed-by", true);
      str(o, 6, "Value", "platc");
      json::newline(o, 2, 5);
      o += '}';
      json::newline(o, 2, 4);
      o += ']';
      json::newline(o, 2, 3);
      o += '}';
      if (hasPolicy) {
        key(o, 3, "putRolePolicy");
        o += '{';
        str(o, 4, "RoleName", r.name, true);
        str(o, 4, "PolicyName", r.name);
        key(o, 4, "PolicyDocument");
        o += policyString;
        json::newline(o, 2, 3);
        o += '}';
      }
      // The AWS CLI reads each call's input from this file with jq, from
      // the environment's iam/ folder (role names need no shell quoting).
      key(o, 3, "commands");
      o += '[';
      json::newline(o, 2, 4);
      command.clear();
      fmt::format_to(std::back_inserter(command),
                     "aws iam create-role --cli-input-json \"$(jq '.roles[\"{0}\"].createRole' {1})\"", r.name, file);
      json::appendString(o, command);
      if (hasPolicy) {
        o += ',';
        json::newline(o, 2, 4);
        command.clear();
        fmt::format_to(std::back_inserter(command),
                       "aws iam put-role-policy --cli-input-json \"$(jq '.roles[\"{0}\"].putRolePolicy' {1})\"",
                       r.name, file);
        json::appendString(o, command);
      }
      json::newline(o, 2, 3);
      o += ']';
      json::newline(o, 2, 2);
      o += '}';

      // terraform/<team>.tf.json: "resource": { "<type>": { "<id>": {...} } }
      // at depth 3.
      std::string id = tfId(r.name);
      auto tfTags = [&](std::string &x) {
        key(x, 4, "tags");
        x += '{';
        for (const auto &[k, v] : tags)
          tfStr(x, 5, k, *v, k == tags[0].first);
        str(x, 5, "plat:managed-by", "platc");
        json::newline(x, 2, 4);
        x += '}';
      };
      // A document as a Terraform string: the quoted text already written
      // unless it holds a `$` or `%` that tfEscape may double.
      auto tfDocument = [&](std::string &x, llvm::StringRef k, llvm::StringRef text, const std::string &quoted) {
        if (!hasDollarOrPercent(text)) {
          key(x, 4, k);
          x += quoted;
        } else {
          str(x, 4, k, tfEscape(text));
        }
      };
      {
        std::string &x = t.tf[0];
        key(x, 3, id, x.empty());
        x += '{';
        str(x, 4, "name", r.name, true);
        str(x, 4, "path", "/");
        tfStr(x, 4, "description", r.description);
        key(x, 4, "max_session_duration");
        x += "3600";
        tfDocument(x, "assume_role_policy", trustText, trustString);
        tfTags(x);
        json::newline(x, 2, 3);
        x += '}';
      }
      if (hasPolicy) {
        std::string &x = t.tf[1];
        key(x, 3, id, x.empty());
        x += '{';
        str(x, 4, "name", r.name, true);
        str(x, 4, "path", "/");
        tfStr(x, 4, "description", r.description);
        tfDocument(x, "policy", policyText, policyString);
        tfTags(x);
        json::newline(x, 2, 3);
        x += '}';
        std::string &y = t.tf[2];
        key(y, 3, id, y.empty());
        y += '{';
        str(y, 4, "role", fmt::format("${{aws_iam_role.{}.name}}", id), true);
        str(y, 4, "policy_arn", fmt::format("${{aws_iam_policy.{}.arn}}", id));
        json::newline(y, 2, 3);
        y += '}';
      }
      if (!r.podIdentityServiceAccount.empty()) {
        std::string &x = t.tf[3];
        key(x, 3, id, x.empty());
        x += '{';
        str(x, 4, "cluster_name", ws.cluster, true);
        str(x, 4, "namespace", r.podIdentityNamespace);
        str(x, 4, "service_account", r.podIdentityServiceAccount);
        str(x, 4, "role_arn", fmt::format("${{aws_iam_role.{}.arn}}", id));
        json::newline(x, 2, 3);
        x += '}';
      }

      std::string &m = manifest;
      m += m.size() == indexStart ? "" : ",";
      json::newline(m, 2, 2);
      m += '{';
      str(m, 3, "role", r.name, true);
      str(m, 3, "declaration", r.decl->qualifiedName);
      str(m, 3, "file", file);
      json::newline(m, 2, 2);
      m += '}';
    });
    if (!any)
      return;
    for (auto &[team, t] : teams) {
      std::string &doc = t.roles;
      json::newline(doc, 2, 1);
      doc += "}\n}\n";
      out.add("iam/roles/" + team + ".json", std::move(doc), t.first->nameSpan);
      std::string().swap(doc);

      // Pieces freed here make room for the next team's file: writing
      // every role's resources straight into one buffer per file would
      // leave nothing to reuse and fault in more fresh pages.
      std::string tf;
      tf.reserve(t.tf[0].size() + t.tf[1].size() + t.tf[2].size() + t.tf[3].size() + 1024);
      tf = "{";
      str(tf, 1, "//",
          fmt::format("Generated by platc for the roles of team {} in environment {}. Do not edit.", team,
                      ctx.env.name),
          true);
      key(tf, 1, "resource");
      tf += '{';
      bool firstType = true;
      for (int k = 0; k < 4; ++k) {
        if (t.tf[k].empty())
          continue;
        key(tf, 2, kTfTypes[k], firstType);
        firstType = false;
        tf += '{';
        tf += t.tf[k];
        std::string().swap(t.tf[k]);
        json::newline(tf, 2, 2);
        tf += '}';
      }
      json::newline(tf, 2, 1);
      tf += "}\n}\n";
      out.add("iam/terraform/" + team + ".tf.json", std::move(tf), t.first->nameSpan);
    }
    // The folder is one Terraform root module: its provider, pinned to the
    // workspace's region and account, so `terraform apply` there needs no
    // configuration from the reader's environment (where state lives is
    // the team's choice: docs/backends/iam.md). Team files are named after
    // identifiers, which hold no `.`, so this name never clashes.
    if (!teams.empty()) {
      std::string p = "{";
      str(p, 1, "//",
          fmt::format("Generated by platc for environment {}: the AWS provider of this folder. Do not edit.",
                      ctx.env.name),
          true);
      key(p, 1, "terraform");
      p += '{';
      str(p, 2, "required_version", ">= 1.3.0", true);
      key(p, 2, "required_providers");
      p += '{';
      key(p, 3, "aws", true);
      p += '{';
      str(p, 4, "source", "hashicorp/aws", true);
      str(p, 4, "version", ">= 5.0");
      json::newline(p, 2, 3);
      p += '}';
      json::newline(p, 2, 2);
      p += '}';
      json::newline(p, 2, 1);
      p += '}';
      key(p, 1, "provider");
      p += '{';
      key(p, 2, "aws", true);
      p += '{';
      str(p, 3, "region", ws.region, true);
      key(p, 3, "allowed_account_ids");
      p += '[';
      json::appendString(p, ws.account);
      p += ']';
      json::newline(p, 2, 2);
      p += '}';
      json::newline(p, 2, 1);
      p += "}\n}\n";
      out.add("iam/terraform/providers.platc.tf.json", std::move(p));
    }
    if (manifest.size() != indexStart)
      json::newline(manifest, 2, 1);
    manifest += ']';
    manifest += "\n}\n";
    out.add("iam/manifest.json", std::move(manifest));
  }
};

} // namespace

std::vector<Role> roles(const BackendContext &ctx) { return Builder(ctx).run(); }

} // namespace iam

std::unique_ptr<Backend> makeIamBackend() { return std::make_unique<iam::IamBackend>(); }

} // namespace plat::backends
