// The schemas of kinds, record types, enums and units, read from stdlib/.
//
// Plat's checker knows no kind by heart: it is generic over these schemas.
// `kind service { port : int(1..65535)? ... }` in stdlib/kinds/service.plat
// becomes a RecordDef here, and every `service` declaration is checked
// against it. Docs on the stdlib declarations become hover text.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ast/Ast.h"
#include "base/Source.h"
#include "sema/SyntaxRef.h"

namespace plat::sema {

struct RecordDef;
struct EnumDef;
struct UnitDef;
struct FieldBinding; // sema/Fields.h

enum class TypeKind : uint8_t {
  Any,       // anything (patch blocks)
  Scalar,    // string, int, float or bool
  String,
  Int,
  Float,
  Bool,
  Quantity,  // a number with a unit from a `unit` declaration (cpu, memory, duration)
  Money,     // `120 usd`
  MoneyRate, // `18_000 usd/month`
  Rate,      // `10_000/day`
  Enum,
  Record,    // a `type` declaration, or a kind's schema
  Ref,       // ref<dataset>, ref<service | model>
  List,
  Map,       // map<T>: a record with free keys
  Range,     // range<T>: `3..20`, or one value `3`
  Optional,  // T?
  Blocks,    // blocks<task>: named nested blocks `task ingest { ... }`
  Columns,   // a dataset schema: `name : type @pii` items, or a `type` name
  ColumnRef, // `dataset.column`
  TaskRef,   // the name of a task in the same pipeline
  Storage,   // `s3("bucket", "prefix/")`
  Cron,      // a cron expression or an `@hourly`-style preset, as a string
  InstanceType,     // a catalogued instance type, as a string
  FrameworkVersion, // `xgboost("1.7-1")`
};

struct Type {
  TypeKind kind = TypeKind::Any;
  const Type *element = nullptr; // List, Map, Range, Optional
  const RecordDef *record = nullptr; // Record, Blocks
  const EnumDef *enumDef = nullptr;
  const UnitDef *unit = nullptr;
  std::vector<std::string> refKinds; // Ref
  // Constraints: int(1..65535), string(format = dns_label), list<T>(min = 1)
  std::optional<double> min;
  std::optional<double> max;
  std::string format;

  std::string spelling() const;
};

struct FieldDef {
  std::string name;
  const Type *type = nullptr;
  // The default's expression in the stdlib file that declares the field
  // (invalid: none); Schema::defaultValue resolves it.
  SyntaxRef<ast::Expr> defaultValue;
  bool required = false;
  std::string doc;
  Span span;
};

struct RecordDef {
  std::string name;
  bool isKind = false;
  std::vector<FieldDef> fields;
  std::string doc;
  Span span;
  const FieldDef *field(llvm::StringRef name) const;
  std::vector<std::string> fieldNames() const;
};

struct EnumDef {
  std::string name;
  std::vector<std::string> members;
  std::vector<std::string> docs;
  std::string doc;
  Span span;
  bool has(llvm::StringRef member) const;
  int index(llvm::StringRef member) const;
};

struct UnitDef {
  std::string name;
  std::map<std::string, double> suffixes; // suffix -> factor to the base unit
  bool plainAllowed = false;              // a bare number is accepted
  std::string doc;
  Span span;
};

class Schema {
public:
  const RecordDef *kind(llvm::StringRef name) const;
  const RecordDef *record(llvm::StringRef name) const;
  const EnumDef *enumeration(llvm::StringRef name) const;
  const UnitDef *unit(llvm::StringRef name) const;
  std::vector<std::string> kindNames() const;

  // Storage; the checker fills these while reading stdlib.
  std::map<std::string, RecordDef> kinds;
  std::map<std::string, RecordDef> records;
  std::map<std::string, EnumDef> enums;
  std::map<std::string, UnitDef> units;
  std::deque<Type> types; // stable addresses
  // The stdlib files the schema was read from (their texts and ASTs):
  // FieldDef::defaultValue names nodes of them and the spans are in them, so
  // the schema holds them for as long as any program shares it. A default is
  // resolved here, never through a program's files: the schema outlives the
  // workspace version it was read from.
  SyntaxFiles syntax;
  // A field's default expression, or null when it has none.
  const ast::Expr *defaultValue(const FieldDef &field) const { return syntax.get(field.defaultValue); }
  // The typed field keys bound to `kinds` (sema/Fields.h), once they are read.
  std::shared_ptr<const FieldBinding> fieldBinding;

  const Type *make(Type t) {
    types.push_back(std::move(t));
    return &types.back();
  }
};

} // namespace plat::sema
