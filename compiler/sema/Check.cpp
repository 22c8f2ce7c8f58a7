// Name resolution, type checking against the stdlib schemas, and IR
// construction. Cross-persona checks on the finished IR are in Cross.cpp.
//
// The checker reads the schemas (kind, type, enum and unit declarations of
// the `std` package) first, then gives every user declaration a DeclId, then
// for each environment resolves each declaration's fields: defaults, then the
// templates it extends (farthest first), then its own items, then the
// templates' `env` blocks, then its own `env` block. Leaf values are
// converted once and shared between environments.

#include <algorithm>
#include <cmath>
#include <functional>
#include <set>

#include "base/Text.h"
#include "fmt/format.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"
#include "sema/Cross.h"
#include "sema/Formats.h"
#include "sema/Program.h"
#include "workspace/Workspace.h"

namespace plat::sema {

llvm::StringRef originName(Origin origin) {
  switch (origin) {
  case Origin::Default:
    return "default";
  case Origin::Template:
    return "template";
  case Origin::Declared:
    return "declared";
  case Origin::TemplateEnvOverride:
    return "template env override";
  case Origin::EnvOverride:
    return "env override";
  }
  return "?";
}

llvm::StringRef edgeName(EdgeKind kind) {
  switch (kind) {
  case EdgeKind::Owns:
    return "owns";
  case EdgeKind::Calls:
    return "calls";
  case EdgeKind::Reads:
    return "reads";
  case EdgeKind::Writes:
    return "writes";
  case EdgeKind::TrainedOn:
    return "trained_on";
  case EdgeKind::RetrainsOn:
    return "retrains_on";
  case EdgeKind::Invokes:
    return "invokes";
  case EdgeKind::AgentReads:
    return "agent_reads";
  case EdgeKind::AgentWrites:
    return "agent_writes";
  case EdgeKind::Triggers:
    return "triggers";
  }
  return "?";
}

llvm::StringRef edgeVerb(EdgeKind kind) {
  switch (kind) {
  case EdgeKind::Calls:
    return "calls";
  case EdgeKind::Reads:
  case EdgeKind::AgentReads:
    return "reads";
  case EdgeKind::Writes:
  case EdgeKind::AgentWrites:
    return "writes";
  case EdgeKind::TrainedOn:
    return "is trained on";
  case EdgeKind::RetrainsOn:
    return "retrains on";
  case EdgeKind::Invokes:
    return "invokes";
  case EdgeKind::Triggers:
    return "triggers";
  case EdgeKind::Owns:
    return "owns";
  }
  return "depends on";
}

const Value *Value::field(llvm::StringRef name) const {
  for (const NamedValue &f : fields)
    if (f.name == name)
      return f.value;
  return nullptr;
}

const FieldValue *EnvModel::fieldValue(DeclId decl, FieldKey field) const {
  if (!binding || decl >= fields.size())
    return nullptr;
  size_t key = static_cast<size_t>(field.id);
  const FieldDef *def = binding->def[key];
  const FieldList &row = fields[decl];
  size_t slot = binding->slot[key];
  // The definition, not only the slot, must match: a declaration of another
  // kind has another field (or none) there.
  if (!def || slot >= row.size() || row[slot].def != def)
    return nullptr;
  return &row[slot];
}

const Value *EnvModel::get(DeclId decl, FieldKey field) const {
  const FieldValue *f = fieldValue(decl, field);
  return f ? f->value : nullptr;
}

const Value *EnvModel::get(DeclId decl, SharedFieldKey field) const {
  for (FieldKey key : kindKeys(field))
    if (const FieldValue *f = fieldValue(decl, key))
      return f->value;
  return nullptr;
}

Origin EnvModel::originOf(DeclId decl, FieldKey field) const {
  const FieldValue *f = fieldValue(decl, field);
  return f ? f->origin : Origin::Default;
}

const Value *EnvModel::getByName(DeclId decl, llvm::StringRef field) const {
  if (decl >= fields.size())
    return nullptr;
  for (const FieldValue &f : fields[decl])
    if (f.def->name == field)
      return f.value;
  return nullptr;
}

Origin EnvModel::originOfByName(DeclId decl, llvm::StringRef field) const {
  for (const FieldValue &f : fields[decl])
    if (f.def->name == field)
      return f.origin;
  return Origin::Default;
}

llvm::ArrayRef<Edge> EnvModel::edgesFrom(DeclId from) const {
  auto lo = std::partition_point(edges.begin(), edges.end(), [&](const Edge &e) { return e.from < from; });
  auto hi = std::partition_point(lo, edges.end(), [&](const Edge &e) { return e.from <= from; });
  return llvm::ArrayRef<Edge>(edges.data() + (lo - edges.begin()), static_cast<size_t>(hi - lo));
}

llvm::ArrayRef<Edge> EnvModel::edgesFrom(DeclId from, EdgeKind kind) const {
  llvm::ArrayRef<Edge> all = edgesFrom(from);
  auto lo = std::partition_point(all.begin(), all.end(), [&](const Edge &e) { return e.kind < kind; });
  auto hi = std::partition_point(lo, all.end(), [&](const Edge &e) { return e.kind <= kind; });
  return llvm::ArrayRef<Edge>(lo, static_cast<size_t>(hi - lo));
}

const EnvModel *Program::env(llvm::StringRef name) const {
  for (const EnvModel &e : envs)
    if (e.name == name)
      return &e;
  return nullptr;
}

std::vector<DeclId> Program::ofKind(DeclKind kind) const {
  std::vector<DeclId> out;
  for (const Decl &d : decls)
    if (!d.fromStdlib && d.kindId == kind)
      out.push_back(d.id);
  return out;
}

DeclId Program::owner(const EnvModel &env, DeclId decl) const {
  const Value *v = env.get(decl, fields::any::owner);
  return v && v->kind == Value::Kind::Ref ? v->ref : kNoDecl;
}

namespace {

// One place a field is set: an assignment (its value, or a dotted path
// through records), a block, or a bound inside a block.
struct Setting {
  const ast::Item *item;
  size_t depth; // path components of an assignment already consumed
  Origin origin;
  size_t file;
};

using Settings = std::vector<Setting>;

struct ImportTarget {
  std::string package;   // the imported package, when it is one
  DeclId decl = kNoDecl; // the imported declaration, when it is one
  const ast::Item *item = nullptr;
  size_t itemFile = 0; // the file that declares `item`
  size_t importIndex = 0;
};

struct FileScope {
  std::map<std::string, ImportTarget> imports;
  std::set<std::string> failedImports; // local names of imports that name nothing
  std::vector<bool> used;
};

struct TemplateInfo {
  const ast::Block *block;
  size_t file;
};

// Context of one conversion: whose field, which file's names, which
// environment.
struct Ctx {
  DeclId decl;
  size_t file;
  const EnvModel *env;
};

// Orders references by file and offset. They arrive declaration by
// declaration, in source order within a file, except for the files a
// recheck re-resolved (newer file ids, met among the others): so they are
// grouped by file in one pass and only a file that is out of order is
// sorted, which keeps a recheck linear instead of sorting every reference.
void sortReferences(std::vector<Reference> &refs) {
  auto before = [](const Reference &a, const Reference &b) {
    return std::tie(a.span.file.index, a.span.begin) < std::tie(b.span.file.index, b.span.begin);
  };
  if (std::is_sorted(refs.begin(), refs.end(), before))
    return;
  uint32_t files = 0;
  for (const Reference &r : refs) {
    if (!r.span.file.valid()) {
      std::stable_sort(refs.begin(), refs.end(), before);
      return;
    }
    files = std::max(files, r.span.file.index + 1);
  }
  std::vector<size_t> start(files + 1, 0);
  for (const Reference &r : refs)
    ++start[r.span.file.index + 1];
  for (uint32_t f = 0; f < files; ++f)
    start[f + 1] += start[f];
  std::vector<Reference> out(refs.size());
  std::vector<size_t> next(start.begin(), start.end() - 1);
  for (Reference &r : refs)
    out[next[r.span.file.index]++] = std::move(r);
  for (uint32_t f = 0; f < files; ++f) {
    auto b = out.begin() + static_cast<std::ptrdiff_t>(start[f]);
    auto e = out.begin() + static_cast<std::ptrdiff_t>(start[f + 1]);
    if (!std::is_sorted(b, e, before))
      std::stable_sort(b, e, before);
  }
  refs = std::move(out);
}

class Checker {
public:
  // `previous`, when given, is the program of the last check of this
  // workspace; its schema and, if the change allows, its values are shared
  // (it is only read). Without it, `schema` is the (empty) schema `p` was
  // made with, which readSchema fills.
  Checker(const Workspace &ws, Diagnostics &diags, Program &p, const Program *previous,
          std::shared_ptr<Schema> schema)
      : ws_(ws), diags_(diags), p_(p), prev_(previous), building_(std::move(schema)) {}

  void run(RecheckStats *stats = nullptr) {
    // The program holds the files its references name: it stays readable for as
    // long as it exists, whatever happens to the workspace.
    p_.syntax.reserve(ws_.sources().size());
    for (const LoadedFile &lf : ws_.files())
      p_.syntax.add(lf.id, lf.source, lf.parsed.arena);
    buildScopes();
    // With a previous program the schema is its (stdlib does not change, and
    // reused values point into it); otherwise it is read now, and is never
    // written again.
    if (!prev_)
      readSchema();
    building_.reset();
    readNameFormats();
    collectDecls();
    collectEnvironments();
    resolveTemplates();
    startMemo();
    if (prev_ && canReuse()) {
      incremental_ = true;
      p_.values = prev_->values.share();
      p_.memo->valuesAfterFullCheck = prev_->memo->valuesAfterFullCheck;
    }
    std::vector<char> reuse(p_.decls.size(), 0);
    if (incremental_)
      for (DeclId d = 0; d < p_.decls.size(); ++d)
        reuse[d] = reusable(d);
    for (EnvId e = 0; e < p_.envs.size(); ++e)
      for (DeclId d = 0; d < p_.decls.size(); ++d) {
        if (reuse[d]) {
          reuseDecl(d, e);
          if (e == 0 && stats)
            ++stats->reused;
          continue;
        }
        if (e == 0 && stats)
          ++stats->resolved;
        resolveRecorded(d, p_.envs[e]);
      }
    if (!incremental_)
      p_.memo->valuesAfterFullCheck = p_.values.size();
    if (stats)
      stats->incremental = incremental_;
    reportUnusedImports();
    sortReferences(p_.references);
  }

private:
  // ------------------------------------------------------------ scopes

  const LoadedFile &file(size_t index) const { return ws_.files()[index]; }

  void buildScopes() {
    for (size_t i = 0; i < ws_.files().size(); ++i)
      if (const ast::File *f = file(i).parsed.ast)
        for (const ast::Item *item : f->decls)
          if (auto *b = llvm::dyn_cast<ast::Block>(item);
              b && !b->isTemplate && b->kindName.text == "environment" && !b->name.empty())
            environmentDecls_.emplace(b->name.text.str(), Found{b, i, 1});
    scopes_.resize(ws_.files().size());
    for (size_t i = 0; i < ws_.files().size(); ++i) {
      const LoadedFile &lf = file(i);
      if (!lf.parsed.ast)
        continue;
      FileScope &scope = scopes_[i];
      scope.used.assign(lf.parsed.ast->imports.size(), false);
      for (size_t k = 0; k < lf.parsed.ast->imports.size(); ++k) {
        const ast::Import &imp = lf.parsed.ast->imports[k];
        if (imp.path.empty())
          continue;
        ImportTarget target;
        target.importIndex = k;
        std::string full = imp.path.str();
        if (ws_.package(full)) {
          target.package = full;
        } else if (imp.path.parts.size() > 1) {
          std::string parent = full.substr(0, full.rfind('.'));
          if (const Package *pkg = ws_.package(parent)) {
            auto it = pkg->decls.find(imp.path.last().text.str());
            if (it != pkg->decls.end()) {
              target.item = it->second.item;
              target.itemFile = it->second.fileIndex;
            }
          }
        }
        if (target.package.empty() && !target.item) {
          // Reported by the workspace loader (P0202); the names it would
          // have brought in are poisoned, not unknown.
          scope.failedImports.insert(imp.localName().str());
          continue;
        }
        scope.imports.emplace(imp.localName().str(), target);
      }
    }
  }

  // A declaration item found by name, with the file it lives in.
  struct Found {
    const ast::Item *item = nullptr;
    size_t file = 0;
    size_t consumed = 0;
  };

  Found findInPackage(const std::string &package, llvm::StringRef name) const {
    const Package *pkg = ws_.package(package);
    if (!pkg)
      return {};
    auto it = pkg->decls.find(name.str());
    if (it == pkg->decls.end())
      return {};
    return Found{it->second.item, it->second.fileIndex, 1};
  }

  // Looks a dotted name up from `fileIndex`: the file's own package, its
  // imports, the standard library, then fully qualified package paths.
  Found lookup(size_t fileIndex, llvm::ArrayRef<ast::Ident> parts) {
    if (parts.empty())
      return {};
    const LoadedFile &lf = file(fileIndex);
    llvm::StringRef first = parts[0].text;
    if (Found f = findInPackage(lf.package, first); f.item)
      return f;
    FileScope &scope = scopes_[fileIndex];
    auto imp = scope.imports.find(first.str());
    if (imp != scope.imports.end()) {
      scope.used[imp->second.importIndex] = true;
      if (recording_) {
        std::pair<size_t, size_t> use{fileIndex, imp->second.importIndex};
        if (std::find(recording_->begin(), recording_->end(), use) == recording_->end())
          recording_->push_back(use);
      }
      if (imp->second.item)
        return Found{imp->second.item, imp->second.itemFile, 1};
      if (parts.size() >= 2)
        if (Found f = findInPackage(imp->second.package, parts[1].text); f.item)
          return Found{f.item, f.file, 2};
      return {};
    }
    if (Found f = findInPackage("std", first); f.item)
      return f;
    // Environments are workspace-wide names: `environments = [dev, prod]`
    // works in every package without an import.
    if (auto env = environmentDecls_.find(first.str()); env != environmentDecls_.end())
      return env->second;
    // Fully qualified: the longest package prefix, then a declaration.
    std::string prefix;
    Found best;
    for (size_t i = 0; i + 1 < parts.size(); ++i) {
      prefix += (i ? "." : "") + parts[i].text.str();
      if (Found f = findInPackage(prefix, parts[i + 1].text); f.item)
        best = Found{f.item, f.file, i + 2};
    }
    return best;
  }

