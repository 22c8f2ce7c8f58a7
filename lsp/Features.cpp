#include "lsp/Features.h"

#include <algorithm>
#include <functional>
#include <set>
#include <tuple>

#include "base/Text.h"
#include "fmt/format.h"
#include "format/Formatter.h"
#include "governance/Governance.h"
#include "sema/ValueText.h"
#include "syntax/Parser.h"

namespace plat::lsp {

namespace {

bool within(Span span, uint32_t offset) {
  return span.valid() && span.begin <= offset && offset <= span.end;
}

const SourceFile &sourceOf(const Snapshot &s, FileId id) { return s.ws.sources().file(id); }

json rangeOf(const Snapshot &s, Span span) {
  return range(sourceOf(s, span.file), span.begin, span.end, s.encoding);
}

json locationOf(const Snapshot &s, Span span) {
  std::string uri = uriOf(s, span.file);
  if (uri.empty())
    return nullptr;
  return {{"uri", uri}, {"range", rangeOf(s, span)}};
}

// The reference whose span holds `offset` in `file`: references are sorted
// by file and offset, but the order of file ids is the checker's, so search
// linearly over that file's run (one pass; no quadratic work).
const sema::Reference *referenceAt(const Snapshot &s, FileId file, uint32_t offset) {
  const sema::Reference *best = nullptr;
  for (const sema::Reference &r : s.program.references) {
    if (r.span.file != file || !within(r.span, offset))
      continue;
    if (!best || r.span.size() < best->span.size())
      best = &r;
  }
  return best;
}

// The declaration named at `offset`: a reference to it or its own name.
sema::DeclId declAt(const Snapshot &s, FileId file, uint32_t offset) {
  if (const sema::Reference *r = referenceAt(s, file, offset); r && r->target != sema::kNoDecl)
    return r->target;
  for (const sema::Decl &d : s.program.decls)
    if (d.nameSpan.file == file && within(d.nameSpan, offset))
      return d.id;
  return sema::kNoDecl;
}

// The references to one declaration, each place once (a check may record
// a use more than once, e.g. once per environment it is resolved in).
std::vector<const sema::Reference *> usesOf(const Snapshot &s, sema::DeclId id) {
  std::vector<const sema::Reference *> out;
  std::set<std::tuple<uint32_t, uint32_t, uint32_t>> seen;
  for (const sema::Reference &r : s.program.references)
    if (r.target == id && seen.insert({r.span.file.index, r.span.begin, r.span.end}).second)
      out.push_back(&r);
  return out;
}

const sema::Type *unwrap(const sema::Type *t) {
  while (t && (t->kind == sema::TypeKind::Optional || t->kind == sema::TypeKind::List ||
               t->kind == sema::TypeKind::Map || t->kind == sema::TypeKind::Range) &&
         t->element)
    t = t->element;
  return t;
}

const sema::RecordDef *recordOf(const sema::FieldDef *f) {
  if (!f)
    return nullptr;
  const sema::Type *t = unwrap(f->type);
  if (t && (t->kind == sema::TypeKind::Record || t->kind == sema::TypeKind::Blocks))
    return t->record;
  return nullptr;
}

// Where the cursor is inside the declarations of one file.
struct Context {
  const ast::Block *top = nullptr;           // the top-level declaration
  const ast::Block *block = nullptr;         // the innermost block
  const sema::RecordDef *record = nullptr;   // the schema of that block
  const ast::Assignment *assignment = nullptr;
  const sema::FieldDef *field = nullptr;     // the field named at the cursor
  const ast::Ident *fieldIdent = nullptr;
  bool inValue = false;                      // inside the assignment's value
  bool topField = false;                     // the field is the declaration's own
};

void descend(const sema::Schema &schema, const ast::Block *b, const sema::RecordDef *rec,
             uint32_t offset, Context &ctx, int depth) {
  ctx.block = b;
  ctx.record = rec;
  if (depth > 64)
    return;
  for (const ast::Item *item : b->items) {
    if (!within(item->span, offset))
      continue;
    if (auto *nb = llvm::dyn_cast<ast::Block>(item)) {
      if (within(nb->kindName.span, offset) && rec) {
        ctx.field = rec->field(nb->kindName.text);
        ctx.fieldIdent = &nb->kindName;
        ctx.topField = depth == 0;
        return;
      }
      const sema::RecordDef *inner =
          nb->kindName.text == "env" ? rec : (rec ? recordOf(rec->field(nb->kindName.text)) : nullptr);
      descend(schema, nb, inner, offset, ctx, depth + (nb->kindName.text == "env" ? 0 : 1));
      return;
    }
    if (auto *a = llvm::dyn_cast<ast::Assignment>(item)) {
      ctx.assignment = a;
      const sema::RecordDef *r = rec;
      const sema::FieldDef *f = nullptr;
      for (size_t i = 0; i < a->target.parts.size(); ++i) {
        f = r ? r->field(a->target.parts[i].text) : nullptr;
        if (within(a->target.parts[i].span, offset)) {
          ctx.field = f;
          ctx.fieldIdent = &a->target.parts[i];
          ctx.topField = depth == 0 && i == 0;
          return;
        }
        if (i + 1 < a->target.parts.size())
          r = recordOf(f);
      }
      ctx.field = f;
      ctx.topField = depth == 0 && a->target.parts.size() == 1;
      if (a->value && within(a->value->span, offset)) {
        ctx.inValue = true;
        // A record value, alone or in a list: its fields are a block.
        const ast::Expr *v = a->value;
        if (auto *l = llvm::dyn_cast<ast::ListExpr>(v))
          for (const ast::Expr *e : l->elements)
            if (within(e->span, offset))
              v = e;
        if (auto *re = llvm::dyn_cast<ast::RecordExpr>(v)) {
          ctx.assignment = nullptr;
          ctx.field = nullptr;
          ctx.inValue = false;
          descend(schema, re->body, recordOf(f), offset, ctx, depth + 1);
        }
      }
      return;
    }
  }
}

Context contextAt(const Snapshot &s, const LoadedFile &file, uint32_t offset) {
  Context ctx;
  if (!file.parsed.ast)
    return ctx;
  for (const ast::Item *item : file.parsed.ast->decls) {
    auto *b = llvm::dyn_cast<ast::Block>(item);
    if (!b || !within(b->span, offset))
      continue;
    ctx.top = b;
    if (within(b->kindName.span, offset) || within(b->name.span, offset)) {
      ctx.block = b;
      return ctx;
    }
    descend(s.program.schema, b, s.program.schema.kind(b->kindName.text), offset, ctx, 0);
    ctx.top = b;
    return ctx;
  }
  return ctx;
}

sema::DeclId declOfBlock(const Snapshot &s, const ast::Block *b) {
  if (!b)
    return sema::kNoDecl;
  sema::SyntaxRef<ast::Block> ref = sema::syntaxRef(*b);
  for (const sema::Decl &d : s.program.decls)
    if (d.syntax == ref)
      return d.id;
  return sema::kNoDecl;
}

// The template an `extends` path names, looked up as the checker does: the
// file's package, its imports, `std`, then a qualified name.
const ast::Block *resolveTemplate(const Snapshot &s, const LoadedFile &file, const ast::Path &path) {
  if (path.parts.empty())
    return nullptr;
  auto inPackage = [&](llvm::StringRef pkg, llvm::StringRef name) -> const ast::Block * {
    const Package *p = s.ws.package(pkg);
    if (!p)
      return nullptr;
    auto it = p->decls.find(name.str());
    if (it == p->decls.end())
      return nullptr;
    auto *b = llvm::dyn_cast_or_null<ast::Block>(it->second.item);
    return b && b->isTemplate ? b : nullptr;
  };
  llvm::StringRef first = path.parts[0].text;
  if (path.parts.size() == 1)
    if (const ast::Block *b = inPackage(file.package, first))
      return b;
  if (file.parsed.ast)
    for (const ast::Import &imp : file.parsed.ast->imports) {
      if (imp.localName() != first)
        continue;
      std::string target = imp.path.str();
      if (path.parts.size() == 1) {
        llvm::StringRef t(target);
        auto [pkg, name] = t.rsplit('.');
        return inPackage(pkg, name);
      }
      return inPackage(target, path.parts[1].text);
    }
  if (const ast::Block *b = inPackage("std", first))
    return b;
  std::string prefix;
  for (size_t i = 0; i + 1 < path.parts.size(); ++i) {
    prefix += (i ? "." : "") + path.parts[i].text.str();
    if (const ast::Block *b = inPackage(prefix, path.parts[i + 1].text))
      return b;
  }
  return nullptr;
}

// The `extends` path at `offset` and the template it names.
const ast::Block *templateAt(const Snapshot &s, const LoadedFile &file, uint32_t offset, Span &where) {
  if (!file.parsed.ast)
    return nullptr;
  for (const ast::Item *item : file.parsed.ast->decls)
    if (auto *b = llvm::dyn_cast<ast::Block>(item); b && b->extends && within(b->extends->span, offset)) {
      where = b->extends->span;
      return resolveTemplate(s, file, *b->extends);
    }
  return nullptr;
}

std::string classificationName(const Snapshot &s, int level) {
  const sema::EnumDef *e = s.program.schema.enumeration("classification");
  if (!e || level < 0 || static_cast<size_t>(level) >= e->members.size())
    return {};
  return e->members[level];
}

std::string declHover(const Snapshot &s, const sema::Decl &d) {
  std::string md = fmt::format("```plat\n{} {}\n```\n", d.kind, d.qualifiedName);
  if (!d.templates.empty())
    md += fmt::format("\nextends `{}`\n", fmt::join(d.templates, "` → `"));
  if (!d.doc.empty())
    md += "\n" + d.doc + "\n";
  else if (d.schema && !d.schema->doc.empty())
    md += fmt::format("\n*{}*: {}\n", d.kind, d.schema->doc);
  if (d.fromStdlib || s.program.envs.empty())
    return md;
  std::string table;
  for (const sema::EnvModel &env : s.program.envs) {
    if (d.id >= env.exists.size() || !env.exists[d.id])
      continue;
    std::string cls = d.id < env.classification.size()
                          ? classificationName(s, env.classification[d.id])
                          : std::string();
    // Where it comes from: the lineage path, as diagnostics print it.
    if (!cls.empty() && d.id < env.classificationVia.size() && env.classificationVia[d.id])
      cls = governance::lineagePath(s.program, env, d.id);
    double cost = d.id < env.monthlyCost.size() ? env.monthlyCost[d.id] : 0;
    std::string costText = cost > 0 ? fmt::format("{:.2f} USD", cost) : "";
    if (cls.empty() && costText.empty())
      continue;
    table += fmt::format("| {} | {} | {} |\n", env.name, cls, costText);
  }
  if (!table.empty())
    md += "\n| environment | classification | monthly cost |\n|---|---|---|\n" + table;
  return md;
}

std::string fieldHover(const Snapshot &s, const Context &ctx) {
  const sema::FieldDef &f = *ctx.field;
  std::string md = fmt::format("```plat\n{} : {}\n```\n", f.name, f.type ? f.type->spelling() : "?");
  if (!f.doc.empty())
    md += "\n" + f.doc + "\n";
  if (f.required)
    md += "\nrequired\n";
  // The value in each environment, and where it came from.
  if (!ctx.topField)
    return md;
  sema::DeclId id = declOfBlock(s, ctx.top);
  if (id == sema::kNoDecl)
    return md;
  std::string table;
  for (const sema::EnvModel &env : s.program.envs) {
    if (id >= env.exists.size() || !env.exists[id])
      continue;
    const sema::Value *v = env.getByName(id, f.name);
    if (!v)
      continue;
    std::string text = sema::valueText(s.program, *v);
    if (text.size() > 80)
      text = text.substr(0, 77) + "...";
    for (char &c : text)
      if (c == '|' || c == '\n')
        c = ' ';
    table += fmt::format("| {} | `{}` | {} |\n", env.name, text,
                         sema::originName(env.originOfByName(id, f.name)).str());
  }
  if (!table.empty())
    md += "\n| environment | value | from |\n|---|---|---|\n" + table;
  return md;
}

json markdown(const std::string &text, const json &range) {
  json h = {{"contents", {{"kind", "markdown"}, {"value", text}}}};
  if (!range.is_null())
    h["range"] = range;
  return h;
}

} // namespace

std::string uriOf(const Snapshot &s, FileId file) {
  if (!file.valid() || file.index >= s.ws.sources().size())
    return {};
  llvm::StringRef path = s.ws.sources().file(file).path();
  if (path.consume_front(kStdlibPrefix))
    return s.stdlibDir.empty() ? std::string() : uriFromPath(s.stdlibDir + "/" + path.str());
  return uriFromPath(s.ws.root() + "/" + path.str());
}

// ---------------------------------------------------------------- diagnostics

json toLspDiagnostic(const Snapshot &s, const Diagnostic &d) {
  const DiagInfo &info = d.info();
  json out;
  if (d.span.valid())
    out["range"] = rangeOf(s, d.span);
  else
    out["range"] = {{"start", {{"line", 0}, {"character", 0}}}, {"end", {{"line", 0}, {"character", 0}}}};
  out["severity"] = d.severity == Severity::Error ? 1 : d.severity == Severity::Warning ? 2 : 3;
  out["code"] = info.code.str();
  out["codeDescription"] = {{"href", fmt::format("https://plat.dev/docs/diagnostics#{}", info.code.str())}};
  out["source"] = "platc";
  out["message"] = d.message;
  json related = json::array();
  auto add = [&](Span where, const std::string &message) {
    json loc = locationOf(s, where);
    if (!loc.is_null())
      related.push_back({{"location", loc}, {"message", message}});
  };
  for (const Label &l : d.labels)
    add(l.span, l.message);
  for (const Note &n : d.notes)
    add(n.span && n.span->valid() ? *n.span : d.span, "note: " + n.message);
  if (d.help)
    add(d.span, "help: " + *d.help);
  if (!related.empty())
    out["relatedInformation"] = std::move(related);
  if (!d.fixes.empty())
    out["data"] = {{"fixes", d.fixes.size()}};
  return out;
}

std::map<std::string, json> diagnosticsByUri(const Snapshot &s) {
  std::map<std::string, json> out;
  std::string rootFile;
  for (const LoadedFile &f : s.ws.files()) {
    if (f.fromStdlib)
      continue;
    std::string uri = uriOf(s, f.id);
    out[uri] = json::array();
    if (f.relativePath == kWorkspaceFileName)
      rootFile = uri;
  }
  if (rootFile.empty())
    rootFile = uriFromPath(s.ws.root() + "/" + kWorkspaceFileName.str());
  for (const Diagnostic &d : s.diagnostics) {
    std::string uri = d.span.valid() ? uriOf(s, d.span.file) : rootFile;
    if (uri.empty() || (d.span.valid() && llvm::StringRef(sourceOf(s, d.span.file).path())
                                              .startswith(kStdlibPrefix)))
      continue;
    out[uri].push_back(toLspDiagnostic(s, d));
  }
  return out;
}

// ---------------------------------------------------------------- hover

json hover(const Snapshot &s, const LoadedFile &file, uint32_t offset) {
  if (const sema::Reference *r = referenceAt(s, file.id, offset);
      r && r->target != sema::kNoDecl) {
    const sema::Decl &d = s.program.decl(r->target);
    if (!r->column.empty()) {
      for (const sema::Column &c : d.columns)
        if (c.name == r->column) {
          std::string md = fmt::format("```plat\n{}.{} : {}{}\n```\n", d.name, c.name, c.type,
                                       c.pii ? " @pii" : "");
          if (!c.doc.empty())
            md += "\n" + c.doc + "\n";
          return markdown(md, rangeOf(s, r->span));
        }
    }
    return markdown(declHover(s, d), rangeOf(s, r->span));
  }
  for (const sema::Decl &d : s.program.decls)
    if (d.nameSpan.file == file.id && within(d.nameSpan, offset))
      return markdown(declHover(s, d), rangeOf(s, d.nameSpan));
  Span where;
  Context ctx0 = contextAt(s, file, offset);
  if (ctx0.inValue && ctx0.field && ctx0.assignment) {
    // An enum member in a value: `expose = public`.
    const sema::Type *t = unwrap(ctx0.field->type);
    std::function<const ast::NameExpr *(const ast::Expr *)> nameAt = [&](const ast::Expr *e) -> const ast::NameExpr * {
      if (!e || !within(e->span, offset))
        return nullptr;
      if (auto *n = llvm::dyn_cast<ast::NameExpr>(e))
        return n;
      if (auto *l = llvm::dyn_cast<ast::ListExpr>(e))
        for (const ast::Expr *x : l->elements)
          if (const ast::NameExpr *n = nameAt(x))
            return n;
      return nullptr;
    };
    if (t && t->kind == sema::TypeKind::Enum && t->enumDef)
      if (const ast::NameExpr *n = nameAt(ctx0.assignment->value)) {
        int i = t->enumDef->index(n->name.text);
        if (i >= 0) {
          std::string md = fmt::format("```plat\n{}.{}\n```\n", t->enumDef->name, n->name.text.str());
          if (static_cast<size_t>(i) < t->enumDef->docs.size() && !t->enumDef->docs[i].empty())
            md += "\n" + t->enumDef->docs[i] + "\n";
          if (!t->enumDef->doc.empty())
            md += fmt::format("\n*{}*: {}\n", t->enumDef->name, t->enumDef->doc);
          return markdown(md, rangeOf(s, n->name.span));
        }
      }
  }
  if (const ast::Block *t = templateAt(s, file, offset, where)) {
    std::string md = fmt::format("```plat\ntemplate {} {}\n```\n", t->kindName.text.str(), t->name.text.str());
    if (!t->doc.empty())
      md += "\n" + t->doc.str() + "\n";
    return markdown(md, rangeOf(s, where));
  }
  Context ctx = contextAt(s, file, offset);
  if (ctx.field && ctx.fieldIdent)
    return markdown(fieldHover(s, ctx), rangeOf(s, ctx.fieldIdent->span));
  if (ctx.top && within(ctx.top->kindName.span, offset)) {
    if (const sema::RecordDef *k = s.program.schema.kind(ctx.top->kindName.text))
      return markdown(fmt::format("```plat\nkind {}\n```\n\n{}\n", k->name, k->doc),
                      rangeOf(s, ctx.top->kindName.span));
  }
  return nullptr;
}

// ---------------------------------------------------------------- navigation

json definition(const Snapshot &s, const LoadedFile &file, uint32_t offset) {
  sema::DeclId id = declAt(s, file.id, offset);
  if (id != sema::kNoDecl) {
    const sema::Decl &d = s.program.decl(id);
    if (const sema::Reference *r = referenceAt(s, file.id, offset); r && !r->column.empty())
      for (const sema::Column &c : d.columns)
        if (c.name == r->column && c.span.valid())
          return locationOf(s, c.span);
    return locationOf(s, d.nameSpan);
  }
  Span where;
  if (const ast::Block *t = templateAt(s, file, offset, where))
    return locationOf(s, t->name.span);
  // A field name: its definition in the kind's schema (stdlib).
  Context ctx = contextAt(s, file, offset);
  if (ctx.field && ctx.fieldIdent && ctx.field->span.valid())
    return locationOf(s, ctx.field->span);
  if (ctx.top && within(ctx.top->kindName.span, offset))
    if (const sema::RecordDef *k = s.program.schema.kind(ctx.top->kindName.text); k && k->span.valid())
      return locationOf(s, k->span);
  return nullptr;
}

json references(const Snapshot &s, const LoadedFile &file, uint32_t offset,
                bool includeDeclaration) {
  sema::DeclId id = declAt(s, file.id, offset);
  if (id == sema::kNoDecl)
    return nullptr;
  json out = json::array();
  const sema::Decl &d = s.program.decl(id);
  if (includeDeclaration) {
    json loc = locationOf(s, d.nameSpan);
    if (!loc.is_null())
      out.push_back(loc);
  }
  for (const sema::Reference *r : usesOf(s, id)) {
    json loc = locationOf(s, r->span);
    if (!loc.is_null())
      out.push_back(loc);
  }
  return out;
}

json documentHighlight(const Snapshot &s, const LoadedFile &file, uint32_t offset) {
  sema::DeclId id = declAt(s, file.id, offset);
  if (id == sema::kNoDecl)
    return nullptr;
  json out = json::array();
  const sema::Decl &d = s.program.decl(id);
  if (d.nameSpan.file == file.id)
    out.push_back({{"range", rangeOf(s, d.nameSpan)}, {"kind", 3}}); // Write: the definition
  for (const sema::Reference *r : usesOf(s, id))
    if (r->span.file == file.id)
      out.push_back({{"range", rangeOf(s, r->span)}, {"kind", 2}}); // Read
  return out;
}

// ---------------------------------------------------------------- completion

namespace {

bool isIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

const char *const kKeywords[] = {"package", "import", "template", "extends", "enum",
                                 "for",     "where",  "require",  "else",    "as"};

// How a declaration is written from `file`: its name in its own package, the
// imported package's local name and the name, or the qualified name.
std::string spellingFrom(const LoadedFile &file, const sema::Decl &d) {
  if (d.package == file.package || d.fromStdlib)
    return d.name;
  if (file.parsed.ast)
    for (const ast::Import &imp : file.parsed.ast->imports) {
      std::string path = imp.path.str();
      if (path == d.package)
        return imp.localName().str() + "." + d.name;
      if (path == d.qualifiedName)
        return imp.localName().str();
    }
  return d.qualifiedName;
}

json item(const std::string &label, int kind, const std::string &detail, const std::string &doc) {
  json i = {{"label", label}, {"kind", kind}};
  if (!detail.empty())
    i["detail"] = detail;
  if (!doc.empty())
    i["documentation"] = {{"kind", "markdown"}, {"value", doc}};
  return i;
}

} // namespace

json completion(const Snapshot &s, const LoadedFile &file, uint32_t offset) {
  const SourceFile &src = sourceOf(s, file.id);
  llvm::StringRef text = src.text();
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(text.size()));
  uint32_t wordStart = offset;
  while (wordStart > 0 && (isIdentChar(text[wordStart - 1]) || text[wordStart - 1] == '.'))
    --wordStart;
  uint32_t lineStart = src.lineStart(src.lineCol(offset).line);
  llvm::StringRef before = text.substr(lineStart, wordStart - lineStart);
  json items = json::array();
  Context ctx = contextAt(s, file, offset);

