// The typed IR: the checked workspace, per environment.
//
// Declarations are stored by DeclId; references between them are ids, never
// names. Each environment has every declaration's resolved field values
// (defaults, templates and overrides applied) and the dependency graph. The
// Program is immutable once `check` returns it; backends, the cost report,
// the graph printer and the language server read it and nothing else.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "diag/Diagnostic.h"
#include "sema/Fields.h"
#include "sema/Schema.h"

namespace plat {
class Workspace;
struct Package;
}

namespace plat::sema {

using DeclId = uint32_t;
inline constexpr DeclId kNoDecl = UINT32_MAX;
using EnvId = uint32_t;

// Where a field's value came from, for hover and for reviewers.
enum class Origin : uint8_t { Default, Template, Declared, TemplateEnvOverride, EnvOverride };
llvm::StringRef originName(Origin origin);

struct Value;

struct NamedValue {
  std::string name;
  const Value *value;
  // Where the key is written (`deployment` in `patch = { deployment = ... }`);
  // invalid for entries no source names (a schema's columns, merged maps
  // keep the key of the setting that won).
  Span keySpan;
};

struct Value {
  enum class Kind : uint8_t {
    Bool,
    Int,
    Float,
    String,
    Quantity,  // number = amount in the unit's base (cores, bytes, seconds)
    Money,     // number = amount, text = currency
    MoneyRate, // number = amount per second, text = currency, period = the written period
    Rate,      // number = count per second, period = the written period
    Enum,      // text = member
    Ref,       // ref = declaration
    ColumnRef, // ref = dataset, text = column
    TaskRef,   // text = task name
    List,
    Record, // fields sorted by name (maps too)
    Range,  // items[0]..items[1]
    Columns,
    Storage,   // text = bucket, text2 = prefix
    Framework, // ref = framework declaration, text = name, text2 = version
    Error,
  };
  Kind kind = Kind::Error;
  const Type *type = nullptr;
  Span span;
  bool boolean = false;
  int64_t integer = 0;
  double number = 0;
  std::string text;
  std::string text2;
  std::string period; // as written: "month", "hour"
  DeclId ref = kNoDecl;
  std::vector<const Value *> items;
  std::vector<NamedValue> fields;