  void reportUnusedImports() {
    for (size_t i = 0; i < ws_.files().size(); ++i) {
      const LoadedFile &lf = file(i);
      if (!lf.parsed.ast || lf.fromStdlib || lf.parsed.ast->hasSyntaxErrors)
        continue;
      for (const auto &[name, target] : scopes_[i].imports) {
        if (scopes_[i].used[target.importIndex])
          continue;
        const ast::Import &imp = lf.parsed.ast->imports[target.importIndex];
        // An import that a declaration of the file's own package shadows is
        // "unused" only because lookup finds the declaration first: P0204
        // reports the clash, and removing the import would silently make
        // every reference the user wrote for the import read the local
        // declaration instead. Not reported here, and no fix offered.
        if (Found local = findInPackage(lf.package, name); local.item)
          continue;
        diags_
            .report(DiagId::UnusedImport, imp.span,
                    fmt::format("`{}` is imported but never used", imp.path.str()))
            .withHelp("remove the import")
            .safeFix("remove the unused import", imp.span, "");
      }
    }
  }

  // ------------------------------------------------------------ schema

  void readSchema() {
    Schema &schema = *building_;
    readingSchema_ = true;
    for (const LoadedFile &lf : ws_.files())
      if (lf.fromStdlib)
        schema.syntax.add(lf.id, lf.source, lf.parsed.arena);
    // Two passes: names first, so that types can refer to each other in any
    // order, then the fields.
    std::vector<std::pair<const ast::Block *, size_t>> recordBlocks;
    for (size_t i = 0; i < ws_.files().size(); ++i) {
      const LoadedFile &lf = file(i);
      if (!lf.fromStdlib || !lf.parsed.ast)
        continue;
      for (const ast::Item *item : lf.parsed.ast->decls) {
        if (auto *e = llvm::dyn_cast<ast::EnumDecl>(item)) {
          EnumDef def;
          def.name = e->name.text.str();
          def.doc = e->doc.str();
          def.span = e->name.span;
          for (const ast::EnumMember &m : e->members) {
            def.members.push_back(m.name.text.str());
            def.docs.push_back(m.doc.str());
          }
          schema.enums[def.name] = std::move(def);
          continue;
        }
        auto *b = llvm::dyn_cast<ast::Block>(item);
        if (!b || b->isTemplate)
          continue;
        llvm::StringRef k = b->kindName.text;
        if (k == "kind" || k == "type") {
          RecordDef def;
          def.name = b->name.text.str();
          def.isKind = k == "kind";
          def.doc = b->doc.str();
          def.span = b->name.span;
          (def.isKind ? schema.kinds : schema.records)[def.name] = std::move(def);
          recordBlocks.emplace_back(b, i);
        } else if (k == "unit") {
          UnitDef def;
          def.name = b->name.text.str();
          def.doc = b->doc.str();
          def.span = b->name.span;
          for (const ast::Item *it : b->items)
            if (auto *a = llvm::dyn_cast<ast::Assignment>(it))
              if (auto *n = llvm::dyn_cast_or_null<ast::NumberExpr>(a->value)) {
                if (a->target.str() == "plain")
                  def.plainAllowed = true;
                else
                  def.suffixes[a->target.str()] = n->value;
              }
          schema.units[def.name] = std::move(def);
        }
      }
    }
    for (auto [b, fileIndex] : recordBlocks) {
      RecordDef &def = b->kindName.text == "kind" ? schema.kinds[b->name.text.str()]
                                                  : schema.records[b->name.text.str()];
      for (const ast::Item *it : b->items) {
        auto *fd = llvm::dyn_cast<ast::FieldDecl>(it);
        if (!fd)
          continue;
        FieldDef field;
        field.name = fd->name.text.str();
        field.doc = fd->doc.str();
        field.span = fd->name.span;
        field.defaultValue = SyntaxRef<ast::Expr>::to(fd->defaultValue);
        field.type = resolveType(fd->type, fileIndex);
        field.required = !fd->defaultValue && field.type->kind != TypeKind::Optional;
        def.fields.push_back(std::move(field));
      }
    }
    // The typed keys of sema/Fields.def, bound once. The stdlib is embedded,
    // so whether every key binds is known at build time: fields_test.cpp
    // fails if one does not (an unbound key reads as unset).
    auto binding = std::make_shared<FieldBinding>();
    bindFields(schema, *binding);
    schema.fieldBinding = std::move(binding);
    readingSchema_ = false;
  }

  // Types of stdlib fields belong to the schema; the types made while
  // resolving values go with the values (shared with the rechecks that
  // reuse them), so that a shared schema is never written.
  const Type *makeType(Type t) {
    return readingSchema_ ? building_->make(std::move(t)) : p_.values.makeType(std::move(t));
  }

  // `@name_format(...)` on stdlib kinds: the format a declaration's name must have.
  void readNameFormats() {
    for (const LoadedFile &lf : ws_.files()) {
      if (!lf.fromStdlib || !lf.parsed.ast)
        continue;
      for (const ast::Item *item : lf.parsed.ast->decls)
        if (auto *b = llvm::dyn_cast<ast::Block>(item);
            b && !b->isTemplate && b->kindName.text == "kind")
          for (const ast::Annotation &a : b->annotations)
            if (a.name.text == "name_format" && !a.args.empty())
              if (auto *n = llvm::dyn_cast<ast::NameExpr>(a.args[0].value))
                nameFormats_[b->name.text.str()] = n->name.text.str();
    }
  }

  // ------------------------------------------------------------ rechecks

  static bool definesShared(const ast::File *f) {
    if (!f)
      return false;
    return llvm::any_of(f->decls, [](const ast::Item *item) {
      if (llvm::isa<ast::EnumDecl>(item))
        return true;
      auto *b = llvm::dyn_cast<ast::Block>(item);
      return b && (b->isTemplate || b->kindName.text == "type" || b->kindName.text == "kind" ||
                   b->kindName.text == "unit");
    });
  }

  void startMemo() {
    p_.memo = std::make_unique<CheckMemo>();
    CheckMemo &m = *p_.memo;
    for (const LoadedFile &lf : ws_.files())
      m.files.push_back({lf.relativePath, lf.id, definesShared(lf.parsed.ast)});
    m.declFiles = declFile_;
    m.decls.resize(p_.decls.size());
    for (const auto &[pkgName, pkg] : ws_.packages())
      m.packages.push_back(pkg);
    fileChanged_.assign(ws_.files().size(), true);
  }

  // Whether two checks' packages declare the same names (a package shared
  // between workspace versions does).
  static bool samePackageNames(const CheckMemo &a, const CheckMemo &b) {
    if (a.packages.size() != b.packages.size())
      return false;
    for (size_t i = 0; i < a.packages.size(); ++i) {
      const Package &x = *a.packages[i], &y = *b.packages[i];
      if (&x == &y)
        continue;
      if (x.name != y.name || x.decls.size() != y.decls.size() ||
          !std::equal(x.decls.begin(), x.decls.end(), y.decls.begin(),
                      [](const auto &l, const auto &r) { return l.first == r.first; }))
        return false;
    }
    return true;
  }

  // Whether the previous program's values can be reused at all: the same
  // files and declarations, and no changed file defines something other
  // files' values are built from.
  bool canReuse() {
    const CheckMemo *old = prev_->memo.get();
    const CheckMemo &now = *p_.memo;
    if (!old || old->files.size() != now.files.size() || old->declFiles.size() != now.declFiles.size() ||
        prev_->decls.size() != p_.decls.size() ||
        prev_->envs.size() != p_.envs.size() || !samePackageNames(*old, now))
      return false;
    for (size_t i = 0; i < now.files.size(); ++i) {
      const CheckMemo::FileInfo &a = old->files[i], &b = now.files[i];
      if (a.path != b.path)
        return false;
      fileChanged_[i] = !(a.id == b.id);
      if (fileChanged_[i] && (a.definesShared || b.definesShared))
        return false;
    }
    for (size_t i = 0; i < now.declFiles.size(); ++i) {
      const Decl &a = prev_->decls[i], &b = p_.decls[i];
      if (old->declFiles[i] != now.declFiles[i] || a.kindId != b.kindId ||
          a.qualifiedName != b.qualifiedName)
        return false;
    }
    for (size_t e = 0; e < p_.envs.size(); ++e)
      if (prev_->envs[e].name != p_.envs[e].name)
        return false;
    liveFiles_.clear();
    for (size_t i = 0; i < now.files.size(); ++i)
      if (!fileChanged_[i])
        liveFiles_.insert(now.files[i].id.index);
    return true;
  }

  bool unchanged(Span span) const { return !span.valid() || liveFiles_.count(span.file.index); }

  // A declaration keeps its values when its file and its templates' files
  // did not change and nothing it reported points into a changed file.
  bool reusable(DeclId id) {
    if (fileChanged_[declFile_[id]])
      return false;
    for (const TemplateInfo &t : chains_[id])
      if (fileChanged_[t.file])
        return false;
    const CheckMemo::DeclInfo *before = prev_->memo->decls[id].get();
    if (!before)
      return false;
    for (const Diagnostic &d : before->diagnostics) {
      if (!unchanged(d.span))
        return false;
      for (const Label &l : d.labels)
        if (!unchanged(l.span))
          return false;
      for (const Note &n : d.notes)
        if (n.span && !unchanged(*n.span))
          return false;
      for (const Fix &f : d.fixes)
        for (const Edit &e : f.edits)
          if (!unchanged(e.span))
            return false;
    }
    return true;
  }

  void reuseDecl(DeclId id, EnvId e) {
    EnvModel &env = p_.envs[e];
    env.fields[id] = prev_->envs[e].fields[id]; // the previous program is only read
    if (e == 0) {
      p_.memo->decls[id] = prev_->memo->decls[id]; // shared: neither program changes it
      const CheckMemo::DeclInfo &info = *p_.memo->decls[id];
      envDependent_.resize(p_.decls.size());
      envDependent_[id] = info.envDependent;
      for (const Diagnostic &d : info.diagnostics)
        diags_.all().push_back(d);
      p_.references.insert(p_.references.end(), info.references.begin(), info.references.end());
      for (auto [fileIndex, importIndex] : info.importsUsed)
        scopes_[fileIndex].used[importIndex] = true;
    }
    markMembership(id, env);
    if (e == 0 && p_.decls[id].kindId == DeclKind::Dataset)
      fillColumns(id, env);
  }

  // Resolves a declaration in one environment and remembers what it
  // reported and referred to, for the next recheck.
  void resolveRecorded(DeclId id, EnvModel &env) {
    std::shared_ptr<CheckMemo::DeclInfo> &slot = p_.memo->decls[id];
    if (!slot)
      slot = std::make_shared<CheckMemo::DeclInfo>();
    CheckMemo::DeclInfo &info = *slot;
    size_t diagsBefore = diags_.all().size();
    size_t refsBefore = p_.references.size();
    recording_ = &info.importsUsed;
    resolveDecl(id, env);
    recording_ = nullptr;
    info.envDependent = envDependent_.size() > id && envDependent_[id];
    info.diagnostics.insert(info.diagnostics.end(), diags_.all().begin() + static_cast<long>(diagsBefore),
                            diags_.all().end());
    info.references.insert(info.references.end(), p_.references.begin() + static_cast<long>(refsBefore),
                           p_.references.end());
  }

  const Type *resolveType(const ast::TypeExpr *t, size_t fileIndex) {
    Type out;
    if (!t)
      return makeType(out);
    if (auto *o = llvm::dyn_cast<ast::OptionalType>(t)) {
      out.kind = TypeKind::Optional;
      out.element = resolveType(o->inner, fileIndex);
      return makeType(out);
    }
    auto *n = llvm::dyn_cast<ast::NamedType>(t);
    if (!n)
      return makeType(out); // unions only appear inside ref<>
    std::string name = n->name.str();
    auto arg = [&](size_t i) {
      return i < n->typeArgs.size() ? resolveType(n->typeArgs[i], fileIndex) : makeType(Type{});
    };
    static const std::map<std::string, TypeKind> simple = {
        {"raw", TypeKind::Any},         {"scalar", TypeKind::Scalar},
        {"string", TypeKind::String},   {"int", TypeKind::Int},
        {"float", TypeKind::Float},     {"bool", TypeKind::Bool},
        {"money", TypeKind::Money},     {"money_rate", TypeKind::MoneyRate},
        {"rate", TypeKind::Rate},       {"columns", TypeKind::Columns},
        {"column_ref", TypeKind::ColumnRef}, {"task_ref", TypeKind::TaskRef},
        {"storage", TypeKind::Storage}, {"cron", TypeKind::Cron},
        {"instance_type", TypeKind::InstanceType},
        {"framework_version", TypeKind::FrameworkVersion}};
    if (auto it = simple.find(name); it != simple.end()) {
      out.kind = it->second;
    } else if (name == "list" || name == "map" || name == "range") {
      out.kind = name == "list" ? TypeKind::List : name == "map" ? TypeKind::Map : TypeKind::Range;
      out.element = arg(0);
    } else if (name == "ref") {
      out.kind = TypeKind::Ref;
      for (const ast::TypeExpr *a : n->typeArgs) {
        if (auto *u = llvm::dyn_cast<ast::UnionType>(a)) {
          for (const ast::TypeExpr *m : u->members)
            if (auto *mn = llvm::dyn_cast<ast::NamedType>(m))
              out.refKinds.push_back(mn->name.str());
        } else if (auto *an = llvm::dyn_cast<ast::NamedType>(a)) {
          out.refKinds.push_back(an->name.str());
        }
      }
    } else if (name == "blocks") {
      out.kind = TypeKind::Blocks;
      if (!n->typeArgs.empty())
        if (auto *an = llvm::dyn_cast<ast::NamedType>(n->typeArgs[0]))
          out.record = p_.schema.record(an->name.str());
    } else if (const UnitDef *u = p_.schema.unit(name)) {
      out.kind = TypeKind::Quantity;
      out.unit = u;
    } else if (const EnumDef *e = p_.schema.enumeration(name)) {
      out.kind = TypeKind::Enum;
      out.enumDef = e;
    } else if (const RecordDef *r = p_.schema.record(name)) {
      out.kind = TypeKind::Record;
      out.record = r;
    } else if (!name.empty()) {
      diags_.report(DiagId::UnknownName, n->name.span, fmt::format("unknown type `{}`", name));
    }
    for (const ast::Arg &a : n->constraints) {
      if (auto *r = llvm::dyn_cast_or_null<ast::RangeExpr>(a.value)) {
        if (auto *lo = llvm::dyn_cast<ast::NumberExpr>(r->low))
          out.min = lo->value;
        if (auto *hi = llvm::dyn_cast<ast::NumberExpr>(r->high))
          out.max = hi->value;
      } else if (a.name.text == "format") {
        if (auto *f = llvm::dyn_cast_or_null<ast::NameExpr>(a.value))
          out.format = f->name.text.str();
      } else if (a.name.text == "min") {
        if (auto *v = llvm::dyn_cast_or_null<ast::NumberExpr>(a.value))
          out.min = v->value;
      } else if (a.name.text == "max") {
        if (auto *v = llvm::dyn_cast_or_null<ast::NumberExpr>(a.value))
          out.max = v->value;
      }
    }
    return makeType(std::move(out));
  }

