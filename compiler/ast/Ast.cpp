#include "ast/Ast.h"

namespace plat::ast {

std::string Path::str() const {
  std::string out;
  for (const Ident &part : parts) {
    if (!out.empty())
      out += '.';
    out += part.text.str();
  }
  return out;
}

llvm::StringRef spelling(BinaryOp op) {
  switch (op) {
  case BinaryOp::Lt:
    return "<";
  case BinaryOp::Le:
    return "<=";
  case BinaryOp::Gt:
    return ">";
  case BinaryOp::Ge:
    return ">=";
  case BinaryOp::Eq:
    return "==";
  case BinaryOp::Ne:
    return "!=";
  case BinaryOp::In:
    return "in";
  case BinaryOp::And:
    return "and";
  case BinaryOp::Or:
    return "or";
  }
  return "?";
}

} // namespace plat::ast