  // A value: after `name =` on this line, or after `[` / `,` inside one.
  size_t eq = before.rfind('=');
  bool valuePosition = eq != llvm::StringRef::npos && before.count('"') % 2 == 0;
  if (valuePosition) {
    const sema::FieldDef *f = ctx.inValue || ctx.assignment ? ctx.field : nullptr;
    if (!f) {
      // Half-typed input may not parse into an assignment: read the target
      // from the text and look it up in the enclosing block's schema.
      // The path just before the `=` (`memory` in `resources = { memory =`).
      llvm::StringRef lhs = before.substr(0, eq).rtrim();
      size_t from = lhs.size();
      while (from > 0 && (isIdentChar(lhs[from - 1]) || lhs[from - 1] == '.'))
        --from;
      llvm::StringRef target = lhs.substr(from);
      const sema::RecordDef *r = ctx.record;
      llvm::SmallVector<llvm::StringRef, 4> parts;
      target.split(parts, '.');
      for (size_t i = 0; r && i < parts.size(); ++i) {
        f = r->field(parts[i]);
        if (i + 1 < parts.size())
          r = recordOf(f);
      }
      if (!r)
        f = nullptr;
    }
    const sema::Type *t = f ? unwrap(f->type) : nullptr;
    if (t && t->kind == sema::TypeKind::Enum && t->enumDef) {
      for (size_t i = 0; i < t->enumDef->members.size(); ++i)
        items.push_back(item(t->enumDef->members[i], 20, t->enumDef->name,
                             i < t->enumDef->docs.size() ? t->enumDef->docs[i] : ""));
    } else if (t && t->kind == sema::TypeKind::Ref) {
      for (const sema::Decl &d : s.program.decls) {
        if (std::find(t->refKinds.begin(), t->refKinds.end(), d.kind) == t->refKinds.end())
          continue;
        items.push_back(item(spellingFrom(file, d), 18, d.kind + " " + d.qualifiedName, d.doc));
      }
    } else if (t && t->kind == sema::TypeKind::Bool) {
      items.push_back(item("true", 12, "bool", ""));
      items.push_back(item("false", 12, "bool", ""));
    } else if (t && t->kind == sema::TypeKind::Quantity && t->unit) {
      // After the digits (`512`): the number with each suffix (`512Mi`), so
      // that clients filtering by the word typed keep them.
      llvm::StringRef word = text.substr(wordStart, offset - wordStart);
      std::string digits = word.take_while([](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == '_'; }).str();
      for (const auto &[suffix, factor] : t->unit->suffixes)
        items.push_back(item(digits + suffix, 11, "unit suffix of " + t->unit->name, ""));
    }
    return {{"isIncomplete", false}, {"items", items}};
  }
  // `import ` then a package or a declaration of one.
  if (before.trim() == "import") {
    for (const auto &[name, pkg] : s.ws.packages()) {
      // Not its own package, nor the standard library's (always visible).
      bool stdlibOnly = std::all_of(pkg->files.begin(), pkg->files.end(),
                                    [&](size_t i) { return s.ws.files()[i].fromStdlib; });
      if (name.empty() || name == file.package || stdlibOnly)
        continue;
      items.push_back(item(name, 9, "package", ""));
    }
    return {{"isIncomplete", false}, {"items", items}};
  }
  if (!before.trim().empty())
    return {{"isIncomplete", false}, {"items", items}};

