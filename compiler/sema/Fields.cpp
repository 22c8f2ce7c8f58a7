#include "sema/Fields.h"

#include <string_view>

#include <fmt/format.h>

namespace plat::sema {

namespace {

// A field named after a C++ keyword is written with a trailing `_` in
// Fields.def (`operator_`); its stdlib name has none.
llvm::StringRef stdlibName(llvm::StringRef ident) { return ident.endswith("_") ? ident.drop_back() : ident; }

constexpr std::string_view kKindNames[] = {
#define PLAT_KIND(name, Enumerator) #name,
#include "sema/Fields.def"
};
static_assert(std::size(kKindNames) == kDeclKindCount);

constexpr size_t kindIndex(std::string_view name) {
  for (size_t i = 0; i < kDeclKindCount; ++i)
    if (kKindNames[i] == name)
      return i;
  return kDeclKindCount;
}
#define PLAT_FIELD(kind, field, type)                                                                        \
  static_assert(kindIndex(#kind) < kDeclKindCount, "Fields.def: a field of a kind PLAT_KIND does not list");
#include "sema/Fields.def"

const FieldKeyInfo kFieldInfo[] = {
#define PLAT_FIELD(kind, field, type)                                                                        \
  {static_cast<DeclKind>(kindIndex(#kind)), #kind, stdlibName(#field), TypeKind::type},
#include "sema/Fields.def"
};
static_assert(std::size(kFieldInfo) == kFieldCount);

const RecordFieldKeyInfo kRecordFieldInfo[] = {
#define PLAT_RECORD_FIELD(record, field, type) {#record, stdlibName(#field), TypeKind::type},
#include "sema/Fields.def"
};
static_assert(std::size(kRecordFieldInfo) == kRecordFieldCount);

const llvm::StringRef kSharedNames[] = {
#define PLAT_SHARED_FIELD(field) stdlibName(#field),
#include "sema/Fields.def"
};
static_assert(std::size(kSharedNames) == kSharedFieldCount);

// For each shared key, the per-kind keys of that name: built once.
const std::vector<std::vector<FieldKey>> &sharedKeys() {
  static const std::vector<std::vector<FieldKey>> table = [] {
    std::vector<std::vector<FieldKey>> out(kSharedFieldCount);
    for (size_t s = 0; s < kSharedFieldCount; ++s)
      for (size_t i = 0; i < kFieldCount; ++i)
        if (kFieldInfo[i].name == kSharedNames[s])
          out[s].push_back(FieldKey{static_cast<FieldId>(i)});
    return out;
  }();
  return table;
}

// The type a value of the field has, whether or not it may be left unset.
TypeKind declaredType(const Type *type) {
  while (type && type->kind == TypeKind::Optional)
    type = type->element;
  return type ? type->kind : TypeKind::Any;
}

} // namespace

std::optional<DeclKind> declKindFromName(llvm::StringRef name) {
  size_t i = kindIndex(std::string_view(name.data(), name.size()));
  if (i == kDeclKindCount)
    return std::nullopt;
  return static_cast<DeclKind>(i);
}

llvm::StringRef declKindName(DeclKind kind) {
  std::string_view name = kKindNames[static_cast<size_t>(kind)];
  return llvm::StringRef(name.data(), name.size());
}

const FieldKeyInfo &keyInfo(FieldKey key) { return kFieldInfo[static_cast<size_t>(key.id)]; }
const RecordFieldKeyInfo &keyInfo(RecordFieldKey key) {
  return kRecordFieldInfo[static_cast<size_t>(key.id)];
}

llvm::ArrayRef<FieldKey> kindKeys(SharedFieldKey key) { return sharedKeys()[static_cast<size_t>(key.id)]; }
llvm::StringRef fieldName(SharedFieldKey key) { return kSharedNames[static_cast<size_t>(key.id)]; }

std::vector<FieldKey> allFieldKeys() {
  std::vector<FieldKey> out;
  for (size_t i = 0; i < kFieldCount; ++i)
    out.push_back(FieldKey{static_cast<FieldId>(i)});
  return out;
}

std::vector<RecordFieldKey> allRecordFieldKeys() {
  std::vector<RecordFieldKey> out;
  for (size_t i = 0; i < kRecordFieldCount; ++i)
    out.push_back(RecordFieldKey{static_cast<RecordFieldId>(i)});
  return out;
}

std::vector<std::string> bindFields(const Schema &schema, FieldBinding &out) {
  std::vector<std::string> problems;
  auto check = [&](const RecordDef *record, llvm::StringRef what, llvm::StringRef recordName,
                   llvm::StringRef name, TypeKind type) -> const FieldDef * {
    if (!record) {
      problems.push_back(fmt::format("Fields.def names {} `{}`, which stdlib does not declare", what.str(),
                                     recordName.str()));
      return nullptr;
    }
    const FieldDef *def = record->field(name);
    if (!def) {
      problems.push_back(fmt::format("Fields.def names field `{}.{}`, which stdlib does not declare",
                                     recordName.str(), name.str()));
      return nullptr;
    }
    if (declaredType(def->type) != type) {
      problems.push_back(fmt::format("Fields.def gives field `{}.{}` another type than stdlib's `{}`",
                                     recordName.str(), name.str(),
                                     def->type ? def->type->spelling() : std::string("?")));
      return nullptr;
    }
    return def;
  };
  for (size_t i = 0; i < kFieldCount; ++i) {
    const FieldKeyInfo &info = kFieldInfo[i];
    const RecordDef *kind = schema.kind(info.kindName);
    out.def[i] = check(kind, "kind", info.kindName, info.name, info.type);
    out.slot[i] = out.def[i] ? static_cast<uint16_t>(out.def[i] - kind->fields.data()) : 0;
  }
  for (const RecordFieldKeyInfo &info : kRecordFieldInfo)
    check(schema.record(info.record), "record type", info.record, info.name, info.type);
  for (size_t s = 0; s < kSharedFieldCount; ++s) {
    const std::vector<FieldKey> &keys = sharedKeys()[s];
    if (keys.size() < 2)
      problems.push_back(fmt::format("shared field `{}` is a field of {} kind(s) in Fields.def, not several",
                                     kSharedNames[s].str(), keys.size()));
    for (FieldKey k : keys)
      if (keyInfo(k).type != keyInfo(keys.front()).type)
        problems.push_back(fmt::format("shared field `{}` has another type in `{}` than in `{}`",
                                       kSharedNames[s].str(), keyInfo(k).kindName.str(),
                                       keyInfo(keys.front()).kindName.str()));
  }
  for (const std::string &name : schema.kindNames())
    if (!declKindFromName(name))
      problems.push_back(fmt::format("stdlib declares kind `{}`, which Fields.def does not list", name));
  return problems;
}

} // namespace plat::sema