  // A field of a record (or a key of a map) by name; for a record type's
  // field the typed key below is the way to name it.
  const Value *field(llvm::StringRef name) const;
  const Value *field(RecordFieldKey key) const { return field(fieldName(key)); }
  double asNumber() const { return kind == Kind::Int ? static_cast<double>(integer) : number; }
};

// Storage for Values (and the Types the checker makes while resolving
// them): stable addresses, allocated in chunks. Values are immutable once
// their check is done. A recheck that reuses the values of unchanged
// declarations starts from share(): a store holding the same chunks (so
// the reused values stay where they are, alive for as long as either
// program) that puts new values into chunks of its own, never into a shared
// one. Two programs never write to the same chunk.
class ValueStore {
public:
  Value &make() {
    if (used_ == capacity_) {
      // Chunks grow from small to kChunk, so that a recheck that makes a
      // handful of values does not hold a full chunk.
      capacity_ = capacity_ == 0 ? kFirstChunk : std::min(capacity_ * 2, kChunk);
      chunks_.push_back(std::shared_ptr<Value[]>(new Value[capacity_]));
      slots_ += capacity_;
      used_ = 0;
    }
    ++count_;
    return chunks_.back()[used_++];
  }
  const Type *makeType(Type t) {
    if (!ownTypes_) {
      types_.push_back(std::make_shared<std::deque<Type>>());
      ownTypes_ = true;
    }
    types_.back()->push_back(std::move(t));
    return &types_.back()->back();
  }
  // Every value made so far, in this store or those it shares chunks with.
  size_t size() const { return count_; }
  // The values all its chunks have room for (what the store holds in memory).
  size_t slots() const { return slots_; }
  // A store with the same values and types, which makes new ones apart.
  ValueStore share() const {
    ValueStore out;
    out.chunks_ = chunks_;
    out.types_ = types_;
    out.count_ = count_;
    out.slots_ = slots_;
    return out;
  }

private:
  static constexpr size_t kFirstChunk = 64;
  static constexpr size_t kChunk = 2048;
  std::vector<std::shared_ptr<Value[]>> chunks_;
  std::vector<std::shared_ptr<std::deque<Type>>> types_;
  size_t capacity_ = 0; // of the last chunk, when it is this store's own
  size_t used_ = 0;
  size_t count_ = 0;
  size_t slots_ = 0;
  bool ownTypes_ = false;
};

struct Column {
  std::string name;
  std::string type; // a column_type member
  bool pii = false;
  std::string doc;
  Span span;
};

// A field of a declaration in one environment.
struct FieldValue {
  const FieldDef *def = nullptr;
  const Value *value = nullptr; // null: optional and not set
  Origin origin = Origin::Default;
};

// DeclKind, and the typed keys of kinds' fields: sema/Fields.h.

struct Decl {
  DeclId id = kNoDecl;
  DeclKind kindId = DeclKind::Workspace;
  std::string kind;
  const RecordDef *schema = nullptr;
  std::string name;
  std::string package;
  std::string qualifiedName; // package.name, or name in the root package
  Span span;
  Span nameSpan;
  // The declaration's block (invalid: none); Program::block resolves it.
  SyntaxRef<ast::Block> syntax;
  std::string doc;
  bool fromStdlib = false;
  std::vector<std::string> templates; // extends chain, nearest first
  std::vector<Column> columns;        // datasets
};

enum class EdgeKind : uint8_t {
  Owns,      // team -> declaration
  Calls,     // service -> service/model
  Reads,     // service/pipeline -> dataset
  Writes,    // pipeline/service -> dataset
  TrainedOn, // model -> dataset
  RetrainsOn,
  Invokes,  // agent -> service/model
  AgentReads,
  AgentWrites,
  Triggers, // agent -> pipeline
};
llvm::StringRef edgeName(EdgeKind kind);
// The edge as a verb in a sentence: "`scorer` is trained on `transactions`".
llvm::StringRef edgeVerb(EdgeKind kind);

struct Edge {
  DeclId from;
  DeclId to;
  EdgeKind kind;
  Span span; // where the dependency is written
};

// A declaration's field values in one environment, in schema order.
// Immutable once made and shared: the environments in which a declaration
// has the same values, and the rechecks that reuse them, hold one list.
class FieldList {
public:
  FieldList() = default;
  explicit FieldList(std::vector<FieldValue> values)
      : values_(values.empty() ? nullptr
                               : std::make_shared<const std::vector<FieldValue>>(std::move(values))) {}
  const FieldValue *begin() const { return values_ ? values_->data() : nullptr; }
  const FieldValue *end() const { return values_ ? values_->data() + values_->size() : nullptr; }
  size_t size() const { return values_ ? values_->size() : 0; }
  bool empty() const { return size() == 0; }
  const FieldValue &operator[](size_t i) const { return (*values_)[i]; }

private:
  std::shared_ptr<const std::vector<FieldValue>> values_;
};

struct EnvModel {
  std::string name;
  DeclId decl = kNoDecl; // the `environment` declaration
  std::string tier;      // development, staging, production
  std::vector<bool> exists;                    // by DeclId
  std::vector<FieldList> fields; // by DeclId
  std::vector<Edge> edges;                     // sorted (from, kind, to)

  // Governance results (compiler/governance/), by DeclId.
  // Effective classification: index into the `classification` enum
  // (0 public .. 3 pii), -1 where it does not apply.
  std::vector<int> classification;
  // The edge that raised the classification to its level (for explaining
  // the path), or null where the level is the declaration's own.
  std::vector<const Edge *> classificationVia;
  // Estimated monthly cost in USD, 0 where nothing is priced.
  std::vector<double> monthlyCost;

