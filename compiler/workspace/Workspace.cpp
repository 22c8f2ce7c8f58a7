#include "workspace/Workspace.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <set>
#include <thread>

#include "llvm/Support/thread.h"

#include "base/Text.h"
#include "workspace/SourceFiles.h"
#include "stdlib/Embedded.h"
#include "fmt/format.h"

namespace fs = std::filesystem;

namespace plat {

std::string defaultPackageFor(llvm::StringRef relativePath) {
  size_t slash = relativePath.rfind('/');
  if (slash == llvm::StringRef::npos)
    return "";
  std::string pkg = relativePath.substr(0, slash).str();
  std::replace(pkg.begin(), pkg.end(), '/', '.');
  return pkg;
}

const Package *Workspace::package(llvm::StringRef name) const {
  auto it = packages_.find(name.str());
  return it == packages_.end() ? nullptr : it->second.get();
}

// A file that could not be parsed (too large, unreadable): it is listed so
// that its diagnostic has a place, with an empty AST.
static LoadedFile unparsedFile(const SourceManager &sources, FileId id, const std::string &rel) {
  LoadedFile lf;
  lf.id = id;
  lf.source = sources.handle(id);
  lf.relativePath = rel;
  lf.package = defaultPackageFor(rel);
  lf.parsed.arena = std::make_unique<ast::Arena>();
  lf.parsed.ast = lf.parsed.arena->make<ast::File>();
  lf.parsed.ast->id = id;
  lf.parsed.ast->hasSyntaxErrors = true;
  return lf;
}

static std::optional<fs::path> findRoot(const fs::path &start) {
  std::error_code ec;
  fs::path dir = fs::absolute(start, ec).lexically_normal();
  // `/w/.` normalises to `/w/`; drop the empty last component so the root
  // prints the same whichever way the folder was named.
  if (!dir.has_filename() && dir.has_parent_path())
    dir = dir.parent_path();
  if (fs::is_regular_file(dir, ec))
    dir = dir.parent_path();
  for (;;) {
    if (fs::is_regular_file(dir / kWorkspaceFileName.str(), ec))
      return dir;
    if (!dir.has_parent_path() || dir.parent_path() == dir)
      return std::nullopt;
    dir = dir.parent_path();
  }
}

std::optional<Workspace> Workspace::load(const std::string &dir, Diagnostics &diags,
                                         const LoadOptions &options) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    diags.report(DiagId::NoWorkspace, Span{}, fmt::format("`{}` does not exist", dir))
        .withHelp("pass the folder that holds workspace.plat, or one below it");
    return std::nullopt;
  }
  std::optional<fs::path> root = findRoot(dir);
  if (!root) {
    diags
        .report(DiagId::NoWorkspace, Span{},
                fmt::format("no `{}` in `{}` or any folder above it", kWorkspaceFileName.str(),
                            dir))
        .withHelp("run `platc init` there to create a workspace, or pass the folder that "
                  "holds workspace.plat");
    return std::nullopt;
  }

  Workspace ws;
  ws.root_ = root->string();
  std::vector<SourceEntry> entries;
  std::vector<SourceProblem> problems;
  listSourceFiles(*root, /*skipOutputFolders=*/true, entries, problems);
  for (const SourceProblem &p : problems)
    ws.reportSourceProblem(p, diags);

  std::vector<std::pair<std::string, std::string>> texts;
  texts.reserve(entries.size());
  for (const SourceEntry &entry : entries) {
    const std::string &rel = entry.relativePath;
    if (options.overlay) {
      auto found = options.overlay->find((*root / rel).string());
      if (found != options.overlay->end()) {
        texts.emplace_back(rel, found->second);
        continue;
      }
    }
    ReadResult read = readSourceFile(entry.path, options.parse.maxFileBytes);
    switch (read.status) {
    case ReadResult::Ok:
      texts.emplace_back(rel, std::move(read.text));
      continue;
    case ReadResult::TooLarge: {
      // Too large to parse: not read past the limit. Parsing reports it,
      // from a placeholder that records only the size.
      FileId id = ws.sources_.add(rel, "");
      diags
          .report(DiagId::FileTooLarge, Span{id, 0, 0},
                  fmt::format("`{}` is {:.1f} MiB, over the limit of {} MiB per file", rel,
                              static_cast<double>(read.size) / (1 << 20),
                              options.parse.maxFileBytes >> 20))
          .withHelp("split the declarations over several files; a package may span many files");
      ws.files_.push_back(unparsedFile(ws.sources_, id, rel));
      continue;
    }
    case ReadResult::NotRegularFile: // replaced since it was listed
      ws.reportSourceProblem({SourceProblem::NotRegularFile, rel, ""}, diags);
      continue;
    case ReadResult::Unreadable: {
      FileId id = ws.sources_.add(rel, "");
      diags
          .report(DiagId::UnreadableFile, Span{id, 0, 0},
                  fmt::format("cannot read `{}`: {}", rel, read.detail))
          .withHelp("check the file's permissions");
      ws.files_.push_back(unparsedFile(ws.sources_, id, rel));
      continue;
    }
    }
  }
  ws.addStdlib(texts, options);
  ws.parseAll(std::move(texts), diags, options);
  ws.index(diags);
  return ws;
}

