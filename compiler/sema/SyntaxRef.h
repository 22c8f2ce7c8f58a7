// How the checked IR refers to syntax: by (file id, node id), never by a
// pointer into an AST.
//
// A SyntaxRef<T> names one node of class T (ast::Block, ast::Rule,
// ast::Expr, ast::NumberExpr, ...) as the FileId of its file and the node's
// ast::NodeId in that file's arena. It is a pair of integers: it can be
// copied, compared, kept in a map or written out, and means the same node in
// every program that holds the file. It is resolved through the SyntaxFiles
// of whoever holds the file: Program::syntax for the workspace's files,
// Schema::syntax for the stdlib files a schema was read from.
//
// FileIds are never reused by a workspace and its versions (SourceManager:
// an edited file gets a new id), so a reference made by one check still
// names the same node in a program rechecked from it, where the file did not
// change, and names no node at all (rather than another one) where it did.
#pragma once

#include <cstdint>
#include <memory>
#include <type_traits>
#include <vector>

#include "ast/Ast.h"
#include "base/Source.h"

namespace plat::sema {

template <typename T> struct SyntaxRef {
  static_assert(std::is_base_of_v<ast::Expr, T> || std::is_base_of_v<ast::Item, T>,
                "only expressions and items have node ids");
  FileId file;
  ast::NodeId node;

  // The reference to a node made by an arena (Arena::make numbered it), in
  // the file its span is in.
  static SyntaxRef to(const T &n) { return SyntaxRef{n.span.file, n.id}; }
  static SyntaxRef to(const T *n) { return n ? to(*n) : SyntaxRef{}; }

  bool valid() const { return file.valid() && node.valid(); }
  explicit operator bool() const { return valid(); }
  friend bool operator==(SyntaxRef a, SyntaxRef b) { return a.file == b.file && a.node == b.node; }
  friend bool operator!=(SyntaxRef a, SyntaxRef b) { return !(a == b); }
  friend bool operator<(SyntaxRef a, SyntaxRef b) {
    return a.file != b.file ? a.file < b.file : a.node < b.node;
  }
};

// The reference to a node, of the node's own class: syntaxRef(*rule) is a
// SyntaxRef<ast::Rule>.
template <typename T> SyntaxRef<T> syntaxRef(const T &node) { return SyntaxRef<T>::to(node); }

// The parsed files a Program or a Schema refers into, by FileId. Holding a
// file keeps its text and AST alive; resolving a SyntaxRef reads them.
class SyntaxFiles {
public:
  void add(FileId id, std::shared_ptr<const SourceFile> source, std::shared_ptr<const ast::Arena> arena) {
    if (id.index >= files_.size())
      files_.resize(id.index + 1);
    files_[id.index] = Entry{std::move(source), std::move(arena)};
  }
  void reserve(size_t ids) { files_.reserve(ids); }
  bool holds(FileId id) const { return id.index < files_.size() && files_[id.index].arena; }
  // A held file's text (for the spans of what it resolves to), or null.
  const SourceFile *source(FileId id) const { return holds(id) ? files_[id.index].source.get() : nullptr; }

  // The node a reference names, or null when it is invalid, names a file
  // this table does not hold, or a node that is not a T (a reference not
  // made by SyntaxRef::to, such as one read back from outside).
  template <typename T> const T *get(SyntaxRef<T> ref) const {
    if (!ref.valid() || !holds(ref.file))
      return nullptr;
    const ast::Arena &arena = *files_[ref.file.index].arena;
    if constexpr (std::is_base_of_v<ast::Expr, T>)
      return llvm::dyn_cast_or_null<T>(arena.expr(ref.node));
    else
      return llvm::dyn_cast_or_null<T>(arena.item(ref.node));
  }

private:
  struct Entry {
    std::shared_ptr<const SourceFile> source;
    std::shared_ptr<const ast::Arena> arena;
  };
  std::vector<Entry> files_; // by FileId::index; empty entries for files not held
};

} // namespace plat::sema