  // Where the typed field keys are in `fields` (sema/Fields.h); shared by
  // every environment of a program.
  std::shared_ptr<const FieldBinding> binding;

  // A field's value, or null when it is not set or `decl` is not of the
  // key's kind: `env.get(id, fields::service::replicas)`. O(1).
  const Value *get(DeclId decl, FieldKey field) const;
  const FieldValue *fieldValue(DeclId decl, FieldKey field) const;
  Origin originOf(DeclId decl, FieldKey field) const;
  // A field several kinds declare, of a declaration of any of them:
  // `env.get(id, fields::any::owner)`.
  const Value *get(DeclId decl, SharedFieldKey field) const;
  // The same by a name known only at run time: a field a user wrote (policy
  // rules, patches) or every field of a declaration (hover, review). A scan
  // of the declaration's fields; code that knows the field uses a key.
  const Value *getByName(DeclId decl, llvm::StringRef field) const;
  Origin originOfByName(DeclId decl, llvm::StringRef field) const;
  // The edges out of `from`, in (kind, to) order (a binary search over `edges`).
  llvm::ArrayRef<Edge> edgesFrom(DeclId from) const;
  // The same, of one kind.
  llvm::ArrayRef<Edge> edgesFrom(DeclId from, EdgeKind kind) const;
};

// A use of a name in the source and what it resolved to: what "go to
// definition" and "find references" answer from.
struct Reference {
  Span span;
  DeclId target = kNoDecl;
  std::string column; // for `dataset.column`
};

// What a check remembers for the next one (pipeline::recheck): enough, per file
// and per declaration, to reuse the resolved values of the declarations whose
// inputs did not change. Not part of the IR.
struct CheckMemo {
  struct FileInfo {
    std::string path;
    FileId id;
    // Templates, record types or enums: things other files' values are
    // built from. A change to such a file makes the next check a full one.
    bool definesShared = false;
  };
  struct DeclInfo {
    bool envDependent = false;
    // What resolving the declaration (in every environment) produced
    // besides its values; replayed when the values are reused.
    std::vector<Diagnostic> diagnostics;
    std::vector<Reference> references;
    std::vector<std::pair<size_t, size_t>> importsUsed; // (file index, import index)
  };
  std::vector<FileInfo> files;
  std::vector<size_t> declFiles; // by DeclId: the index of its file
  // By DeclId. Made by the check that resolved the declaration and shared,
  // never changed, by the rechecks that reuse it.
  std::vector<std::shared_ptr<DeclInfo>> decls;
  // The workspace's packages, in name order: every name they declare,
  // whether or not it became a Decl (an unknown kind, a template), is read
  // by unknown-name help ("declared in package ..."), so a change to those
  // names means a full check.
  std::vector<std::shared_ptr<const plat::Package>> packages;
  size_t valuesAfterFullCheck = 0; // a recheck turns full when garbage outgrows this
};

// How much a recheck reused, for tests and benchmarks.
struct RecheckStats {
  bool incremental = false; // false: everything was resolved again
  size_t reused = 0;        // declarations whose values were reused
  size_t resolved = 0;      // declarations resolved (stdlib included)
};

// What the typing of policy rules (PolicyTypes.cpp) tells the evaluator in
// governance, so that evaluation never guesses at a value's type.
enum class PolicyCompare : uint8_t {
  Number,   // numbers, quantities, money, rates: by value in the base unit
  Enum,     // members of one enum, in declaration order
  String,   // strings, by bytes
  Decl,     // declarations, by identity
  DeclName, // a declaration and a string: by the declaration's name
  Bool,
  None,     // one side is `none`: whether the other is unset
};
// The rules and expressions are named by SyntaxRef (SyntaxRef<T>::to(node)).
struct PolicyTyping {
  // Rules with a type error: reported once, never evaluated.
  std::set<SyntaxRef<ast::Rule>> illTyped;
  // Number literals, in the base unit of what they are compared with
  // (seconds, bytes, cores; money rates and rates per second).
  std::map<SyntaxRef<ast::NumberExpr>, double> literals;
  // How each comparison (and each `in`, element-wise) compares.
  std::map<SyntaxRef<ast::BinaryExpr>, PolicyCompare> comparisons;
  // Bare names that are enum members, with their enum.
  std::map<SyntaxRef<ast::NameExpr>, const EnumDef *> enumMembers;
};

// A checked workspace. A Program is self-contained: it holds (in `syntax`,
// and through `schemaHandle`) every file text and AST its references name
// (Decl::syntax, FieldDef::defaultValue, the policy typing's keys, spans), so
// it can be read for as long as it exists, whatever happens to the workspace
// it was checked from. The IR holds no pointer into syntax: it names nodes
// by SyntaxRef (file id, node id), resolved through `syntax` (block, node)
// or, for the stdlib schema's defaults, through the schema's own files
// (Schema::defaultValue). It is immutable once pipeline::check returns it; a
// recheck reads it and shares its schema and values, never changes it.
struct Program {
  Program() : Program(std::make_shared<Schema>()) {}
  // A program that shares an earlier check's schema (a recheck).
  explicit Program(std::shared_ptr<const Schema> shared)
      : schemaHandle(std::move(shared)), schema(*schemaHandle) {}
  Program(const Program &) = delete;
  Program &operator=(const Program &) = delete;