  if (ctx.block && ctx.record) {
    // The fields of the block being written that it does not set yet.
    std::set<std::string> set;
    for (const ast::Item *it : ctx.block->items) {
      if (auto *a = llvm::dyn_cast<ast::Assignment>(it); a && !a->target.parts.empty())
        set.insert(a->target.parts[0].text.str());
      if (auto *b = llvm::dyn_cast<ast::Block>(it))
        set.insert(b->kindName.text.str());
    }
    for (const sema::FieldDef &f : ctx.record->fields) {
      if (set.count(f.name) &&
          !(ctx.fieldIdent && ctx.fieldIdent->text == f.name)) // the one being typed
        continue;
      json i = item(f.name, 5, f.type ? f.type->spelling() : "", f.doc);
      const sema::Type *t = f.type;
      while (t && t->kind == sema::TypeKind::Optional && t->element)
        t = t->element;
      bool block = t && (t->kind == sema::TypeKind::Blocks ||
                         (t->kind == sema::TypeKind::Record && !t->record->isKind &&
                          ctx.record->isKind));
      i["insertText"] = block ? f.name + " {" : f.name + " = ";
      items.push_back(std::move(i));
    }
    if (ctx.block == ctx.top && ctx.record->isKind)
      items.push_back(item("env", 14, "per-environment overrides", "`env NAME { ... }`"));
    return {{"isIncomplete", false}, {"items", items}};
  }
  if (!ctx.top) {
    for (const auto &[name, k] : s.program.schema.kinds)
      items.push_back(item(name, 14, "kind", k.doc));
    for (const char *kw : kKeywords)
      items.push_back(item(kw, 14, "keyword", ""));
  }
  return {{"isIncomplete", false}, {"items", items}};
}

