#include "driver/Init.h"

#include "llvm/ADT/StringRef.h"

namespace plat {

static std::string replaceAll(std::string text, llvm::StringRef from, const std::string &to) {
  for (size_t at = text.find(from.str()); at != std::string::npos; at = text.find(from.str(), at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

std::map<std::string, std::string> initFiles(const std::string &name) {
  // Kept byte-identical to examples/minimal (with the name `minimal`) by
  // tests/unit/init_test.cpp.
  static const char *kWorkspace = R"plat(// The smallest useful Plat workspace: one account, two environments, one
// team and the service it owns. `platc check examples/minimal` checks it.
workspace minimal {
  cloud = aws
  account = "123456789012"
  region = "eu-west-1"
}

environment dev {}

environment prod {
  tier = production
}
)plat";
  static const char *kPlatform = R"plat(package minimal

/// The team that runs the shop's storefront.
team storefront {
  lead = "ana@example.com"
  members = ["ana", "bo"]
  on_call = "pagerduty:storefront"
  cost_center = "cc-1042"
}

/// The public web shop.
service web {
  owner = storefront
  image = "registry.example.com/storefront/web:1.0.0"
  port = 8080
  replicas = 2..6
  resources = { cpu = 250m, memory = 256Mi }
  expose = public
  tls = true
}
)plat";
  std::string workspace = replaceAll(kWorkspace, "workspace minimal", "workspace " + name);
  workspace = replaceAll(workspace, "`platc check examples/minimal` checks it.", "`platc check` checks it.");
  return {{"workspace.plat", workspace},
          {"platform.plat", replaceAll(kPlatform, "package minimal", "package " + name)}};
}

} // namespace plat
