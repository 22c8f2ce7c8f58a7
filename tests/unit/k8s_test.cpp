// The Kubernetes backend on the corner-case workspace
// (tests/golden/backends/k8s_iam/workspace): what is emitted, least-privilege
// network policies, hardened pods, patches, determinism. Schema validity is
// tests/validators/k8s_validate.py's job.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdlib.h>
#include <yaml-cpp/yaml.h>

#include "pipeline/Pipeline.h"
#include "backends/Backend.h"
#include "backends/Common.h"
#include "backends/Naming.h"
#include "backends/k8s/Manifests.h"
#include "sema/Program.h"
#include "workspace/Workspace.h"

using namespace plat;
namespace k8s = plat::backends::k8s;

namespace {

struct Built {
  std::optional<Workspace> ws;
  std::unique_ptr<sema::Program> program;
};

Built load() {
  Built b;
  Diagnostics diags;
  b.ws = Workspace::load(PLAT_SOURCE_DIR "/tests/golden/backends/k8s_iam/workspace", diags);
  REQUIRE(b.ws);
  b.program = pipeline::check(*b.ws, diags);
  REQUIRE_FALSE(diags.hasErrors());
  return b;
}

std::map<std::string, std::string> emit(const Built &b, const std::string &env) {
  const sema::EnvModel *model = b.program->env(env);
  REQUIRE(model);
  backends::BackendContext ctx{*b.program, *model, b.ws->sources()};
  backends::Output out;
  for (const auto &backend : backends::allBackends())
    if (backend->name() == "k8s")
      backend->emit(ctx, out);
  REQUIRE(out.conflicts().empty());
  return out.files();
}

// Every document of `k8s/<ns>.yaml`, the file of a namespace.
std::vector<YAML::Node> docs(const std::map<std::string, std::string> &files, const std::string &ns) {
  auto it = files.find("k8s/" + ns + ".yaml");
  if (it == files.end())
    return {};
  return YAML::LoadAll(it->second);
}

// The object `kind`/`name` in namespace `ns` (for a Namespace, `ns` is its
// name), or a null node.
YAML::Node find(const std::map<std::string, std::string> &files, const std::string &ns,
                const std::string &kind, const std::string &name) {
  for (const YAML::Node &d : docs(files, ns))
    if (d["kind"].as<std::string>() == kind && d["metadata"]["name"].as<std::string>() == name)
      return d;
  return YAML::Node();
}

bool has(const std::map<std::string, std::string> &files, const std::string &ns, const std::string &kind,
         const std::string &name) {
  return find(files, ns, kind, name).IsDefined() && !find(files, ns, kind, name).IsNull();
}

YAML::Node doc(const std::map<std::string, std::string> &files, const std::string &ns,
               const std::string &kind, const std::string &name) {
  INFO(ns << " " << kind << " " << name);
  YAML::Node d = find(files, ns, kind, name);
  REQUIRE(d.IsMap());
  return d;
}

std::vector<std::string> peerNames(const YAML::Node &rules, const char *direction) {
  std::vector<std::string> out;
  for (const auto &rule : rules)
    for (const auto &peer : rule[direction]) {
      if (!peer["podSelector"])
        continue;
      if (YAML::Node pods = peer["podSelector"]["matchLabels"]) {
        YAML::Node name = pods["app.kubernetes.io/name"] ? pods["app.kubernetes.io/name"] : pods["k8s-app"];
        out.push_back(peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"].as<std::string>() +
                      "/" + name.as<std::string>());
      }
    }
  std::sort(out.begin(), out.end());
  return out;
}

} // namespace

TEST_CASE("quantities are written in Kubernetes units", "[k8s]") {
  CHECK(k8s::cpuQuantity(0.5) == "500m");
  CHECK(k8s::cpuQuantity(0.25) == "250m");
  CHECK(k8s::cpuQuantity(2) == "2");
  CHECK(k8s::memoryQuantity(512.0 * 1024 * 1024) == "512Mi");
  CHECK(k8s::memoryQuantity(4.0 * 1024 * 1024 * 1024) == "4Gi");
  CHECK(k8s::memoryQuantity(1000) == "1000");
}

