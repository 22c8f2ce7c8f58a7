#include "backends/Patch.h"

namespace plat::backends {

PatchJson rawToJson(const sema::Value *v) {
  if (!v)
    return nullptr;
  switch (v->kind) {
  case sema::Value::Kind::Bool:
    return v->boolean;
  case sema::Value::Kind::Int:
    return v->integer;
  case sema::Value::Kind::Float:
    return v->number;
  case sema::Value::Kind::String:
  case sema::Value::Kind::Quantity:
  case sema::Value::Kind::Money:
  case sema::Value::Kind::MoneyRate:
  case sema::Value::Kind::Rate:
  case sema::Value::Kind::Enum:
  case sema::Value::Kind::TaskRef:
  case sema::Value::Kind::ColumnRef:
    return v->text;
  case sema::Value::Kind::List: {
    PatchJson out = PatchJson::array();
    for (const sema::Value *item : v->items)
      out.push_back(rawToJson(item));
    return out;
  }
  case sema::Value::Kind::Record: {
    PatchJson out = PatchJson::object();
    for (const sema::NamedValue &f : v->fields)
      out[f.name] = rawToJson(f.value);
    return out;
  }
  case sema::Value::Kind::Range:
  case sema::Value::Kind::Columns:
  case sema::Value::Kind::Storage:
  case sema::Value::Kind::Framework:
  case sema::Value::Kind::Ref:
  case sema::Value::Kind::Error:
    break;
  }
  // Not raw data (a reference, a range): nothing sensible to merge.
  return v->text;
}

void mergePatch(PatchJson &target, const PatchJson &patch, const std::string &path,
                std::vector<std::string> &paths) {
  if (!patch.is_object() || !target.is_object()) {
    target = patch;
    paths.push_back(path);
    return;
  }
  for (const auto &[key, value] : patch.items()) {
    std::string sub = path.empty() ? key : path + "." + key;
    if (value.is_null()) {
      if (target.contains(key)) {
        target.erase(key);
        paths.push_back(sub);
      }
      continue;
    }
    if (value.is_object() && target.contains(key) && target[key].is_object()) {
      mergePatch(target[key], value, sub, paths);
      continue;
    }
    target[key] = value;
    paths.push_back(sub);
  }
}

PatchJson patchFor(const sema::Value *patch, sema::DeclKind kind, llvm::StringRef object) {
  PatchJson out;
  if (!patch)
    return out;
  for (const sema::NamedValue &f : patch->fields) {
    const sema::PatchTarget *t = sema::findPatchTarget(kind, f.name);
    if (!t || t->object != object)
      continue;
    std::vector<std::string> ignored;
    if (out.is_null())
      out = PatchJson::object();
    mergePatch(out, rawToJson(f.value), "", ignored);
  }
  return out;
}

} // namespace plat::backends