  // ------------------------------------------------------------ declarations

  static bool isSchemaKind(llvm::StringRef k) { return k == "kind" || k == "type" || k == "unit"; }

  void collectDecls() {
    // Kinds users declare (the catalogue kinds are the stdlib's own).
    std::vector<std::string> kindNames;
    for (const std::string &k : p_.schema.kindNames())
      if (k != "instance" && k != "framework" && k != "region")
        kindNames.push_back(k);
    llvm::StringMap<std::pair<const RecordDef *, std::optional<DeclKind>>> kindsSeen;
    for (size_t i = 0; i < ws_.files().size(); ++i) {
      const LoadedFile &lf = file(i);
      if (!lf.parsed.ast)
        continue;
      for (const ast::Item *item : lf.parsed.ast->decls) {
        auto *b = llvm::dyn_cast<ast::Block>(item);
        if (!b || b->kindName.empty() || b->name.empty())
          continue;
        llvm::StringRef k = b->kindName.text;
        if (lf.fromStdlib && isSchemaKind(k))
          continue;
        // A user `type` is a record type, used as a dataset schema
        // (`schema = transaction_row`); it is not a declaration.
        if (k == "type" && !b->isTemplate)
          continue;
        // A handful of kinds, thousands of declarations: each kind is
        // looked up once.
        auto [known, fresh] = kindsSeen.try_emplace(k);
        if (fresh)
          known->second = {p_.schema.kind(k), declKindFromName(k)};
        const RecordDef *schema = known->second.first;
        if (!schema) {
          unknownKind_.insert(b);
          Diagnostic &d = diags_.report(DiagId::UnknownKind, b->kindName.span,
                                        fmt::format("unknown declaration kind `{}`", k.str()));
          if (auto s = closestMatch(k, kindNames))
            d.withHelp(fmt::format("did you mean `{}`?", *s))
                .fix(fmt::format("change the kind to `{}`", *s), b->kindName.span, *s);
          else
            d.withHelp(fmt::format("the kinds are {}", joinNames(kindNames)));
          continue;
        }
        std::optional<DeclKind> kindId = known->second.second;
        if (!kindId) {
          // A stdlib kind the compiler was not taught about: a bug in platc.
          diags_.report(DiagId::UnknownKind, b->kindName.span,
                        fmt::format("kind `{}` is defined in stdlib but not known to this platc",
                                    k.str()));
          continue;
        }
        if (b->isTemplate) {
          templates_[b] = TemplateInfo{b, i};
          continue;
        }
        Decl d;
        d.kindId = *kindId;
        d.id = static_cast<DeclId>(p_.decls.size());
        d.kind = k.str();
        d.schema = schema;
        d.name = b->name.text.str();
        d.package = lf.package;
        d.qualifiedName = lf.package.empty() ? d.name : lf.package + "." + d.name;
        d.span = b->span;
        d.nameSpan = b->name.span;
        d.syntax = SyntaxRef<ast::Block>{lf.id, b->id};
        d.doc = b->doc.str();
        d.fromStdlib = lf.fromStdlib;
        declOf_[b] = d.id;
        declFile_.push_back(i);
        // A name declared twice (P0201) is poisoned: a reference to it may
        // mean either declaration, so what follows from picking one (the
        // wrong kind) is not reported besides the duplicate.
        if (p_.byQualifiedName.count(d.qualifiedName))
          ambiguous_.insert(d.qualifiedName);
        p_.byQualifiedName[d.qualifiedName] = d.id;
        if (k == "workspace")
          p_.workspace = d.id;
        checkDeclName(d);
        p_.decls.push_back(std::move(d));
      }
    }
  }

  static std::string joinNames(const std::vector<std::string> &names) {
    std::string out;
    for (size_t i = 0; i < names.size(); ++i)
      out += (i ? ", `" : "`") + names[i] + "`";
    return out;
  }

  void checkDeclName(const Decl &d) {
    auto it = nameFormats_.find(d.kind);
    if (it == nameFormats_.end() || d.fromStdlib)
      return;
    std::string derived = d.name;
    std::replace(derived.begin(), derived.end(), '_', '-');
    if (validFormat(it->second, derived))
      return;
    diags_
        .report(DiagId::BadFormat, d.nameSpan,
                fmt::format("`{}` cannot name a {}: it becomes `{}`, which is not a valid {}",
                            d.name, d.kind, derived, formatDescription(it->second)))
        .withHelp("use lowercase letters, digits and `_` (written `-` in generated names), start "
                  "with a letter, end with a letter or digit, at most 63 characters");
  }

  void collectEnvironments() {
    for (const Decl &d : p_.decls) {
      if (d.kindId != DeclKind::Environment)
        continue;
      EnvModel env;
      env.name = d.name;
      env.decl = d.id;
      p_.envs.push_back(std::move(env));
    }
    if (p_.envs.empty()) {
      // A workspace without environments has one, implicitly.
      EnvModel env;
      env.name = "default";
      p_.envs.push_back(std::move(env));
    }
    // Environments keep their declaration order (dev, staging, prod as
    // written), which is deterministic: files are read in path order.
    for (EnvModel &env : p_.envs) {
      env.binding = p_.schema.fieldBinding;
      env.exists.assign(p_.decls.size(), true);
      env.fields.resize(p_.decls.size());
      envNames_.push_back(env.name);
    }
  }

  bool envDeclared(llvm::StringRef name) const {
    return std::find(envNames_.begin(), envNames_.end(), name.str()) != envNames_.end();
  }

  // The templates a declaration extends, nearest first.
  void resolveTemplates() {
    chains_.resize(p_.decls.size());
    brokenChain_.assign(p_.decls.size(), false);
    for (Decl &d : p_.decls) {
      std::vector<TemplateInfo> chain;
      const ast::Block *current = p_.block(d);
      size_t currentFile = declFile_[d.id];
      std::set<const ast::Block *> seen;
      while (current->extends) {
        Found f = lookup(currentFile, current->extends->parts);
        // A prefix that names something else (`platform.web_service` where
        // `platform` is the stdlib's enum, the package not imported) is an
        // unknown name, not a wrong one.
        if (f.item && f.consumed < current->extends->parts.size())
          f = Found{};
        auto *tb = f.item ? llvm::dyn_cast<ast::Block>(f.item) : nullptr;
        if (!f.item && scopes_[currentFile].failedImports.count(current->extends->parts[0].text.str()))
          break; // the import's P0202 is the error
        if (tb && unknownKind_.count(tb))
          break; // a declaration of an unknown kind: its P0301 is the error
        if (!tb || !tb->isTemplate) {
          Diagnostic &diag =
              f.item ? diags_.report(DiagId::BadExtends, current->extends->span,
                                     fmt::format("`{}` is not a template", current->extends->str()))
                     : diags_.report(DiagId::UnknownName, current->extends->span,
                                     fmt::format("no template named `{}`", current->extends->str()));
          diag.withHelp("`extends` names a `template KIND NAME { ... }` declaration");
          std::string kind = d.kind;
          if (!f.item &&
              !explainDotted(diag, currentFile, current->extends->parts, d.kind + " template",
                             "\2" + d.kind, [kind](const ast::Item *item) {
                               auto *b = llvm::dyn_cast<ast::Block>(item);
                               return b && b->isTemplate && b->kindName.text == kind;
                             }))
            if (auto s = templateNames(d.kind).closest(current->extends->str()))
              diag.withHelp(fmt::format("did you mean `{}`?", *s))
                  .fix(fmt::format("use `{}`", *s), current->extends->span, *s);
          break;
        }
        if (tb->kindName.text != d.kind) {
          diags_
              .report(DiagId::BadExtends, current->extends->span,
                      fmt::format("`{}` is a template for `{}`, not for `{}`",
                                  current->extends->str(), tb->kindName.text.str(), d.kind))
              .note(tb->name.span, "the template is declared here");
          break;
        }
        if (!seen.insert(tb).second) {
          // The cycle is the part of the chain from `tb` on; report it once,
          // however many declarations reach it and wherever they enter it.
          std::vector<const ast::Block *> members;
          for (const TemplateInfo &t : chain)
            if (t.block == tb || !members.empty())
              members.push_back(t.block);
          if (!reportedCycles_.insert(std::set<const ast::Block *>(members.begin(), members.end()))
                   .second)
            break;
          Diagnostic &diag = diags_.report(
              DiagId::TemplateCycle, current->extends->span,
              fmt::format("templates extend each other in a cycle through `{}`", tb->name.text.str()));
          for (const ast::Block *m : members)
            diag.note(m->name.span, fmt::format("`{}` is part of the cycle", m->name.text.str()));
          diag.withHelp("remove one `extends` to break the cycle");
          break;
        }
        addReference(current->extends->span, kNoDecl);
        chain.push_back(TemplateInfo{tb, templates_.count(tb) ? templates_[tb].file : f.file});
        d.templates.push_back(tb->name.text.str());
        current = tb;
        currentFile = chain.back().file;
        if (chain.size() > 64) {
          diags_.report(DiagId::TemplateCycle, d.nameSpan, "templates are nested more than 64 deep");
          break;
        }
      }
      // The loop left early: an `extends` that names no usable template
      // (reported above, or by the failed import or unknown kind).
      brokenChain_[d.id] = current->extends != nullptr;
      chains_[d.id] = std::move(chain);
    }
  }

  // The names of the templates of one kind, indexed for suggestions once per
  // kind (not listed again for every unknown `extends`).
  const NameIndex &templateNames(llvm::StringRef kind) {
    auto [it, added] = templateNames_.try_emplace(kind.str());
    if (added) {
      std::vector<std::string> names;
      for (const auto &[b, info] : templates_)
        if (b->kindName.text == kind)
          names.push_back(b->name.text.str());
      it->second = NameIndex(std::move(names));
    }
    return it->second;
  }
  std::map<std::string, NameIndex> templateNames_;

  void suggest(Diagnostic &d, const std::string &word, const std::vector<std::string> &candidates,
               Span at) {
    if (auto s = closestMatch(word, candidates))
      d.withHelp(fmt::format("did you mean `{}`?", *s)).fix(fmt::format("use `{}`", *s), at, *s);
  }

  // ------------------------------------------------------------ fields

  // Gathers the settings of a block's items, keyed by field name. `env`
  // selects the items of `env NAME { }` blocks instead of the base items.
  void gather(const ast::Block *block, size_t fileIndex, Origin origin, const std::string *env,
              std::map<std::string, Settings> &out, bool reportEnvs) {
    std::set<std::string> seenHere;
    for (const ast::Item *item : block->items) {
      if (auto *b = llvm::dyn_cast<ast::Block>(item)) {
        if (b->kindName.text == "env") {
          if (reportEnvs && !envDeclared(b->name.text)) {
            Diagnostic &d = diags_.report(
                DiagId::UnknownEnvironment, b->name.empty() ? b->kindName.span : b->name.span,
                fmt::format("no environment named `{}`", b->name.text.str()));
            d.withHelp(fmt::format("declared environments are {}", joinNames(envNames_)));
            suggest(d, b->name.text.str(), envNames_, b->name.span);
          }
          if (env && b->name.text == *env)
            gather(b, fileIndex, origin == Origin::Template ? Origin::TemplateEnvOverride
                                                            : Origin::EnvOverride,
                   nullptr, out, false);
          continue;
        }
        if (env)
          continue;
        std::string key = b->kindName.text.str();
        if (b->name.empty() && !seenHere.insert(key).second)
          reportDuplicate(key, b->kindName.span, block);
        out[key].push_back(Setting{b, 0, origin, fileIndex});
        continue;
      }
      if (env)
        continue;
      if (auto *a = llvm::dyn_cast<ast::Assignment>(item)) {
        if (a->target.empty())
          continue;
        std::string key = a->target.parts[0].text.str();
        if (a->target.parts.size() == 1 && !seenHere.insert(key).second)
          reportDuplicate(key, a->target.span, block);
        out[key].push_back(Setting{a, 0, origin, fileIndex});
      } else if (auto *c = llvm::dyn_cast<ast::Constraint>(item)) {
        out["\x01constraint"].push_back(Setting{c, 0, origin, fileIndex});
      } else if (llvm::isa<ast::FieldDecl>(item)) {
        out["\x01fielddecl"].push_back(Setting{item, 0, origin, fileIndex});
      } else if (llvm::isa<ast::Rule>(item)) {
        out["\x01rule"].push_back(Setting{item, 0, origin, fileIndex});
      }
    }
  }

