#include "backends/Common.h"

#include <algorithm>

#include "fmt/format.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/SHA256.h"

namespace plat::backends {

bool Output::add(std::string path, std::string bytes, Span origin) {
  if (files_.count(path)) {
    conflicts_.emplace_back(path, origin);
    return false;
  }
  origins_[path] = origin;
  files_.emplace(std::move(path), std::move(bytes));
  return true;
}

std::string contentHash(llvm::StringRef bytes) {
  llvm::SHA256 sha;
  sha.update(bytes);
  // LLVM 14 returns the digest as a StringRef over 32 raw bytes.
  llvm::StringRef digest = sha.final();
  return llvm::toHex(digest.take_front(8), /*LowerCase=*/true);
}

std::string sourceLocation(const BackendContext &ctx, const sema::Decl &decl) {
  LineCol lc = ctx.sources.lineCol(decl.nameSpan);
  return fmt::format("{}:{}", ctx.sources.file(decl.nameSpan.file).path(), lc.line);
}

std::string kebab(llvm::StringRef name) {
  std::string out = name.str();
  std::replace(out.begin(), out.end(), '_', '-');
  return out;
}

WorkspaceInfo workspaceInfo(const BackendContext &ctx) {
  WorkspaceInfo info;
  sema::DeclId ws = ctx.program.workspace;
  if (ws == sema::kNoDecl)
    return info;
  info.name = ctx.program.decl(ws).name;
  auto text = [&](const char *field) {
    const sema::Value *v = ctx.env.get(ws, field);
    return v ? v->text : std::string();
  };
  info.account = text("account");
  info.region = text("region");
  info.partition = text("partition");
  if (info.partition.empty())
    info.partition = "aws";
  std::replace(info.partition.begin(), info.partition.end(), '_', '-');
  info.cluster = text("cluster");
  info.oidcProvider = text("oidc_provider");
  info.airflowRole = text("airflow_role");
  info.artifactBucket = text("artifact_bucket");
  if (info.artifactBucket.empty())
    info.artifactBucket = fmt::format("{}-sagemaker-artifacts-{}", kebab(info.name), info.account);
  return info;
}

} // namespace plat::backends
