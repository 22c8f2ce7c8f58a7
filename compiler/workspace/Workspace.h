// Workspace loading: find the root, discover every .plat file below it,
// parse them (in parallel), and index packages, declarations and imports.
//
// A workspace is a folder with a `workspace.plat` file holding one
// `workspace NAME { ... }` declaration. Every `.plat` file below that folder
// (hidden folders and build output excepted) belongs to it. Files are
// processed in sorted path order, so results never depend on the order the
// file system lists them in.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ast/Ast.h"
#include "base/Source.h"
#include "diag/Diagnostic.h"
#include "syntax/Parser.h"
#include "workspace/SourceFiles.h"

namespace plat {

inline constexpr llvm::StringLiteral kWorkspaceFileName = "workspace.plat";
// Stdlib files appear in the workspace under this pseudo-folder.
inline constexpr llvm::StringLiteral kStdlibPrefix = "<std>/";

// One file of one workspace version. Its text (`source`) and AST (`parsed`)
// are immutable and shared: an edit makes a new LoadedFile for the edited
// file only, and the old text and AST live on for as long as a workspace
// version or a checked program (sema::Program::syntax) still holds them.
struct LoadedFile {
  FileId id;
  std::string relativePath; // forward slashes, relative to the root
  std::string package;      // dotted package name
  std::shared_ptr<const SourceFile> source; // = sources().handle(id)
  ast::ParsedFile parsed;
  bool fromStdlib = false;
  // The file's own syntax diagnostics, kept so that an update of another
  // file can report them again without re-parsing this one.
  std::vector<Diagnostic> syntaxDiagnostics;
};

// A declaration indexed by its package.
struct DeclRef {
  const ast::Item *item = nullptr;
  size_t fileIndex = 0;
};

// Immutable once indexed: workspace versions share the packages an update
// did not touch.
struct Package {
  std::string name;
  std::vector<size_t> files;           // indexes into Workspace::files
  std::map<std::string, DeclRef> decls; // by declared name
  // Names declared twice in the package (P0201), reported again by an
  // update that shares the package.
  std::vector<Diagnostic> duplicates;
};

struct LoadOptions {
  syntax::ParseOptions parse;
  unsigned threads = 0; // 0: one per core
  // Load the embedded standard library (kind schemas, catalogues).
  bool includeStdlib = true;
  // Overlay for unsaved editor buffers: absolute path → text.
  const std::map<std::string, std::string> *overlay = nullptr;
};

// A workspace version: a cheap value of handles to immutable parsed files.
// Copies share their files; changing one (updateFile) never changes what
// another copy, or a Program checked from it, reads.
class Workspace {
public:
  // Finds the workspace that contains `dir` (the folder itself or the
  // nearest parent with a workspace.plat) and loads it. Returns nullopt only
  // when no workspace could be found; every other problem is a diagnostic.
  static std::optional<Workspace> load(const std::string &dir, Diagnostics &diags,
                                       const LoadOptions &options = {});

  // Loads the given sources as a workspace (tests, the language server).
  // `files` maps relative paths to text.
  static Workspace fromSources(const std::string &root,
                               const std::vector<std::pair<std::string, std::string>> &files,
                               Diagnostics &diags, const LoadOptions &options = {});

  // Replaces the text of one file (path relative to the root; added when it
  // is new) and re-parses that file only: every other file keeps its AST and
  // its syntax diagnostics. `diags` receives the syntax and workspace
  // diagnostics of the whole workspace, as after `load`. This is what an
  // editor calls on every change; sema then runs on the updated workspace.
  // This version is changed in place; copies of it (such as the one a
  // checked snapshot holds) are not, and keep the old text and AST alive.
  void updateFile(const std::string &relativePath, std::string text, Diagnostics &diags,
                  const LoadOptions &options = {});
  // The same as a new version: this one is left as it is.
  Workspace withFile(const std::string &relativePath, std::string text, Diagnostics &diags,
                     const LoadOptions &options = {}) const;

  const std::string &root() const { return root_; }
  SourceManager &sources() { return sources_; }
  const SourceManager &sources() const { return sources_; }
  const std::vector<LoadedFile> &files() const { return files_; }
  const std::map<std::string, std::shared_ptr<const Package>> &packages() const { return packages_; }
  const Package *package(llvm::StringRef name) const;
  // The `workspace NAME { ... }` declaration, if there is exactly one.
  const ast::Block *workspaceDecl() const { return workspaceDecl_; }
  size_t sourceBytes() const { return sourceBytes_; }
  size_t userFileCount() const {
    size_t n = 0;
    for (const LoadedFile &f : files_)
      n += !f.fromStdlib;
    return n;
  }

private:
  void reportSourceProblem(const SourceProblem &problem, Diagnostics &diags);
  void parseAll(std::vector<std::pair<std::string, std::string>> &&texts, Diagnostics &diags,
                const LoadOptions &options);
  // Indexes packages and declarations. After an update of the file at
  // `changed` (which was in package `changedWas`), packages other than its
  // old and new ones whose files did not move are shared, not rebuilt.
  void index(Diagnostics &diags, const std::string *changed = nullptr,
             const std::string *changedWas = nullptr);
  // Fills `pkg.decls` and `pkg.duplicates` from `pkg.files`.
  void indexPackage(Package &pkg) const;
  void addStdlib(std::vector<std::pair<std::string, std::string>> &texts,
                 const LoadOptions &options);

  std::string root_;
  SourceManager sources_;
  std::vector<LoadedFile> files_;
  std::map<std::string, std::shared_ptr<const Package>> packages_;
  const ast::Block *workspaceDecl_ = nullptr;
  size_t sourceBytes_ = 0;
};

// The package a file belongs to when it has no `package` line: its folder
// path relative to the root, with `/` turned into `.` (the root itself is
// the package named after the workspace, "" before that is known).
std::string defaultPackageFor(llvm::StringRef relativePath);

} // namespace plat