  void reportDuplicate(const std::string &key, Span at, const ast::Block *block) {
    Span first;
    for (const ast::Item *it : block->items) {
      if (auto *a = llvm::dyn_cast<ast::Assignment>(it); a && !a->target.empty() &&
                                                         a->target.parts[0].text == key) {
        first = a->target.span;
        break;
      }
      if (auto *b = llvm::dyn_cast<ast::Block>(it); b && b->kindName.text == key) {
        first = b->kindName.span;
        break;
      }
    }
    Diagnostic &d =
        diags_.report(DiagId::DuplicateField, at, fmt::format("`{}` is set twice in this block", key));
    if (first.valid() && !(first == at))
      d.note(first, "first set here");
    d.withHelp("keep one of them; to change a value per environment use `env NAME { ... }`");
  }

  static bool hasEnvBlocks(const ast::Block *block) {
    return llvm::any_of(block->items, [](const ast::Item *item) {
      auto *b = llvm::dyn_cast<ast::Block>(item);
      return b && b->kindName.text == "env";
    });
  }

  // Whether a declaration resolves to the same values in every environment:
  // neither it nor its templates have `env NAME { }` blocks, and none of its
  // values interpolated `${env}`.
  bool sameInEveryEnv(DeclId id) {
    if (envDependent_[id])
      return false;
    if (hasEnvBlocks(p_.block(p_.decls[id])))
      return false;
    return llvm::none_of(chains_[id], [](const TemplateInfo &t) { return hasEnvBlocks(t.block); });
  }

  void resolveDecl(DeclId id, EnvModel &env) {
    const Decl &d = p_.decls[id];
    bool first = &env == &p_.envs.front();
    if (first) {
      envDependent_.resize(p_.decls.size());
      usedEnv_ = false;
      resolveFields(id, env);
      envDependent_[id] = usedEnv_;
      usedEnv_ = false;
    } else if (sameInEveryEnv(id)) {
      // Checked and reported in the first environment already; share its
      // values (they are immutable) instead of resolving them again.
      env.fields[id] = p_.envs.front().fields[id];
    } else {
      resolveFields(id, env);
    }
    markMembership(id, env);
    if (d.kindId == DeclKind::Dataset && first)
      fillColumns(id, env);
  }

  void markMembership(DeclId id, EnvModel &env) {
    if (const Value *envs = env.get(id, fields::any::environments)) {
      bool in = false;
      for (const Value *v : envs->items)
        if (v->kind == Value::Kind::Ref && p_.decls[v->ref].name == env.name)
          in = true;
      env.exists[id] = in;
    }
  }

  void resolveFields(DeclId id, EnvModel &env) {
    const Decl &d = p_.decls[id];
    std::map<std::string, Settings> settings;
    const auto &chain = chains_[id];
    bool first = &env == &p_.envs.front();
    // Base layers, farthest template first, then the declaration.
    for (auto it = chain.rbegin(); it != chain.rend(); ++it)
      gather(it->block, it->file, Origin::Template, nullptr, settings, first);
    const ast::Block *block = p_.block(d);
    gather(block, declFile_[id], Origin::Declared, nullptr, settings, first);
    for (auto it = chain.rbegin(); it != chain.rend(); ++it)
      gather(it->block, it->file, Origin::Template, &env.name, settings, false);
    gather(block, declFile_[id], Origin::Declared, &env.name, settings, false);

    Ctx ctx{id, declFile_[id], &env};
    std::vector<FieldValue> fields;
    fields.reserve(d.schema->fields.size());
    for (const FieldDef &f : d.schema->fields) {
      FieldValue fv;
      fv.def = &f;
      auto s = settings.find(f.name);
      if (s != settings.end()) {
        fv.value = resolveSettings(f.type, s->second, ctx, f.name);
        fv.origin = s->second.back().origin;
      } else if (f.defaultValue) {
        fv.value = defaultValue(f);
        fv.origin = Origin::Default;
      } else if (f.required && first && !file(declFile_[id]).parsed.ast->hasSyntaxErrors &&
                 !(id < brokenChain_.size() && brokenChain_[id])) {
        // (In a file with syntax errors the field may be in the part the
        // parser could not read: the syntax error is the one to fix first.)
        reportMissing(d.nameSpan, f, d.kind + " " + d.name,
                      block && block->span.file == d.nameSpan.file ? block : nullptr);
      }
      fields.push_back(fv);
    }
    env.fields[id] = FieldList(std::move(fields));
    // Unknown fields: every setting in the first environment, and the
    // settings of `env NAME { }` blocks in the others (they are gathered
    // only for their own environment).
    for (const auto &[key, list] : settings) {
      if (key[0] == '\x01') {
        if (first)
          checkSpecialItems(key, list, d);
        continue;
      }
      if (d.schema->field(key))
        continue;
      for (const Setting &s : list)
        if (first || s.origin == Origin::EnvOverride || s.origin == Origin::TemplateEnvOverride)
          reportUnknownField(s, key, *d.schema, d.kind);
    }
  }

  void checkSpecialItems(const std::string &key, const Settings &list, const Decl &d) {
    for (const Setting &s : list) {
      if (key == "\x01rule" && d.kindId == DeclKind::Policy)
        continue;
      const char *what = key == "\x01rule"         ? "a policy rule"
                         : key == "\x01fielddecl" ? "a field declaration (`name : type`)"
                                                  : "a bound (`name >= value`)";
      diags_
          .report(DiagId::MisplacedItem, s.item->span,
                  fmt::format("{} has no meaning in a `{}` declaration", what, d.kind))
          .withHelp(key == "\x01fielddecl"
                        ? "to set a field write `name = value`; `name : type` declares columns "
                          "inside a dataset's `schema { }`"
                    : key == "\x01rule" ? "rules belong in `policy NAME { for ... require ... }`"
                                        : "bounds belong in blocks that take thresholds, such as "
                                          "a model's `approval { }`");
    }
  }

  // The shape of a value of type `t`, for help and fixes: a record shows
  // its required fields (`{ requests = …, spend = … }`), a reference the
  // kind it names, anything else `…`.
  static std::string shapeOf(const Type *t, int depth = 0) {
    while (t && (t->kind == TypeKind::Optional) && t->element)
      t = t->element;
    if (!t)
      return "…";
    if (t->kind == TypeKind::Ref && !t->refKinds.empty())
      return fmt::format("<{} name>", t->refKinds[0]);
    if (t->kind == TypeKind::Record && t->record && depth < 2) {
      std::vector<std::string> parts;
      for (const FieldDef &f : t->record->fields)
        if (f.required && !f.defaultValue)
          parts.push_back(fmt::format("{} = {}", f.name, shapeOf(f.type, depth + 1)));
      return parts.empty() ? "{}" : fmt::format("{{ {} }}", fmt::join(parts, ", "));
    }
    if (t->kind == TypeKind::List)
      return "[…]";
    return "…";
  }

  // `block`: the declaration the field is missing from, when the fix can
  // insert it there (before the closing brace).
  void reportMissing(Span at, const FieldDef &f, const std::string &owner,
                     const ast::Block *block = nullptr) {
    std::string example = fmt::format("{} = {}", f.name, shapeOf(f.type));
    Diagnostic &d = diags_.report(DiagId::MissingField, at,
                                  fmt::format("`{}` is missing the required field `{}`", owner, f.name));
    if (!f.doc.empty())
      d.note(fmt::format("`{}` ({}): {}", f.name, f.type->spelling(), firstLine(f.doc)));
    d.withHelp(fmt::format("add `{}`", example));
    // A placeholder, so never safe: the user (or agent) fills in the value.
    if (block && block->close.valid())
      d.fix(fmt::format("add `{}`", example),
            Span{block->close.file, block->close.begin, block->close.begin},
            fmt::format("  {}\n", example));
  }

  static std::string firstLine(const std::string &doc) {
    size_t nl = doc.find('\n');
    return nl == std::string::npos ? doc : doc.substr(0, nl) + " ...";
  }

  void reportUnknownField(const Setting &s, const std::string &key, const RecordDef &def,
                          const std::string &what) {
    Span at = s.item->span;
    if (auto *a = llvm::dyn_cast<ast::Assignment>(s.item))
      at = a->target.parts[s.depth].span;
    else if (auto *b = llvm::dyn_cast<ast::Block>(s.item))
      at = b->kindName.span;
    Diagnostic &d = diags_.report(DiagId::UnknownField, at,
                                  fmt::format("`{}` has no field `{}`", what, key));
    std::vector<std::string> names = def.fieldNames();
    if (auto suggestion = closestMatch(key, names)) {
      d.withHelp(fmt::format("did you mean `{}`?", *suggestion))
          .fix(fmt::format("rename to `{}`", *suggestion), at, *suggestion);
      return;
    }
    d.withHelp(fmt::format("the fields of `{}` are {}", def.name, joinNames(names)));
    // No near miss: a stray setting, removed. Not safe, the user meant
    // something by it.
    if (auto *a = llvm::dyn_cast<ast::Assignment>(s.item); a && s.depth == 0)
      d.fix(fmt::format("remove `{}`", key), a->span, "");
    else if (auto *b = llvm::dyn_cast<ast::Block>(s.item); b && s.depth == 0)
      d.fix(fmt::format("remove `{}`", key), b->span, "");
  }

  const Value *defaultValue(const FieldDef &f) {
    auto it = defaults_.find(&f);
    if (it != defaults_.end())
      return it->second;
    // Defaults are written in stdlib, where every name resolves in `std`.
    Ctx ctx{kNoDecl, stdFile(), nullptr};
    const Value *v = nullptr;
    const Type *t = strip(f.type);
    const ast::Expr *written = p_.schema.defaultValue(f);
    if (auto *r = llvm::dyn_cast<ast::RecordExpr>(written); r && t->kind == TypeKind::Record)
      v = resolveRecordItems(t->record, r->body, ctx);
    else
      v = convert(written, t, ctx);
    defaults_[&f] = v;
    return v;
  }

  size_t stdFile() const {
    for (size_t i = 0; i < ws_.files().size(); ++i)
      if (file(i).fromStdlib)
        return i;
    return 0;
  }

  static const Type *strip(const Type *t) {
    while (t && t->kind == TypeKind::Optional)
      t = t->element;
    return t;
  }

  const Type *simpleType(TypeKind kind) {
    Type t;
    t.kind = kind;
    return makeType(std::move(t));
  }

  Value *newValue(Value::Kind kind, const Type *type, Span span) {
    Value &v = p_.values.make();
    v.kind = kind;
    v.type = type;
    v.span = span;
    return &v;
  }

  const Value *errorValue(Span span) { return newValue(Value::Kind::Error, nullptr, span); }

  // The value of a field from all the places that set it, highest priority
  // last. Records and maps merge field by field; anything else is replaced.
  const Value *resolveSettings(const Type *type, const Settings &settings, Ctx &ctx,
                               const std::string &fieldName) {
    const Type *t = strip(type);
    if (t->kind == TypeKind::Record)
      return mergeRecord(t, settings, ctx, fieldName);
    if (t->kind == TypeKind::Blocks)
      return resolveBlocks(t, settings, ctx);
    if (t->kind == TypeKind::Map) {
      const Value *merged = nullptr;
      std::map<std::string, NamedValue> entries;
      for (const Setting &s : settings) {
        Ctx local{ctx.decl, s.file, ctx.env};
        const Value *v = leafOf(s, t, local, fieldName);
        if (!v || v->kind != Value::Kind::Record) {
          merged = v;
          entries.clear();
          continue;
        }
        for (const NamedValue &nv : v->fields)
          entries[nv.name] = nv;
        merged = v;
      }
      if (!merged || merged->kind != Value::Kind::Record || settings.size() == 1)
        return merged;
      Value *out = newValue(Value::Kind::Record, t, merged->span);
      for (auto &[k, nv] : entries)
        out->fields.push_back(nv);
      return out;
    }
    const Setting &last = settings.back();
    Ctx local{ctx.decl, last.file, ctx.env};
    return leafOf(last, t, local, fieldName);
  }

  // The value one setting gives a non-record field.
  const Value *leafOf(const Setting &s, const Type *t, Ctx &ctx, const std::string &fieldName) {
    if (auto *a = llvm::dyn_cast<ast::Assignment>(s.item)) {
      if (s.depth + 1 < a->target.parts.size()) {
        diags_
            .report(DiagId::TypeMismatch, a->target.parts[s.depth + 1].span,
                    fmt::format("`{}` is a {}, not a record: it has no field `{}`", fieldName,
                                t->spelling(), a->target.parts[s.depth + 1].text.str()))
            .withHelp(fmt::format("set `{} = ...` directly", fieldName));
        return errorValue(a->target.span);
      }
      return convert(a->value, t, ctx);
    }
    if (auto *b = llvm::dyn_cast<ast::Block>(s.item)) {
      if (t->kind == TypeKind::Columns || t->kind == TypeKind::Map || t->kind == TypeKind::Any)
        return convertBlock(b, t, ctx);
      diags_
          .report(DiagId::TypeMismatch, b->kindName.span,
                  fmt::format("`{}` is a {}, not a block", fieldName, t->spelling()))
          .withHelp(fmt::format("write `{} = value`", fieldName));
      return errorValue(b->span);
    }
    return errorValue(s.item->span);
  }

  const Value *mergeRecord(const Type *t, const Settings &settings, Ctx &ctx,
                           const std::string &fieldName) {
    // Sub-settings: the items of blocks and record literals, and the rest of
    // dotted assignment paths.
    std::map<std::string, Settings> sub;
    Span span = settings.front().item->span;
    for (const Setting &s : settings) {
      if (auto *b = llvm::dyn_cast<ast::Block>(s.item)) {
        gather(b, s.file, s.origin, nullptr, sub, false);
        span = b->span;
      } else if (auto *a = llvm::dyn_cast<ast::Assignment>(s.item)) {
        if (s.depth + 1 < a->target.parts.size()) {
          sub[a->target.parts[s.depth + 1].text.str()].push_back(
              Setting{a, s.depth + 1, s.origin, s.file});
        } else if (auto *r = llvm::dyn_cast_or_null<ast::RecordExpr>(a->value)) {
          gather(r->body, s.file, s.origin, nullptr, sub, false);
          span = r->span;
        } else if (a->value && !llvm::isa<ast::ErrorExpr>(a->value)) {
          diags_
              .report(DiagId::TypeMismatch, a->value->span,
                      fmt::format("expected a `{}` record for `{}`, found {}", t->record->name,
                                  fieldName, describe(a->value)))
              .withHelp(fmt::format("write `{} {{ field = value ... }}`", fieldName));
        }
      }
    }
    return buildRecord(t, sub, ctx, span, fieldName);
  }