// ---------------------------------------------------------------- rename

RenameResult rename(const Snapshot &s, const LoadedFile &file, uint32_t offset,
                    const std::string &newName) {
  RenameResult out;
  sema::DeclId id = declAt(s, file.id, offset);
  if (id == sema::kNoDecl) {
    out.error = "there is no declaration to rename here";
    return out;
  }
  const sema::Decl &d = s.program.decl(id);
  if (d.fromStdlib) {
    out.error = fmt::format("`{}` is declared in the standard library and cannot be renamed", d.name);
    return out;
  }
  bool valid = !newName.empty() && (std::isalpha(static_cast<unsigned char>(newName[0])) || newName[0] == '_') &&
               std::all_of(newName.begin(), newName.end(), isIdentChar);
  for (const char *kw : kKeywords)
    valid &= newName != kw;
  for (const char *kw : {"true", "false", "and", "or", "not", "in", "any", "all", "usd", "eur", "gbp"})
    valid &= newName != kw;
  if (!valid) {
    out.error = fmt::format("`{}` is not a valid name: use letters, digits and `_`, starting "
                            "with a letter, and no keyword", newName);
    return out;
  }
  json changes = json::object();
  auto add = [&](Span span) {
    std::string uri = uriOf(s, span.file);
    if (uri.empty())
      return;
    changes[uri].push_back({{"range", rangeOf(s, span)}, {"newText", newName}});
  };
  add(d.nameSpan);
  for (const sema::Reference *use : usesOf(s, id)) {
    const sema::Reference &r = *use;
    // The name is the last segment of the path (the one before the column
    // in `dataset.column`).
    llvm::StringRef text = s.ws.sources().text(r.span);
    size_t end = text.size();
    if (!r.column.empty()) {
      size_t dot = text.rfind('.');
      if (dot == llvm::StringRef::npos)
        continue;
      end = dot;
    }
    size_t begin = text.substr(0, end).rfind('.');
    begin = begin == llvm::StringRef::npos ? 0 : begin + 1;
    if (text.substr(begin, end - begin) != d.name)
      continue;
    add(Span{r.span.file, r.span.begin + static_cast<uint32_t>(begin),
             r.span.begin + static_cast<uint32_t>(end)});
  }
  out.edit = {{"changes", changes}};
  return out;
}

