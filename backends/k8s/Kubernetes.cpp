// The Kubernetes backend: per environment, one multi-document YAML file per
// namespace, `k8s/<namespace>.yaml`, holding every object in it: the team's
// Namespace, ResourceQuota and LimitRange, then per declaration (in
// declaration order) the objects of its services (ServiceAccount, ConfigMap,
// Deployment, Service, HorizontalPodAutoscaler, PodDisruptionBudget,
// NetworkPolicy), pipelines (ServiceAccount for their task pods) and
// in-cluster agents (ServiceAccount, NetworkPolicy, and a Role and
// RoleBinding in each namespace whose services they may invoke); plus
// `k8s/kustomization.yaml` listing the files.
// docs/backends/kubernetes.md explains every choice made here.
#include <cmath>
#include <map>
#include <set>

#include "backends/Common.h"
#include "backends/Naming.h"
#include "backends/k8s/Manifests.h"
#include "fmt/format.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"

namespace plat::backends {

namespace fields = sema::fields;
namespace records = sema::records;
namespace k8s {

using sema::DeclId;
using sema::DeclKind;
using sema::EdgeKind;
using sema::Value;

// ---- quantities

std::string cpuQuantity(double cores) {
  long long milli = std::llround(cores * 1000);
  if (milli % 1000 == 0)
    return fmt::format("{}", milli / 1000);
  return fmt::format("{}m", milli);
}

std::string memoryQuantity(double bytes) {
  long long b = std::llround(bytes);
  static const std::pair<const char *, long long> kUnits[] = {
      {"Ti", 1LL << 40}, {"Gi", 1LL << 30}, {"Mi", 1LL << 20}, {"Ki", 1LL << 10}};
  for (const auto &[suffix, size] : kUnits)
    if (b != 0 && b % size == 0)
      return fmt::format("{}{}", b / size, suffix);
  return fmt::format("{}", b);
}

namespace {

// Where public traffic comes from: the ingress controller's namespace. The
// workspace has no field for it yet; ingress-nginx is the common default and
// a service's `patch { networkpolicy = ... }` can change it.
constexpr const char *kIngressNamespace = "ingress-nginx";
// Where Prometheus runs, for services with objectives to let it scrape
// their metrics: kube-prometheus's namespace, the common default.
constexpr const char *kPrometheusNamespace = "monitoring";
// Every namespace carries this label (Kubernetes 1.21+), so policies can
// select namespaces by name without labelling them first.
constexpr const char *kNamespaceNameLabel = "kubernetes.io/metadata.name";
constexpr const char *kNameLabel = "app.kubernetes.io/name";

// One generated object.
struct Object {
  std::string ns; // empty for cluster-scoped objects
  std::string kind;
  std::string name;
  Json body;
  const sema::Decl *decl = nullptr; // provenance
  // Objects written straight to YAML text instead (body unused): the text,
  // less the content hash, which goes at `hashPos` (indented by 4).
  bool direct = false;
  std::string text;
  size_t hashPos = 0;
};

// Block YAML written straight into a string, laid out exactly as
// yaml::appendDocument lays out the same tree: keys of a mapping at its
// indent, collections under a key two further, list items as `- ` with
// their first key on the same line. Constant keys are written as they are
// (all plain-safe); user text goes through yaml::appendScalar.
struct YamlText {
  std::string &o;
  void key(int indent, llvm::StringRef k) {
    o.append(static_cast<size_t>(indent), ' ');
    o.append(k.data(), k.size());
    o += ':';
  }
  void open(int indent, llvm::StringRef k) {
    key(indent, k);
    o += '\n';
  }
  void str(int indent, llvm::StringRef k, llvm::StringRef v) {
    key(indent, k);
    o += ' ';
    yaml::appendScalar(o, v);
    o += '\n';
  }
  // A user-given key.
  void userStr(int indent, llvm::StringRef k, llvm::StringRef v) {
    o.append(static_cast<size_t>(indent), ' ');
    yaml::appendScalar(o, k);
    o += ": ";
    yaml::appendScalar(o, v);
    o += '\n';
  }
  void num(int indent, llvm::StringRef k, int64_t v) {
    key(indent, k);
    fmt::format_to(std::back_inserter(o), " {}\n", v);
  }
  // A value written as is: `true`, `false`, `{}`.
  void raw(int indent, llvm::StringRef k, llvm::StringRef v) {
    key(indent, k);
    o += ' ';
    o.append(v.data(), v.size());
    o += '\n';
  }
  void item(int indent) {
    o.append(static_cast<size_t>(indent), ' ');
    o += "- ";
  }
};

class Emitter {
public:
  explicit Emitter(const BackendContext &ctx)
      : ctx_(ctx), ws_(workspaceInfo(ctx)), into_(edgesInto(ctx)), partOf_(dnsLabel(ws_.name)) {}

  void run(Output &out) {
    // The likely size of each namespace's file, to allocate it once: about
    // 7 KB of YAML per service, far less for the rest. Reserving too much
    // costs address space only.
    for (const sema::Decl &decl : ctx_.program.decls) {
      if (decl.fromStdlib || !exists(decl.id))
        continue;
      size_t bytes = decl.kindId == DeclKind::Service                                      ? 8192
                     : decl.kindId == DeclKind::Pipeline || decl.kindId == DeclKind::Agent ? 2048
                                                                                           : 0;
      if (bytes)
        expected_[namespaceOf(ctx_, decl.id)] += bytes;
    }
    // Services with objectives, by owner team, in declaration order: the
    // team's PrometheusRule holds their alerts.
    for (const sema::Decl &decl : ctx_.program.decls)
      if (!decl.fromStdlib && decl.kindId == DeclKind::Service && exists(decl.id) &&
          get(decl.id, fields::service::slo))
        if (DeclId team = ctx_.program.owner(ctx_.env, decl.id); team != sema::kNoDecl)
          objectives_[team].push_back(decl.id);
    for (const sema::Decl &decl : ctx_.program.decls) {
      if (decl.fromStdlib || decl.id >= ctx_.env.exists.size() || !ctx_.env.exists[decl.id])
        continue;
      switch (decl.kindId) {
      case DeclKind::Team:
        team(decl);
        break;
      case DeclKind::Service:
        service(decl);
        break;
      case DeclKind::Pipeline:
        pipeline(decl);
        break;
      case DeclKind::Agent:
        agent(decl);
        break;
      // Models run on SageMaker and datasets live in S3: nothing of theirs
      // runs in the cluster. The rest are not deployed at all.
      case DeclKind::Model:
      case DeclKind::Dataset:
      case DeclKind::Workspace:
      case DeclKind::Environment:
      case DeclKind::Policy:
      case DeclKind::Instance:
      case DeclKind::Framework:
      case DeclKind::Region:
        break;
      }
      finish(out);
    }
    write(out);
  }

private:
  const BackendContext &ctx_;
  const WorkspaceInfo &ws_;
  const EdgesInto &into_;
  std::string partOf_;
  std::vector<Object> objects_;
  // Labels and source of the declaration whose objects are being added.
  const sema::Decl *labelled_ = nullptr;
  Json labels_;
  std::string source_;
  // The labels as YAML lines at indent 4 and 8 (metadata and pod template),
  // written once per declaration.
  std::string labelText_[2];
  // Patches by object, collected by service(); applied in write().
  std::map<size_t, Json> patches_;
  // Services with an `slo`, by owner team.
  std::map<DeclId, std::vector<DeclId>> objectives_;

  bool exists(DeclId id) const {
    return id < ctx_.env.exists.size() && ctx_.env.exists[id];
  }
  const Value *get(DeclId id, sema::FieldKey field) const { return ctx_.env.get(id, field); }
  const Value *get(DeclId id, sema::SharedFieldKey field) const { return ctx_.env.get(id, field); }

  std::string teamName(const sema::Decl &decl) const {
    DeclId team = ctx_.program.owner(ctx_.env, decl.id);
    return team == sema::kNoDecl ? std::string() : ctx_.program.decl(team).name;
  }