// An entry below the root that is not read: reported at the root file's
// first byte-less span when the entry has no file of its own to point at.
void Workspace::reportSourceProblem(const SourceProblem &problem, Diagnostics &diags) {
  const std::string &rel = problem.relativePath;
  if (problem.kind == SourceProblem::UnreadableFolder) {
    diags
        .report(DiagId::UnreadableFile, Span{},
                fmt::format("cannot list the folder `{}`: {}; its files are not checked", rel,
                            problem.detail))
        .withHelp("check the folder's permissions");
    return;
  }
  // The entry is listed with no text, so that its diagnostic names the file.
  FileId id = sources_.add(rel, "");
  files_.push_back(unparsedFile(sources_, id, rel));
  Span at{id, 0, 0};
  switch (problem.kind) {
  case SourceProblem::UnreadableFolder:
    return;
  case SourceProblem::NotRegularFile:
    diags.report(DiagId::SourceNotRead, at, fmt::format("`{}` is not a regular file; it is not read", rel))
        .withHelp("a workspace's `.plat` entries must be ordinary files: replace it with one, or "
                  "remove it");
    return;
  case SourceProblem::LinkOutsideRoot:
    diags
        .report(DiagId::SourceNotRead, at,
                fmt::format("`{}` is a link to a file outside the workspace; it is not read", rel))
        .withHelp("platc reads only files inside the workspace root: copy the file into the "
                  "workspace, or link to one inside it");
    return;
  case SourceProblem::BrokenLink:
    diags
        .report(DiagId::UnreadableFile, at,
                fmt::format("cannot read `{}`: it is a link whose target does not exist", rel))
        .withHelp("remove the link, or point it at a `.plat` file inside the workspace");
    return;
  }
}

void Workspace::addStdlib(std::vector<std::pair<std::string, std::string>> &texts,
                          const LoadOptions &options) {
  if (!options.includeStdlib)
    return;
  for (const stdlib::EmbeddedFile &f : stdlib::embeddedFiles())
    texts.emplace_back(std::string(kStdlibPrefix) + f.path, f.text().str());
}

Workspace Workspace::fromSources(const std::string &root,
                                 const std::vector<std::pair<std::string, std::string>> &files,
                                 Diagnostics &diags, const LoadOptions &options) {
  Workspace ws;
  ws.root_ = root;
  auto texts = files;
  std::sort(texts.begin(), texts.end());
  ws.addStdlib(texts, options);
  ws.parseAll(std::move(texts), diags, options);
  ws.index(diags);
  return ws;
}

