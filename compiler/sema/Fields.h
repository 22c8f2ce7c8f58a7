// Typed names for declaration kinds and the stdlib fields the compiler reads.
//
// Kinds and fields are listed once, in sema/Fields.def. A backend or a pass
// names a field with a constant, `env.get(id, fields::service::replicas)`,
// never with a string: a misspelt key does not compile, and a key that names
// a field stdlib does not declare (or declares with another type) fails
// tests/unit/fields_test.cpp. The keys are bound to the schema read from
// stdlib once (bindFields, called when the schema is read), after which a
// read is an array index: a declaration's fields are stored in schema order
// (EnvModel::fields), so the binding is the field's slot in its kind's schema.
//
// Reads by a name known only at run time (a field a user wrote in a policy
// rule or a patch, hover over any field) use EnvModel::getByName.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "sema/Schema.h"

namespace plat::sema {

// The declaration kinds the compiler itself knows. The schemas live in
// stdlib/, but backends switch over this enum without a `default`, so that
// adding a kind fails to compile (-Werror=switch) until every backend has
// decided what to do with it.
enum class DeclKind : uint8_t {
#define PLAT_KIND(name, Enumerator) Enumerator,
#include "sema/Fields.def"
};
inline constexpr size_t kDeclKindCount = 0
#define PLAT_KIND(name, Enumerator) +1
#include "sema/Fields.def"
    ;
std::optional<DeclKind> declKindFromName(llvm::StringRef name);
// The kind's name in stdlib: "service".
llvm::StringRef declKindName(DeclKind kind);

enum class FieldId : uint16_t {
#define PLAT_FIELD(kind, field, type) kind##_##field,
#include "sema/Fields.def"
};
inline constexpr size_t kFieldCount = 0
#define PLAT_FIELD(kind, field, type) +1
#include "sema/Fields.def"
    ;

enum class RecordFieldId : uint16_t {
#define PLAT_RECORD_FIELD(record, field, type) record##_##field,
#include "sema/Fields.def"
};
inline constexpr size_t kRecordFieldCount = 0
#define PLAT_RECORD_FIELD(record, field, type) +1
#include "sema/Fields.def"
    ;

enum class SharedFieldId : uint16_t {
#define PLAT_SHARED_FIELD(field) field,
#include "sema/Fields.def"
};
inline constexpr size_t kSharedFieldCount = 0
#define PLAT_SHARED_FIELD(field) +1
#include "sema/Fields.def"
    ;

// A field of one kind: `fields::service::replicas`. Reading it from a
// declaration of another kind gives nullptr, as for a field that is not set.
struct FieldKey {
  FieldId id;
  friend constexpr bool operator==(FieldKey a, FieldKey b) { return a.id == b.id; }
};

// A field of a record type (`type serving { }`), read from a record value:
// `serve->field(records::serving::serverless)`.
struct RecordFieldKey {
  RecordFieldId id;
  friend constexpr bool operator==(RecordFieldKey a, RecordFieldKey b) { return a.id == b.id; }
};

// A field several kinds declare, read from a declaration of any kind:
// `fields::any::owner`. Null for a declaration whose kind has no such field.
struct SharedFieldKey {
  SharedFieldId id;
};

namespace fields {
namespace any {
#define PLAT_SHARED_FIELD(field) inline constexpr SharedFieldKey field{SharedFieldId::field};
#include "sema/Fields.def"
} // namespace any
#define PLAT_FIELD(kind, field, type)                                                                        \
  namespace kind {                                                                                           \
  inline constexpr FieldKey field{FieldId::kind##_##field};                                                  \
  }
#include "sema/Fields.def"
} // namespace fields

namespace records {
#define PLAT_RECORD_FIELD(record, field, type)                                                               \
  namespace record {                                                                                         \
  inline constexpr RecordFieldKey field{RecordFieldId::record##_##field};                                    \
  }
#include "sema/Fields.def"
} // namespace records

// What Fields.def says about a key.
struct FieldKeyInfo {
  DeclKind kind;
  llvm::StringRef kindName; // "service"
  llvm::StringRef name;     // the field's name in stdlib: "replicas"
  TypeKind type;            // the declared type, `?` taken off
};
struct RecordFieldKeyInfo {
  llvm::StringRef record; // "serving"
  llvm::StringRef name;
  TypeKind type;
};
const FieldKeyInfo &keyInfo(FieldKey key);
const RecordFieldKeyInfo &keyInfo(RecordFieldKey key);
// The per-kind keys a shared key stands for, in Fields.def order.
llvm::ArrayRef<FieldKey> kindKeys(SharedFieldKey key);
llvm::StringRef fieldName(SharedFieldKey key);
inline llvm::StringRef fieldName(FieldKey key) { return keyInfo(key).name; }
inline llvm::StringRef fieldName(RecordFieldKey key) { return keyInfo(key).name; }
// Every key, in Fields.def order (for tests and tools).
std::vector<FieldKey> allFieldKeys();
std::vector<RecordFieldKey> allRecordFieldKeys();

// Where each key's field is in the schema read from stdlib: its definition
// and its slot (index in the kind's RecordDef::fields, which is also its
// index in EnvModel::fields[decl]). A key that does not bind has no def.
struct FieldBinding {
  std::array<const FieldDef *, kFieldCount> def{};
  std::array<uint16_t, kFieldCount> slot{};
};

// Binds every key of Fields.def to `schema`. Returns one message per key that
// does not bind (its kind, record type or field is missing, or has another
// type), and per stdlib kind that Fields.def does not list; empty when all is
// well; a shared key that fewer than two kinds declare, or two with other
// types, is a problem too. With the stdlib platc embeds, the list is empty (fields_test.cpp).
std::vector<std::string> bindFields(const Schema &schema, FieldBinding &out);

} // namespace plat::sema