  const Value *buildRecord(const Type *t, std::map<std::string, Settings> &sub, Ctx &ctx, Span span,
                           const std::string &fieldName) {
    const RecordDef *def = t->record;
    Value *out = newValue(Value::Kind::Record, t, span);
    if (!def)
      return out;
    for (const FieldDef &f : def->fields) {
      auto it = sub.find(f.name);
      const Value *v = nullptr;
      if (it != sub.end())
        v = resolveSettings(f.type, it->second, ctx, f.name);
      else if (f.defaultValue)
        v = defaultValue(f);
      else if (f.required && (!ctx.env || ctx.env == &p_.envs.front()))
        reportMissing(span, f, fieldName.empty() ? def->name : fieldName);
      if (v)
        out->fields.push_back({f.name, v, Span{}});
    }
    for (auto &[key, list] : sub) {
      if (key == "\x01constraint" && def->field("thresholds")) {
        Value *list_ = newValue(Value::Kind::List, nullptr, span);
        for (const Setting &s : list) {
          auto *c = llvm::cast<ast::Constraint>(s.item);
          Value *th = newValue(Value::Kind::Record, nullptr, c->span);
          Value *metric = newValue(Value::Kind::String, nullptr, c->target.span);
          metric->text = c->target.str();
          Value *op = newValue(Value::Kind::String, nullptr, c->span);
          op->text = ast::spelling(c->op).str();
          Ctx local{ctx.decl, s.file, ctx.env};
          const Value *val = convert(c->value, simpleType(TypeKind::Float), local);
          th->fields = {{"metric", metric, Span{}}, {"op", op, Span{}}, {"value", val, Span{}}};
          list_->items.push_back(th);
        }
        std::erase_if(out->fields, [](const NamedValue &nv) { return nv.name == "thresholds"; });
        out->fields.push_back({"thresholds", list_, Span{}});
        continue;
      }
      if (key[0] == '\x01') {
        if (ctx.env == &p_.envs.front() || !ctx.env)
          for (const Setting &s : list)
            diags_
                .report(DiagId::MisplacedItem, s.item->span,
                        fmt::format("this item has no meaning in `{}`", def->name))
                .withHelp(fmt::format("the fields of `{}` are set with `name = value`", def->name));
        continue;
      }
      if (def->field(key))
        continue;
      if (!ctx.env || ctx.env == &p_.envs.front())
        for (const Setting &s : list)
          reportUnknownField(s, key, *def, fieldName.empty() ? def->name : fieldName);
    }
    std::sort(out->fields.begin(), out->fields.end(),
              [](const NamedValue &a, const NamedValue &b) { return a.name < b.name; });
    return out;
  }

  const Value *resolveRecordItems(const RecordDef *def, const ast::Block *body, Ctx &ctx) {
    std::map<std::string, Settings> sub;
    gather(body, ctx.file, Origin::Default, nullptr, sub, false);
    Type t;
    t.kind = TypeKind::Record;
    t.record = def;
    return buildRecord(makeType(t), sub, ctx, body->span, def->name);
  }

  // `task ingest { ... }` blocks: a list of records, each with its name.
  const Value *resolveBlocks(const Type *t, const Settings &settings, Ctx &ctx) {
    Value *out = newValue(Value::Kind::List, t, settings.front().item->span);
    std::map<std::string, std::pair<Settings, Span>> byName;
    std::map<std::string, Span> firstOfOrigin;
    std::vector<std::string> order;
    for (const Setting &s : settings) {
      auto *b = llvm::dyn_cast<ast::Block>(s.item);
      if (!b || b->name.empty()) {
        diags_
            .report(DiagId::TypeMismatch, s.item->span,
                    fmt::format("`{}` entries are written as named blocks", t->record ? t->record->name : "?"))
            .withHelp(fmt::format("write `{0} NAME {{ ... }}`", t->record ? t->record->name : "task"));
        continue;
      }
      std::string name = b->name.text.str();
      auto [it, inserted] = byName.try_emplace(name);
      // The first block of this name in the same declaration or template
      // (a third `task a` still points at the first).
      Span &first = firstOfOrigin[name];
      if (inserted)
        order.push_back(name);
      else if (s.origin == it->second.first.back().origin && (!ctx.env || ctx.env == &p_.envs.front()))
        diags_
            .report(DiagId::DuplicateField, b->name.span,
                    fmt::format("`{}` is declared twice", name))
            .note(first, "first declared here")
            .withHelp(fmt::format("rename one of them, or merge them into one `{} {}` block",
                                  b->kindName.text.str(), name));
      if (inserted || s.origin != it->second.first.back().origin)
        first = b->name.span;
      it->second.first.push_back(s);
      it->second.second = b->name.span;
    }
    Type rt;
    rt.kind = TypeKind::Record;
    rt.record = t->record;
    const Type *recordType = makeType(rt);
    for (const std::string &name : order) {
      auto &[list, span] = byName[name];
      std::map<std::string, Settings> sub;
      for (const Setting &s : list)
        gather(llvm::cast<ast::Block>(s.item), s.file, s.origin, nullptr, sub, false);
      auto *rec = const_cast<Value *>(buildRecord(recordType, sub, ctx, span, name));
      rec->text = name;
      rec->span = span;
      out->items.push_back(rec);
    }
    return out;
  }

  // ------------------------------------------------------------ values

  static std::string describe(const ast::Expr *e) {
    if (!e)
      return "nothing";
    switch (e->kind) {
    case ast::ExprKind::String:
      return "a string";
    case ast::ExprKind::Number: {
      auto *n = llvm::cast<ast::NumberExpr>(e);
      return fmt::format("`{}{}{}`", n->raw.str(), n->currency.empty() ? "" : " " + n->currency.str(),
                         n->per.empty() ? "" : "/" + n->per.text.str());
    }
    case ast::ExprKind::Bool:
      return "a bool";
    case ast::ExprKind::Name:
      return fmt::format("`{}`", llvm::cast<ast::NameExpr>(e)->name.text.str());
    case ast::ExprKind::Member:
      return "a dotted name";
    case ast::ExprKind::Call:
      return "a call";
    case ast::ExprKind::List:
      return "a list";
    case ast::ExprKind::Record:
      return "a record";
    case ast::ExprKind::Range:
      return "a range";
    default:
      return "an expression";
    }
  }

  void mismatch(const ast::Expr *e, const Type *t, const std::string &help = {}) {
    if (!e || llvm::isa<ast::ErrorExpr>(e))
      return;
    Diagnostic &d = diags_.report(DiagId::TypeMismatch, e->span,
                                  fmt::format("expected {}, found {}", article(t), describe(e)));
    if (!help.empty())
      d.withHelp(help);
  }

  static std::string article(const Type *t) {
    std::string s = t->spelling();
    if (t->kind == TypeKind::Ref || t->kind == TypeKind::List || t->kind == TypeKind::Map ||
        t->kind == TypeKind::Range)
      return "a `" + s + "`";
    if (t->kind == TypeKind::Scalar)
      return s;
    bool vowel = !s.empty() && std::string("aeiou").find(s[0]) != std::string::npos;
    return (vowel ? "an " : "a ") + s;
  }

  // Flattens `a.b.c` (NameExpr and MemberExpr chains) into identifiers.
  static bool pathOf(const ast::Expr *e, std::vector<ast::Ident> &out) {
    if (auto *n = llvm::dyn_cast_or_null<ast::NameExpr>(e)) {
      out.push_back(n->name);
      return true;
    }
    if (auto *m = llvm::dyn_cast_or_null<ast::MemberExpr>(e)) {
      if (!pathOf(m->base, out))
        return false;
      out.push_back(m->member);
      return true;
    }
    return false;
  }

  void addReference(Span span, DeclId target, std::string column = {}) {
    p_.references.push_back(Reference{span, target, std::move(column)});
  }

  const Value *convert(const ast::Expr *e, const Type *t, Ctx &ctx) {
    if (!e)
      return errorValue(Span{});
    auto key = std::make_pair(std::make_pair(static_cast<const void *>(e), t), ctx.decl);
    if (auto it = cache_.find(key); it != cache_.end())
      return it->second;
    // A value that interpolated `${env}` (anywhere inside it) differs per
    // environment and must not be shared.
    bool outer = usedEnv_;
    usedEnv_ = false;
    const Value *v = convertUncached(e, t, ctx);
    if (!usedEnv_)
      cache_[key] = v;
    usedEnv_ = usedEnv_ || outer;
    return v;
  }

  const Value *convertUncached(const ast::Expr *e, const Type *t, Ctx &ctx) {
    if (llvm::isa<ast::ErrorExpr>(e))
      return errorValue(e->span);
    t = strip(t);
    switch (t->kind) {
    case TypeKind::Any:
    case TypeKind::Scalar:
      return convertAny(e, t, ctx, t->kind == TypeKind::Scalar);
    case TypeKind::String:
      return convertString(e, t, ctx);
    case TypeKind::Int:
    case TypeKind::Float:
      return convertNumber(e, t);
    case TypeKind::Bool: {
      auto *b = llvm::dyn_cast<ast::BoolExpr>(e);
      if (!b) {
        mismatch(e, t, "write `true` or `false`");
        return errorValue(e->span);
      }
      Value *v = newValue(Value::Kind::Bool, t, e->span);
      v->boolean = b->value;
      return v;
    }
    case TypeKind::Quantity:
    case TypeKind::Money:
    case TypeKind::MoneyRate:
    case TypeKind::Rate:
      return convertQuantity(e, t);
    case TypeKind::Enum:
      return convertEnum(e, t);
    case TypeKind::Record: {
      auto *r = llvm::dyn_cast<ast::RecordExpr>(e);
      if (!r) {
        mismatch(e, t, "write a record: `{ field = value }`");
        return errorValue(e->span);
      }
      return resolveRecordItems(t->record, r->body, ctx);
    }
    case TypeKind::Ref:
      return convertRef(e, t, ctx);
    case TypeKind::List: {
      Value *v = newValue(Value::Kind::List, t, e->span);
      if (auto *l = llvm::dyn_cast<ast::ListExpr>(e)) {
        for (const ast::Expr *el : l->elements)
          v->items.push_back(convert(el, t->element, ctx));
      } else {
        // A single value where a list is expected is a list of one.
        v->items.push_back(convert(e, t->element, ctx));
      }
      if (t->min && v->items.size() < *t->min)
        diags_.report(DiagId::OutOfRange, e->span,
                      fmt::format("expected at least {} entries, found {}", *t->min, v->items.size()));
      return v;
    }
    case TypeKind::Map: {
      auto *r = llvm::dyn_cast<ast::RecordExpr>(e);
      if (!r) {
        mismatch(e, t, "write a record of entries: `{ key = value }`");
        return errorValue(e->span);
      }
      return convertBlock(r->body, t, ctx);
    }
    case TypeKind::Range: {
      Value *v = newValue(Value::Kind::Range, t, e->span);
      if (auto *r = llvm::dyn_cast<ast::RangeExpr>(e)) {
        v->items = {convert(r->low, t->element, ctx), convert(r->high, t->element, ctx)};
        if (v->items[0]->kind != Value::Kind::Error && v->items[1]->kind != Value::Kind::Error &&
            v->items[0]->asNumber() > v->items[1]->asNumber())
          diags_
              .report(DiagId::InvertedRange, e->span,
                      fmt::format("the range starts above where it ends"))
              .withHelp("write the low end first, as in `3..20`");
      } else {
        const Value *one = convert(e, t->element, ctx);
        v->items = {one, one};
      }
      return v;
    }
    case TypeKind::Blocks:
      mismatch(e, t, "write named blocks: `task NAME { ... }`");
      return errorValue(e->span);
    case TypeKind::Columns:
      if (auto *r = llvm::dyn_cast<ast::RecordExpr>(e))
        return convertBlock(r->body, t, ctx);
      if (auto *n = llvm::dyn_cast<ast::NameExpr>(e)) {
        Found f = lookup(ctx.file, n->name);
        if (auto *b = f.item ? llvm::dyn_cast<ast::Block>(f.item) : nullptr;
            b && b->kindName.text == "type")
          return convertBlock(b, t, ctx);
      }
      mismatch(e, t, "write `schema { column : type ... }` or name a `type` declaration");
      return errorValue(e->span);
    case TypeKind::ColumnRef:
      return convertColumnRef(e, t, ctx);
    case TypeKind::TaskRef: {
      auto *n = llvm::dyn_cast<ast::NameExpr>(e);
      if (!n) {
        mismatch(e, t, "name a task of the same pipeline");
        return errorValue(e->span);
      }
      Value *v = newValue(Value::Kind::TaskRef, t, e->span);
      v->text = n->name.text.str();
      return v;
    }
    case TypeKind::Storage:
      return convertStorage(e, t, ctx);
    case TypeKind::Cron: {
      auto *s = llvm::dyn_cast<ast::StringExpr>(e);
      if (!s || !s->isPlain()) {
        mismatch(e, t, "write a cron expression as a string: `\"0 * * * *\"` or `\"@hourly\"`");
        return errorValue(e->span);
      }
      std::string why;
      if (!validCron(s->value(), why))
        diags_
            .report(DiagId::BadFormat, e->span,
                    fmt::format("`{}` is not a valid cron schedule: {}", s->value().str(), why))
            .withHelp("use five fields (minute hour day-of-month month day-of-week), such as "
                      "`\"0 * * * *\"`, or a preset: @hourly, @daily, @weekly, @monthly, @yearly");
      Value *v = newValue(Value::Kind::String, t, e->span);
      v->text = s->value().str();
      return v;
    }
    case TypeKind::InstanceType:
      return convertInstance(e, t);
    case TypeKind::FrameworkVersion:
      return convertFramework(e, t, ctx);
    case TypeKind::Optional:
      break;
    }
    return errorValue(e->span);
  }

