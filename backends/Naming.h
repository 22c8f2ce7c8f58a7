// Names shared by the backends: IAM roles and their ARNs, SageMaker endpoint
// names, Kubernetes namespaces and service accounts. One definition each, so
// that the IAM policy that allows `sagemaker:InvokeEndpoint` on an endpoint,
// the SageMaker request that creates it, and the Kubernetes service account
// annotated with a role all agree on the same string.
//
// Header-only on purpose: the functions are small, and keeping them inline
// avoids a second file that two engineers would have to coordinate on.
#pragma once

#include <string>

#include "backends/Common.h"
#include "fmt/format.h"
#include "llvm/ADT/StringExtras.h"

namespace plat::backends {

// Shortens `name` to at most `max` characters; when it has to cut, it keeps
// a prefix and appends `-` and 8 hex digits of the full name's hash, so two
// long names that share a prefix stay distinct and the result is stable.
inline std::string truncateWithHash(llvm::StringRef name, size_t max) {
  if (name.size() <= max)
    return name.str();
  std::string hash = contentHash(name).substr(0, 8);
  std::string head = name.take_front(max - hash.size() - 1).str();
  // A cut can leave a trailing `-`, which endpoint and DNS names forbid
  // before another `-`; trim it so the joint is a single hyphen.
  while (!head.empty() && head.back() == '-')
    head.pop_back();
  return head + "-" + hash;
}

// `<workspace>-<env>-<decl-kebab>[-<suffix>]`, at most 64 characters (IAM's
// limit on role names). `suffix` tells apart the roles of one declaration,
// e.g. a model's `training` and `serving` roles.
inline std::string roleName(const BackendContext &ctx, const sema::Decl &decl,
                            llvm::StringRef suffix = "") {
  const sema::Decl *ws = ctx.program.workspace == sema::kNoDecl
                             ? nullptr
                             : &ctx.program.decl(ctx.program.workspace);
  std::string name = fmt::format("{}-{}-{}", ws ? kebab(ws->name) : std::string("plat"),
                                 kebab(ctx.env.name), kebab(decl.name));
  if (!suffix.empty())
    name += "-" + suffix.str();
  return truncateWithHash(name, 64);
}

// `arn:<partition>:iam::<account>:role/<roleName>`.
inline std::string roleArn(const BackendContext &ctx, const sema::Decl &decl,
                           llvm::StringRef suffix = "") {
  WorkspaceInfo ws = workspaceInfo(ctx);
  return fmt::format("arn:{}:iam::{}:role/{}", ws.partition, ws.account,
                     roleName(ctx, decl, suffix));
}

// A model's SageMaker endpoint: `<decl-kebab>-<env>`, at most 63 characters
// (SageMaker's limit on endpoint names).
inline std::string endpointName(const BackendContext &ctx, const sema::Decl &decl) {
  return truncateWithHash(fmt::format("{}-{}", kebab(decl.name), kebab(ctx.env.name)), 63);
}

// The Kubernetes namespace of a team in this environment: the team's name,
// followed by the environment's `namespace_suffix` when it sets one. At most
// 63 characters (a DNS label, hence lower case).
inline std::string namespaceFor(const BackendContext &ctx, const sema::Decl &team) {
  std::string ns = llvm::StringRef(kebab(team.name)).lower();
  if (ctx.env.decl != sema::kNoDecl)
    if (const sema::Value *suffix = ctx.env.get(ctx.env.decl, "namespace_suffix")) {
      llvm::StringRef s = suffix->text;
      s = s.ltrim('-');
      if (!s.empty())
        ns += "-" + llvm::StringRef(kebab(s)).lower();
    }
  return truncateWithHash(ns, 63);
}

// The Kubernetes service account of a declaration (a service, a pipeline's
// tasks, an agent): its kebab-case name in lower case (a DNS subdomain), at
// most 63 characters.
inline std::string serviceAccountName(const sema::Decl &decl) {
  return truncateWithHash(llvm::StringRef(kebab(decl.name)).lower(), 63);
}

} // namespace plat::backends