TEST_CASE("patches merge maps, replace lists, delete on null and record paths", "[k8s]") {
  k8s::Json target = k8s::Json::parse(R"({"spec": {"a": 1, "list": [1, 2], "keep": {"x": 1}, "gone": 3}})");
  k8s::Json patch = k8s::Json::parse(R"({"spec": {"list": [9], "keep": {"y": 2}, "gone": null, "new": "n"}})");
  std::vector<std::string> paths;
  backends::mergePatch(target, patch, "", paths);
  CHECK(target == k8s::Json::parse(R"({"spec": {"a": 1, "list": [9], "keep": {"x": 1, "y": 2}, "new": "n"}})"));
  std::sort(paths.begin(), paths.end());
  CHECK(paths == std::vector<std::string>{"spec.gone", "spec.keep.y", "spec.list", "spec.new"});
}

TEST_CASE("names shared with the other backends", "[k8s][iam]") {
  CHECK(backends::dnsLabel("Checkout_API") == "checkout-api");
  CHECK(backends::dnsLabel("__x__") == "x");
  std::string longName(100, 'a');
  std::string cut = backends::truncateWithHash(longName, 63);
  CHECK(cut.size() == 63);
  CHECK(cut != backends::truncateWithHash(longName + "b", 63));
  CHECK(backends::truncateWithHash("short", 63) == "short");
}

TEST_CASE("a team gets a namespace with the environment suffix, quota and defaults", "[k8s]") {
  Built b = load();
  auto dev = emit(b, "dev");
  auto prod = emit(b, "prod");
  CHECK(doc(dev, "shop-dev", "Namespace", "shop-dev")["metadata"]["labels"]["pod-security.kubernetes.io/enforce"]
            .as<std::string>() == "restricted");
  CHECK(has(prod, "shop", "Namespace", "shop"));
  YAML::Node quota = doc(dev, "shop-dev", "ResourceQuota", "quota");
  CHECK(quota["spec"]["hard"]["requests.cpu"].as<std::string>() == "8");
  CHECK(quota["spec"]["hard"]["requests.memory"].as<std::string>() == "16Gi");
  CHECK(quota["spec"]["hard"]["pods"].as<std::string>() == "50");
  // No quota declared, none invented.
  CHECK_FALSE(has(dev, "ml-dev", "ResourceQuota", "quota"));
  CHECK(has(dev, "ml-dev", "LimitRange", "defaults"));
}