RenameResult prepareRename(const Snapshot &s, const LoadedFile &file, uint32_t offset) {
  RenameResult out;
  sema::DeclId id = declAt(s, file.id, offset);
  if (id == sema::kNoDecl) {
    out.error = "there is no declaration to rename here";
    return out;
  }
  const sema::Decl &d = s.program.decl(id);
  if (d.fromStdlib) {
    out.error = fmt::format("`{}` is declared in the standard library and cannot be renamed", d.name);
    return out;
  }
  // The name's own span: the declaration's, or the segment of the
  // reference that names it (as rename edits it).
  Span name = d.nameSpan;
  if (!(d.nameSpan.file == file.id && within(d.nameSpan, offset)))
    if (const sema::Reference *r = referenceAt(s, file.id, offset)) {
      llvm::StringRef text = s.ws.sources().text(r->span);
      size_t end = r->column.empty() ? text.size() : text.rfind('.');
      size_t begin = end == llvm::StringRef::npos ? 0 : text.substr(0, end).rfind('.');
      begin = begin == llvm::StringRef::npos ? 0 : begin + 1;
      if (end != llvm::StringRef::npos && text.substr(begin, end - begin) == d.name)
        name = Span{r->span.file, r->span.begin + static_cast<uint32_t>(begin),
                    r->span.begin + static_cast<uint32_t>(end)};
    }
  out.edit = {{"range", rangeOf(s, name)}, {"placeholder", d.name}};
  return out;
}

// ---------------------------------------------------------------- outline

