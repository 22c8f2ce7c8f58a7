#include "backends/Naming.h"

#include "backends/Common.h"
#include "fmt/format.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/SHA256.h"

namespace plat::backends {

namespace fields = sema::fields;

std::string truncateWithHash(llvm::StringRef name, size_t max) {
  if (name.size() <= max || max < 10)
    return name.str();
  llvm::SHA256 sha;
  sha.update(name);
  std::string hash = llvm::toHex(sha.final().take_front(4), /*LowerCase=*/true);
  std::string head = name.take_front(max - hash.size() - 1).str();
  // A cut that ends in `-` would give `--`; harmless for every consumer but
  // ugly, so trim it (the hash keeps the name unique).
  while (!head.empty() && head.back() == '-')
    head.pop_back();
  return head + "-" + hash;
}

std::string dnsLabel(llvm::StringRef name) {
  std::string out;
  for (char c : name) {
    char lower = llvm::toLower(c);
    out += (llvm::isDigit(lower) || (lower >= 'a' && lower <= 'z')) ? lower : '-';
  }
  size_t first = out.find_first_not_of('-');
  if (first == std::string::npos)
    return "x";
  out = out.substr(first, out.find_last_not_of('-') - first + 1);
  return truncateWithHash(out, 63);
}

std::string namespaceFor(const BackendContext &ctx, const sema::Decl &team) {
  std::string name = team.name;
  if (const sema::Value *suffix = ctx.env.get(ctx.env.decl, fields::environment::namespace_suffix);
      suffix && !suffix->text.empty())
    name += (suffix->text.front() == '-' ? "" : "-") + suffix->text;
  return dnsLabel(name);
}

std::string namespaceOf(const BackendContext &ctx, sema::DeclId decl) {
  sema::DeclId team = ctx.program.owner(ctx.env, decl);
  return team == sema::kNoDecl ? std::string() : namespaceFor(ctx, ctx.program.decl(team));
}

std::string serviceAccountName(const sema::Decl &decl) { return dnsLabel(decl.name); }

std::string endpointName(const BackendContext &ctx, const sema::Decl &model) {
  return dnsLabel(model.name + "-" + ctx.env.name);
}

std::string endpointArn(const BackendContext &ctx, const sema::Decl &model) {
  const WorkspaceInfo &ws = workspaceInfo(ctx);
  return fmt::format("arn:{}:sagemaker:{}:{}:endpoint/{}", ws.partition, ws.region, ws.account,
                     endpointName(ctx, model));
}

std::string trainingJobName(const BackendContext &ctx, const sema::Decl &model) {
  return truncateWithHash(endpointName(ctx, model), 47);
}

std::string modelAlarmName(const BackendContext &ctx, const sema::Decl &model, llvm::StringRef objective) {
  return truncateWithHash(endpointName(ctx, model) + "-" + objective.str(), 255);
}

std::string alarmTopicName(const BackendContext &ctx, const sema::Decl &team, llvm::StringRef severity) {
  std::string name = fmt::format("{}-{}-{}-{}", workspaceInfo(ctx).name, ctx.env.name, team.name, severity);
  std::string out;
  for (char c : name) {
    char lower = llvm::toLower(c);
    out += (llvm::isDigit(lower) || (lower >= 'a' && lower <= 'z')) ? lower : '-';
  }
  return truncateWithHash(out, 256);
}

std::string alarmTopicArn(const BackendContext &ctx, const sema::Decl &team, llvm::StringRef severity) {
  const WorkspaceInfo &ws = workspaceInfo(ctx);
  return fmt::format("arn:{}:sns:{}:{}:{}", ws.partition, ws.region, ws.account,
                     alarmTopicName(ctx, team, severity));
}

std::string monitoringScheduleName(const BackendContext &ctx, const sema::Decl &model) {
  return truncateWithHash(endpointName(ctx, model) + "-data-quality", 63);
}

std::string baselineJobName(const BackendContext &ctx, const sema::Decl &model) {
  return truncateWithHash(endpointName(ctx, model) + "-baseline", 63);
}

std::string artifactPrefix(const BackendContext &ctx, const sema::Decl &model) {
  return fmt::format("{}/{}/", kebab(model.name), kebab(ctx.env.name));
}

std::string roleName(const BackendContext &ctx, const sema::Decl &decl, llvm::StringRef purpose) {
  const WorkspaceInfo &ws = workspaceInfo(ctx);
  std::string name = fmt::format("{}-{}-{}-{}", ws.name, ctx.env.name, decl.kind, decl.name);
  if (!purpose.empty())
    name += "-" + purpose.str();
  // dnsLabel keeps only characters IAM allows in role names; the 64 limit
  // is IAM's, not DNS's.
  std::string out;
  for (char c : name) {
    char lower = llvm::toLower(c);
    out += (llvm::isDigit(lower) || (lower >= 'a' && lower <= 'z')) ? lower : '-';
  }
  return truncateWithHash(out, 64);
}

std::string roleArn(const BackendContext &ctx, const sema::Decl &decl, llvm::StringRef purpose) {
  const WorkspaceInfo &ws = workspaceInfo(ctx);
  return fmt::format("arn:{}:iam::{}:role/{}", ws.partition, ws.account, roleName(ctx, decl, purpose));
}

bool usesIrsa(const BackendContext &ctx) { return !workspaceInfo(ctx).oidcProvider.empty(); }

std::string sidWord(llvm::StringRef name) {
  std::string out;
  bool upper = true;
  for (char c : name) {
    if (!llvm::isAlnum(c)) {
      upper = true;
      continue;
    }
    out += upper ? llvm::toUpper(c) : c;
    upper = false;
  }
  return out;
}

} // namespace plat::backends