TEST_CASE("deployments are hardened and leave replicas to the autoscaler", "[k8s]") {
  Built b = load();
  auto files = emit(b, "dev");
  YAML::Node d = doc(files, "shop-dev", "Deployment", "storefront");
  CHECK_FALSE(d["spec"]["replicas"]); // 2..5: the HPA owns the count
  YAML::Node pod = d["spec"]["template"]["spec"];
  CHECK(pod["securityContext"]["runAsNonRoot"].as<bool>());
  CHECK(pod["securityContext"]["seccompProfile"]["type"].as<std::string>() == "RuntimeDefault");
  CHECK_FALSE(pod["automountServiceAccountToken"].as<bool>());
  YAML::Node c = pod["containers"][0];
  CHECK_FALSE(c["securityContext"]["allowPrivilegeEscalation"].as<bool>());
  CHECK(c["securityContext"]["readOnlyRootFilesystem"].as<bool>());
  CHECK(c["securityContext"]["capabilities"]["drop"][0].as<std::string>() == "ALL");
  CHECK(c["readinessProbe"]["httpGet"]["path"].as<std::string>() == "/healthz");
  CHECK(c["livenessProbe"]["httpGet"]["path"].as<std::string>() == "/livez");
  CHECK(c["env"][0]["valueFrom"]["secretKeyRef"]["name"].as<std::string>() == "secretsmanager-shop-db");
  // The patch is applied and marked.
  CHECK(d["spec"]["revisionHistoryLimit"].as<int>() == 3);
  CHECK(d["spec"]["strategy"]["rollingUpdate"]["maxSurge"].as<int>() == 1);
  CHECK(d["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"].as<int>() == 0);
  CHECK(d["metadata"]["annotations"]["plat.dev/patched"].as<std::string>() == "true");
  CHECK(d["metadata"]["annotations"]["plat.dev/patched-paths"].as<std::string>() ==
        "spec.revisionHistoryLimit,spec.strategy.rollingUpdate.maxSurge");

  YAML::Node hpa = doc(files, "shop-dev", "HorizontalPodAutoscaler", "storefront");
  CHECK(hpa["spec"]["minReplicas"].as<int>() == 2);
  CHECK(hpa["spec"]["maxReplicas"].as<int>() == 5);
  // Fixed counts: replicas set, no autoscaler.
  CHECK(doc(files, "shop-dev", "Deployment", "cart")["spec"]["replicas"].as<int>() == 3);
  // Readiness and liveness on their own paths (written as text, not patched).
  YAML::Node cart = doc(files, "shop-dev", "Deployment", "cart")["spec"]["template"]["spec"]["containers"][0];
  CHECK(cart["readinessProbe"]["httpGet"]["path"].as<std::string>() == "/ready");
  CHECK(cart["livenessProbe"]["httpGet"]["path"].as<std::string>() == "/alive");
  CHECK_FALSE(has(files, "shop-dev", "HorizontalPodAutoscaler", "cart"));
  // No port: no Service, no probes.
  CHECK_FALSE(has(files, "shop-dev", "Service", "mailer"));
  CHECK_FALSE(doc(files, "shop-dev", "Deployment", "mailer")["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]);
}

TEST_CASE("secret values never reach the output, only references", "[k8s]") {
  Built b = load();
  for (const auto &[path, bytes] : emit(b, "dev"))
    CHECK(bytes.find("secretsmanager:shop/db") == std::string::npos);
}

TEST_CASE("network policies allow exactly the declared dependencies", "[k8s]") {
  Built b = load();
  auto files = emit(b, "dev");
  // cart is private: reachable from its caller storefront and the agent
  // that may invoke it, nothing else.
  YAML::Node cart = doc(files, "shop-dev", "NetworkPolicy", "cart");
  CHECK(cart["spec"]["policyTypes"].size() == 2);
  CHECK(peerNames(cart["spec"]["ingress"], "from") == std::vector<std::string>{"shop-dev/helper", "shop-dev/storefront"});
  CHECK(cart["spec"]["ingress"][0]["ports"][0]["port"].as<int>() == 8080);
  // storefront calls cart (a service) and ranker (a model over HTTPS).
  YAML::Node sf = doc(files, "shop-dev", "NetworkPolicy", "storefront");
  CHECK(peerNames(sf["spec"]["egress"], "to") ==
        std::vector<std::string>{"kube-system/kube-dns", "shop-dev/cart"});
  bool https = false;
  for (const auto &rule : sf["spec"]["egress"])
    if (rule["ports"][0]["port"].as<int>() == 443)
      https = rule["to"][0]["ipBlock"]["except"][0].as<std::string>() == "169.254.169.254/32";
  CHECK(https);
  // internal exposure: any namespace on the port.
  CHECK(sf["spec"]["ingress"][0]["from"][0]["namespaceSelector"].size() == 0);
  // mailer: no port, no callers, no AWS access: DNS only, no ingress.
  YAML::Node mailer = doc(files, "shop-dev", "NetworkPolicy", "mailer");
  CHECK(mailer["spec"]["ingress"].size() == 0);
  CHECK(mailer["spec"]["egress"].size() == 1);
}

TEST_CASE("agents get a service account and a role scoped to what they may invoke", "[k8s]") {
  Built b = load();
  auto files = emit(b, "dev");
  YAML::Node role = doc(files, "shop-dev", "Role", "plat-agent-helper");
  REQUIRE(role["rules"].size() == 1);
  CHECK(role["rules"][0]["verbs"].size() == 1);
  CHECK(role["rules"][0]["verbs"][0].as<std::string>() == "get");
  CHECK(role["rules"][0]["resourceNames"][0].as<std::string>() == "cart");
  YAML::Node binding = doc(files, "shop-dev", "RoleBinding", "plat-agent-helper");
  CHECK(binding["subjects"][0]["name"].as<std::string>() == "helper");
  // Without an OIDC provider the workspace uses EKS Pod Identity: no IRSA
  // annotation the webhook would act on.
  YAML::Node sa = doc(files, "shop-dev", "ServiceAccount", "helper");
  CHECK_FALSE(sa["metadata"]["annotations"]["eks.amazonaws.com/role-arn"]);
  CHECK(sa["metadata"]["annotations"]["plat.dev/iam-role-arn"].as<std::string>() ==
        "arn:aws:iam::210987654321:role/corner-dev-agent-helper");
  // The agent outside the cluster has nothing here.
  CHECK_FALSE(has(files, "shop-dev", "ServiceAccount", "outside"));
  // Pipelines get the service account their Airflow task pods run as.
  CHECK(has(files, "shop-dev", "ServiceAccount", "stats"));
}

TEST_CASE("kustomization lists every file, sorted; output is deterministic", "[k8s]") {
  Built b = load();
  auto files = emit(b, "dev");
  REQUIRE(files.count("k8s/kustomization.yaml"));
  YAML::Node kust = YAML::Load(files.at("k8s/kustomization.yaml"));
  std::vector<std::string> listed;
  for (const auto &r : kust["resources"])
    listed.push_back("k8s/" + r.as<std::string>());
  std::vector<std::string> present;
  for (const auto &[path, _] : files)
    if (path != "k8s/kustomization.yaml")
      present.push_back(path);
  CHECK(std::is_sorted(listed.begin(), listed.end()));
  CHECK(listed == present);
  // One file per namespace: the team namespaces of the corner workspace.
  CHECK(present == std::vector<std::string>{"k8s/ml-dev.yaml", "k8s/shop-dev.yaml"});
  CHECK(emit(b, "dev") == files);
  Built again = load();
  CHECK(emit(again, "dev") == files);
  // Each file opens with its Namespace, holds only objects of that
  // namespace, none twice, and every object carries its provenance.
  for (const auto &[path, bytes] : files) {
    if (path == "k8s/kustomization.yaml")
      continue;
    std::string ns = path.substr(4, path.size() - 4 - 5);
    std::vector<YAML::Node> all = YAML::LoadAll(bytes);
    INFO(path);
    REQUIRE(all.size() >= 2);
    CHECK(all[0]["kind"].as<std::string>() == "Namespace");
    CHECK(all[0]["metadata"]["name"].as<std::string>() == ns);
    std::set<std::string> seen;
    for (size_t i = 1; i < all.size(); ++i) {
      CHECK(all[i]["metadata"]["namespace"].as<std::string>() == ns);
      CHECK(seen.insert(all[i]["kind"].as<std::string>() + "/" + all[i]["metadata"]["name"].as<std::string>())
                .second);
    }
    for (const YAML::Node &n : all) {
      CHECK(n["metadata"]["annotations"]["plat.dev/source"]);
      CHECK(n["metadata"]["annotations"]["plat.dev/content-hash"].as<std::string>().size() == 16);
    }
  }
}

TEST_CASE("a service's objects sit together, in a fixed order", "[k8s]") {
  Built b = load();
  auto files = emit(b, "dev");
  std::vector<std::string> kinds;
  for (const YAML::Node &d : docs(files, "shop-dev"))
    if (d["metadata"]["labels"]["app.kubernetes.io/name"].as<std::string>() == "storefront")
      kinds.push_back(d["kind"].as<std::string>());
  CHECK(kinds == std::vector<std::string>{"ConfigMap", "ServiceAccount", "Deployment", "Service", "HorizontalPodAutoscaler",
                                          "PodDisruptionBudget", "NetworkPolicy"});
}

TEST_CASE("content hash: the SHA instructions give llvm::SHA256's digest", "[k8s]") {
  std::string bytes;
  uint32_t x = 12345;
  for (size_t n = 0; n < 700; ++n) {
    CHECK(backends::contentHash(bytes) == backends::contentHashPortable(bytes));
    x = x * 1103515245u + 12345u;
    bytes += static_cast<char>(x >> 24);
  }
  bytes.assign(1 << 20, 'a');
  CHECK(backends::contentHash(bytes) == backends::contentHashPortable(bytes));
  CHECK(backends::contentHash("") == "e3b0c44298fc1c14");
  CHECK(backends::contentHash("abc") == "ba7816bf8f01cfea");
}

TEST_CASE("deployments roll within their disruption budget", "[k8s]") {
  namespace fs = std::filesystem;
  char tmpl[] = "/tmp/plat-rollout-XXXXXX";
  fs::path root = ::mkdtemp(tmpl);
  auto write = [&](const char *name, const char *text) {
    std::ofstream(root / name) << text;
  };
  write("workspace.plat", "workspace w {\n  account = \"123456789012\"\n  region = \"eu-west-1\"\n}\n"
                          "environment prod {\n  tier = production\n}\n");
  write("app.plat", "team t {\n  lead = \"a@example.com\"\n  on_call = \"pagerduty:t\"\n  cost_center = \"c\"\n}\n"
                    "service big {\n  owner = t\n  image = \"r.example.com/big:1\"\n  port = 80\n  replicas = 8\n}\n"
                    "service steady {\n  owner = t\n  image = \"r.example.com/steady:1\"\n  port = 80\n"
                    "  replicas = 4..8\n  slo {\n    availability = 99.9\n  }\n}\n"
                    "service lone {\n  owner = t\n  image = \"r.example.com/lone:1\"\n  port = 80\n}\n");
  Built b;
  Diagnostics diags;
  b.ws = Workspace::load(root.string(), diags);
  REQUIRE(b.ws);
  b.program = pipeline::check(*b.ws, diags);
  REQUIRE_FALSE(diags.hasErrors());
  auto files = emit(b, "prod");
  std::error_code ec;
  fs::remove_all(root, ec);
  auto roll = [&](const char *name) {
    YAML::Node ru = doc(files, "t", "Deployment", name)["spec"]["strategy"]["rollingUpdate"];
    return ru["maxSurge"].as<std::string>() + "/" + ru["maxUnavailable"].as<std::string>();
  };
  auto budget = [&](const char *name) {
    return doc(files, "t", "PodDisruptionBudget", name)["spec"]["maxUnavailable"].as<std::string>();
  };
  // One pod: start the new one before stopping the old.
  CHECK(roll("lone") == "1/0");
  CHECK(budget("lone") == "1");
  // Many pods: a quarter at a time, as much as a drain may take.
  CHECK(roll("big") == "25%/25%");
  CHECK(budget("big") == "25%");
  // An availability objective: the rollout spends none of its budget.
  CHECK(roll("steady") == "25%/0");
}

TEST_CASE("sha256Hex: the whole digest, the same with or without the SHA instructions", "[k8s]") {
  CHECK(backends::sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(backends::sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(backends::sha256Hex(std::string(1 << 20, 'a')) == "9bc1b2a288b26af7257a36277ae3816a7d4f16e89c1e7e77d0a5c48bad62b360");
  std::string bytes;
  uint32_t x = 12345;
  for (size_t n = 0; n < 700; ++n) {
    // Every tail length: the first 16 digits are contentHash's (checked
    // against llvm::SHA256 above).
    CHECK(backends::sha256Hex(bytes).substr(0, 16) == backends::contentHashPortable(bytes));
    x = x * 1103515245u + 12345u;
    bytes += static_cast<char>(x >> 24);
  }
  CHECK(backends::sha256Hex(bytes) == "a2877ef2fc1addaa8ae586b2a22feb9c1feb418effb81b12fb621bce20f346b2");
}