namespace {

json symbol(const Snapshot &s, const std::string &name, const std::string &detail, int kind,
            Span whole, Span selection) {
  json sym = {{"name", name.empty() ? std::string("(unnamed)") : name},
              {"kind", kind},
              {"range", rangeOf(s, whole)},
              {"selectionRange", rangeOf(s, selection.valid() ? selection : whole)}};
  if (!detail.empty())
    sym["detail"] = detail;
  return sym;
}

json blockChildren(const Snapshot &s, const ast::Block *b, int depth) {
  json children = json::array();
  if (depth > 16)
    return children;
  for (const ast::Item *it : b->items) {
    if (auto *nb = llvm::dyn_cast<ast::Block>(it)) {
      std::string name = nb->name.empty() ? nb->kindName.text.str()
                                          : nb->kindName.text.str() + " " + nb->name.text.str();
      json sym = symbol(s, name, "", 23, nb->span, nb->kindName.span);
      json sub = blockChildren(s, nb, depth + 1);
      if (!sub.empty())
        sym["children"] = std::move(sub);
      children.push_back(std::move(sym));
    } else if (auto *a = llvm::dyn_cast<ast::Assignment>(it); a && !a->target.empty()) {
      children.push_back(symbol(s, a->target.str(), "", 8, a->span, a->target.span));
    }
  }
  return children;
}

} // namespace

json documentSymbols(const Snapshot &s, const LoadedFile &file) {
  json out = json::array();
  if (!file.parsed.ast)
    return out;
  for (const ast::Item *item : file.parsed.ast->decls) {
    if (auto *b = llvm::dyn_cast<ast::Block>(item)) {
      if (b->name.empty() && b->kindName.empty())
        continue;
      std::string detail = (b->isTemplate ? "template " : "") + b->kindName.text.str();
      json sym = symbol(s, b->name.text.str(), detail, b->isTemplate ? 11 : 5, b->span,
                        !b->name.empty() ? b->name.span : b->kindName.span);
      json children = blockChildren(s, b, 0);
      if (!children.empty())
        sym["children"] = std::move(children);
      out.push_back(std::move(sym));
    } else if (auto *e = llvm::dyn_cast<ast::EnumDecl>(item)) {
      json sym = symbol(s, e->name.text.str(), "enum", 10, e->span, e->name.span);
      json children = json::array();
      for (const ast::EnumMember &m : e->members)
        children.push_back(symbol(s, m.name.text.str(), "", 22, m.name.span, m.name.span));
      sym["children"] = std::move(children);
      out.push_back(std::move(sym));
    }
  }
  return out;
}

json workspaceSymbols(const Snapshot &s, const std::string &query) {
  json out = json::array();
  std::string q = llvm::StringRef(query).lower();
  auto matches = [&](llvm::StringRef name) {
    // Fuzzy: the query's characters in order.
    size_t i = 0;
    for (char c : name.lower())
      if (i < q.size() && c == q[i])
        ++i;
    return i == q.size();
  };
  constexpr size_t kLimit = 1000;
  for (const sema::Decl &d : s.program.decls) {
    if (d.fromStdlib || !matches(d.name))
      continue;
    json loc = locationOf(s, d.nameSpan);
    if (loc.is_null())
      continue;
    out.push_back({{"name", d.name}, {"kind", 5}, {"location", loc}, {"containerName", d.package}});
    if (out.size() >= kLimit)
      break;
  }
  return out;
}

json foldingRanges(const Snapshot &s, const LoadedFile &file) {
  json out = json::array();
  if (!file.parsed.ast)
    return out;
  const SourceFile &src = sourceOf(s, file.id);
  auto add = [&](uint32_t begin, uint32_t end, const char *kind) {
    uint32_t l1 = src.lineCol(begin).line - 1, l2 = src.lineCol(end).line - 1;
    if (l2 <= l1)
      return;
    json r = {{"startLine", l1}, {"endLine", l2}};
    if (kind)
      r["kind"] = kind;
    out.push_back(std::move(r));
  };
  std::function<void(const ast::Block *, int)> block = [&](const ast::Block *b, int depth) {
    if (depth > 32)
      return;
    if (b->open.valid() && b->close.valid())
      add(b->open.begin, b->close.begin, nullptr);
    for (const ast::Item *it : b->items) {
      if (auto *nb = llvm::dyn_cast<ast::Block>(it))
        block(nb, depth + 1);
      else if (auto *a = llvm::dyn_cast<ast::Assignment>(it);
               a && a->value && llvm::isa<ast::RecordExpr>(a->value))
        block(llvm::cast<ast::RecordExpr>(a->value)->body, depth + 1);
    }
  };
  const ast::File &f = *file.parsed.ast;
  if (f.imports.size() > 1)
    add(f.imports.front().span.begin, f.imports.back().span.end, "imports");
  for (const ast::Item *item : f.decls) {
    if (auto *b = llvm::dyn_cast<ast::Block>(item))
      block(b, 0);
    else if (auto *e = llvm::dyn_cast<ast::EnumDecl>(item); e && e->open.valid() && e->close.valid())
      add(e->open.begin, e->close.begin, nullptr);
  }
  // Runs of line comments, and block comments.
  for (size_t i = 0; i < f.comments.size();) {
    size_t j = i;
    while (!f.comments[i].isBlock && j + 1 < f.comments.size() && !f.comments[j + 1].isBlock &&
           src.lineCol(f.comments[j + 1].span.begin).line == src.lineCol(f.comments[j].span.begin).line + 1)
      ++j;
    add(f.comments[i].span.begin, f.comments[j].span.end, "comment");
    i = j + 1;
  }
  std::sort(out.begin(), out.end(), [](const json &a, const json &b) {
    return std::make_pair(a["startLine"].get<int>(), a["endLine"].get<int>()) <
           std::make_pair(b["startLine"].get<int>(), b["endLine"].get<int>());
  });
  return out;
}

json codeActions(const Snapshot &s, const LoadedFile &file, uint32_t begin, uint32_t end) {
  json out = json::array();
  for (const Diagnostic &d : s.diagnostics) {
    if (d.fixes.empty() || d.span.file != file.id || d.span.end < begin || d.span.begin > end)
      continue;
    for (const Fix &fix : d.fixes) {
      json changes = json::object();
      for (const Edit &e : fix.edits) {
        std::string uri = uriOf(s, e.span.file);
        if (!uri.empty())
          changes[uri].push_back({{"range", rangeOf(s, e.span)}, {"newText", e.replacement}});
      }
      out.push_back({{"title", fix.description},
                     {"kind", "quickfix"},
                     {"diagnostics", json::array({toLspDiagnostic(s, d)})},
                     {"isPreferred", d.fixes.size() == 1},
                     {"edit", {{"changes", changes}}}});
    }
  }
  return out;
}

// ---------------------------------------------------------------- lenses, hints, hierarchy