  const Value *convertAny(const ast::Expr *e, const Type *t, Ctx &ctx, bool scalarOnly) {
    if (auto *s = llvm::dyn_cast<ast::StringExpr>(e)) {
      Value *v = newValue(Value::Kind::String, t, e->span);
      v->text = interpolate(s, ctx);
      return v;
    }
    if (auto *n = llvm::dyn_cast<ast::NumberExpr>(e)) {
      if (!n->suffix.empty() || !n->currency.empty() || !n->per.empty()) {
        Value *v = newValue(Value::Kind::String, t, e->span);
        v->text = n->raw.str();
        return v;
      }
      Value *v = newValue(n->isInteger ? Value::Kind::Int : Value::Kind::Float, t, e->span);
      v->integer = n->intValue;
      v->number = n->value;
      return v;
    }
    if (auto *u = llvm::dyn_cast<ast::UnaryExpr>(e); u && u->op == ast::UnaryOp::Neg) {
      const Value *inner = convertAny(u->operand, t, ctx, scalarOnly);
      Value *v = newValue(inner->kind, t, e->span);
      v->integer = -inner->integer;
      v->number = -inner->number;
      return v;
    }
    if (auto *b = llvm::dyn_cast<ast::BoolExpr>(e)) {
      Value *v = newValue(Value::Kind::Bool, t, e->span);
      v->boolean = b->value;
      return v;
    }
    if (scalarOnly) {
      mismatch(e, t, "hyperparameters and operator arguments are strings, numbers or bools");
      return errorValue(e->span);
    }
    if (auto *l = llvm::dyn_cast<ast::ListExpr>(e)) {
      Value *v = newValue(Value::Kind::List, t, e->span);
      for (const ast::Expr *el : l->elements)
        v->items.push_back(convertAny(el, t, ctx, false));
      return v;
    }
    if (auto *r = llvm::dyn_cast<ast::RecordExpr>(e))
      return convertBlock(r->body, t, ctx);
    if (auto *n = llvm::dyn_cast<ast::NameExpr>(e)) {
      Value *v = newValue(Value::Kind::String, t, e->span);
      v->text = n->name.text.str();
      return v;
    }
    mismatch(e, t, "write a string, number, bool, list or record");
    return errorValue(e->span);
  }

  // A block whose items are free-form entries (maps, `any`) or column
  // declarations (`columns`).
  const Value *convertBlock(const ast::Block *b, const Type *t, Ctx &ctx) {
    if (t->kind == TypeKind::Columns) {
      Value *v = newValue(Value::Kind::Columns, t, b->span);
      std::map<std::string, Span> seen;
      for (const ast::Item *item : b->items) {
        auto *fd = llvm::dyn_cast<ast::FieldDecl>(item);
        if (!fd) {
          diags_
              .report(DiagId::MisplacedItem, item->span, "a schema holds column declarations only")
              .withHelp("declare a column as `name : type`, with `@pii` for personal data");
          continue;
        }
        Value *col = newValue(Value::Kind::String, nullptr, fd->name.span);
        col->text = fd->name.text.str();
        auto *nt = llvm::dyn_cast_or_null<ast::NamedType>(fd->type);
        std::string typeName = nt ? nt->name.str() : "";
        const EnumDef *types = p_.schema.enumeration("column_type");
        if (types && !types->has(typeName)) {
          Diagnostic &d = diags_.report(DiagId::UnknownEnumValue, fd->type->span,
                                        fmt::format("`{}` is not a column type", typeName));
          suggest(d, typeName, types->members, fd->type->span);
          if (!d.help)
            d.withHelp(fmt::format("column types are {}", joinNames(types->members)));
        }
        col->text2 = typeName;
        for (const ast::Annotation &a : fd->annotations) {
          if (a.name.text == "pii")
            col->boolean = true;
          else
            diags_
                .report(DiagId::UnknownName, a.span,
                        fmt::format("unknown column annotation `@{}`", a.name.text.str()))
                .withHelp("columns know `@pii`");
        }
        if (auto [at, added] = seen.emplace(col->text, fd->name.span); !added)
          diags_
              .report(DiagId::DuplicateField, fd->name.span,
                      fmt::format("column `{}` is declared twice", col->text))
              .note(at->second, "first declared here")
              .withHelp("remove one of them, or rename it");
        col->items.clear();
        NamedValue nv{col->text, col, fd->name.span};
        v->fields.push_back(nv);
      }
      return v;
    }
    Value *v = newValue(Value::Kind::Record, t, b->span);
    std::set<std::string> seen;
    const Type *element = t->kind == TypeKind::Map ? t->element : t;
    for (const ast::Item *item : b->items) {
      if (auto *a = llvm::dyn_cast<ast::Assignment>(item)) {
        std::string key = a->target.str();
        if (!seen.insert(key).second)
          diags_.report(DiagId::DuplicateField, a->target.span,
                        fmt::format("`{}` is set twice in this block", key));
        v->fields.push_back({key, convert(a->value, element, ctx), a->target.span});
      } else if (auto *nb = llvm::dyn_cast<ast::Block>(item); nb && t->kind == TypeKind::Any) {
        v->fields.push_back({nb->kindName.text.str(), convertBlock(nb, t, ctx), nb->kindName.span});
      } else {
        diags_
            .report(DiagId::MisplacedItem, item->span, "expected `key = value` entries here")
            .withHelp("write each entry as `key = value`");
      }
    }
    std::sort(v->fields.begin(), v->fields.end(),
              [](const NamedValue &a, const NamedValue &b) { return a.name < b.name; });
    return v;
  }

  std::string interpolate(const ast::StringExpr *s, Ctx &ctx) {
    std::string out;
    for (const ast::StringPart &part : s->parts) {
      if (!part.interpolation) {
        out += part.text.str();
        continue;
      }
      std::string name = part.interpolation->str();
      if (name == "env" && ctx.env) {
        usedEnv_ = true;
        out += ctx.env->name;
      } else if (name == "name" && ctx.decl != kNoDecl) {
        out += p_.decls[ctx.decl].name;
      } else if ((name == "region" || name == "account") && p_.workspace != kNoDecl &&
                 !p_.envs.empty() && !p_.envs.front().fields.empty()) {
        out += "${" + name + "}"; // resolved by backends, which know the workspace
      } else {
        if (!ctx.env || ctx.env == &p_.envs.front())
          diags_
              .report(DiagId::UnknownName, part.span,
                      fmt::format("`{}` cannot be interpolated", name))
              .withHelp("strings can interpolate `${env}`, `${name}`, `${region}` and `${account}`");
        out += "${" + name + "}";
      }
    }
    return out;
  }

  const Value *convertString(const ast::Expr *e, const Type *t, Ctx &ctx) {
    auto *s = llvm::dyn_cast<ast::StringExpr>(e);
    if (!s) {
      std::string help;
      if (llvm::isa<ast::NameExpr>(e) || llvm::isa<ast::MemberExpr>(e))
        help = "strings are quoted: write `\"...\"`";
      mismatch(e, t, help);
      return errorValue(e->span);
    }
    Value *v = newValue(Value::Kind::String, t, e->span);
    v->text = interpolate(s, ctx);
    // The format (`string(format = ...)`) is checked on the resolved value,
    // per environment, by checkTargetLimits.
    return v;
  }

  const Value *convertNumber(const ast::Expr *e, const Type *t) {
    bool negative = false;
    const ast::Expr *inner = e;
    if (auto *u = llvm::dyn_cast<ast::UnaryExpr>(e); u && u->op == ast::UnaryOp::Neg) {
      negative = true;
      inner = u->operand;
    }
    auto *n = llvm::dyn_cast<ast::NumberExpr>(inner);
    if (!n) {
      mismatch(e, t);
      return errorValue(e->span);
    }
    if (!n->suffix.empty() || !n->currency.empty() || !n->per.empty()) {
      // The number as written, without its unit: offered, not safe (the
      // number may have been meant in another unit).
      diags_
          .report(DiagId::UnitMismatch, e->span,
                  fmt::format("expected a plain {}, found the quantity {}", t->spelling(), describe(n)))
          .withHelp("remove the unit")
          .fix(fmt::format("write `{}`", n->digits.str()), n->span, n->digits.str());
      return errorValue(e->span);
    }
    if (t->kind == TypeKind::Int && !n->isInteger) {
      mismatch(e, t, "write a whole number");
      return errorValue(e->span);
    }
    Value *v = newValue(t->kind == TypeKind::Int ? Value::Kind::Int : Value::Kind::Float, t, e->span);
    v->integer = negative ? -n->intValue : n->intValue;
    v->number = negative ? -n->value : n->value;
    checkBounds(v->asNumber(), t, e->span, "");
    return v;
  }

  void checkBounds(double value, const Type *t, Span span, const std::string &unit) {
    if ((t->min && value < *t->min) || (t->max && value > *t->max)) {
      auto fmtNum = [](double d) { return fmt::format("{:g}", d); };
      std::string range = t->min && t->max ? fmt::format("{}..{}", fmtNum(*t->min), fmtNum(*t->max))
                          : t->min        ? fmt::format("at least {}", fmtNum(*t->min))
                                          : fmt::format("at most {}", fmtNum(*t->max));
      diags_
          .report(DiagId::OutOfRange, span,
                  fmt::format("{}{} is out of range: expected {}", fmtNum(value), unit, range))
          .withHelp(fmt::format("use a value in {}", range));
    }
  }

  std::string unitSuffixes(const UnitDef *u) const {
    std::vector<std::string> names;
    for (const auto &[suffix, factor] : u->suffixes)
      names.push_back(suffix);
    return joinNames(names);
  }

  // Which unit a suffix belongs to, for "`500m` is cpu, not memory".
  std::vector<std::string> unitsWithSuffix(llvm::StringRef suffix) const {
    std::vector<std::string> out;
    for (const auto &[name, u] : p_.schema.units)
      if (u.suffixes.count(suffix.str()))
        out.push_back(name);
    return out;
  }

  const Value *convertQuantity(const ast::Expr *e, const Type *t) {
    auto *n = llvm::dyn_cast<ast::NumberExpr>(e);
    if (!n) {
      mismatch(e, t);
      return errorValue(e->span);
    }
    const UnitDef *periods = p_.schema.unit("period");
    auto periodSeconds = [&](const ast::Ident &per) -> std::optional<double> {
      if (!periods)
        return std::nullopt;
      auto it = periods->suffixes.find(per.text.str());
      if (it == periods->suffixes.end()) {
        std::vector<std::string> names;
        for (const auto &[k, v] : periods->suffixes)
          names.push_back(k);
        Diagnostic &d = diags_.report(DiagId::UnitMismatch, per.span,
                                      fmt::format("`{}` is not a period", per.text.str()));
        suggest(d, per.text.str(), names, per.span);
        if (!d.help)
          d.withHelp(fmt::format("periods are {}", joinNames(names)));
        return std::nullopt;
      }
      return it->second;
    };
    switch (t->kind) {
    case TypeKind::Quantity: {
      const UnitDef *u = t->unit;
      if (!n->currency.empty() || !n->per.empty()) {
        diags_.report(DiagId::UnitMismatch, e->span,
                      fmt::format("expected {}, found {}", article(t), describe(n)))
            .withHelp(fmt::format("{} takes the suffixes {}", u->name, unitSuffixes(u)));
        return errorValue(e->span);
      }
      double factor = 1;
      if (n->suffix.empty()) {
        if (!u->plainAllowed) {
          Diagnostic &d = diags_
              .report(DiagId::UnitMismatch, e->span,
                      fmt::format("`{}` needs a unit to be {}", n->raw.str(), article(t)))
              .withHelp(fmt::format("add one of {}", unitSuffixes(u)));
          // One fix per suffix: which one is meant is the user's choice.
          for (const auto &[suffix, factor] : u->suffixes)
            d.fix(fmt::format("write `{}{}`", n->raw.str(), suffix), n->span, n->raw.str() + suffix);
          return errorValue(e->span);
        }
      } else {
        auto it = u->suffixes.find(n->suffix.str());
        if (it == u->suffixes.end()) {
          std::vector<std::string> others = unitsWithSuffix(n->suffix);
          std::string message =
              others.empty()
                  ? fmt::format("`{}` is not a unit of {}", n->suffix.str(), u->name)
                  : fmt::format("`{}` is {} (`{}` is a {} unit), not {}", n->raw.str(),
                                "a " + others[0] + " quantity",
                                n->suffix.str(), others[0], u->name);
          diags_.report(DiagId::UnitMismatch, e->span, message)
              .withHelp(fmt::format("{} takes the suffixes {}", u->name, unitSuffixes(u)));
          return errorValue(e->span);
        }
        factor = it->second;
      }
      Value *v = newValue(Value::Kind::Quantity, t, e->span);
      v->number = n->value * factor;
      v->text = n->raw.str();
      checkBounds(v->number, t, e->span, "");
      return v;
    }
    case TypeKind::Money:
    case TypeKind::MoneyRate: {
      bool wantRate = t->kind == TypeKind::MoneyRate;
      if (n->currency.empty() || !n->suffix.empty() || wantRate != !n->per.empty()) {
        diags_
            .report(DiagId::UnitMismatch, e->span,
                    fmt::format("expected {}, found {}", article(t), describe(n)))
            .withHelp(wantRate ? "write an amount per period, as in `18_000 usd/month`"
                               : "write an amount with its currency, as in `120 usd`");
        return errorValue(e->span);
      }
      Value *v = newValue(wantRate ? Value::Kind::MoneyRate : Value::Kind::Money, t, e->span);
      v->text = n->currency.str();
      v->number = n->value;
      if (wantRate) {
        std::optional<double> secs = periodSeconds(n->per);
        if (!secs)
          return errorValue(e->span);
        v->number = n->value / *secs;
        v->period = n->per.text.str();
      }
      return v;
    }
    case TypeKind::Rate: {
      if (!n->currency.empty() || !n->suffix.empty() || n->per.empty()) {
        diags_
            .report(DiagId::UnitMismatch, e->span,
                    fmt::format("expected a rate, found {}", describe(n)))
            .withHelp("write a count per period, as in `10_000/day`");
        return errorValue(e->span);
      }
      std::optional<double> secs = periodSeconds(n->per);
      if (!secs)
        return errorValue(e->span);
      Value *v = newValue(Value::Kind::Rate, t, e->span);
      v->number = n->value / *secs;
      v->period = n->per.text.str();
      return v;
    }
    default:
      return errorValue(e->span);
    }
  }

