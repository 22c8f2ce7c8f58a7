// Plat's abstract syntax tree.
//
// Built from the ANTLR parse tree in one place (compiler/syntax/) and then
// the only syntax representation the rest of the compiler sees. Nodes live in
// a per-file arena and are trivially destructible: they hold spans, StringRefs
// (into the source text or the arena) and ArrayRefs of arena memory only.
// Every node records its byte span. Nodes use LLVM-style RTTI: isa<>,
// dyn_cast<> and cast<> from llvm/Support/Casting.h work on them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <array>
#include <type_traits>

#include "base/Source.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Allocator.h"
#include "llvm/Support/Casting.h"
#include "llvm/Support/MathExtras.h"

namespace plat::ast {

struct Ident {
  llvm::StringRef text;
  Span span;
  bool empty() const { return text.empty(); }
};

// A dotted name: `acme.fraud.scorer`, `train.instance`.
struct Path {
  llvm::ArrayRef<Ident> parts;
  Span span;
  bool empty() const { return parts.empty(); }
  std::string str() const;
  const Ident &last() const { return parts.back(); }
};

struct Expr;
struct Block;

// A node's number in its file's arena: expressions and items (blocks, rules,
// field declarations...) are numbered densely, each category from 0, in the
// order the parser made them. With the file's id it names a node from outside
// the AST without pointing into it (sema::SyntaxRef): the checked IR refers
// to syntax that way, and resolves the pair through the arena (Arena::expr,
// Arena::item) of the file it holds.
struct NodeId {
  uint32_t index = UINT32_MAX;
  bool valid() const { return index != UINT32_MAX; }
  friend bool operator==(NodeId a, NodeId b) { return a.index == b.index; }
  friend bool operator!=(NodeId a, NodeId b) { return a.index != b.index; }
  friend bool operator<(NodeId a, NodeId b) { return a.index < b.index; }
};

struct Arg {
  Ident name; // empty for positional arguments
  Expr *value;
};

struct Annotation {
  Ident name;
  llvm::ArrayRef<Arg> args;
  Span span;
};

// ---------------------------------------------------------------- expressions

enum class ExprKind : uint8_t {
  String,
  Number,
  Bool,
  Name,
  Member,
  Call,
  Index,
  List,
  Record,
  Range,
  Unary,
  Binary,
  Quantifier,
  Error,
};

struct Expr {
  ExprKind kind;
  Span span;
  NodeId id; // set by Arena::make

protected:
  Expr(ExprKind k, Span s) : kind(k), span(s) {}
};

// One piece of a string: literal text (escapes already decoded) or an
// interpolated path `${a.b}`.
struct StringPart {
  llvm::StringRef text;
  const Path *interpolation = nullptr;
  Span span;
};

struct StringExpr : Expr {
  llvm::ArrayRef<StringPart> parts;
  llvm::StringRef raw; // the token as written, quotes included
  bool triple = false; // """...""" (no escapes, no interpolation)
  StringExpr(Span s) : Expr(ExprKind::String, s) {}
  static bool classof(const Expr *e) { return e->kind == ExprKind::String; }