  // The labels every object of a declaration carries.
  const Json &labels(const sema::Decl &decl) {
    if (labelled_ != &decl) {
      labelled_ = &decl;
      labels_ = computeLabels(decl);
      source_ = sourceLocation(ctx_, decl);
      labelText_[0].clear();
      labelText_[1].clear();
    }
    return labels_;
  }
  const std::string &source(const sema::Decl &decl) {
    labels(decl);
    return source_;
  }

  Json computeLabels(const sema::Decl &decl) const {
    Json l = Json::object();
    l[kNameLabel] = dnsLabel(decl.name);
    l["app.kubernetes.io/part-of"] = partOf_;
    l["app.kubernetes.io/managed-by"] = "platc";
    std::string team = decl.kindId == DeclKind::Team ? decl.name : teamName(decl);
    if (!team.empty())
      l["plat.dev/team"] = dnsLabel(team);
    if (const Value *c = get(decl.id, fields::any::compliance); c && !c->items.empty()) {
      std::set<std::string> names;
      for (const Value *item : c->items)
        names.insert(item->text);
      // A label value cannot hold a list; profiles are single words, so `.`
      // joins them unambiguously (`gdpr.pci`).
      l["plat.dev/compliance"] = llvm::join(names, ".");
    }
    return l;
  }

  Json metadata(const sema::Decl &decl, const std::string &name, const std::string &ns) {
    Json m = Json::object();
    m["name"] = name;
    if (!ns.empty())
      m["namespace"] = ns;
    m["labels"] = labels(decl);
    m["annotations"] = Json{{"plat.dev/source", source(decl)}};
    return m;
  }

  size_t add(const sema::Decl &decl, const std::string &apiVersion, const std::string &kind,
             const std::string &name, const std::string &ns, Json spec, const char *specKey = "spec") {
    Json body = Json::object();
    body["apiVersion"] = apiVersion;
    body["kind"] = kind;
    body["metadata"] = metadata(decl, name, ns);
    if (!spec.is_null())
      body[specKey] = std::move(spec);
    objects_.push_back(Object{ns, kind, name, std::move(body), &decl, false, {}, 0});
    return objects_.size() - 1;
  }

  // ---- teams

  void team(const sema::Decl &decl) {
    std::string ns = namespaceFor(ctx_, decl);
    size_t i = add(decl, "v1", "Namespace", ns, "", nullptr);
    // The generated workloads meet the `restricted` Pod Security Standard;
    // enforcing it keeps hand-written pods in these namespaces to it too.
    Json &nsLabels = objects_[i].body["metadata"]["labels"];
    nsLabels["pod-security.kubernetes.io/enforce"] = "restricted";
    nsLabels["pod-security.kubernetes.io/enforce-version"] = "latest";

    // Quota only when the team declares one: deriving CPU and memory from a
    // money budget would need a price model of the nodes that the cost
    // report owns, and a wrong quota blocks deploys.
    if (const Value *quota = get(decl.id, fields::team::quota)) {
      Json hard = Json::object();
      if (const Value *cpu = quota->field(records::namespace_quota::cpu))
        hard["requests.cpu"] = cpuQuantity(cpu->number);
      if (const Value *memory = quota->field(records::namespace_quota::memory)) {
        hard["requests.memory"] = memoryQuantity(memory->number);
        // Memory limits default to requests (LimitRange below and every
        // generated container), so the same figure bounds both.
        hard["limits.memory"] = memoryQuantity(memory->number);
      }
      if (const Value *pods = quota->field(records::namespace_quota::pods))
        hard["pods"] = std::to_string(pods->integer);
      add(decl, "v1", "ResourceQuota", "quota", ns, Json{{"hard", hard}});
    }

    // Defaults for containers that name no resources (hand-written pods,
    // Airflow task pods): the stdlib's own `resources` defaults, so that a
    // quota on requests never rejects them and no container runs unbounded.
    Json limit = Json::object();
    limit["type"] = "Container";
    limit["default"] = Json{{"memory", "256Mi"}};
    limit["defaultRequest"] = Json{{"cpu", "250m"}, {"memory", "256Mi"}};
    add(decl, "v1", "LimitRange", "defaults", ns, Json{{"limits", Json::array({limit})}});

    if (auto it = objectives_.find(decl.id); it != objectives_.end()) {
      add(decl, "monitoring.coreos.com/v1", "PrometheusRule", "objectives", ns, objectiveRules(decl, it->second));
      Json routing = alertRouting(decl);
      if (!routing.is_null())
        add(decl, "monitoring.coreos.com/v1alpha1", "AlertmanagerConfig", "on-call", ns, std::move(routing));
    }
  }

  // ---- objectives: monitors, burn-rate alerts and routing
  //
  // The method of the Google SRE workbook (chapter 5, "Alerting on SLOs"),
  // as Sloth and Pyrra generate it: the error ratio is recorded over 5m to
  // 3d, and an alert fires when both a long and a short window burn the
  // error budget faster than a factor. The factors spend a fixed share of
  // the budget: 2 % in 1h or 5 % in 6h page; 10 % in 1d or in 3d open a
  // ticket. Over 30 days these are the workbook's 14.4, 6, 3 and 1.

  struct BurnWindow {
    const char *longWindow, *shortWindow;
    double longSeconds;
    double budgetShare; // of the whole window's error budget
  };
  static constexpr BurnWindow kPageWindows[] = {{"1h", "5m", 3600, 0.02}, {"6h", "30m", 21600, 0.05}};
  static constexpr BurnWindow kTicketWindows[] = {{"1d", "2h", 86400, 0.10}, {"3d", "6h", 259200, 0.10}};
  static constexpr const char *kRecordWindows[] = {"5m", "30m", "1h", "2h", "6h", "1d", "3d"};

  // The Secret in each team namespace that holds the receivers' keys; the
  // platform team creates it (credentials never appear in generated output).
  static constexpr const char *kAlertingSecret = "plat-alerting";

  static std::string number(double v) { return fmt::format("{:g}", v); }

  // The objectives of one service: (name, error ratio expression over a
  // `{window}`, budget as a ratio).
  struct Sli {
    std::string objective; // availability, latency
    std::string errorRatio; // with `$window` for the range
    double budget;
    std::string description;
  };
  std::vector<Sli> slis(DeclId id) const {
    std::vector<Sli> out;
    const Value *slo = get(id, fields::service::slo);
    if (!slo)
      return out;
    std::string sel = fmt::format("namespace=\"{}\",job=\"{}\"", namespaceOf(ctx_, id),
                                  dnsLabel(ctx_.program.decl(id).name));
    if (const Value *a = slo->field(records::objective::availability)) {
      double target = a->asNumber();
      out.push_back(Sli{"availability",
                        fmt::format("sum(rate(http_requests_total{{{0},code=~\"5..\"}}[$window]))"
                                    " / sum(rate(http_requests_total{{{0}}}[$window]))",
                                    sel),
                        (100.0 - target) / 100.0,
                        fmt::format("{}% of requests succeed (do not answer 5xx)", number(target))});
    }
    if (const Value *l = slo->field(records::objective::latency_p99)) {
      // 99 % of requests within the threshold: the share slower than it is
      // the error ratio. `le` as the Go client writes bucket bounds.
      std::string le = number(l->number);
      out.push_back(Sli{"latency",
                        fmt::format("1 - (sum(rate(http_request_duration_seconds_bucket{{{0},le=\"{1}\"}}[$window]))"
                                    " / sum(rate(http_request_duration_seconds_count{{{0}}}[$window])))",
                                    sel, le),
                        0.01, fmt::format("99% of requests answer within {}s", le)});
    }
    return out;
  }

  static std::string replaceWindow(const std::string &expr, llvm::StringRef window) {
    std::string out;
    llvm::StringRef rest = expr;
    for (size_t pos; (pos = rest.find("$window")) != llvm::StringRef::npos;) {
      out += rest.take_front(pos).str();
      out += window.str();
      rest = rest.drop_front(pos + 7);
    }
    out += rest.str();
    return out;
  }