  const Value *convertEnum(const ast::Expr *e, const Type *t) {
    const EnumDef *def = t->enumDef;
    auto *n = llvm::dyn_cast<ast::NameExpr>(e);
    if (!n) {
      std::string help = fmt::format("`{}` is one of {}", def->name, joinNames(def->members));
      if (auto *s = llvm::dyn_cast<ast::StringExpr>(e); s && def->has(s->value()))
        help = fmt::format("enum values are names, not strings: write `{}`", s->value().str());
      mismatch(e, t, help);
      return errorValue(e->span);
    }
    llvm::StringRef name = n->name.text;
    if (!def->has(name)) {
      Diagnostic &d = diags_.report(
          DiagId::UnknownEnumValue, e->span,
          fmt::format("`{}` is not a member of `{}`: expected one of {}", name.str(), def->name,
                      joinNames(def->members)));
      suggest(d, name.str(), def->members, e->span);
      return errorValue(e->span);
    }
    Value *v = newValue(Value::Kind::Enum, t, e->span);
    v->text = name.str();
    v->integer = def->index(name);
    return v;
  }

  // "Did you mean" for an unknown reference: the names visible in the file
  // (its package's declarations and its imports), preferring those of the
  // expected kinds. The package's part is indexed once per package and set
  // of kinds, so thousands of unknown names cost one index, not a scan of
  // every name each.
  void suggestRef(Diagnostic &d, const std::string &name, size_t fileIndex,
                  const std::vector<std::string> &kinds, Span at) {
    const std::string &package = file(fileIndex).package;
    auto fits = [&](const std::string &c) {
      DeclId cd = declFor(findInPackage(package, c).item);
      return cd == kNoDecl || std::find(kinds.begin(), kinds.end(), p_.decls[cd].kind) != kinds.end();
    };
    std::string key = package;
    for (const std::string &k : kinds)
      key += '\0' + k;
    auto [it, added] = refSuggestions_.try_emplace(key);
    if (added) {
      std::vector<std::string> names;
      if (const Package *pkg = ws_.package(package))
        for (const auto &[c, ref] : pkg->decls)
          if (fits(c))
            names.push_back(c);
      it->second = NameIndex(std::move(names));
    }
    std::vector<std::string> imported;
    for (const auto &[c, target] : scopes_[fileIndex].imports)
      if (fits(c))
        imported.push_back(c);
    if (auto s = better(it->second.closestSuggestion(name), closestSuggestion(name, imported)))
      d.withHelp(fmt::format("did you mean `{}`?", s->name))
          .fix(fmt::format("use `{}`", s->name), at, s->name);
  }
  std::map<std::string, NameIndex> refSuggestions_;

  // The names `package` declares that `fits` accepts, indexed for "did you
  // mean" once per package and kind of question (`key`), not scanned again
  // for every unknown name.
  const NameIndex &namesIn(const std::string &package, const std::string &key,
                           const std::function<bool(const ast::Item *)> &fits) {
    auto [it, added] = packageNames_.try_emplace(package + '\0' + key);
    if (added) {
      std::vector<std::string> names;
      if (const Package *pkg = ws_.package(package))
        for (const auto &[c, ref] : pkg->decls)
          if (fits(ref.item))
            names.push_back(c);
      it->second = NameIndex(std::move(names));
    }
    return it->second;
  }
  std::map<std::string, NameIndex> packageNames_;

  // Whether `item` is a declaration of one of `kinds` (any, when empty).
  bool isDeclOf(const ast::Item *item, const std::vector<std::string> &kinds) const {
    DeclId id = declFor(item);
    return id != kNoDecl &&
           (kinds.empty() || std::find(kinds.begin(), kinds.end(), p_.decls[id].kind) != kinds.end());
  }

  // The edit that adds `import package` to a file (after its last import or
  // its `package` line), when the file can take one.
  std::optional<Edit> importEdit(size_t fileIndex, const std::string &package) const {
    const ast::File *ast = file(fileIndex).parsed.ast;
    if (!ast || ast->hasSyntaxErrors)
      return std::nullopt;
    Span after = !ast->imports.empty() ? ast->imports.back().span
                 : ast->packageSpan.valid() ? ast->packageSpan
                                            : Span{};
    if (after.valid())
      return Edit{Span{after.file, after.end, after.end}, "\nimport " + package};
    // A file without `package` or imports: the import goes first.
    return Edit{Span{file(fileIndex).id, 0, 0}, "import " + package + "\n\n"};
  }

  // Help and fixes for a dotted name that did not resolve (`teams.payment`,
  // `shop.payments.ledger_entrys`, `platform.web_service` without its
  // import): the package its prefix names and the near-miss there, the
  // import it lacks, or the import it misspells. Never suggests declaring a
  // dotted name. `what` names what was expected ("team", "service
  // template"); `fits` accepts the items that could be meant. Returns false
  // for an undotted name, which the caller explains.
  bool explainDotted(Diagnostic &d, size_t fileIndex, llvm::ArrayRef<ast::Ident> parts,
                     const std::string &what, const std::string &key,
                     const std::function<bool(const ast::Item *)> &fits) {
    if (parts.size() < 2)
      return false;
    auto joined = [&](size_t from, size_t to) {
      std::string out;
      for (size_t i = from; i < to; ++i)
        out += (i > from ? "." : "") + parts[i].text.str();
      return out;
    };
    // The package the prefix names: an imported package, or the longest
    // prefix that is a package's full name.
    std::string package;
    size_t taken = 0;
    const FileScope &scope = scopes_[fileIndex];
    if (auto imp = scope.imports.find(parts[0].text.str());
        imp != scope.imports.end() && !imp->second.item) {
      package = imp->second.package;
      taken = 1;
    } else {
      for (size_t i = 1; i < parts.size(); ++i)
        if (ws_.package(joined(0, i))) {
          package = joined(0, i);
          taken = i;
        }
    }
    if (taken) {
      const ast::Ident &word = parts[taken];
      std::string prefix = joined(0, taken);
      if (auto s = namesIn(package, key, fits).closest(word.text)) {
        std::string full = prefix + "." + *s;
        if (taken + 1 < parts.size())
          full += "." + joined(taken + 1, parts.size());
        d.withHelp(fmt::format("did you mean `{}`?", full)).fix(fmt::format("use `{}`", full), word.span, *s);
      } else {
        d.withHelp(fmt::format("package `{}` declares no {} named `{}`: name one it declares, or "
                               "declare `{}` there",
                               package, what, word.text.str(), word.text.str()));
      }
      return true;
    }
    // An unknown first part: a package the file does not import (the
    // import's local name is its last component), or a misspelt import.
    std::vector<std::string> homes;
    for (const auto &[name, pkg] : ws_.packages()) {
      llvm::StringRef last = llvm::StringRef(name).rsplit('.').second;
      if (last.empty())
        last = name;
      if (last == parts[0].text && !llvm::StringRef(name).startswith("std")) {
        auto it = pkg->decls.find(parts[1].text.str());
        if (it != pkg->decls.end() && fits(it->second.item))
          homes.push_back(name);
      }
    }
    if (!homes.empty()) {
      d.message = fmt::format("`{}` names package `{}`, which this file does not import",
                              joined(0, parts.size()), homes.front());
      if (homes.size() == 1) {
        d.withHelp(fmt::format("add `import {}`", homes.front()));
        // Safe when the name the user wrote, unchanged, then means the one
        // declaration it can mean: no other package ends in `parts[0]`, no
        // declaration of the file's package is called that (it would shadow
        // the import), and the file does not import the package already.
        bool safe = !findInPackage(file(fileIndex).package, parts[0].text).item;
        if (const ast::File *ast = file(fileIndex).parsed.ast)
          for (const ast::Import &imp : ast->imports)
            safe &= imp.path.str() != homes.front();
        if (auto edit = importEdit(fileIndex, homes.front()))
          d.fixes.push_back(Fix{fmt::format("import `{}`", homes.front()), {*edit}, safe});
      } else {
        std::string list;
        for (size_t i = 0; i < homes.size(); ++i)
          list += fmt::format("{}`{}`", i ? (i + 1 == homes.size() ? " or " : ", ") : "", homes[i]);
        d.withHelp(fmt::format("import the package you mean: {}", list));
        for (const std::string &home : homes)
          if (auto edit = importEdit(fileIndex, home))
            d.fixes.push_back(Fix{fmt::format("import `{}`", home), {*edit}, false});
      }
      return true;
    }
    std::vector<std::string> aliases;
    for (const auto &[alias, target] : scope.imports)
      if (!target.item)
        aliases.push_back(alias);
    if (auto s = closestMatch(parts[0].text, aliases)) {
      std::string full = *s + "." + joined(1, parts.size());
      d.withHelp(fmt::format("did you mean `{}`?", full))
          .fix(fmt::format("use `{}`", full), parts[0].span, *s);
    } else {
      d.withHelp(fmt::format("`{}` is neither an imported package nor a package of the workspace: "
                             "import the package that declares `{}`",
                             parts[0].text.str(), parts.back().text.str()));
    }
    return true;
  }

  DeclId declFor(const ast::Item *item) const {
    auto *b = item ? llvm::dyn_cast<ast::Block>(item) : nullptr;
    if (!b)
      return kNoDecl;
    auto it = declOf_.find(b);
    return it == declOf_.end() ? kNoDecl : it->second;
  }

  // The edits P0205's help names: `import home` (after the file's last
  // import, or its `package` line) unless the file imports it already, and
  // the reference rewritten to `qualified`. Only for an unqualified name;
  // not safe, since it decides which declaration the name means.
  void addImportFix(Diagnostic &d, size_t fileIndex, const std::string &home, Span name,
                    const std::string &qualified, bool unqualified) {
    const ast::File *ast = file(fileIndex).parsed.ast;
    if (!unqualified || !ast || ast->hasSyntaxErrors)
      return;
    std::string last = home.substr(home.rfind('.') + 1);
    Fix fix{fmt::format("import `{}` and write `{}`", home, qualified), {}, false};
    bool imported = false;
    for (const ast::Import &imp : ast->imports)
      if (imp.path.str() == home) {
        if (imp.localName() != last)
          return; // imported under another name: the user knows best
        imported = true;
      }
    if (!imported) {
      Span after = !ast->imports.empty() ? ast->imports.back().span
                   : ast->packageSpan.valid() ? ast->packageSpan
                                              : Span{};
      if (!after.valid())
        return;
      fix.edits.push_back({Span{after.file, after.end, after.end}, "\nimport " + home});
    }
    fix.edits.push_back({name, qualified});
    d.fixes.push_back(std::move(fix));
  }

  const Value *convertRef(const ast::Expr *e, const Type *t, Ctx &ctx) {
    std::vector<ast::Ident> parts;
    if (!pathOf(e, parts)) {
      std::string help = fmt::format("name a {} declaration", joinKinds(t->refKinds));
      if (auto *s = llvm::dyn_cast<ast::StringExpr>(e))
        help = fmt::format("references are names, not strings: write `{}`", s->value().str());
      mismatch(e, t, help);
      return errorValue(e->span);
    }
    Found f = lookup(ctx.file, parts);
    DeclId target = declFor(f.item);
    // A kind, record type or enum of the stdlib (`team.payments`) is no
    // declaration: the name is unknown.
    auto *foundBlock = f.item ? llvm::dyn_cast<ast::Block>(f.item) : nullptr;
    if (target == kNoDecl && foundBlock && !foundBlock->isTemplate) {
      // A declaration whose kind is unknown (P0301 at its kind) is poisoned:
      // what refers to it is not reported besides.
      if (unknownKind_.count(foundBlock))
        return errorValue(e->span);
      if (!file(f.file).fromStdlib && foundBlock->kindName.text == "type") {
        diags_
            .report(DiagId::WrongRefKind, e->span,
                    fmt::format("`{}` is a record type, not a declaration", foundBlock->name.text.str()))
            .note(foundBlock->name.span, fmt::format("`{}` is declared here", foundBlock->name.text.str()))
            .withHelp(fmt::format("name a {} declaration", joinKinds(t->refKinds)));
        return errorValue(e->span);
      }
      f = Found{};
    }
    if (!f.item || (target == kNoDecl && !llvm::isa<ast::Block>(f.item))) {
      std::string name;
      for (size_t i = 0; i < parts.size(); ++i)
        name += (i ? "." : "") + parts[i].text.str();
      if (t->refKinds.size() == 1 && t->refKinds[0] == "environment") {
        Diagnostic &d = diags_.report(DiagId::UnknownEnvironment, e->span,
                                      fmt::format("no environment named `{}`", name));
        d.withHelp(fmt::format("declared environments are {}", joinNames(envNames_)));
        suggest(d, name, envNames_, e->span);
        return errorValue(e->span);
      }
      if (scopes_[ctx.file].failedImports.count(parts[0].text.str()))
        return errorValue(e->span); // the import's P0202 is the error
      Diagnostic &d = diags_.report(DiagId::UnknownName, e->span,
                                    fmt::format("no declaration named `{}`", name));
      if (explainDotted(d, ctx.file, parts, joinKinds(t->refKinds), "\1" + joinKinds(t->refKinds),
                        [&](const ast::Item *item) { return isDeclOf(item, t->refKinds); }))
        return errorValue(e->span);
      suggestRef(d, name, ctx.file, t->refKinds, e->span);
      if (!d.help) {
        // Declared in another package? Say which import would make it visible.
        std::string home;
        for (const auto &[pkgName, pkg] : ws_.packages())
          if (pkg->decls.count(parts.back().text.str()) && pkgName != file(ctx.file).package &&
              !llvm::StringRef(pkgName).startswith("std"))
            home = pkgName;
        if (!home.empty()) {
          std::string last = home.substr(home.rfind('.') + 1);
          d.withHelp(fmt::format("`{}` is declared in package `{}`: add `import {}` and write "
                                 "`{}.{}`",
                                 parts.back().text.str(), home, home, last, parts.back().text.str()));
          addImportFix(d, ctx.file, home, e->span,
                       fmt::format("{}.{}", last, parts.back().text.str()), parts.size() == 1);
        } else {
          d.withHelp(fmt::format("declare a {} named `{}`, or import the package that declares it",
                                 joinKinds(t->refKinds), name));
        }
      }
      return errorValue(e->span);
    }
    if (target == kNoDecl) {
      auto *b = llvm::cast<ast::Block>(f.item);
      diags_
          .report(DiagId::WrongRefKind, e->span,
                  fmt::format("`{}` is a template, not a declaration", b->name.text.str()))
          .withHelp("templates are used with `extends`; reference a declaration here");
      return errorValue(e->span);
    }
    if (f.consumed < parts.size()) {
      const ast::Ident &extra = parts[f.consumed];
      diags_
          .report(DiagId::TypeMismatch, extra.span,
                  fmt::format("expected a reference to a {}, found `{}` followed by `.{}`",
                              joinKinds(t->refKinds), p_.decls[target].name, extra.text.str()))
          .withHelp(fmt::format("reference the {} itself: `{}`", p_.decls[target].kind,
                                p_.decls[target].name));
      return errorValue(e->span);
    }
    addReference(e->span, target);
    const Decl &d = p_.decls[target];
    if (std::find(t->refKinds.begin(), t->refKinds.end(), d.kind) == t->refKinds.end() &&
        !t->refKinds.empty()) {
      if (ambiguous_.count(d.qualifiedName))
        return errorValue(e->span); // declared twice: P0201 is the error
      diags_
          .report(DiagId::WrongRefKind, e->span,
                  fmt::format("expected a {}, but `{}` is a {}", joinKinds(t->refKinds), d.name, d.kind))
          .note(d.nameSpan, fmt::format("`{}` is declared here", d.name))
          .withHelp(fmt::format("name a {} declaration", joinKinds(t->refKinds)));
      return errorValue(e->span);
    }
    if (target == ctx.decl && ctx.decl != kNoDecl && d.kindId != DeclKind::Team) {
      diags_
          .report(DiagId::SelfReference, e->span,
                  fmt::format("`{}` refers to itself", d.name))
          .withHelp("a declaration cannot depend on itself");
      return errorValue(e->span);
    }
    Value *v = newValue(Value::Kind::Ref, t, e->span);
    v->ref = target;
    return v;
  }