  // The kinds, records, enums and units of stdlib, read once by a full check
  // and shared by the programs rechecked from it.
  std::shared_ptr<const Schema> schemaHandle;
  const Schema &schema;
  // The texts and ASTs of the files this program was checked from, by FileId.
  SyntaxFiles syntax;
  std::vector<Decl> decls;
  std::vector<EnvModel> envs;
  std::vector<Reference> references; // sorted by file and offset
  std::map<std::string, DeclId> byQualifiedName;
  DeclId workspace = kNoDecl;
  ValueStore values; // storage for every Value above
  std::unique_ptr<CheckMemo> memo;
  PolicyTyping policyTyping; // filled by sema::typePolicies (PolicyTypes.h)

  const Decl &decl(DeclId id) const { return decls[id]; }
  // The block a declaration was written as, or null when it has none.
  const ast::Block *block(const Decl &d) const { return syntax.get(d.syntax); }
  // The node a reference names, or null when this program does not hold its file.
  template <typename T> const T *node(SyntaxRef<T> ref) const { return syntax.get(ref); }
  const EnvModel *env(llvm::StringRef name) const;
  // Declarations of a kind, user ones only, in id order (= sorted by path).
  std::vector<DeclId> ofKind(DeclKind kind) const;
  // The team that owns a declaration in an environment, or kNoDecl.
  DeclId owner(const EnvModel &env, DeclId decl) const;
};

// Seconds of CPU time each phase of `pipeline::check` took (for
// `--time-phases`).
struct PhaseTimes {
  double resolve = 0;    // names, types, per-environment values
  double cross = 0;      // cross-persona checks
  double governance = 0; // lineage, policies, agents, cost
};

// The first stage of sema: gives every declaration an id, resolves names,
// type-checks and computes each environment's values. Never fails: problems
// are diagnostics, and the IR holds what could be understood. With
// `previous` (the program of the last check of the same workspace, after
// Workspace::updateFile), declarations in files that did not change keep
// their values, references and diagnostics when nothing shared changed.
// `previous` is only read: it stays valid and unchanged.
// The whole-graph stages run after it: crossCheck (Cross.h), then
// governance; compiler/pipeline/Pipeline.h sequences them.
std::unique_ptr<Program> resolve(const Workspace &ws, Diagnostics &diags,
                                 const Program *previous = nullptr, RecheckStats *stats = nullptr);

// `platc check --dump-ir`: a stable, readable text form for golden tests.
std::string dumpIr(const Program &program, const SourceManager &sources);

} // namespace plat::sema