  bool isPlain() const { return parts.size() <= 1 && (parts.empty() || !parts[0].interpolation); }
  // The decoded value of a string without interpolations.
  llvm::StringRef value() const { return parts.empty() ? llvm::StringRef() : parts[0].text; }
};

// A number, possibly with a unit: `42`, `1.5`, `500m`, `512Mi`, `120 usd`,
// `10_000/day`, `18_000 usd/month`.
struct NumberExpr : Expr {
  llvm::StringRef raw;    // the literal as written, without currency and rate
  llvm::StringRef digits; // the numeric part as written (underscores kept)
  bool isInteger = true;
  int64_t intValue = 0;
  double value = 0;
  llvm::StringRef suffix;   // unit suffix glued to the number: m, Mi, h, ...
  llvm::StringRef currency; // usd, eur, gbp, or empty
  Ident per;                // the period of a rate (`day` in 10/day), or empty
  NumberExpr(Span s) : Expr(ExprKind::Number, s) {}
  static bool classof(const Expr *e) { return e->kind == ExprKind::Number; }
};

struct BoolExpr : Expr {
  bool value;
  BoolExpr(Span s, bool v) : Expr(ExprKind::Bool, s), value(v) {}
  static bool classof(const Expr *e) { return e->kind == ExprKind::Bool; }
};

struct NameExpr : Expr {
  Ident name;
  NameExpr(Span s, Ident n) : Expr(ExprKind::Name, s), name(n) {}
  static bool classof(const Expr *e) { return e->kind == ExprKind::Name; }
};

struct MemberExpr : Expr {
  Expr *base;
  Ident member;
  MemberExpr(Span s, Expr *b, Ident m) : Expr(ExprKind::Member, s), base(b), member(m) {}
  static bool classof(const Expr *e) { return e->kind == ExprKind::Member; }
};

struct CallExpr : Expr {
  Expr *callee;
  llvm::ArrayRef<Arg> args;
  CallExpr(Span s, Expr *c) : Expr(ExprKind::Call, s), callee(c) {}
  static bool classof(const Expr *e) { return e->kind == ExprKind::Call; }
};

struct IndexExpr : Expr {
  Expr *base;
  Expr *index;
  IndexExpr(Span s, Expr *b, Expr *i) : Expr(ExprKind::Index, s), base(b), index(i) {}
  static bool classof(const Expr *e) { return e->kind == ExprKind::Index; }
};

struct ListExpr : Expr {
  llvm::ArrayRef<Expr *> elements;
  ListExpr(Span s) : Expr(ExprKind::List, s) {}
  static bool classof(const Expr *e) { return e->kind == ExprKind::List; }
};

// `{ cpu = 500m, memory = 512Mi }`: a block used as a value.
struct RecordExpr : Expr {
  Block *body;
  RecordExpr(Span s, Block *b) : Expr(ExprKind::Record, s), body(b) {}
  static bool classof(const Expr *e) { return e->kind == ExprKind::Record; }
};

struct RangeExpr : Expr {
  Expr *low;
  Expr *high;
  RangeExpr(Span s, Expr *l, Expr *h) : Expr(ExprKind::Range, s), low(l), high(h) {}
  static bool classof(const Expr *e) { return e->kind == ExprKind::Range; }
};

enum class UnaryOp : uint8_t { Neg, Not };

struct UnaryExpr : Expr {
  UnaryOp op;
  Expr *operand;
  UnaryExpr(Span s, UnaryOp o, Expr *e) : Expr(ExprKind::Unary, s), op(o), operand(e) {}
  static bool classof(const Expr *e) { return e->kind == ExprKind::Unary; }
};

enum class BinaryOp : uint8_t { Lt, Le, Gt, Ge, Eq, Ne, In, And, Or };
llvm::StringRef spelling(BinaryOp op);

struct BinaryExpr : Expr {
  BinaryOp op;
  Expr *lhs;
  Expr *rhs;
  BinaryExpr(Span s, BinaryOp o, Expr *l, Expr *r)
      : Expr(ExprKind::Binary, s), op(o), lhs(l), rhs(r) {}
  static bool classof(const Expr *e) { return e->kind == ExprKind::Binary; }
};

// `any c in s.calls: c.expose == public` / `all ...`
struct QuantifierExpr : Expr {
  bool all;
  Ident var;
  Expr *domain;
  Expr *body;
  QuantifierExpr(Span s, bool a, Ident v, Expr *d, Expr *b)
      : Expr(ExprKind::Quantifier, s), all(a), var(v), domain(d), body(b) {}
  static bool classof(const Expr *e) { return e->kind == ExprKind::Quantifier; }
};

// Stands in for an expression the parser could not make sense of; the
// syntax error has been reported already.
struct ErrorExpr : Expr {
  ErrorExpr(Span s) : Expr(ExprKind::Error, s) {}
  static bool classof(const Expr *e) { return e->kind == ExprKind::Error; }
};

// ---------------------------------------------------------------- types

enum class TypeKind : uint8_t { Named, Optional, Union };

struct TypeExpr {
  TypeKind kind;
  Span span;

protected:
  TypeExpr(TypeKind k, Span s) : kind(k), span(s) {}
};

// `string`, `list<ref<dataset>>`, `int(1..65535)`, `string(pattern = "...")`
struct NamedType : TypeExpr {
  Path name;
  llvm::ArrayRef<TypeExpr *> typeArgs;
  llvm::ArrayRef<Arg> constraints;
  bool hasConstraintList = false; // `()` was written, even if empty
  NamedType(Span s) : TypeExpr(TypeKind::Named, s) {}
  static bool classof(const TypeExpr *t) { return t->kind == TypeKind::Named; }
};

struct OptionalType : TypeExpr {
  TypeExpr *inner;
  OptionalType(Span s, TypeExpr *i) : TypeExpr(TypeKind::Optional, s), inner(i) {}
  static bool classof(const TypeExpr *t) { return t->kind == TypeKind::Optional; }
};

struct UnionType : TypeExpr {
  llvm::ArrayRef<TypeExpr *> members;
  UnionType(Span s) : TypeExpr(TypeKind::Union, s) {}
  static bool classof(const TypeExpr *t) { return t->kind == TypeKind::Union; }
};

// ---------------------------------------------------------------- items

enum class ItemKind : uint8_t { Block, Enum, Assignment, Constraint, FieldDecl, Rule };

struct Item {
  ItemKind kind;
  Span span;
  NodeId id; // set by Arena::make
  llvm::StringRef doc; // text of the `///` comments right before the item

protected:
  Item(ItemKind k, Span s) : kind(k), span(s) {}
};

// A block with a head: a top-level declaration (`service checkout_api {`),
// a template (`template service web_service {`), a nested block
// (`train {`, `task ingest {`, `env prod {`) or the body of a record value.
struct Block : Item {
  Ident kindName;      // `service`, `train`, `env`; empty for record bodies
  Ident name;          // `checkout_api`, `prod`; empty when the block has none
  const Path *extends = nullptr; // null, or a path of at least one part
  llvm::ArrayRef<Annotation> annotations;
  llvm::ArrayRef<Item *> items;
  Span open;  // the `{`
  Span close; // the `}` (invalid when missing)
  bool isTemplate = false;
  Span templateKeyword;
  Block(Span s) : Item(ItemKind::Block, s) {}
  static bool classof(const Item *i) { return i->kind == ItemKind::Block; }
};

struct EnumMember {
  Ident name;
  llvm::StringRef doc;
  llvm::ArrayRef<Annotation> annotations;
};

struct EnumDecl : Item {
  Ident name;
  llvm::ArrayRef<EnumMember> members;
  llvm::ArrayRef<Annotation> annotations;
  Span open;
  Span close;
  EnumDecl(Span s) : Item(ItemKind::Enum, s) {}
  static bool classof(const Item *i) { return i->kind == ItemKind::Enum; }
};

// `replicas = 3..20`
struct Assignment : Item {
  Path target;
  Expr *value;
  Assignment(Span s) : Item(ItemKind::Assignment, s) {}
  static bool classof(const Item *i) { return i->kind == ItemKind::Assignment; }
};

// `fairness.demographic_parity >= 0.8`: a declared bound, not a value.
struct Constraint : Item {
  Path target;
  BinaryOp op;
  Expr *value;
  Constraint(Span s) : Item(ItemKind::Constraint, s) {}
  static bool classof(const Item *i) { return i->kind == ItemKind::Constraint; }
};

// `card_hash : string @pii` in a schema, `port : int(1..65535)? = 8080` in a
// kind definition.
struct FieldDecl : Item {
  Ident name;
  TypeExpr *type;
  Expr *defaultValue = nullptr;
  llvm::ArrayRef<Annotation> annotations;
  FieldDecl(Span s) : Item(ItemKind::FieldDecl, s) {}
  static bool classof(const Item *i) { return i->kind == ItemKind::FieldDecl; }
};

// `for service s where s.expose == public require s.tls else "..."`
struct Rule : Item {
  Ident kindName;
  Ident var;
  Expr *where = nullptr;
  Expr *require;
  Expr *message = nullptr;
  Rule(Span s) : Item(ItemKind::Rule, s) {}
  static bool classof(const Item *i) { return i->kind == ItemKind::Rule; }
};

// ---------------------------------------------------------------- files

struct Import {
  Path path;
  Ident alias; // empty unless `as name` was written
  Span span;
  llvm::StringRef localName() const {
    return alias.empty() ? path.last().text : alias.text;
  }
};

struct Comment {
  Span span;
  bool isDoc;   // `///`
  bool isBlock; // `/* */`
};

struct File {
  FileId id;
  const Path *package = nullptr;
  Span packageSpan;
  llvm::ArrayRef<Import> imports;
  llvm::ArrayRef<Item *> decls;     // Block and EnumDecl items
  llvm::ArrayRef<Comment> comments; // every comment, in source order
  bool hasSyntaxErrors = false;
};

// The nodes of one category (expressions, items) of one arena, by NodeId.
// Its slots are arena memory in chunks that double in size (16, 32, 64...
// nodes), so that adding a node never copies the table: numbering costs the
// parser a store and an increment.
template <typename Node> class NodeTable {
public:
  NodeId add(const Node *node, llvm::BumpPtrAllocator &alloc) {
    if (next_ == end_)
      grow(alloc);
    *next_++ = node;
    return NodeId{size_++};
  }
  const Node *get(NodeId id) const {
    if (id.index >= size_)
      return nullptr;
    // Chunk k holds the nodes from kFirst * (2^k - 1) on.
    uint32_t k = llvm::Log2_32(id.index / kFirst + 1);
    return chunks_[k][id.index - kFirst * ((1u << k) - 1)];
  }
  uint32_t size() const { return size_; }

private:
  static constexpr uint32_t kFirst = 16;
  void grow(llvm::BumpPtrAllocator &alloc) {
    uint32_t n = kFirst << count_;
    next_ = alloc.Allocate<const Node *>(n);
    end_ = next_ + n;
    chunks_[count_++] = next_;
  }
  std::array<const Node **, 27> chunks_{}; // room for 2^31 nodes
  const Node **next_ = nullptr;
  const Node **end_ = nullptr;
  uint32_t size_ = 0;
  uint32_t count_ = 0;
};

// Owns the memory of one file's AST, and numbers its expressions and items
// (NodeId) so that they can be named by id.
class Arena {
public:
  template <typename T, typename... Args> T *make(Args &&...args) {
    static_assert(std::is_trivially_destructible_v<T>,
                  "AST nodes must be trivially destructible: the arena never runs destructors");
    T *node = new (alloc_.Allocate<T>()) T(std::forward<Args>(args)...);
    if constexpr (std::is_base_of_v<Expr, T>)
      node->id = exprs_.add(node, alloc_);
    else if constexpr (std::is_base_of_v<Item, T>)
      node->id = items_.add(node, alloc_);
    return node;
  }
  // The expression or item with an id this arena gave, or null for any
  // other id.
  const Expr *expr(NodeId id) const { return exprs_.get(id); }
  const Item *item(NodeId id) const { return items_.get(id); }
  template <typename T> llvm::ArrayRef<T> copy(llvm::ArrayRef<T> items) {
    if (items.empty())
      return {};
    T *mem = alloc_.Allocate<T>(items.size());
    std::uninitialized_copy(items.begin(), items.end(), mem);
    return llvm::ArrayRef<T>(mem, items.size());
  }
  llvm::StringRef copy(llvm::StringRef text) {
    if (text.empty())
      return {};
    char *mem = alloc_.Allocate<char>(text.size());
    std::memcpy(mem, text.data(), text.size());
    return llvm::StringRef(mem, text.size());
  }
  size_t bytesAllocated() const { return alloc_.getBytesAllocated(); }

private:
  llvm::BumpPtrAllocator alloc_;
  NodeTable<Expr> exprs_;
  NodeTable<Item> items_;
};

// A parsed file: its AST and the arena that owns it. The arena is shared:
// every workspace version and checked program that holds the file keeps it
// (and so every node the IR names by id) alive. Nothing changes an AST once
// it is parsed.
struct ParsedFile {
  std::shared_ptr<Arena> arena;
  File *ast = nullptr;
};

} // namespace plat::ast