  Json objectiveRules(const sema::Decl &team, const std::vector<DeclId> &services) const {
    bool production = ctx_.env.tier == "production";
    Json groups = Json::array();
    for (DeclId id : services) {
      double windowSeconds = 30 * 86400.0;
      const sema::Decl &svc = ctx_.program.decl(id);
      std::string name = dnsLabel(svc.name);
      const Value *slo = get(id, fields::service::slo);
      if (const Value *w = slo->field(records::objective::window))
        windowSeconds = w->number;
      const Value *runbook = slo->field(records::objective::runbook);
      Json rules = Json::array();
      for (const Sli &sli : slis(id)) {
        std::string sloName = name + "-" + sli.objective;
        Json labels{{"slo", sloName}, {"service", name}, {"objective", sli.objective}};
        for (const char *w : kRecordWindows)
          rules.push_back(Json{{"record", fmt::format("slo:sli_error:ratio_rate{}", w)},
                               {"expr", replaceWindow(sli.errorRatio, w)},
                               {"labels", labels}});
        auto alert = [&](const char *alertName, const BurnWindow *windows, size_t n, const char *severity,
                         const char *forDuration, const char *speed) {
          std::string expr;
          for (size_t i = 0; i < n; ++i) {
            double factor = windows[i].budgetShare * windowSeconds / windows[i].longSeconds;
            std::string threshold = fmt::format("({} * {})", number(factor), number(sli.budget));
            if (i)
              expr += " or ";
            expr += fmt::format("(slo:sli_error:ratio_rate{0}{{slo=\"{2}\"}} > {3} and "
                                "slo:sli_error:ratio_rate{1}{{slo=\"{2}\"}} > {3})",
                                windows[i].longWindow, windows[i].shortWindow, sloName, threshold);
          }
          Json l = labels;
          l["severity"] = severity;
          l["team"] = dnsLabel(team.name);
          l["namespace"] = namespaceFor(ctx_, team);
          Json annotations{
              {"summary", fmt::format("{} is burning its {} error budget {}", name, sli.objective, speed)},
              {"description", fmt::format("objective: {} over {} days", sli.description,
                                          number(windowSeconds / 86400))}};
          if (runbook)
            annotations["runbook_url"] = runbook->text;
          rules.push_back(Json{{"alert", alertName},
                               {"expr", expr},
                               {"for", forDuration},
                               {"labels", std::move(l)},
                               {"annotations", std::move(annotations)}});
        };
        // Production pages on a fast burn; other tiers open tickets only.
        alert("ErrorBudgetBurnFast", kPageWindows, 2, production ? "page" : "ticket", "2m", "fast");
        alert("ErrorBudgetBurnSlow", kTicketWindows, 2, "ticket", "15m", "slowly");
      }
      if (!rules.empty())
        groups.push_back(Json{{"name", "slo-" + name}, {"rules", std::move(rules)}});
    }
    return Json{{"groups", std::move(groups)}};
  }

  // Receivers from the team's `on_call` (`pagerduty:...`, `opsgenie:...`, an
  // email address, else a webhook) and `channel` (Slack). Pages go to the
  // on-call, tickets to the channel (to the on-call when there is none).
  Json alertRouting(const sema::Decl &team) const {
    const Value *onCall = get(team.id, fields::team::on_call);
    const Value *channel = get(team.id, fields::team::channel);
    if (!onCall && !channel)
      return nullptr;
    auto secret = [](const char *key) { return Json{{"name", kAlertingSecret}, {"key", key}}; };
    Json receivers = Json::array();
    if (onCall) {
      llvm::StringRef text = onCall->text;
      Json r{{"name", "on-call"}};
      if (text.consume_front("pagerduty:"))
        r["pagerdutyConfigs"] = Json::array({Json{{"routingKey", secret("pagerduty-routing-key")},
                                                  {"sendResolved", true},
                                                  {"details", Json::array({Json{{"key", "service"},
                                                                                {"value", text.str()}}})}}});
      else if (text.consume_front("opsgenie:"))
        r["opsgenieConfigs"] = Json::array({Json{{"apiKey", secret("opsgenie-api-key")},
                                                 {"sendResolved", true},
                                                 {"responders", Json::array({Json{{"type", "team"},
                                                                                  {"name", text.str()}}})}}});
      else if (text.contains('@'))
        r["emailConfigs"] = Json::array({Json{{"to", text.str()}, {"sendResolved", true}}});
      else
        r["webhookConfigs"] = Json::array({Json{{"urlSecret", secret("on-call-webhook-url")},
                                                {"sendResolved", true}}});
      receivers.push_back(std::move(r));
    }
    if (channel)
      receivers.push_back(Json{{"name", "tickets"},
                               {"slackConfigs", Json::array({Json{{"channel", channel->text},
                                                                  {"apiURL", secret("slack-api-url")},
                                                                  {"sendResolved", true}}})}});
    auto match = [](const char *name, const std::string &value) {
      return Json::array({Json{{"name", name}, {"value", value}, {"matchType", "="}}});
    };
    Json route = Json::object();
    route["receiver"] = onCall ? "on-call" : "tickets";
    route["groupBy"] = Json::array({"alertname", "slo"});
    route["matchers"] = match("team", dnsLabel(team.name));
    Json routes = Json::array();
    if (onCall)
      routes.push_back(Json{{"receiver", "on-call"}, {"matchers", match("severity", "page")}});
    routes.push_back(Json{{"receiver", channel ? "tickets" : "on-call"}, {"matchers", match("severity", "ticket")}});
    route["routes"] = std::move(routes);
    return Json{{"route", std::move(route)}, {"receivers", std::move(receivers)}};
  }

  // The port Prometheus scrapes, for a service with objectives and a port.
  std::optional<int64_t> metricsPort(DeclId id) const {
    std::optional<int64_t> p = port(id);
    if (!p || !get(id, fields::service::slo))
      return std::nullopt;
    if (const Value *metrics = get(id, fields::service::metrics))
      if (const Value *mp = metrics->field(records::metrics_endpoint::port))
        return mp->integer;
    return p;
  }

  // A ServiceMonitor for a service with objectives: Prometheus scrapes its
  // metrics endpoint, and the job label is the Service's name (what the
  // recording rules select).
  void serviceMonitor(const sema::Decl &decl, const std::string &ns) {
    const Value *slo = get(decl.id, fields::service::slo);
    if (!slo)
      return;
    std::optional<int64_t> servicePort = port(decl.id);
    const Value *metrics = get(decl.id, fields::service::metrics);
    const Value *metricsPort = metrics ? metrics->field(records::metrics_endpoint::port) : nullptr;
    const Value *path = metrics ? metrics->field(records::metrics_endpoint::path) : nullptr;
    if (!servicePort)
      return; // no Service to discover the pods through; P0542 reports it
    std::string name = dnsLabel(decl.name);
    Json endpoint = Json::object();
    if (!metricsPort || metricsPort->integer == *servicePort)
      endpoint["port"] = "http";
    else
      endpoint["targetPort"] = metricsPort->integer;
    endpoint["path"] = path ? path->text : "/metrics";
    endpoint["interval"] = "30s";
    Json spec = Json::object();
    spec["selector"] = Json{{"matchLabels", {{kNameLabel, name}}}};
    spec["namespaceSelector"] = Json{{"matchNames", Json::array({ns})}};
    spec["endpoints"] = Json::array({std::move(endpoint)});
    add(decl, "monitoring.coreos.com/v1", "ServiceMonitor", name, ns, std::move(spec));
  }

  // ---- services

  struct Replicas {
    int64_t min = 1, max = 1;
  };
  Replicas replicas(DeclId id) const {
    Replicas r;
    if (const Value *v = get(id, fields::service::replicas); v && v->items.size() == 2) {
      r.min = v->items[0]->integer;
      r.max = v->items[1]->integer;
    }
    return r;
  }

  // How a Deployment rolls, derived from its replicas and consistent with
  // the PodDisruptionBudget below (which lets a drain take one pod of a
  // small service, a quarter of one with 4 pods or more):
  // - fewer than 4 pods (one included): one extra pod at a time and none
  //   taken down before its replacement is ready (surge 1, unavailable 0);
  // - 4 pods or more: a quarter extra at a time; a quarter may be replaced
  //   in place, as much as the disruption budget allows, unless the service
  //   declares an availability objective, whose budget a rollout must not
  //   spend (unavailable 0).
  // A value is an integer or a percentage ("25%").
  struct Rollout {
    std::string surge, unavailable;
  };
  Rollout rollout(DeclId id, const Replicas &r) const {
    if (r.min < 4)
      return {"1", "0"};
    const Value *slo = get(id, fields::service::slo);
    bool objective = slo && slo->field(records::objective::availability);
    return {"25%", objective ? "0" : "25%"};
  }
  static Json intOrPercent(const std::string &v) {
    return llvm::StringRef(v).endswith("%") ? Json(v) : Json(std::stoll(v));
  }