namespace {

// The environment views default to: the first production one, else the first.
const sema::EnvModel *defaultEnv(const Snapshot &s) {
  for (const sema::EnvModel &e : s.program.envs)
    if (e.tier == "production")
      return &e;
  return s.program.envs.empty() ? nullptr : &s.program.envs.front();
}

std::vector<sema::DeclId> declsInFile(const Snapshot &s, FileId file) {
  std::vector<sema::DeclId> out;
  for (const sema::Decl &d : s.program.decls)
    if (!d.fromStdlib && d.nameSpan.file == file)
      out.push_back(d.id);
  return out;
}

} // namespace

json codeLenses(const Snapshot &s, const LoadedFile &file) {
  json out = json::array();
  const sema::EnvModel *def = defaultEnv(s);
  for (sema::DeclId id : declsInFile(s, file.id)) {
    const sema::Decl &d = s.program.decl(id);
    std::vector<std::string> costs;
    for (const sema::EnvModel &env : s.program.envs)
      if (id < env.monthlyCost.size() && id < env.exists.size() && env.exists[id] && env.monthlyCost[id] > 0)
        costs.push_back(fmt::format("{} {:.2f}", env.name, env.monthlyCost[id]));
    json range = rangeOf(s, d.nameSpan);
    if (!costs.empty())
      out.push_back({{"range", range},
                     {"command", {{"title", fmt::format("monthly cost: {} USD", fmt::join(costs, ", "))},
                                  {"command", ""}}}});
    if (def && id < def->classification.size() && def->classification[id] >= 0) {
      bool inherited = id < def->classificationVia.size() && def->classificationVia[id];
      std::string title = fmt::format("{}: {}", def->name,
                                      inherited ? governance::lineagePath(s.program, *def, id)
                                                : classificationName(s, def->classification[id]));
      out.push_back({{"range", range}, {"command", {{"title", title}, {"command", ""}}}});
    }
  }
  return out;
}

json inlayHints(const Snapshot &s, const LoadedFile &file, uint32_t begin, uint32_t end) {
  json out = json::array();
  const SourceFile &src = sourceOf(s, file.id);
  for (sema::DeclId id : declsInFile(s, file.id)) {
    const sema::Decl &d = s.program.decl(id);
    const ast::Block *block = s.program.block(d);
    if (!block || d.span.end < begin || d.span.begin > end)
      continue;
    // After `extends T`: the values the templates give it (in the first
    // environment), which the declaration does not write itself.
    if (block->extends && within(Span{file.id, begin, end}, block->extends->span.end) &&
        !s.program.envs.empty()) {
      const sema::EnvModel &env = s.program.envs.front();
      std::vector<std::string> inherited;
      if (id < env.fields.size())
        for (const sema::FieldValue &fv : env.fields[id])
          if (fv.value && fv.def && fv.origin == sema::Origin::Template)
            inherited.push_back(fmt::format("{} = {}", fv.def->name, sema::valueText(s.program, *fv.value)));
      if (!inherited.empty()) {
        std::string label = inherited.size() > 4
                                ? fmt::format("{}, ... ({} more)", fmt::join(inherited.begin(), inherited.begin() + 4, ", "),
                                              inherited.size() - 4)
                                : fmt::format("{}", fmt::join(inherited, ", "));
        out.push_back({{"position", position(src, block->extends->span.end, s.encoding)},
                       {"label", label},
                       {"paddingLeft", true},
                       {"tooltip", fmt::format("from the templates:\n{}", fmt::join(inherited, "\n"))}});
      }
    }
    for (const ast::Item *item : block->items) {
      auto *a = llvm::dyn_cast<ast::Assignment>(item);
      if (!a || a->target.parts.size() != 1 || !a->value || a->value->span.end < begin ||
          a->value->span.end > end)
        continue;
      std::string field = a->target.parts[0].text.str();
      std::vector<std::string> overrides;
      for (const sema::EnvModel &env : s.program.envs) {
        if (id >= env.exists.size() || !env.exists[id])
          continue;
        sema::Origin origin = env.originOfByName(id, field);
        const sema::Value *v = env.getByName(id, field);
        if (v && (origin == sema::Origin::EnvOverride || origin == sema::Origin::TemplateEnvOverride))
          overrides.push_back(fmt::format("{}: {}", env.name, sema::valueText(s.program, *v)));
      }
      if (overrides.empty())
        continue;
      out.push_back({{"position", position(src, a->value->span.end, s.encoding)},
                     {"label", fmt::format("{}", fmt::join(overrides, ", "))},
                     {"paddingLeft", true},
                     {"tooltip", "the value in these environments (their `env` blocks)"}});
    }
  }
  return out;
}

namespace {

json hierarchyItem(const Snapshot &s, const sema::Decl &d) {
  json item = {{"name", d.name},
               {"kind", 5},
               {"detail", d.kind + " " + d.qualifiedName},
               {"uri", uriOf(s, d.nameSpan.file)},
               {"range", rangeOf(s, d.span.valid() ? d.span : d.nameSpan)},
               {"selectionRange", rangeOf(s, d.nameSpan)},
               {"data", {{"qualifiedName", d.qualifiedName}}}};
  return item;
}

const sema::Decl *itemDecl(const Snapshot &s, const json &item) {
  if (!item.contains("data") || !item["data"].is_object())
    return nullptr;
  auto it = s.program.byQualifiedName.find(item["data"].value("qualifiedName", ""));
  return it == s.program.byQualifiedName.end() ? nullptr : &s.program.decl(it->second);
}

} // namespace

json prepareCallHierarchy(const Snapshot &s, const LoadedFile &file, uint32_t offset) {
  sema::DeclId id = declAt(s, file.id, offset);
  if (id == sema::kNoDecl || s.program.decl(id).fromStdlib)
    return nullptr;
  return json::array({hierarchyItem(s, s.program.decl(id))});
}

json incomingCalls(const Snapshot &s, const json &item) {
  const sema::Decl *d = itemDecl(s, item);
  const sema::EnvModel *env = defaultEnv(s);
  if (!d || !env)
    return nullptr;
  // Callers in id order, each with the places its edges are written.
  std::map<sema::DeclId, json> byCaller;
  for (const sema::Edge &e : env->edges) {
    if (e.to != d->id)
      continue;
    json &ranges = byCaller.try_emplace(e.from, json::array()).first->second;
    if (e.span.valid() && e.span.file == s.program.decl(e.from).nameSpan.file)
      ranges.push_back(rangeOf(s, e.span));
  }
  json out = json::array();
  for (auto &[from, ranges] : byCaller)
    out.push_back({{"from", hierarchyItem(s, s.program.decl(from))}, {"fromRanges", ranges}});
  return out;
}