void Workspace::parseAll(std::vector<std::pair<std::string, std::string>> &&texts,
                         Diagnostics &diags, const LoadOptions &options) {
  size_t first = files_.size();
  for (auto &[rel, text] : texts) {
    sourceBytes_ += text.size();
    LoadedFile lf;
    lf.relativePath = rel;
    lf.fromStdlib = llvm::StringRef(rel).startswith(kStdlibPrefix);
    lf.id = sources_.add(rel, std::move(text));
    lf.source = sources_.handle(lf.id);
    files_.push_back(std::move(lf));
  }
  size_t count = files_.size() - first;
  unsigned threads = options.threads ? options.threads : std::thread::hardware_concurrency();
  threads = std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(count)));

  // Each worker takes the next file and keeps its own diagnostics; they are
  // merged (and later sorted) so the output does not depend on scheduling.
  std::vector<Diagnostics> perFile(count);
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i; (i = next.fetch_add(1)) < count;) {
      LoadedFile &lf = files_[first + i];
      lf.parsed = syntax::parse(*lf.source, lf.id, perFile[i], options.parse);
    }
  };
  // Parsing recurses; the parser bounds its depth, and the workers get a
  // stack large enough for that bound in every build (sanitizer and debug
  // frames are several times larger than optimised ones). Only the pages
  // actually touched are committed.
  constexpr unsigned kParseStack = 64u << 20;
  std::vector<llvm::thread> pool;
  for (unsigned t = 0; t < threads; ++t)
    pool.emplace_back(llvm::Optional<unsigned>(kParseStack), work);
  for (llvm::thread &t : pool)
    t.join();
  for (size_t i = 0; i < count; ++i) {
    files_[first + i].syntaxDiagnostics = perFile[i].all();
    diags.append(std::move(perFile[i]));
  }
}

void Workspace::updateFile(const std::string &relativePath, std::string text, Diagnostics &diags,
                           const LoadOptions &options) {
  auto it = std::find_if(files_.begin(), files_.end(), [&](const LoadedFile &lf) {
    return lf.relativePath == relativePath;
  });
  bool existed = it != files_.end();
  std::string was = existed ? it->package : std::string();
  if (existed) {
    sourceBytes_ -= it->source->text().size();
    // This version lets go of the old text and AST; copies of it that still
    // hold them (a snapshot being read) keep them alive until they go.
    sources_.release(it->id);
    files_.erase(it);
  }
  // Earlier files' syntax diagnostics first, then the re-parsed file's.
  for (const LoadedFile &lf : files_)
    for (const Diagnostic &d : lf.syntaxDiagnostics)
      diags.all().push_back(d);
  std::vector<std::pair<std::string, std::string>> texts;
  texts.emplace_back(relativePath, std::move(text));
  parseAll(std::move(texts), diags, options);
  workspaceDecl_ = nullptr;
  if (!existed) {
    // A new file moves the indexes of the files after it: index afresh.
    packages_.clear();
    index(diags);
    return;
  }
  index(diags, &relativePath, &was);
}

Workspace Workspace::withFile(const std::string &relativePath, std::string text, Diagnostics &diags,
                              const LoadOptions &options) const {
  Workspace next;
  next.root_ = root_;
  next.sources_ = sources_; // shared handles, one pointer per file
  next.files_ = files_;
  next.sourceBytes_ = sourceBytes_;
  // packages_ and workspaceDecl_ are rebuilt by index().
  next.updateFile(relativePath, std::move(text), diags, options);
  return next;
}

void Workspace::indexPackage(Package &pkg) const {
  Diagnostics diags;
  for (size_t i : pkg.files) {
    const LoadedFile &lf = files_[i];
    if (!lf.parsed.ast)
      continue;
    for (const ast::Item *item : lf.parsed.ast->decls) {
      ast::Ident name;
      if (auto *b = llvm::dyn_cast<ast::Block>(item)) {
        if (b->kindName.text == "workspace")
          continue;
        name = b->name;
      } else if (auto *e = llvm::dyn_cast<ast::EnumDecl>(item)) {
        name = e->name;
      }
      if (name.empty())
        continue;
      auto [it, inserted] = pkg.decls.emplace(name.text.str(), DeclRef{item, i});
      if (!inserted) {
        const ast::Item *first = it->second.item;
        Span firstName = first->span;
        if (auto *b = llvm::dyn_cast<ast::Block>(first))
          firstName = b->name.span;
        else if (auto *e = llvm::dyn_cast<ast::EnumDecl>(first))
          firstName = e->name.span;
        diags
            .report(DiagId::DuplicateDeclaration, name.span,
                    fmt::format("`{}` is declared twice in package `{}`", name.text.str(),
                                lf.package.empty() ? "(root)" : lf.package))
            .note(firstName, "first declared here")
            .withHelp("rename one of them, or move it to another package");
      }
    }
  }
  pkg.duplicates = std::move(diags.all());
}