  static std::string joinKinds(const std::vector<std::string> &kinds) {
    std::string out;
    for (size_t i = 0; i < kinds.size(); ++i) {
      if (i)
        out += i + 1 == kinds.size() ? " or " : ", ";
      out += kinds[i];
    }
    return out.empty() ? "declaration" : out;
  }

  const Value *convertColumnRef(const ast::Expr *e, const Type *t, Ctx &ctx) {
    std::vector<ast::Ident> parts;
    if (!pathOf(e, parts) || parts.size() < 2) {
      mismatch(e, t, "name a column as `dataset.column`");
      return errorValue(e->span);
    }
    Found f = lookup(ctx.file, llvm::ArrayRef<ast::Ident>(parts).drop_back());
    DeclId target = declFor(f.item);
    if (target == kNoDecl || f.consumed + 1 != parts.size()) {
      std::string name;
      for (size_t i = 0; i + 1 < parts.size(); ++i)
        name += (i ? "." : "") + parts[i].text.str();
      llvm::ArrayRef<ast::Ident> datasetParts = llvm::ArrayRef<ast::Ident>(parts).drop_back();
      if (!f.item && scopes_[ctx.file].failedImports.count(parts[0].text.str()))
        return errorValue(e->span); // the import's P0202 is the error
      Diagnostic &d = diags_.report(DiagId::UnknownName, e->span, fmt::format("no dataset named `{}`", name));
      std::vector<std::string> datasetKind{"dataset"};
      if (!f.item && !explainDotted(d, ctx.file, datasetParts, "dataset", "\1dataset",
                                    [&](const ast::Item *item) { return isDeclOf(item, datasetKind); }))
        suggestRef(d, name, ctx.file, datasetKind, datasetParts.front().span);
      if (!d.help)
        d.withHelp("name a column as `dataset.column`");
      return errorValue(e->span);
    }
    if (p_.decls[target].kind != "dataset") {
      diags_
          .report(DiagId::WrongRefKind, e->span,
                  fmt::format("expected a dataset column, but `{}` is a {}", p_.decls[target].name,
                              p_.decls[target].kind))
          .note(p_.decls[target].nameSpan, fmt::format("`{}` is declared here", p_.decls[target].name));
      return errorValue(e->span);
    }
    addReference(e->span, target, parts.back().text.str());
    Value *v = newValue(Value::Kind::ColumnRef, t, e->span);
    v->ref = target;
    v->text = parts.back().text.str();
    return v;
  }

  const Value *convertStorage(const ast::Expr *e, const Type *t, Ctx &ctx) {
    auto *c = llvm::dyn_cast<ast::CallExpr>(e);
    auto *callee = c ? llvm::dyn_cast<ast::NameExpr>(c->callee) : nullptr;
    if (!callee || callee->name.text != "s3" || c->args.size() != 2) {
      mismatch(e, t, "write `s3(\"bucket\", \"prefix/\")`");
      return errorValue(e->span);
    }
    auto *bucket = llvm::dyn_cast<ast::StringExpr>(c->args[0].value);
    auto *prefix = llvm::dyn_cast<ast::StringExpr>(c->args[1].value);
    if (!bucket || !prefix) {
      mismatch(e, t, "the bucket and prefix are strings: `s3(\"bucket\", \"prefix/\")`");
      return errorValue(e->span);
    }
    // Both may interpolate (`s3("lake-${env}", "raw/")`): checked once
    // resolved, per environment. A value still holding `${region}` or
    // `${account}` is checked by the backends that resolve it.
    std::string bucketText = interpolate(bucket, ctx);
    std::string prefixText = interpolate(prefix, ctx);
    bool resolved = std::none_of(bucket->parts.begin(), bucket->parts.end(),
                                 [](const ast::StringPart &part) { return part.interpolation; }) ||
                    bucketText.find("${") == std::string::npos;
    if (resolved && !validFormat("s3_bucket", bucketText))
      diags_
          .report(DiagId::BadFormat, bucket->span,
                  fmt::format("`{}` is not a valid S3 bucket name{}", quotedForMessage(bucketText),
                              bucket->isPlain() || !ctx.env
                                  ? std::string()
                                  : fmt::format(" (in environment `{}`)", ctx.env->name)))
          .withHelp(formatHelp("s3_bucket"));
    llvm::StringRef p = prefixText;
    if (p.startswith("/") || (!p.empty() && !p.endswith("/")))
      diags_
          .report(DiagId::BadFormat, prefix->span,
                  fmt::format("S3 prefix `{}` should not start with `/` and should end with `/`",
                              quotedForMessage(p)))
          .withHelp("write prefixes as `raw/transactions/`");
    Value *v = newValue(Value::Kind::Storage, t, e->span);
    v->text = std::move(bucketText);
    v->text2 = std::move(prefixText);
    return v;
  }

  // Declarations of a catalogue kind (`instance`, `framework`), listed once:
  // called for every instance type and framework value, after collectDecls.
  const std::vector<DeclId> &catalogue(llvm::StringRef kind) {
    auto [it, added] = catalogues_.try_emplace(kind.str());
    if (added)
      for (const Decl &d : p_.decls)
        if (d.kind == kind)
          it->second.push_back(d.id);
    return it->second;
  }
  std::map<std::string, std::vector<DeclId>> catalogues_;

  const Value *convertInstance(const ast::Expr *e, const Type *t) {
    auto *s = llvm::dyn_cast<ast::StringExpr>(e);
    if (!s || !s->isPlain()) {
      mismatch(e, t, "instance types are strings: `\"ml.m5.xlarge\"`");
      return errorValue(e->span);
    }
    for (DeclId id : catalogue("instance")) {
      const Value *name = p_.envs.front().get(id, fields::instance::name);
      if (name && name->text == s->value()) {
        Value *v = newValue(Value::Kind::String, t, e->span);
        v->text = name->text;
        v->ref = id;
        return v;
      }
    }
    std::vector<std::string> names;
    for (DeclId id : catalogue("instance"))
      if (const Value *name = p_.envs.front().get(id, fields::instance::name))
        names.push_back(name->text);
    Diagnostic &d = diags_.report(DiagId::UnknownInstanceType, e->span,
                                  fmt::format("`{}` is not in the instance catalogue", s->value().str()));
    if (auto m = closestMatch(s->value(), names))
      d.withHelp(fmt::format("did you mean `{}`?", *m))
          .fix(fmt::format("use `{}`", *m), e->span, fmt::format("\"{}\"", *m));
    else
      d.withHelp("see `platc explain P0316` for the catalogued instance types");
    return errorValue(e->span);
  }

  const Value *convertFramework(const ast::Expr *e, const Type *t, Ctx &ctx) {
    const ast::NameExpr *name = llvm::dyn_cast<ast::NameExpr>(e);
    const ast::StringExpr *version = nullptr;
    if (auto *c = llvm::dyn_cast<ast::CallExpr>(e)) {
      name = llvm::dyn_cast<ast::NameExpr>(c->callee);
      if (c->args.size() == 1)
        version = llvm::dyn_cast<ast::StringExpr>(c->args[0].value);
      if (c->args.size() > 1 || (c->args.size() == 1 && !version)) {
        mismatch(e, t, "write the framework and its version: `xgboost(\"1.7-1\")`");
        return errorValue(e->span);
      }
    }
    if (!name) {
      mismatch(e, t, "write the framework and its version: `xgboost(\"1.7-1\")`");
      return errorValue(e->span);
    }
    (void)ctx;
    for (DeclId id : catalogue("framework")) {
      if (p_.decls[id].name != name->name.text)
        continue;
      Value *v = newValue(Value::Kind::Framework, t, e->span);
      v->ref = id;
      v->text = p_.decls[id].name;
      addReference(name->span, id);
      const Value *versions = p_.envs.front().get(id, fields::framework::versions);
      if (version) {
        v->text2 = version->value().str();
        bool known = !versions || versions->items.empty();
        std::vector<std::string> listed;
        if (versions)
          for (const Value *ver : versions->items) {
            listed.push_back(ver->text);
            known |= ver->text == v->text2;
          }
        if (!known) {
          Diagnostic &d = diags_.report(DiagId::UnknownFramework, version->span,
                                        fmt::format("`{}` has no version `{}` in the catalogue",
                                                    v->text, v->text2));
          d.withHelp(fmt::format("catalogued versions are {}", joinNames(listed)));
          if (auto m = closestMatch(v->text2, listed))
            d.withHelp(fmt::format("did you mean `{}`? catalogued versions are {}", *m, joinNames(listed)))
                .fix(fmt::format("use version `{}`", *m), version->span, fmt::format("\"{}\"", *m));
        }
      } else if (versions && !versions->items.empty()) {
        v->text2 = versions->items.back()->text;
      }
      return v;
    }
    std::vector<std::string> names;
    for (DeclId id : catalogue("framework"))
      names.push_back(p_.decls[id].name);
    Diagnostic &d = diags_.report(DiagId::UnknownFramework, name->span,
                                  fmt::format("`{}` is not a framework in the catalogue",
                                              name->name.text.str()));
    suggest(d, name->name.text.str(), names, name->span);
    if (!d.help)
      d.withHelp(fmt::format("frameworks are {}", joinNames(names)));
    return errorValue(e->span);
  }

  void fillColumns(DeclId id, EnvModel &env) {
    Decl &d = p_.decls[id];
    const Value *schema = env.get(id, fields::dataset::schema);
    if (!schema)
      return;
    for (const NamedValue &c : schema->fields) {
      Column col;
      col.name = c.name;
      col.type = c.value->text2;
      col.pii = c.value->boolean;
      col.span = c.value->span;
      d.columns.push_back(col);
    }
  }

  const Workspace &ws_;
  Diagnostics &diags_;
  Program &p_;
  std::vector<FileScope> scopes_;
  std::set<std::string> ambiguous_; // qualified names declared more than once
  std::set<const ast::Block *> unknownKind_; // declarations reported with P0301
  std::map<std::string, Found> environmentDecls_;
  llvm::DenseMap<const ast::Block *, DeclId> declOf_;
  std::vector<size_t> declFile_;
  std::map<const ast::Block *, TemplateInfo> templates_;
  std::vector<std::vector<TemplateInfo>> chains_;
  // Declarations whose `extends` chain is broken: a required field the
  // missing template would have given is not reported again (the broken
  // `extends` is the error to fix).
  std::vector<bool> brokenChain_;
  std::vector<std::string> envNames_;
  std::map<std::string, std::string> nameFormats_;
  std::set<std::set<const ast::Block *>> reportedCycles_;
  std::map<const FieldDef *, const Value *> defaults_;
  // Converted values shared by the environments: (expression, type, declaration).
  llvm::DenseMap<std::pair<std::pair<const void *, const Type *>, DeclId>, const Value *> cache_;
  bool usedEnv_ = false;
  std::vector<bool> envDependent_; // by DeclId: a value interpolated `${env}`
  // Rechecks.
  const Program *prev_ = nullptr;
  std::shared_ptr<Schema> building_; // the schema readSchema fills; null after
  bool readingSchema_ = false;
  bool incremental_ = false;
  std::vector<bool> fileChanged_;   // by file index
  std::set<uint32_t> liveFiles_;    // ids of unchanged files
  std::vector<std::pair<size_t, size_t>> *recording_ = nullptr; // imports used by the current declaration
};

} // namespace

std::unique_ptr<Program> resolve(const Workspace &ws, Diagnostics &diags, const Program *previous,
                                 RecheckStats *stats) {
  if (previous) {
    auto program = std::make_unique<Program>(previous->schemaHandle);
    Checker(ws, diags, *program, previous, nullptr).run(stats);
    return program;
  }
  auto schema = std::make_shared<Schema>();
  auto program = std::make_unique<Program>(schema);
  Checker(ws, diags, *program, nullptr, std::move(schema)).run(stats);
  return program;
}

} // namespace plat::sema