json outgoingCalls(const Snapshot &s, const json &item) {
  const sema::Decl *d = itemDecl(s, item);
  const sema::EnvModel *env = defaultEnv(s);
  if (!d || !env)
    return nullptr;
  std::map<sema::DeclId, json> byCallee;
  for (const sema::Edge &e : env->edgesFrom(d->id)) {
    json &ranges = byCallee.try_emplace(e.to, json::array()).first->second;
    if (e.span.valid() && e.span.file == d->nameSpan.file)
      ranges.push_back(rangeOf(s, e.span));
  }
  json out = json::array();
  for (auto &[to, ranges] : byCallee)
    out.push_back({{"to", hierarchyItem(s, s.program.decl(to))}, {"fromRanges", ranges}});
  return out;
}

// ---------------------------------------------------------------- semantic tokens

json semanticTokensLegend() {
  return {{"tokenTypes", {"keyword", "type", "variable", "property", "string", "number",
                          "comment", "enumMember"}},
          {"tokenModifiers", {"declaration", "documentation"}}};
}

json semanticTokens(const Snapshot &s, const LoadedFile &file) {
  enum Tok { Keyword, Type, Variable, Property, String, Number, Comment, EnumMember };
  struct T {
    uint32_t begin, end;
    int type, mods;
  };
  std::vector<T> toks;
  auto add = [&](Span sp, int type, int mods = 0) {
    if (sp.valid() && sp.file == file.id && sp.end > sp.begin)
      toks.push_back({sp.begin, sp.end, type, mods});
  };
  json data = json::array();
  if (!file.parsed.ast)
    return {{"data", data}};
  const ast::File &f = *file.parsed.ast;
  for (const ast::Comment &c : f.comments)
    add(c.span, Comment, c.isDoc ? 2 : 0);
  std::function<void(const ast::Expr *, int)> expr = [&](const ast::Expr *e, int depth) {
    if (!e || depth > 64)
      return;
    switch (e->kind) {
    case ast::ExprKind::String: add(e->span, String); break;
    case ast::ExprKind::Number: add(e->span, Number); break;
    case ast::ExprKind::Bool: add(e->span, Keyword); break;
    case ast::ExprKind::List:
      for (const ast::Expr *x : llvm::cast<ast::ListExpr>(e)->elements)
        expr(x, depth + 1);
      break;
    case ast::ExprKind::Range:
      expr(llvm::cast<ast::RangeExpr>(e)->low, depth + 1);
      expr(llvm::cast<ast::RangeExpr>(e)->high, depth + 1);
      break;
    case ast::ExprKind::Call:
      for (const ast::Arg &a : llvm::cast<ast::CallExpr>(e)->args)
        expr(a.value, depth + 1);
      break;
    default: break;
    }
  };
  std::function<void(const ast::Block *, int)> block = [&](const ast::Block *b, int depth) {
    if (depth > 32)
      return;
    add(b->templateKeyword, Keyword);
    add(b->kindName.span, depth == 0 ? Keyword : Property);
    add(b->name.span, Type, 1);
    for (const ast::Item *it : b->items) {
      if (auto *nb = llvm::dyn_cast<ast::Block>(it)) {
        block(nb, depth + 1);
      } else if (auto *a = llvm::dyn_cast<ast::Assignment>(it)) {
        for (const ast::Ident &p : a->target.parts)
          add(p.span, Property);
        if (auto *re = llvm::dyn_cast_or_null<ast::RecordExpr>(a->value))
          block(re->body, depth + 1);
        else
          expr(a->value, depth + 1);
      }
    }
  };
  for (const ast::Item *item : f.decls)
    if (auto *b = llvm::dyn_cast<ast::Block>(item))
      block(b, 0);
  for (const sema::Reference &r : s.program.references)
    if (r.span.file == file.id)
      add(r.span, Variable);
  // Sorted, without overlaps (references inside values win over nothing;
  // the first of two overlapping tokens is kept), one line each.
  std::sort(toks.begin(), toks.end(), [](const T &a, const T &b) {
    return std::make_tuple(a.begin, b.end) < std::make_tuple(b.begin, a.end);
  });
  const SourceFile &src = sourceOf(s, file.id);
  uint32_t prevLine = 0, prevChar = 0, lastEnd = 0;
  for (const T &t : toks) {
    if (t.begin < lastEnd)
      continue;
    json p = position(src, t.begin, s.encoding), q = position(src, t.end, s.encoding);
    uint32_t line = p["line"], ch = p["character"];
    if (q["line"].get<uint32_t>() != line)
      continue; // multi-line tokens are left to the grammar's highlighting
    uint32_t len = q["character"].get<uint32_t>() - ch;
    data.push_back(line - prevLine);
    data.push_back(line == prevLine ? ch - prevChar : ch);
    data.push_back(len);
    data.push_back(t.type);
    data.push_back(t.mods);
    prevLine = line;
    prevChar = ch;
    lastEnd = t.end;
  }
  return {{"data", data}};
}

json semanticTokensEdits(const json &previous, const json &current) {
  size_t n = previous.size(), m = current.size(), prefix = 0, suffix = 0;
  while (prefix < n && prefix < m && previous[prefix] == current[prefix])
    ++prefix;
  while (suffix < n - prefix && suffix < m - prefix &&
         previous[n - 1 - suffix] == current[m - 1 - suffix])
    ++suffix;
  json edits = json::array();
  if (prefix == n && prefix == m)
    return edits;
  json data = json::array();
  for (size_t i = prefix; i < m - suffix; ++i)
    data.push_back(current[i]);
  edits.push_back({{"start", prefix}, {"deleteCount", n - prefix - suffix}, {"data", data}});
  return edits;
}

// ---------------------------------------------------------------- formatting

std::optional<std::string> formatText(const std::string &path, const std::string &text) {
  SourceManager sources;
  FileId id = sources.add(path, text);
  Diagnostics diags;
  ast::ParsedFile parsed = syntax::parse(sources.file(id), id, diags);
  if (!parsed.ast || parsed.ast->hasSyntaxErrors || diags.hasErrors())
    return std::nullopt;
  return format::formatFile(*parsed.ast, sources.file(id));
}

} // namespace plat::lsp
