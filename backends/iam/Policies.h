// The IAM backend's model: roles with a trust policy and one permission
// policy each, derived from the graph. Exposed for tests.
//
// Documents are plain structs written straight to JSON text (a workspace
// has tens of thousands of roles; JSON trees cost more to build and free
// than the text they print).
#pragma once

#include <string>
#include <vector>

#include "backends/Backend.h"
#include "llvm/ADT/StringRef.h"

namespace plat::backends::iam {

// One key of a condition operator: `"s3:prefix": ["orders/*"]`, or a
// single string when `list` is false.
struct ConditionKey {
  std::string key;
  std::vector<std::string> values; // exactly one unless `list`
  bool list = false;
};

// `{"<op>": {"<key>": value, ...}, ...}`, operators and keys in the order
// written; empty when a statement has no condition.
struct Condition {
  struct Operator {
    std::string op;
    std::vector<ConditionKey> keys;
  };
  std::vector<Operator> ops;

  bool empty() const { return ops.empty(); }
  // Appends `key`, which `op` must not hold yet, under `op` (the operator
  // is added after the others when new): `"key": "value"`.
  Condition &add(llvm::StringRef op, llvm::StringRef key, std::string value);
  // The same with a list value: `"key": ["value", ...]`.
  Condition &addList(llvm::StringRef op, llvm::StringRef key, std::vector<std::string> values);
  // The values of `key` under `op`, or null.
  const std::vector<std::string> *find(llvm::StringRef op, llvm::StringRef key) const;
};

// A permission statement.
struct Statement {
  std::string sid;
  bool allow = true;
  std::vector<std::string> actions;   // sorted, unique
  std::vector<std::string> resources; // sorted, unique
  Condition condition;
};

// A statement of a trust policy; the effect is always Allow.
struct TrustStatement {
  std::string sid;
  std::string principalType; // "Service", "Federated", "AWS"
  std::string principal;
  std::vector<std::string> actions; // one is written as a string, more as a list
  Condition condition;
};

struct Role {
  const sema::Decl *decl = nullptr;
  std::string purpose; // "training" / "serving" for models
  std::string name;
  std::string arn;
  std::string description;
  std::vector<TrustStatement> trust;
  std::vector<Statement> statements;
  // For Terraform: the service account an EKS Pod Identity association
  // binds (namespace, name), when pods assume the role that way.
  std::string podIdentityNamespace, podIdentityServiceAccount;
  // What the declaration asks for that no IAM statement grants, and why.
  std::vector<std::string> notGranted;
};

// Every role of the environment, in declaration order.
std::vector<Role> roles(const BackendContext &ctx);

// `{"Version": "2012-10-17", "Statement": [...]}` as JSON text, the bytes
// nlohmann's `dump(indent)` writes for the same tree: compact when
// `indent` is negative, else pretty as if the document started at nesting
// depth `level` (see json::appendValue).
void appendPolicyDocument(std::string &out, const std::vector<Statement> &statements, int indent = -1,
                          int level = 0);
void appendTrustDocument(std::string &out, const std::vector<TrustStatement> &statements, int indent = -1,
                         int level = 0);

} // namespace plat::backends::iam