void Workspace::index(Diagnostics &diags, const std::string *changed, const std::string *changedWas) {
  std::sort(files_.begin(), files_.end(), [](const LoadedFile &a, const LoadedFile &b) {
    return a.relativePath < b.relativePath;
  });

  // The workspace declaration.
  std::vector<const ast::Block *> workspaceDecls;
  for (const LoadedFile &lf : files_) {
    if (!lf.parsed.ast)
      continue;
    for (const ast::Item *item : lf.parsed.ast->decls) {
      auto *b = llvm::dyn_cast<ast::Block>(item);
      if (!b || b->isTemplate || b->kindName.text != "workspace")
        continue;
      if (lf.relativePath != kWorkspaceFileName) {
        diags
            .report(DiagId::BadWorkspaceFile, b->kindName.span,
                    fmt::format("`workspace {}` must be declared in the root `{}`", b->name.text.str(),
                                kWorkspaceFileName.str()))
            .withHelp("move it to workspace.plat at the workspace root");
        continue;
      }
      workspaceDecls.push_back(b);
    }
  }
  auto rootFile = std::find_if(files_.begin(), files_.end(), [](const LoadedFile &lf) {
    return lf.relativePath == kWorkspaceFileName;
  });
  if (workspaceDecls.size() == 1) {
    workspaceDecl_ = workspaceDecls[0];
  } else if (rootFile != files_.end() && !rootFile->parsed.ast->hasSyntaxErrors) {
    if (workspaceDecls.empty()) {
      diags
          .report(DiagId::BadWorkspaceFile, Span{rootFile->id, 0, 0},
                  "`workspace.plat` declares no workspace")
          .withHelp("add `workspace NAME { region = \"eu-west-1\" ... }`; `platc init` writes one");
    } else {
      for (size_t i = 1; i < workspaceDecls.size(); ++i)
        diags
            .report(DiagId::BadWorkspaceFile, workspaceDecls[i]->kindName.span,
                    "a workspace is declared twice")
            .note(workspaceDecls[0]->kindName.span, "first declared here")
            .withHelp("keep one `workspace` declaration");
    }
  }

  // Files that declare nothing: probably a mistake (an unsaved buffer, a
  // file emptied in a merge), never fatal. workspace.plat has its own check.
  for (const LoadedFile &lf : files_) {
    if (lf.fromStdlib || !lf.parsed.ast || lf.parsed.ast->hasSyntaxErrors ||
        lf.relativePath == kWorkspaceFileName || !lf.parsed.ast->decls.empty())
      continue;
    diags
        .report(DiagId::EmptyFile, Span{lf.id, 0, 0},
                fmt::format("`{}` declares nothing", lf.relativePath))
        .withHelp("add a declaration, or delete the file");
  }

  // Packages.
  std::map<std::string, std::vector<size_t>> filesOf;
  std::set<std::string> rebuild;
  if (changedWas)
    rebuild.insert(*changedWas);
  for (size_t i = 0; i < files_.size(); ++i) {
    LoadedFile &lf = files_[i];
    if (lf.parsed.ast && lf.parsed.ast->package)
      lf.package = lf.parsed.ast->package->str();
    else
      lf.package = defaultPackageFor(lf.relativePath);
    if (!lf.fromStdlib && (lf.package == "std" || llvm::StringRef(lf.package).startswith("std."))) {
      diags
          .report(DiagId::ReservedName, lf.parsed.ast->package ? lf.parsed.ast->package->span : Span{lf.id, 0, 0},
                  fmt::format("package `{}` is reserved for the standard library", lf.package))
          .withHelp("name the package after your organisation, such as `acme.payments`");
      lf.package = "_" + lf.package;
    }
    filesOf[lf.package].push_back(i);
    if (changed && lf.relativePath == *changed)
      rebuild.insert(lf.package);
  }

  // Declarations, with duplicates reported at the later one (in path
  // order). A package the update did not touch is shared with the previous
  // version, with what it reported.
  std::map<std::string, std::shared_ptr<const Package>> previous = std::move(packages_);
  packages_.clear();
  for (auto &[name, files] : filesOf) {
    if (changed && !rebuild.count(name))
      if (auto old = previous.find(name); old != previous.end() && old->second->files == files) {
        for (const Diagnostic &d : old->second->duplicates)
          diags.all().push_back(d);
        packages_.emplace(name, old->second);
        continue;
      }
    auto pkg = std::make_shared<Package>();
    pkg->name = name;
    pkg->files = std::move(files);
    indexPackage(*pkg);
    for (const Diagnostic &d : pkg->duplicates)
      diags.all().push_back(d);
    packages_.emplace(name, std::move(pkg));
  }

  // Imports: the named package must exist, or the name must be a
  // declaration in an existing package (`import acme.fraud.scorer`).
  std::vector<std::string> names;
  for (const auto &[name, pkg] : packages_)
    if (!name.empty())
      names.push_back(name);
  NameIndex packageNames(std::move(names)); // "did you mean" for every unknown import
  for (const LoadedFile &lf : files_) {
    if (!lf.parsed.ast)
      continue;
    std::map<std::string, const ast::Import *> localNames;
    for (const ast::Import &imp : lf.parsed.ast->imports) {
      if (imp.path.empty())
        continue;
      std::string full = imp.path.str();
      bool found = packages_.count(full) > 0;
      if (!found && imp.path.parts.size() > 1) {
        std::string parent = full.substr(0, full.rfind('.'));
        auto pkg = packages_.find(parent);
        found = pkg != packages_.end() && pkg->second->decls.count(imp.path.last().text.str());
      }
      if (!found && !llvm::StringRef(full).startswith("std")) {
        Diagnostic &d = diags.report(DiagId::UnknownPackage, imp.path.span,
                                     fmt::format("no package or declaration `{}`", full));
        if (auto suggestion = packageNames.closest(full))
          d.withHelp(fmt::format("did you mean `{}`?", *suggestion))
              .fix(fmt::format("import `{}`", *suggestion), imp.path.span, *suggestion);
        else
          d.withHelp("check the package name in the `package` line of the file you want");
        continue;
      }
      std::string local = imp.localName().str();
      if (const Package *own = package(lf.package); own && own->decls.count(local)) {
        const ast::Item *decl = own->decls.at(local).item;
        Span declName = decl->span;
        if (auto *b = llvm::dyn_cast<ast::Block>(decl))
          declName = b->name.span;
        diags
            .report(DiagId::ImportConflict, imp.span,
                    fmt::format("import `{}` and a declaration of package `{}` are both named `{}`",
                                full, lf.package, local))
            .note(declName, "the declaration is here")
            .withHelp(fmt::format("give the import another name: `import {} as other_name`", full));
        continue;
      }
      auto [it, inserted] = localNames.emplace(local, &imp);
      if (!inserted) {
        if (it->second->path.str() == full)
          diags
              .report(DiagId::DuplicateImport, imp.span, fmt::format("`{}` is imported twice", full))
              .note(it->second->span, "first imported here")
              .withHelp("remove this import")
              .safeFix("remove the duplicate import", imp.span, "");
        else
          diags
              .report(DiagId::ImportConflict, imp.span,
                      fmt::format("`{}` and `{}` are both imported as `{}`",
                                  it->second->path.str(), full, local))
              .note(it->second->span, "first imported here")
              .withHelp(fmt::format("give one a different name: `import {} as other_name`", full));
      }
    }
  }
}

} // namespace plat
