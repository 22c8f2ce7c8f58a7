// The IAM backend's model: roles with a trust policy and one permission
// policy each, derived from the graph. Exposed for tests.
#pragma once

#include <string>
#include <vector>

#include "backends/Backend.h"
#include "nlohmann/json.hpp"

namespace plat::backends::iam {

using Json = nlohmann::ordered_json;

struct Statement {
  std::string sid;
  bool allow = true;
  std::vector<std::string> actions;   // sorted, unique
  std::vector<std::string> resources; // sorted, unique
  Json condition;                     // null when none
};

struct Role {
  const sema::Decl *decl = nullptr;
  std::string purpose; // "training" / "serving" for models
  std::string name;
  std::string arn;
  std::string description;
  Json trust;
  std::vector<Statement> statements;
  // For Terraform: the service account an EKS Pod Identity association
  // binds (namespace, name), when pods assume the role that way.
  std::string podIdentityNamespace, podIdentityServiceAccount;
  // What the declaration asks for that no IAM statement grants, and why.
  std::vector<std::string> notGranted;
};

// Every role of the environment, in declaration order.
std::vector<Role> roles(const BackendContext &ctx);

// `{"Version": "2012-10-17", "Statement": [...]}`.
Json policyDocument(const std::vector<Statement> &statements);

} // namespace plat::backends::iam