  // The readiness probe's path (`health`) and the liveness probe's
  // (`liveness`, else the same).
  std::pair<std::string, std::string> probePaths(DeclId id) const {
    std::string health = "/healthz";
    if (const Value *h = get(id, fields::service::health))
      health = h->text;
    const Value *l = get(id, fields::service::liveness);
    return {health, l ? l->text : health};
  }

  std::optional<int64_t> port(DeclId id) const {
    if (const Value *v = get(id, fields::service::port))
      return v->integer;
    return std::nullopt;
  }

  // The peers a NetworkPolicy rule names for the pods of `decl`.
  Json podPeer(const sema::Decl &decl) const {
    return Json{{"namespaceSelector", {{"matchLabels", {{kNamespaceNameLabel, namespaceOf(ctx_, decl.id)}}}}},
                {"podSelector", {{"matchLabels", {{kNameLabel, dnsLabel(decl.name)}}}}}};
  }

  static Json tcp(int64_t port) { return Json{{"protocol", "TCP"}, {"port", port}}; }

  // Egress every policy allows: DNS to kube-dns.
  static Json dnsEgress() {
    Json peer{{"namespaceSelector", {{"matchLabels", {{kNamespaceNameLabel, "kube-system"}}}}},
              {"podSelector", {{"matchLabels", {{"k8s-app", "kube-dns"}}}}}};
    return Json{{"to", Json::array({peer})},
                {"ports", Json::array({Json{{"protocol", "UDP"}, {"port", 53}},
                                       Json{{"protocol", "TCP"}, {"port", 53}}})}};
  }

  // Egress to AWS APIs (SageMaker runtime, S3, STS for the role, Bedrock):
  // HTTPS to any address but the instance metadata service. NetworkPolicy
  // cannot name hosts, and these endpoints are public AWS addresses (or VPC
  // endpoint addresses the workspace does not declare); a service's patch
  // can narrow the CIDR to its VPC endpoints.
  void awsEgress(Json &egress) const {
    Json block{{"ipBlock", {{"cidr", "0.0.0.0/0"}, {"except", Json::array({"169.254.169.254/32"})}}}};
    egress.push_back(Json{{"to", Json::array({block})}, {"ports", Json::array({tcp(443)})}});
    if (!usesIrsa(ctx_)) {
      // EKS Pod Identity hands out credentials from the node-local agent at
      // 169.254.170.23:80.
      Json agentPeer{{"ipBlock", {{"cidr", "169.254.170.23/32"}}}};
      egress.push_back(Json{{"to", Json::array({agentPeer})}, {"ports", Json::array({tcp(80)})}});
    }
  }

  // Egress to the services among `targets` (they must have a port), one rule
  // per service so each names exactly its port.
  void serviceEgress(const std::vector<DeclId> &targets, Json &egress, bool &needsAws) const {
    for (DeclId to : targets) {
      const sema::Decl &target = ctx_.program.decl(to);
      if (target.kindId == DeclKind::Model) {
        needsAws = true;
        continue;
      }
      if (target.kindId != DeclKind::Service)
        continue;
      if (auto p = port(to))
        egress.push_back(Json{{"to", Json::array({podPeer(target)})}, {"ports", Json::array({tcp(*p)})}});
    }
  }

