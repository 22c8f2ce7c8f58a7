#include "backends/Common.h"

#include <algorithm>

#include "fmt/format.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/SHA256.h"

namespace plat::backends {

bool Output::add(std::string path, std::string bytes, Span origin) {
  auto [it, added] = files_.try_emplace(std::move(path));
  if (!added) {
    conflicts_.push_back(Conflict{it->first, "", origin});
    return false;
  }
  it->second = std::move(bytes);
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

static WorkspaceInfo computeWorkspaceInfo(const BackendContext &ctx) {
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

const WorkspaceInfo &workspaceInfo(const BackendContext &ctx) {
  std::call_once(ctx.cache.workspaceOnce, [&] {
    ctx.cache.workspace = std::make_shared<const WorkspaceInfo>(computeWorkspaceInfo(ctx));
  });
  return *ctx.cache.workspace;
}

const EdgesInto &edgesInto(const BackendContext &ctx) {
  std::call_once(ctx.cache.edgesIntoOnce,
                 [&] { ctx.cache.edgesInto = std::make_shared<const EdgesInto>(ctx.env); });
  return *ctx.cache.edgesInto;
}

llvm::ArrayRef<sema::Edge> edgesOutOf(const sema::EnvModel &env, sema::DeclId from) {
  auto lo = std::lower_bound(env.edges.begin(), env.edges.end(), from,
                             [](const sema::Edge &e, sema::DeclId id) { return e.from < id; });
  auto hi = std::upper_bound(lo, env.edges.end(), from,
                             [](sema::DeclId id, const sema::Edge &e) { return id < e.from; });
  return llvm::ArrayRef<sema::Edge>(&*lo, static_cast<size_t>(hi - lo));
}

llvm::ArrayRef<sema::Edge> edgesOutOf(const sema::EnvModel &env, sema::DeclId from,
                                      sema::EdgeKind kind) {
  llvm::ArrayRef<sema::Edge> all = edgesOutOf(env, from);
  auto lo = std::lower_bound(all.begin(), all.end(), kind,
                             [](const sema::Edge &e, sema::EdgeKind k) { return e.kind < k; });
  auto hi = std::upper_bound(lo, all.end(), kind,
                             [](sema::EdgeKind k, const sema::Edge &e) { return k < e.kind; });
  return llvm::ArrayRef<sema::Edge>(lo, static_cast<size_t>(hi - lo));
}

EdgesInto::EdgesInto(const sema::EnvModel &env) {
  sema::DeclId max = 0;
  for (const sema::Edge &e : env.edges)
    max = std::max(max, e.to);
  start_.assign(env.edges.empty() ? 1 : max + 2, 0);
  for (const sema::Edge &e : env.edges)
    ++start_[e.to + 1];
  for (size_t i = 1; i < start_.size(); ++i)
    start_[i] += start_[i - 1];
  edges_.resize(env.edges.size());
  std::vector<uint32_t> next(start_.begin(), start_.end() - 1);
  // Edges are sorted by (from, kind, to): a stable fill keeps each
  // declaration's incoming edges in (from, kind) order.
  for (const sema::Edge &e : env.edges)
    edges_[next[e.to]++] = &e;
}

llvm::ArrayRef<const sema::Edge *> EdgesInto::of(sema::DeclId to) const {
  if (to + 1 >= start_.size())
    return {};
  return llvm::ArrayRef<const sema::Edge *>(edges_.data() + start_[to], start_[to + 1] - start_[to]);
}

} // namespace plat::backends