  // Sorted, unique targets of the edges of `kinds` out of `from`.
  std::vector<DeclId> edgesFrom(DeclId from, std::initializer_list<EdgeKind> kinds) const {
    std::vector<DeclId> out;
    for (EdgeKind kind : kinds)
      for (const sema::Edge &e : ctx_.env.edgesFrom(from, kind))
        if (exists(e.to))
          out.push_back(e.to);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }
  // Sorted, unique sources of the edges of `kind` into `to`.
  std::vector<DeclId> edgesTo(DeclId to, EdgeKind kind) const {
    std::vector<DeclId> out;
    for (const sema::Edge *e : into_.of(to))
      if (e->kind == kind && exists(e->from))
        out.push_back(e->from);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  // Agents that run in the cluster and may invoke `id`.
  std::vector<DeclId> invokingAgents(DeclId id) const {
    std::vector<DeclId> out;
    for (DeclId agent : edgesTo(id, EdgeKind::Invokes)) {
      const Value *inCluster = get(agent, fields::agent::in_cluster);
      if (!inCluster || inCluster->boolean)
        out.push_back(agent);
    }
    return out;
  }

  // ---- objects written straight to YAML text

  // Starts an object written as text: apiVersion, kind and metadata, with
  // `annotationKey` after the source annotation if given.
  Object &begin(const sema::Decl &decl, llvm::StringRef apiVersion, llvm::StringRef kind, const std::string &name,
                const std::string &ns, llvm::StringRef annotationKey = "", llvm::StringRef annotationValue = "") {
    objects_.push_back(Object{ns, kind.str(), name, Json(), &decl, true, {}, 0});
    Object &obj = objects_.back();
    obj.text.reserve(4096);
    YamlText y{obj.text};
    y.str(0, "apiVersion", apiVersion);
    y.str(0, "kind", kind);
    y.open(0, "metadata");
    y.str(2, "name", name);
    if (!ns.empty())
      y.str(2, "namespace", ns);
    y.open(2, "labels");
    labelLines(y, 4, decl);
    y.open(2, "annotations");
    y.str(4, "plat.dev/source", source(decl));
    if (!annotationKey.empty())
      y.str(4, annotationKey, annotationValue);
    obj.hashPos = obj.text.size();
    return obj;
  }

  void labelLines(YamlText &y, int indent, const sema::Decl &decl) {
    const Json &l = labels(decl);
    std::string *cached = indent == 4 ? &labelText_[0] : indent == 8 ? &labelText_[1] : nullptr;
    if (cached && !cached->empty()) {
      y.o += *cached;
      return;
    }
    size_t start = y.o.size();
    for (const auto &[k, v] : l.items())
      y.userStr(indent, k, v.get_ref<const std::string &>());
    if (cached)
      cached->assign(y.o, start, std::string::npos);
  }

  size_t serviceAccountText(const sema::Decl &decl, const std::string &ns, const std::string &role) {
    Object &obj = begin(decl, "v1", "ServiceAccount", serviceAccountName(decl), ns,
                        usesIrsa(ctx_) ? "eks.amazonaws.com/role-arn" : "plat.dev/iam-role-arn", role);
    YamlText{obj.text}.raw(0, "automountServiceAccountToken", "false");
    return objects_.size() - 1;
  }

  // `matchLabels: {app.kubernetes.io/name: name}` under `key` at `indent`.
  static void selectorText(YamlText &y, int indent, llvm::StringRef key, const std::string &name) {
    y.open(indent, key);
    y.open(indent + 2, "matchLabels");
    y.str(indent + 4, kNameLabel, name);
  }

  void resourcesText(YamlText &y, int indent, const Value *res) const {
    const Value *cpu = res ? res->field(records::resources::cpu) : nullptr;
    const Value *memory = res ? res->field(records::resources::memory) : nullptr;
    const Value *cpuLimit = res ? res->field(records::resources::cpu_limit) : nullptr;
    const Value *memoryLimit = res ? res->field(records::resources::memory_limit) : nullptr;
    const Value *m = memoryLimit ? memoryLimit : memory;
    if (!cpu && !memory && !cpuLimit && !m) {
      y.raw(indent, "resources", "{}");
      return;
    }
    y.open(indent, "resources");
    if (cpu || memory) {
      y.open(indent + 2, "requests");
      if (cpu)
        y.str(indent + 4, "cpu", cpuQuantity(cpu->number));
      if (memory)
        y.str(indent + 4, "memory", memoryQuantity(memory->number));
    }
    if (cpuLimit || m) {
      y.open(indent + 2, "limits");
      if (cpuLimit)
        y.str(indent + 4, "cpu", cpuQuantity(cpuLimit->number));
      if (m)
        y.str(indent + 4, "memory", memoryQuantity(m->number));
    }
  }

  // service() for a service without patches: the same objects, as text.
  void serviceText(const sema::Decl &decl, const std::string &ns) {
    DeclId id = decl.id;
    std::string name = dnsLabel(decl.name);
    Replicas r = replicas(id);
    std::optional<int64_t> p = port(id);

    const Value *config = get(id, fields::service::config);
    std::string configHash;
    if (config && !config->fields.empty()) {
      Json data = Json::object();
      for (const sema::NamedValue &f : config->fields)
        data[f.name] = f.value->text;
      configHash = contentHash(data.dump());
      Object &obj = begin(decl, "v1", "ConfigMap", name + "-config", ns);
      YamlText y{obj.text};
      y.open(0, "data");
      for (const auto &[k, v] : data.items())
        y.userStr(2, k, v.get_ref<const std::string &>());
    }

    serviceAccountText(decl, ns, roleArn(ctx_, decl));

    {
      Object &obj = begin(decl, "apps/v1", "Deployment", name, ns);
      YamlText y{obj.text};
      bool autoscaled = r.min < r.max;
      y.open(0, "spec");
      if (!autoscaled)
        y.num(2, "replicas", r.min);
      selectorText(y, 2, "selector", name);
      y.open(2, "strategy");
      y.str(4, "type", "RollingUpdate");
      y.open(4, "rollingUpdate");
      Rollout roll = rollout(decl.id, r);
      for (auto [key, value] : {std::pair{"maxUnavailable", &roll.unavailable}, {"maxSurge", &roll.surge}}) {
        if (llvm::StringRef(*value).endswith("%"))
          y.str(6, key, *value);
        else
          y.num(6, key, std::stoll(*value));
      }
      y.open(2, "template");
      y.open(4, "metadata");
      y.open(6, "labels");
      labelLines(y, 8, decl);
      if (!configHash.empty()) {
        y.open(6, "annotations");
        y.str(8, "plat.dev/config-hash", configHash);
      }
      y.open(4, "spec");
      y.str(6, "serviceAccountName", serviceAccountName(decl));
      y.raw(6, "automountServiceAccountToken", "false");
      y.open(6, "securityContext");
      y.raw(8, "runAsNonRoot", "true");
      y.open(8, "seccompProfile");
      y.str(10, "type", "RuntimeDefault");
      if (r.max > 1) {
        y.open(6, "topologySpreadConstraints");
        y.item(8);
        y.num(0, "maxSkew", 1);
        y.str(10, "topologyKey", "topology.kubernetes.io/zone");
        y.str(10, "whenUnsatisfiable", "ScheduleAnyway");
        selectorText(y, 10, "labelSelector", name);
      }
      y.open(6, "containers");
      y.item(8);
      y.str(0, "name", name);
      if (const Value *image = get(id, fields::service::image))
        y.str(10, "image", image->text);
      y.str(10, "imagePullPolicy", "IfNotPresent");
      if (p) {
        y.open(10, "ports");
        y.item(12);
        y.str(0, "name", "http");
        y.num(14, "containerPort", *p);
        y.str(14, "protocol", "TCP");
      }
      if (!configHash.empty()) {
        y.open(10, "envFrom");
        y.item(12);
        y.open(0, "configMapRef");
        y.str(16, "name", name + "-config");
      }
      if (const Value *secrets = get(id, fields::service::secrets); secrets && !secrets->fields.empty()) {
        y.open(10, "env");
        for (const sema::NamedValue &f : secrets->fields) {
          y.item(12);
          y.str(0, "name", f.name);
          y.open(14, "valueFrom");
          y.open(16, "secretKeyRef");
          y.str(18, "name", secretName(f.value->text));
          y.str(18, "key", "value");
        }
      }
      resourcesText(y, 10, get(id, fields::service::resources));
      if (p) {
        auto [health, liveness] = probePaths(id);
        y.open(10, "readinessProbe");
        y.open(12, "httpGet");
        y.str(14, "path", health);
        y.str(14, "port", "http");
        y.num(12, "periodSeconds", 5);
        y.num(12, "failureThreshold", 3);
        y.open(10, "livenessProbe");
        y.open(12, "httpGet");
        y.str(14, "path", liveness);
        y.str(14, "port", "http");
        y.num(12, "initialDelaySeconds", 10);
        y.num(12, "periodSeconds", 10);
        y.num(12, "failureThreshold", 6);
      }
      y.open(10, "securityContext");
      y.raw(12, "allowPrivilegeEscalation", "false");
      y.raw(12, "readOnlyRootFilesystem", "true");
      y.raw(12, "runAsNonRoot", "true");
      y.open(12, "capabilities");
      y.open(14, "drop");
      y.item(16);
      y.o += "ALL\n";
      y.open(10, "volumeMounts");
      y.item(12);
      y.str(0, "name", "tmp");
      y.str(14, "mountPath", "/tmp");
      y.open(6, "volumes");
      y.item(8);
      y.str(0, "name", "tmp");
      y.raw(10, "emptyDir", "{}");
    }

    if (p) {
      Object &obj = begin(decl, "v1", "Service", name, ns);
      YamlText y{obj.text};
      y.open(0, "spec");
      y.str(2, "type", "ClusterIP");
      y.open(2, "selector");
      y.str(4, kNameLabel, name);
      y.open(2, "ports");
      y.item(4);
      y.str(0, "name", "http");
      y.num(6, "port", *p);
      y.str(6, "targetPort", "http");
      y.str(6, "protocol", "TCP");
    }

    if (r.min < r.max) {
      Object &obj = begin(decl, "autoscaling/v2", "HorizontalPodAutoscaler", name, ns);
      YamlText y{obj.text};
      y.open(0, "spec");
      y.open(2, "scaleTargetRef");
      y.str(4, "apiVersion", "apps/v1");
      y.str(4, "kind", "Deployment");
      y.str(4, "name", name);
      y.num(2, "minReplicas", std::max<int64_t>(1, r.min));
      y.num(2, "maxReplicas", r.max);
      y.open(2, "metrics");
      y.item(4);
      y.str(0, "type", "Resource");
      y.open(6, "resource");
      y.str(8, "name", "cpu");
      y.open(8, "target");
      y.str(10, "type", "Utilization");
      y.num(10, "averageUtilization", 70);
    }

    if (r.max > 0) {
      Object &obj = begin(decl, "policy/v1", "PodDisruptionBudget", name, ns);
      YamlText y{obj.text};
      y.open(0, "spec");
      if (r.min >= 4)
        y.str(2, "maxUnavailable", "25%");
      else
        y.num(2, "maxUnavailable", 1);
      selectorText(y, 2, "selector", name);
    }

    {
      Object &obj = begin(decl, "networking.k8s.io/v1", "NetworkPolicy", name, ns);
      YamlText y{obj.text};
      serviceNetworkPolicyText(y, decl, name, p);
    }
  }

  // A NetworkPolicy peer selecting the pods of `decl`, as a list item at
  // `indent`.
  void podPeerText(YamlText &y, int indent, const sema::Decl &decl) const {
    y.item(indent);
    y.open(0, "namespaceSelector");
    y.open(indent + 4, "matchLabels");
    y.str(indent + 6, kNamespaceNameLabel, namespaceOf(ctx_, decl.id));
    y.open(indent + 2, "podSelector");
    y.open(indent + 4, "matchLabels");
    y.str(indent + 6, kNameLabel, dnsLabel(decl.name));
  }
  // `ports:` of a rule (an item at 4) with one port.
  static void portText(YamlText &y, const char *protocol, int64_t port) {
    y.item(8);
    y.str(0, "protocol", protocol);
    y.num(10, "port", port);
  }

  // serviceNetworkPolicySpec(), as text.
  void serviceNetworkPolicyText(YamlText &y, const sema::Decl &decl, const std::string &name,
                                std::optional<int64_t> p) const {
    DeclId id = decl.id;
    y.open(0, "spec");
    selectorText(y, 2, "podSelector", name);
    y.open(2, "policyTypes");
    y.o += "    - Ingress\n    - Egress\n";
    bool ingress = false;
    if (p) {
      std::string exposure = "internal";
      if (const Value *e = get(id, fields::service::expose))
        exposure = e->text;
      std::vector<const sema::Decl *> peers;
      if (exposure != "internal") {
        for (DeclId caller : edgesTo(id, EdgeKind::Calls))
          if (ctx_.program.decl(caller).kindId == DeclKind::Service)
            peers.push_back(&ctx_.program.decl(caller));
        for (DeclId agent : invokingAgents(id))
          peers.push_back(&ctx_.program.decl(agent));
      }
      bool any = exposure == "internal" || exposure == "public" || !peers.empty();
      if (any) {
        ingress = true;
        y.open(2, "ingress");
        y.item(4);
        y.open(0, "from");
        if (exposure == "internal") {
          y.item(8);
          y.raw(0, "namespaceSelector", "{}");
        } else {
          for (const sema::Decl *peer : peers)
            podPeerText(y, 8, *peer);
          if (exposure == "public") {
            y.item(8);
            y.open(0, "namespaceSelector");
            y.open(12, "matchLabels");
            y.str(14, kNamespaceNameLabel, kIngressNamespace);
          }
        }
        y.open(6, "ports");
        portText(y, "TCP", *p);
      }
      if (auto mp = metricsPort(id)) {
        if (!ingress)
          y.open(2, "ingress");
        ingress = true;
        y.item(4);
        y.open(0, "from");
        y.item(8);
        y.open(0, "namespaceSelector");
        y.open(12, "matchLabels");
        y.str(14, kNamespaceNameLabel, kPrometheusNamespace);
        y.open(6, "ports");
        portText(y, "TCP", *mp);
      }
    }
    if (!ingress)
      y.raw(2, "ingress", "[]");

    y.open(2, "egress");
    // DNS to kube-dns.
    y.item(4);
    y.open(0, "to");
    y.item(8);
    y.open(0, "namespaceSelector");
    y.open(12, "matchLabels");
    y.str(14, kNamespaceNameLabel, "kube-system");
    y.open(10, "podSelector");
    y.open(12, "matchLabels");
    y.str(14, "k8s-app", "kube-dns");
    y.open(6, "ports");
    portText(y, "UDP", 53);
    portText(y, "TCP", 53);
    bool needsAws = false;
    for (DeclId to : edgesFrom(id, {EdgeKind::Calls})) {
      const sema::Decl &target = ctx_.program.decl(to);
      if (target.kindId == DeclKind::Model) {
        needsAws = true;
        continue;
      }
      if (target.kindId != DeclKind::Service)
        continue;
      if (auto tp = port(to)) {
        y.item(4);
        y.open(0, "to");
        podPeerText(y, 8, target);
        y.open(6, "ports");
        portText(y, "TCP", *tp);
      }
    }
    if (!edgesFrom(id, {EdgeKind::Reads, EdgeKind::Writes}).empty())
      needsAws = true;
    if (needsAws) {
      y.item(4);
      y.open(0, "to");
      y.item(8);
      y.open(0, "ipBlock");
      y.str(12, "cidr", "0.0.0.0/0");
      y.open(12, "except");
      y.item(14);
      yaml::appendScalar(y.o, "169.254.169.254/32");
      y.o += '\n';
      y.open(6, "ports");
      portText(y, "TCP", 443);
      if (!usesIrsa(ctx_)) {
        y.item(4);
        y.open(0, "to");
        y.item(8);
        y.open(0, "ipBlock");
        y.str(12, "cidr", "169.254.170.23/32");
        y.open(6, "ports");
        portText(y, "TCP", 80);
      }
    }
  }


  void service(const sema::Decl &decl) {
    DeclId id = decl.id;
    std::string ns = namespaceOf(ctx_, id);
    // Owners are required; a workspace with errors never reaches backends.
    if (ns.empty())
      return;
    // Without patches the objects are final as built: written as text
    // directly, no trees.
    if (!get(id, fields::service::patch)) {
      serviceText(decl, ns);
      serviceMonitor(decl, ns);
      return;
    }
    std::string name = dnsLabel(decl.name);
    Replicas r = replicas(id);
    std::optional<int64_t> p = port(id);
    std::vector<size_t> mine;

    // ConfigMap: non-secret configuration, injected with envFrom.
    const Value *config = get(id, fields::service::config);
    std::string configHash;
    if (config && !config->fields.empty()) {
      Json data = Json::object();
      for (const sema::NamedValue &f : config->fields)
        data[f.name] = f.value->text;
      configHash = contentHash(data.dump());
      mine.push_back(add(decl, "v1", "ConfigMap", name + "-config", ns, std::move(data), "data"));
    }

    // ServiceAccount, bound to the service's IAM role.
    mine.push_back(serviceAccount(decl, ns, roleArn(ctx_, decl)));

    // Deployment.
    Json container = Json::object();
    container["name"] = name;
    if (const Value *image = get(id, fields::service::image))
      container["image"] = image->text;
    container["imagePullPolicy"] = "IfNotPresent";
    if (p)
      container["ports"] = Json::array({Json{{"name", "http"}, {"containerPort", *p}, {"protocol", "TCP"}}});
    if (!configHash.empty())
      container["envFrom"] = Json::array({Json{{"configMapRef", {{"name", name + "-config"}}}}});
    if (const Value *secrets = get(id, fields::service::secrets); secrets && !secrets->fields.empty()) {
      // Only references reach the cluster: the Secret is named after the
      // secret store reference and filled by whatever syncs the store into
      // the cluster; the value never passes through platc.
      Json env = Json::array();
      for (const sema::NamedValue &f : secrets->fields)
        env.push_back(Json{{"name", f.name},
                           {"valueFrom", {{"secretKeyRef", {{"name", secretName(f.value->text)}, {"key", "value"}}}}}});
      container["env"] = std::move(env);
    }
    container["resources"] = resources(get(id, fields::service::resources));
    if (p) {
      auto [health, livenessPath] = probePaths(id);
      Json readiness{{"httpGet", {{"path", health}, {"port", "http"}}}};
      readiness["periodSeconds"] = 5;
      readiness["failureThreshold"] = 3;
      // Liveness is slower to give up than readiness: a restart is costlier
      // than taking a pod out of the Service for a while.
      Json liveness{{"httpGet", {{"path", livenessPath}, {"port", "http"}}}};
      liveness["initialDelaySeconds"] = 10;
      liveness["periodSeconds"] = 10;
      liveness["failureThreshold"] = 6;
      container["readinessProbe"] = std::move(readiness);
      container["livenessProbe"] = std::move(liveness);
    }
    container["securityContext"] = Json{{"allowPrivilegeEscalation", false},
                                        {"readOnlyRootFilesystem", true},
                                        {"runAsNonRoot", true},
                                        {"capabilities", {{"drop", Json::array({"ALL"})}}}};
    // A read-only root file system still needs somewhere to write scratch
    // files; /tmp is the conventional place.
    container["volumeMounts"] = Json::array({Json{{"name", "tmp"}, {"mountPath", "/tmp"}}});

    const Json &podLabels = labels(decl);
    Json podSpec = Json::object();
    podSpec["serviceAccountName"] = serviceAccountName(decl);
    // The IAM credentials come from a projected token the EKS webhook (or
    // the Pod Identity agent) provides separately; the service never talks
    // to the Kubernetes API, so it gets no API token.
    podSpec["automountServiceAccountToken"] = false;
    podSpec["securityContext"] = Json{{"runAsNonRoot", true}, {"seccompProfile", {{"type", "RuntimeDefault"}}}};
    if (r.max > 1)
      podSpec["topologySpreadConstraints"] = Json::array({Json{
          {"maxSkew", 1},
          {"topologyKey", "topology.kubernetes.io/zone"},
          {"whenUnsatisfiable", "ScheduleAnyway"},
          {"labelSelector", {{"matchLabels", {{kNameLabel, name}}}}}}});
    podSpec["containers"] = Json::array();
    podSpec["containers"].push_back(std::move(container));
    podSpec["volumes"] = Json::array({Json{{"name", "tmp"}, {"emptyDir", Json::object()}}});

    Json templ = Json::object();
    Json podMeta{{"labels", podLabels}};
    if (!configHash.empty())
      // Changing the ConfigMap changes this annotation and so rolls the pods,
      // which envFrom would not do by itself.
      podMeta["annotations"] = Json{{"plat.dev/config-hash", configHash}};
    templ["metadata"] = std::move(podMeta);
    templ["spec"] = std::move(podSpec);

    Json spec = Json::object();
    bool autoscaled = r.min < r.max;
    // With an autoscaler the Deployment leaves `replicas` to it: a fixed
    // count here would be reset on every apply.
    if (!autoscaled)
      spec["replicas"] = r.min;
    spec["selector"] = Json{{"matchLabels", {{kNameLabel, name}}}};
    Rollout roll = rollout(decl.id, r);
    spec["strategy"] = Json{{"type", "RollingUpdate"},
                            {"rollingUpdate", {{"maxUnavailable", intOrPercent(roll.unavailable)},
                                               {"maxSurge", intOrPercent(roll.surge)}}}};
    spec["template"] = std::move(templ);
    mine.push_back(add(decl, "apps/v1", "Deployment", name, ns, std::move(spec)));

    if (p) {
      Json svc = Json::object();
      svc["type"] = "ClusterIP";
      svc["selector"] = Json{{kNameLabel, name}};
      svc["ports"] = Json::array({Json{{"name", "http"}, {"port", *p}, {"targetPort", "http"}, {"protocol", "TCP"}}});
      mine.push_back(add(decl, "v1", "Service", name, ns, std::move(svc)));
    }

    if (autoscaled) {
      Json hpa = Json::object();
      hpa["scaleTargetRef"] = Json{{"apiVersion", "apps/v1"}, {"kind", "Deployment"}, {"name", name}};
      // autoscaling/v2 cannot scale to zero without an alpha feature gate.
      hpa["minReplicas"] = std::max<int64_t>(1, r.min);
      hpa["maxReplicas"] = r.max;
      hpa["metrics"] = Json::array({Json{
          {"type", "Resource"},
          {"resource", {{"name", "cpu"}, {"target", {{"type", "Utilization"}, {"averageUtilization", 70}}}}}}});
      mine.push_back(add(decl, "autoscaling/v2", "HorizontalPodAutoscaler", name, ns, std::move(hpa)));
    }

    if (r.max > 0) {
      Json pdb = Json::object();
      // One pod at a time for small services; a quarter for large ones so a
      // node drain does not take hours.
      if (r.min >= 4)
        pdb["maxUnavailable"] = "25%";
      else
        pdb["maxUnavailable"] = 1;
      pdb["selector"] = Json{{"matchLabels", {{kNameLabel, name}}}};
      mine.push_back(add(decl, "policy/v1", "PodDisruptionBudget", name, ns, std::move(pdb)));
    }

    mine.push_back(serviceNetworkPolicy(decl, ns, name, p));

    if (const Value *patch = get(id, fields::service::patch))
      for (const sema::NamedValue &f : patch->fields)
        for (size_t i : mine)
          if (const sema::PatchTarget *t = sema::findPatchTarget(DeclKind::Service, f.name);
              t && t->object == objects_[i].kind)
            mergePatch(patches_[i], rawToJson(f.value), "", unusedPaths_);
    serviceMonitor(decl, ns);
  }
  std::vector<std::string> unusedPaths_;

  static std::string secretName(llvm::StringRef reference) { return dnsLabel(reference); }

  Json resources(const Value *res) const {
    Json requests = Json::object(), limits = Json::object();
    const Value *cpu = res ? res->field(records::resources::cpu) : nullptr;
    const Value *memory = res ? res->field(records::resources::memory) : nullptr;
    const Value *cpuLimit = res ? res->field(records::resources::cpu_limit) : nullptr;
    const Value *memoryLimit = res ? res->field(records::resources::memory_limit) : nullptr;
    if (cpu)
      requests["cpu"] = cpuQuantity(cpu->number);
    if (memory)
      requests["memory"] = memoryQuantity(memory->number);
    // No CPU limit unless declared: throttling hurts latency and CPU is
    // compressible. Memory is not: its limit defaults to the request.
    if (cpuLimit)
      limits["cpu"] = cpuQuantity(cpuLimit->number);
    if (const Value *m = memoryLimit ? memoryLimit : memory)
      limits["memory"] = memoryQuantity(m->number);
    Json out = Json::object();
    if (!requests.empty())
      out["requests"] = requests;
    if (!limits.empty())
      out["limits"] = limits;
    return out;
  }

  size_t serviceAccount(const sema::Decl &decl, const std::string &ns, const std::string &role) {
    size_t i = add(decl, "v1", "ServiceAccount", serviceAccountName(decl), ns, nullptr);
    Json &annotations = objects_[i].body["metadata"]["annotations"];
    if (usesIrsa(ctx_))
      annotations["eks.amazonaws.com/role-arn"] = role;
    else
      // Without an OIDC provider the role is bound by an EKS Pod Identity
      // association (iam/terraform); the annotation is for readers only,
      // the IRSA webhook ignores it.
      annotations["plat.dev/iam-role-arn"] = role;
    objects_[i].body["automountServiceAccountToken"] = false;
    return i;
  }

  size_t serviceNetworkPolicy(const sema::Decl &decl, const std::string &ns, const std::string &name,
                              std::optional<int64_t> p) {
    return add(decl, "networking.k8s.io/v1", "NetworkPolicy", name, ns, serviceNetworkPolicySpec(decl, name, p));
  }

  Json serviceNetworkPolicySpec(const sema::Decl &decl, const std::string &name, std::optional<int64_t> p) const {
    DeclId id = decl.id;
    Json ingress = Json::array();
    if (p) {
      Json from = Json::array();
      std::string exposure = "internal";
      if (const Value *e = get(id, fields::service::expose))
        exposure = e->text;
      if (exposure == "internal") {
        // Anything in the cluster: every pod of every namespace.
        from.push_back(Json{{"namespaceSelector", Json::object()}});
      } else {
        for (DeclId caller : edgesTo(id, EdgeKind::Calls))
          if (ctx_.program.decl(caller).kindId == DeclKind::Service)
            from.push_back(podPeer(ctx_.program.decl(caller)));
        for (DeclId agent : invokingAgents(id))
          from.push_back(podPeer(ctx_.program.decl(agent)));
        if (exposure == "public")
          from.push_back(Json{{"namespaceSelector", {{"matchLabels", {{kNamespaceNameLabel, kIngressNamespace}}}}}});
      }
      if (!from.empty())
        ingress.push_back(Json{{"from", std::move(from)}, {"ports", Json::array({tcp(*p)})}});
      if (auto mp = metricsPort(id))
        ingress.push_back(
            Json{{"from", Json::array({Json{{"namespaceSelector",
                                             {{"matchLabels", {{kNamespaceNameLabel, kPrometheusNamespace}}}}}}})},
                 {"ports", Json::array({tcp(*mp)})}});
    }

    Json egress = Json::array({dnsEgress()});
    bool needsAws = false;
    serviceEgress(edgesFrom(id, {EdgeKind::Calls}), egress, needsAws);
    if (!edgesFrom(id, {EdgeKind::Reads, EdgeKind::Writes}).empty())
      needsAws = true;
    if (needsAws)
      awsEgress(egress);

    Json spec = Json::object();
    spec["podSelector"] = Json{{"matchLabels", {{kNameLabel, name}}}};
    // Both types listed: whatever no rule allows is denied.
    spec["policyTypes"] = Json::array({"Ingress", "Egress"});
    spec["ingress"] = std::move(ingress);
    spec["egress"] = std::move(egress);
    return spec;
  }

  // ---- pipelines: their task pods (Airflow's KubernetesPodOperator) run as
  // this service account in the owner team's namespace.

  void pipeline(const sema::Decl &decl) {
    std::string ns = namespaceOf(ctx_, decl.id);
    if (ns.empty())
      return;
    serviceAccountText(decl, ns, roleArn(ctx_, decl));
  }

  // ---- agents

  void agent(const sema::Decl &decl) {
    DeclId id = decl.id;
    if (const Value *inCluster = get(id, fields::agent::in_cluster); inCluster && !inCluster->boolean)
      return;
    std::string ns = namespaceOf(ctx_, id);
    if (ns.empty())
      return;
    std::string name = dnsLabel(decl.name);
    serviceAccountText(decl, ns, roleArn(ctx_, decl));

    // The agent's own pods (deployed by its team, labelled
    // app.kubernetes.io/name=<agent>) may reach exactly what it may invoke.
    std::vector<DeclId> invokes = edgesFrom(id, {EdgeKind::Invokes});
    Json egress = Json::array({dnsEgress()});
    bool needsAws = get(id, fields::agent::foundation_model) != nullptr;
    serviceEgress(invokes, egress, needsAws);
    if (!edgesFrom(id, {EdgeKind::AgentReads, EdgeKind::AgentWrites}).empty())
      needsAws = true;
    if (needsAws)
      awsEgress(egress);
    Json spec = Json::object();
    spec["podSelector"] = Json{{"matchLabels", {{kNameLabel, name}}}};
    spec["policyTypes"] = Json::array({"Ingress", "Egress"});
    spec["ingress"] = Json::array();
    spec["egress"] = std::move(egress);
    add(decl, "networking.k8s.io/v1", "NetworkPolicy", name, ns, std::move(spec));

    // RBAC: `invoke` is network access (above), `read`/`write` S3 access and
    // `trigger` an Airflow call (both IAM): none needs the Kubernetes API.
    // The one thing granted is `get` on the Service objects it may invoke,
    // by name, so it can discover their ports; a Role per namespace, bound
    // to the agent's service account.
    std::map<std::string, std::vector<std::string>> byNamespace;
    for (DeclId to : invokes)
      if (ctx_.program.decl(to).kindId == DeclKind::Service && port(to))
        byNamespace[namespaceOf(ctx_, to)].push_back(dnsLabel(ctx_.program.decl(to).name));
    std::string roleName = "plat-agent-" + name;
    for (auto &[targetNs, services] : byNamespace) {
      std::sort(services.begin(), services.end());
      Json rule{{"apiGroups", Json::array({""})},
                {"resources", Json::array({"services"})},
                {"resourceNames", services},
                {"verbs", Json::array({"get"})}};
      add(decl, "rbac.authorization.k8s.io/v1", "Role", roleName, targetNs, Json::array({rule}), "rules");
      size_t b = add(decl, "rbac.authorization.k8s.io/v1", "RoleBinding", roleName, targetNs, nullptr);
      objects_[b].body["roleRef"] =
          Json{{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "Role"}, {"name", roleName}};
      objects_[b].body["subjects"] =
          Json::array({Json{{"kind", "ServiceAccount"}, {"name", serviceAccountName(decl)}, {"namespace", ns}}});
    }
  }

  // ---- output

  // The text of one namespace's file, filled as declarations finish: the
  // header comment, its Namespace object, then every other object in the
  // order they were added.
  struct FileText {
    std::string text;
    size_t headerSize = 0;
    const sema::Decl *first = nullptr;
  };
  std::map<std::string, FileText> files_;
  std::map<std::string, size_t> expected_; // by namespace: bytes to reserve
  // (kind, namespace, name) of every object written, as `kind\0ns\0name`
  // (none of the three can contain a NUL byte).
  llvm::StringSet<> seen_;
  std::string seenKey_; // scratch
  std::string doc_; // scratch: one object's document

  // Applies the patches and the content hash to the objects of the
  // declaration just done, writes them into their files' text and drops
  // them: the trees never outlive their declaration.
  void finish(Output &out) {
    for (size_t i = 0; i < objects_.size(); ++i) {
      Object &o = objects_[i];
      bool isNamespace = o.kind == "Namespace";
      const std::string &ns = isNamespace ? o.name : o.ns;
      std::string path = "k8s/" + ns + ".yaml";
      seenKey_.assign(o.kind).append(1, '\0').append(o.ns).append(1, '\0').append(o.name);
      if (!seen_.insert(seenKey_).second) {
        out.conflict(path,
                     fmt::format("{} `{}`", o.kind, o.ns.empty() ? o.name : o.ns + "/" + o.name),
                     o.decl->nameSpan);
        continue;
      }
      yaml::Omitted omit;
      const std::string *doc = &doc_;
      if (o.direct) {
        doc = &o.text;
        omit.pos = o.hashPos;
        omit.indent = 4;
      } else if (auto it = patches_.find(i); it != patches_.end()) {
        std::vector<std::string> paths;
        mergePatch(o.body, it->second, "", paths);
        std::sort(paths.begin(), paths.end());
        // The patch may have replaced metadata wholesale; annotations are
        // ours to keep.
        Json &ann = o.body["metadata"]["annotations"];
        if (!ann.is_object())
          ann = Json::object();
        ann["plat.dev/patched"] = "true";
        ann["plat.dev/patched-paths"] = llvm::join(paths, ",");
      }
      // The hash covers the object's YAML text as written, less the hash
      // line itself (and the comment above the document).
      if (!o.direct) {
        Json &slot = o.body["metadata"]["annotations"]["plat.dev/content-hash"];
        slot = "";
        omit.value = &slot;
        doc_.clear();
        yaml::appendDocument(doc_, o.body, "", &omit);
      }
      std::string hash = contentHash(*doc);

      auto [it, added] = files_.try_emplace(path);
      FileText &f = it->second;
      if (added) {
        // Reserve after the header is in place: assigning a new string
        // would take its (small) buffer and drop the reservation.
        f.text = fmt::format("# Generated by platc for environment {}. Do not edit.\n", ctx_.env.name);
        auto e = expected_.find(ns);
        f.text.reserve((e == expected_.end() ? 0 : e->second) + 8192);
        f.headerSize = f.text.size();
      }
      if (isNamespace || !f.first)
        f.first = o.decl;
      // The Namespace goes first. It usually comes first too (teams are
      // declared before their services); if not, it moves in front now.
      std::string nsDoc;
      std::string &text = isNamespace && f.text.size() != f.headerSize ? nsDoc : f.text;
      text += "---\n";
      yaml::appendComment(text, fmt::format("{} {}{} from {} ({} {}).", o.kind, o.ns.empty() ? "" : o.ns + "/",
                                            o.name, sourceLocation(ctx_, *o.decl), o.decl->kind,
                                            o.decl->qualifiedName));
      size_t pos = omit.pos == std::string::npos ? doc->size() : omit.pos;
      text.append(*doc, 0, pos);
      text.append(static_cast<size_t>(omit.indent), ' ');
      text += "plat.dev/content-hash: ";
      text += yaml::scalar(hash);
      text += '\n';
      text.append(*doc, pos, std::string::npos);
      if (&text == &nsDoc)
        f.text.insert(f.headerSize, nsDoc);
    }
    objects_.clear();
    patches_.clear();
  }

  // Writes one file per namespace: its Namespace first, then the other
  // objects in the order they were added (declaration order).
  void write(Output &out) {
    if (files_.empty())
      return;
    std::vector<std::string> files;
    for (auto &[path, f] : files_) {
      if (out.add(path, std::move(f.text), f.first->nameSpan))
        files.push_back(llvm::StringRef(path).drop_front(4).str());
    }
    Json kustomization = Json::object();
    kustomization["apiVersion"] = "kustomize.config.k8s.io/v1beta1";
    kustomization["kind"] = "Kustomization";
    kustomization["resources"] = files;
    out.add("k8s/kustomization.yaml",
            yaml::document(kustomization, fmt::format("Generated by platc for environment {}. "
                                                      "Apply with `kubectl apply -k`.",
                                                      ctx_.env.name)));
  }
};

} // namespace
} // namespace k8s

namespace {
class KubernetesBackend final : public Backend {
public:
  llvm::StringRef name() const override { return "k8s"; }
  void emit(const BackendContext &ctx, Output &out) const override { k8s::Emitter(ctx).run(out); }
};
} // namespace

std::unique_ptr<Backend> makeKubernetesBackend() { return std::make_unique<KubernetesBackend>(); }

} // namespace plat::backends
