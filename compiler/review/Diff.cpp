// Comparing two checked workspaces (Diff.h).
//
// Declarations, environments and teams are matched by name across the two
// sides: ids differ between two checks. Everything is iterated in sorted or
// declaration order, so the report is deterministic.
#include "review/Diff.h"

#include "backends/Naming.h"

#include <algorithm>
#include <map>
#include <cmath>
#include <functional>
#include <set>
#include <thread>
#include <tuple>

#include <nlohmann/json.hpp>

#include "backends/Backend.h"
#include "backends/iam/Policies.h"
#include "fmt/format.h"
#include "governance/Governance.h"
#include "llvm/ADT/StringExtras.h"
#include "diag/Render.h"
#include "sema/ValueText.h"

namespace plat::review {

namespace fields = sema::fields;
namespace records = sema::records;

using sema::DeclId;
using sema::Edge;
using sema::EdgeKind;
using sema::EnvModel;
using sema::Program;
using sema::Value;

namespace {

Location locate(const Side &side, Span span, bool base) {
  Location l;
  if (!span.valid() || span.file.index >= side.workspace->sources().size())
    return l;
  const SourceFile &f = side.workspace->sources().file(span.file);
  // A default from the standard library is not what a reviewer can change.
  if (llvm::StringRef(f.path()).startswith(kStdlibPrefix))
    return l;
  LineCol lc = f.lineCol(span.begin);
  l.base = base;
  l.path = f.path();
  l.line = lc.line;
  l.column = lc.column;
  return l;
}

std::string locationText(const Location &l) {
  if (!l.valid())
    return "";
  return fmt::format("{}{}:{}:{}", l.base ? "(base) " : "", l.path, l.line, l.column);
}

// The user's declarations by qualified name.
std::map<std::string, DeclId> userDecls(const Program &p) {
  std::map<std::string, DeclId> out;
  for (const sema::Decl &d : p.decls)
    if (!d.fromStdlib)
      out.emplace(d.qualifiedName, d.id);
  return out;
}

bool exists(const EnvModel &env, DeclId id) { return id < env.exists.size() && env.exists[id]; }

// Values as a reviewer reads them: references by qualified name (the IR
// dump's `ref NAME` is for tests), everything else as the IR dump prints it.
std::string text(const Program &p, const Value *v) {
  if (!v)
    return "";
  switch (v->kind) {
  case Value::Kind::Ref:
    return v->ref == sema::kNoDecl ? sema::valueText(p, *v) : p.decl(v->ref).qualifiedName;
  case Value::Kind::ColumnRef:
    return v->ref == sema::kNoDecl ? sema::valueText(p, *v) : p.decl(v->ref).qualifiedName + "." + v->text;
  case Value::Kind::List: {
    std::string out = "[";
    for (size_t i = 0; i < v->items.size(); ++i)
      out += (i ? ", " : "") + text(p, v->items[i]);
    return out + "]";
  }
  default:
    return sema::valueText(p, *v);
  }
}

// Field-by-field comparison; records recurse so that `serve.replicas`
// changes are named as such.
void compareValues(const Program &bp, const Value *b, const Program &hp, const Value *h,
                   const std::string &path, std::vector<FieldChange> &out) {
  if (b && h && b->kind == Value::Kind::Record && h->kind == Value::Kind::Record) {
    std::set<std::string> names;
    for (const sema::NamedValue &f : b->fields)
      names.insert(f.name);
    for (const sema::NamedValue &f : h->fields)
      names.insert(f.name);
    for (const std::string &n : names)
      compareValues(bp, b->field(n), hp, h->field(n), path + "." + n, out);
    return;
  }
  std::string before = text(bp, b), after = text(hp, h);
  if (before != after)
    out.push_back(FieldChange{path, before, after});
}

// Edges as names, to tell which edges are new.
std::string edgeKey(const Program &p, const Edge &e) {
  return fmt::format("{}|{}|{}", p.decl(e.from).qualifiedName, sema::edgeName(e.kind).str(),
                     p.decl(e.to).qualifiedName);
}

std::set<std::string> edgeKeys(const Program &p, const EnvModel *env) {
  std::set<std::string> out;
  if (env)
    for (const Edge &e : env->edges)
      out.insert(edgeKey(p, e));
  return out;
}

// Names of the refs in a list value.
std::set<std::string> refNames(const Program &p, const Value *list) {
  std::set<std::string> out;
  if (!list)
    return out;
  for (const Value *item : list->items)
    if (item->kind == Value::Kind::Ref && item->ref != sema::kNoDecl)
      out.insert(p.decl(item->ref).qualifiedName);
    else
      out.insert(text(p, item));
  return out;
}

std::string join(const std::vector<std::string> &items, llvm::StringRef sep = ", ") {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i)
    out += (i ? sep.str() : "") + items[i];
  return out;
}

std::string quoted(const std::set<std::string> &items) {
  std::vector<std::string> v;
  for (const std::string &s : items)
    v.push_back("`" + s + "`");
  return join(v);
}

std::map<std::string, std::string> generatedFiles(const Side &side, const EnvModel &env) {
  std::map<std::string, std::string> out;
  backends::BackendContext ctx{*side.program, env, side.workspace->sources()};
  for (const auto &b : backends::allBackends()) {
    backends::Output o;
    b->emit(ctx, o);
    for (auto &[path, bytes] : o.files())
      out[path] = std::move(bytes);
  }
  return out;
}

class Comparer {
public:
  Comparer(const Side &base, const Side &head, const CompareOptions &options, Report &report)
      : b_(base), h_(head), bp_(*base.program), hp_(*head.program), opts_(options), r_(report),
        bDecls_(userDecls(bp_)), hDecls_(userDecls(hp_)) {}

  void run() {
    std::set<std::string> done;
    for (const EnvModel &he : hp_.envs) {
      if (!opts_.env.empty() && he.name != opts_.env)
        continue;
      done.insert(he.name);
      env(bp_.env(he.name), &he);
    }
    for (const EnvModel &be : bp_.envs)
      if (!done.count(be.name) && (opts_.env.empty() || be.name == opts_.env))
        env(&be, nullptr);
    // By flag and subject; environments stay in the workspace's order.
    std::stable_sort(r_.flags.begin(), r_.flags.end(), [](const Flag &a, const Flag &b) {
      return std::tie(a.flag, a.subject) < std::tie(b.flag, b.subject);
    });
  }

private:
  const Side &b_, &h_;
  const Program &bp_, &hp_;
  const CompareOptions &opts_;
  Report &r_;
  std::map<std::string, DeclId> bDecls_, hDecls_;

  DeclId baseId(const std::string &name) const {
    auto it = bDecls_.find(name);
    return it == bDecls_.end() ? sema::kNoDecl : it->second;
  }

  Flag &flag(std::string id, const std::string &env, const std::string &subject, std::string message,
             Location where) {
    // Nowhere better to point: the declaration itself.
    if (!where.valid()) {
      if (auto it = hDecls_.find(subject); it != hDecls_.end())
        where = locate(h_, hp_.decl(it->second).nameSpan, false);
      else if (auto bt = bDecls_.find(subject); bt != bDecls_.end())
        where = locate(b_, bp_.decl(bt->second).nameSpan, true);
    }
    r_.flags.push_back(Flag{std::move(id), env, subject, std::move(message), std::move(where), {}});
    return r_.flags.back();
  }

  void env(const EnvModel *be, const EnvModel *he) {
    EnvReport er;
    er.name = he ? he->name : be->name;
    er.kind = be && he ? EnvReport::Both : he ? EnvReport::Added : EnvReport::Removed;
    declarations(be, he, er);
    files(be, he, er);
    costs(be, he, er);
    if (he) {
      iam(be, *he);
      network(be, *he);
      classification(be, *he);
    }
    if (be && he) {
      models(*be, *he);
      agents(*be, *he);
      columns(*be, *he);
    }
    r_.envs.push_back(std::move(er));
  }

  // ---- declarations and fields

  void declarations(const EnvModel *be, const EnvModel *he, EnvReport &er) {
    std::set<std::string> names;
    for (const auto &[n, id] : bDecls_)
      if (be && exists(*be, id))
        names.insert(n);
    for (const auto &[n, id] : hDecls_)
      if (he && exists(*he, id))
        names.insert(n);
    for (const std::string &n : names) {
      DeclId bid = be ? baseId(n) : sema::kNoDecl;
      auto hit = hDecls_.find(n);
      DeclId hid = he && hit != hDecls_.end() ? hit->second : sema::kNoDecl;
      bool inBase = bid != sema::kNoDecl && exists(*be, bid);
      bool inHead = hid != sema::kNoDecl && exists(*he, hid);
      DeclChange c;
      c.name = n;
      if (!inBase) {
        c.kind = DeclChange::Added;
        c.declKind = hp_.decl(hid).kind;
        c.location = locate(h_, hp_.decl(hid).nameSpan, false);
      } else if (!inHead) {
        c.kind = DeclChange::Removed;
        c.declKind = bp_.decl(bid).kind;
        c.location = locate(b_, bp_.decl(bid).nameSpan, true);
      } else {
        c.kind = DeclChange::Changed;
        c.declKind = hp_.decl(hid).kind;
        c.location = locate(h_, hp_.decl(hid).nameSpan, false);
        fields(*be, bid, *he, hid, c.fields);
        columnsChanged(bid, hid, c.fields);
        if (c.fields.empty())
          continue;
        escapeHatches(*be, bid, *he, hid, er.name);
      }
      if (c.kind == DeclChange::Added && he)
        patchesOfNew(*he, hid, er.name);
      if (c.kind == DeclChange::Added && he && hp_.decl(hid).kindId == sema::DeclKind::Agent)
        newAgent(*he, hid, er.name);
      er.decls.push_back(std::move(c));
    }
  }

  void fields(const EnvModel &be, DeclId bid, const EnvModel &he, DeclId hid,
              std::vector<FieldChange> &out) {
    std::set<std::string> names;
    for (const sema::FieldValue &f : be.fields[bid])
      names.insert(f.def->name);
    for (const sema::FieldValue &f : he.fields[hid])
      names.insert(f.def->name);
    // A dataset's schema is compared column by column (columnsChanged).
    if (hp_.decl(hid).kindId == sema::DeclKind::Dataset)
      names.erase("schema");
    for (const std::string &n : names)
      compareValues(bp_, be.getByName(bid, n), hp_, he.getByName(hid, n), n, out);
  }

  void columnsChanged(DeclId bid, DeclId hid, std::vector<FieldChange> &out) {
    const auto &bc = bp_.decl(bid).columns, &hc = hp_.decl(hid).columns;
    std::map<std::string, std::string> before, after;
    for (const sema::Column &c : bc)
      before[c.name] = c.type + (c.pii ? " @pii" : "");
    for (const sema::Column &c : hc)
      after[c.name] = c.type + (c.pii ? " @pii" : "");
    std::set<std::string> names;
    for (const auto &[n, t] : before)
      names.insert(n);
    for (const auto &[n, t] : after)
      names.insert(n);
    for (const std::string &n : names)
      if (before[n] != after[n])
        out.push_back(FieldChange{"columns." + n, before[n], after[n]});
  }

  // Patches and template overrides: drift from the golden path.
  void escapeHatches(const EnvModel &be, DeclId bid, const EnvModel &he, DeclId hid,
                     const std::string &env) {
    const sema::Decl &d = hp_.decl(hid);
    patches(be.get(bid, fields::any::patch), he, hid, env);
    if (d.templates.empty())
      return;
    for (const sema::FieldValue &f : he.fields[hid]) {
      if (!f.value || (f.origin != sema::Origin::Declared && f.origin != sema::Origin::EnvOverride))
        continue;
      sema::Origin before = be.originOfByName(bid, f.def->name);
      if (before != sema::Origin::Template && before != sema::Origin::TemplateEnvOverride)
        continue;
      flag("template-override-added", env, d.qualifiedName,
           fmt::format("`{}` now overrides `{}`, which its template `{}` sets", d.name, f.def->name,
                       d.templates.front()),
           locate(h_, f.value->span, false))
          .details.push_back(fmt::format("{}: {} → {}", f.def->name,
                                         text(bp_, be.getByName(bid, f.def->name)), text(hp_, f.value)));
    }
  }

  void patches(const Value *before, const EnvModel &he, DeclId hid, const std::string &env) {
    const Value *after = he.get(hid, fields::any::patch);
    if (!after)
      return;
    std::set<std::string> had;
    if (before)
      for (const sema::NamedValue &f : before->fields)
        had.insert(f.name);
    std::vector<std::string> added;
    for (const sema::NamedValue &f : after->fields)
      if (!had.count(f.name))
        added.push_back(f.name);
    if (added.empty())
      return;
    const sema::Decl &d = hp_.decl(hid);
    Flag &fl = flag("patch-added", env, d.qualifiedName,
                    fmt::format("`{}` adds raw patches to its generated {}", d.name, join(added)),
                    locate(h_, after->span, false));
    for (const std::string &k : added)
      fl.details.push_back(fmt::format("{} = {}", k, text(hp_, after->field(k))));
  }

  void patchesOfNew(const EnvModel &he, DeclId hid, const std::string &env) {
    patches(nullptr, he, hid, env);
  }

  // ---- generated files

  void files(const EnvModel *be, const EnvModel *he, EnvReport &er) {
    // The two sides on the two threads a build uses: backends only read
    // their own side's Program.
    std::map<std::string, std::string> before, after;
    {
      std::thread other;
      if (be)
        other = std::thread([&] { before = generatedFiles(b_, *be); });
      if (he)
        after = generatedFiles(h_, *he);
      if (other.joinable())
        other.join();
    }
    std::set<std::string> paths;
    for (const auto &[p, t] : before)
      paths.insert(p);
    for (const auto &[p, t] : after)
      paths.insert(p);
    for (const std::string &p : paths) {
      auto bi = before.find(p), hi = after.find(p);
      FileChange fc;
      fc.path = p;
      // Most files are byte-identical; only the others are normalised.
      if (bi != before.end() && hi != after.end() && bi->second == hi->second)
        continue;
      std::string bt = bi == before.end() ? "" : withoutProvenance(bi->second);
      std::string ht = hi == after.end() ? "" : withoutProvenance(hi->second);
      if (bi == before.end())
        fc.kind = FileChange::Added;
      else if (hi == after.end())
        fc.kind = FileChange::Removed;
      else if (bt == ht)
        continue;
      if (opts_.files)
        fc.unified = unifiedDiff(bt, ht, bi == before.end() ? "/dev/null" : "a/" + er.name + "/" + p,
                                 hi == after.end() ? "/dev/null" : "b/" + er.name + "/" + p);
      er.files.push_back(std::move(fc));
    }
  }

  // ---- costs

  void costs(const EnvModel *be, const EnvModel *he, EnvReport &er) {
    struct Pair {
      double before = 0, after = 0, budget = -1;
      Location where;
    };
    std::map<std::string, Pair> teams;
    if (be)
      for (const governance::TeamCost &t : governance::teamCosts(bp_, *be, false)) {
        teams[bp_.decl(t.team).qualifiedName].before = t.total;
        er.totalBefore += t.total;
      }
    if (he)
      for (const governance::TeamCost &t : governance::teamCosts(hp_, *he, false)) {
        Pair &p = teams[hp_.decl(t.team).qualifiedName];
        p.after = t.total;
        p.budget = t.budget;
        p.where = locate(h_, hp_.decl(t.team).nameSpan, false);
        er.totalAfter += t.total;
      }
    for (const auto &[team, p] : teams) {
      if (std::abs(p.after - p.before) < 0.005)
        continue;
      er.costs.push_back(CostChange{team, p.before, p.after, p.budget});
      // A rise is a risk when it is large (a tenth or more) or takes the
      // team over its budget.
      bool large = p.after > p.before && p.after >= p.before * 1.1;
      bool overBudget = p.budget >= 0 && p.after > p.budget && p.after > p.before;
      if (!he || !(large || overBudget))
        continue;
      Flag &f = flag("cost-increased", er.name, team,
                     fmt::format("`{}` costs ${:.2f} a month, up from ${:.2f}{}", team, p.after, p.before,
                                 overBudget ? fmt::format(", over its budget of ${:.2f}", p.budget)
                                            : ""),
                     p.where);
      if (p.budget >= 0)
        f.details.push_back(fmt::format("budget ${:.2f} a month, {:.0f}% used", p.budget,
                                        p.budget > 0 ? 100 * p.after / p.budget : 100.0));
    }
  }

  // ---- IAM

  void iam(const EnvModel *be, const EnvModel &he) {
    std::map<std::string, std::set<std::string>> granted; // role → "action on resource"
    if (be) {
      backends::BackendContext ctx{bp_, *be, b_.workspace->sources()};
      for (const backends::iam::Role &role : backends::iam::roles(ctx))
        for (const backends::iam::Statement &s : role.statements)
          if (s.allow)
            for (const std::string &a : s.actions)
              for (const std::string &res : s.resources)
                granted[role.name].insert(fmt::format("`{}` on `{}`", a, res));
    }
    std::set<std::string> oldEdges = edgeKeys(bp_, be);
    backends::BackendContext ctx{hp_, he, h_.workspace->sources()};
    for (const backends::iam::Role &role : backends::iam::roles(ctx)) {
      const std::set<std::string> &had = granted[role.name];
      for (const backends::iam::Statement &s : role.statements) {
        if (!s.allow)
          continue;
        std::vector<std::string> added;
        for (const std::string &a : s.actions)
          for (const std::string &res : s.resources) {
            std::string g = fmt::format("`{}` on `{}`", a, res);
            if (!had.count(g))
              added.push_back(g);
          }
        if (added.empty())
          continue;
        // The edge that produced the statement: its Sid ends with the
        // target's name (`InvokeFraudScorer`); prefer a new edge.
        const Edge *cause = nullptr;
        for (const Edge &e : he.edgesFrom(role.decl->id)) {
          if (e.kind == EdgeKind::Owns || !llvm::StringRef(s.sid).endswith(backends::sidWord(hp_.decl(e.to).name)))
            continue;
          if (!cause || (!oldEdges.count(edgeKey(hp_, e)) && oldEdges.count(edgeKey(hp_, *cause))))
            cause = &e;
        }
        Location where = locate(h_, cause ? cause->span : role.decl->nameSpan, false);
        Flag &f = flag("iam-widened", he.name, role.decl->qualifiedName,
                       fmt::format("role `{}` of `{}` may now {}", role.name, role.decl->name, join(added)),
                       where);
        if (cause)
          f.details.push_back(fmt::format("granted for the `{}` edge `{}` → `{}` (statement `{}`)",
                                          sema::edgeName(cause->kind).str(), role.decl->name,
                                          hp_.decl(cause->to).name, s.sid));
        else
          f.details.push_back(fmt::format("statement `{}`", s.sid));
      }
    }
  }

  // ---- network

  void network(const EnvModel *be, const EnvModel &he) {
    std::set<std::string> oldEdges = edgeKeys(bp_, be);
    for (const Edge &e : he.edges) {
      if (e.kind != EdgeKind::Calls || !exists(he, e.from) || !exists(he, e.to))
        continue;
      const sema::Decl &from = hp_.decl(e.from), &to = hp_.decl(e.to);
      if (from.kindId != sema::DeclKind::Service || to.kindId != sema::DeclKind::Service ||
          oldEdges.count(edgeKey(hp_, e)))
        continue;
      flag("network-path-added", he.name, from.qualifiedName,
           fmt::format("`{}` can now reach `{}` over the network", from.name, to.name),
           locate(h_, e.span, false))
          .details.push_back("the network policy of `" + to.name + "` admits `" + from.name + "`");
    }
    // A service that calls a model or reads or writes a dataset gets
    // egress to HTTPS anywhere but the metadata service (the Kubernetes
    // backend's NetworkPolicy: AWS endpoints cannot be named as hosts).
    auto awsEdge = [](const Program &p, const EnvModel &env, DeclId id) -> const Edge * {
      for (const Edge &e : env.edgesFrom(id))
        if (exists(env, e.to) && ((e.kind == EdgeKind::Calls && p.decl(e.to).kindId == sema::DeclKind::Model) ||
                                  e.kind == EdgeKind::Reads || e.kind == EdgeKind::Writes))
          return &e;
      return nullptr;
    };
    for (const sema::Decl &d : hp_.decls) {
      if (d.fromStdlib || d.kindId != sema::DeclKind::Service || !exists(he, d.id))
        continue;
      DeclId bid = be ? baseId(d.qualifiedName) : sema::kNoDecl;
      const Edge *now = awsEdge(hp_, he, d.id);
      if (!now || (bid != sema::kNoDecl && exists(*be, bid) && awsEdge(bp_, *be, bid)))
        continue;
      flag("network-path-added", he.name, d.qualifiedName,
           fmt::format("`{}` may now open HTTPS connections outside the cluster", d.name),
           locate(h_, now->span, false))
          .details.push_back(fmt::format("the network policy of `{}` admits egress to AWS APIs (TCP 443 to "
                                         "any address but the instance metadata service) for the `{}` edge "
                                         "`{}` → `{}`",
                                         d.name, sema::edgeName(now->kind).str(), d.name, hp_.decl(now->to).name));
    }
    for (const sema::Decl &d : hp_.decls) {
      if (d.fromStdlib || d.kindId != sema::DeclKind::Service || !exists(he, d.id))
        continue;
      const Value *expose = he.get(d.id, fields::service::expose);
      if (!expose || expose->text != "public")
        continue;
      DeclId bid = be ? baseId(d.qualifiedName) : sema::kNoDecl;
      const Value *before =
          bid != sema::kNoDecl && exists(*be, bid) ? be->get(bid, fields::service::expose) : nullptr;
      if (before && before->text == "public")
        continue;
      flag("newly-public", he.name, d.qualifiedName,
           fmt::format("`{}` is now reachable from the internet", d.name), locate(h_, expose->span, false))
          .details.push_back(fmt::format("expose: {} → public", before ? before->text : "(new service)"));
    }
  }

  // ---- classification reach

  void classification(const EnvModel *be, const EnvModel &he) {
    for (const sema::Decl &d : hp_.decls) {
      if (d.fromStdlib || !exists(he, d.id) || d.id >= he.classification.size())
        continue;
      int after = he.classification[d.id];
      // Datasets carry their own level; reach is about what uses them.
      if (after < 2 || d.kindId == sema::DeclKind::Dataset)
        continue;
      DeclId bid = be ? baseId(d.qualifiedName) : sema::kNoDecl;
      int before = bid != sema::kNoDecl && exists(*be, bid) && bid < be->classification.size()
                       ? be->classification[bid]
                       : -1;
      if (after <= before)
        continue;
      Diagnostic path{};
      governance::addLineageNotes(path, hp_, he, d.id);
      Location where = locate(h_, d.nameSpan, false);
      if (!path.notes.empty() && path.notes.front().span)
        where = locate(h_, *path.notes.front().span, false);
      Flag &f = flag("classification-reach-grown", he.name, d.qualifiedName,
                     fmt::format("`{}` now reaches {} data{}", d.name,
                                 governance::classificationName(after).str(),
                                 before < 0 ? "" : fmt::format(" (was {})",
                                                               governance::classificationName(before).str())),
                     where);
      for (const Note &n : path.notes)
        f.details.push_back(n.span ? fmt::format("{} ({})", n.message, locationText(locate(h_, *n.span, false)))
                                   : n.message);
    }
  }

  // ---- models: approval gates and compliance scopes

  void models(const EnvModel &be, const EnvModel &he) {
    for (const auto &[name, hid] : hDecls_) {
      DeclId bid = baseId(name);
      if (bid == sema::kNoDecl || !exists(be, bid) || !exists(he, hid))
        continue;
      const sema::Decl &d = hp_.decl(hid);
      // Compliance scopes, on any kind that has them.
      if (const Value *bc = be.get(bid, fields::any::compliance)) {
        std::set<std::string> before = refNames(bp_, bc),
                              after = refNames(hp_, he.get(hid, fields::any::compliance));
        std::set<std::string> dropped;
        for (const std::string &s : before)
          if (!after.count(s))
            dropped.insert(s);
        if (!dropped.empty()) {
          const Value *hc = he.get(hid, fields::any::compliance);
          flag("compliance-scope-dropped", he.name, name,
               fmt::format("`{}` is no longer in the {} compliance scope", d.name, quoted(dropped)),
               hc ? locate(h_, hc->span, false) : locate(h_, d.nameSpan, false))
              .details.push_back(fmt::format("compliance: {} → {}", text(bp_, bc), text(hp_, hc)));
        }
      }
      if (d.kindId != sema::DeclKind::Model)
        continue;
      const Value *ba = be.get(bid, fields::model::approval), *ha = he.get(hid, fields::model::approval);
      if (!ba)
        continue;
      if (!ha) {
        flag("approval-gate-weakened", he.name, name,
             fmt::format("`{}` no longer has an approval gate: new versions deploy without sign-off", d.name),
             locate(b_, ba->span, true));
        continue;
      }
      std::vector<std::string> why;
      std::set<std::string> ap = refNames(bp_, ba->field(records::approval_gate::approvers)),
                            hap = refNames(hp_, ha->field(records::approval_gate::approvers));
      for (const std::string &a : ap)
        if (!hap.count(a))
          why.push_back(fmt::format("approver {} removed", a));
      if (text(bp_, ba->field(records::approval_gate::by)) !=
          text(hp_, ha->field(records::approval_gate::by)))
        why.push_back(fmt::format("approved by {} instead of {}",
                                  text(hp_, ha->field(records::approval_gate::by)),
                                  text(bp_, ba->field(records::approval_gate::by))));
      std::map<std::string, const Value *> hthr;
      if (const Value *t = ha->field(records::approval_gate::thresholds))
        for (const Value *item : t->items)
          if (const Value *m = item->field(records::threshold::metric))
            hthr[m->text] = item;
      if (const Value *t = ba->field(records::approval_gate::thresholds))
        for (const Value *item : t->items) {
          const Value *m = item->field(records::threshold::metric), *op = item->field(records::threshold::op),
                      *v = item->field(records::threshold::value);
          if (!m || !op || !v)
            continue;
          auto it = hthr.find(m->text);
          if (it == hthr.end()) {
            why.push_back(fmt::format("threshold `{} {} {}` removed", m->text, op->text, sema::numberText(v->asNumber())));
            continue;
          }
          const Value *nop = it->second->field(records::threshold::op),
                      *nv = it->second->field(records::threshold::value);
          if (!nop || !nv)
            continue;
          bool looser = nop->text != op->text ||
                        ((op->text == ">=" || op->text == ">") && nv->asNumber() < v->asNumber()) ||
                        ((op->text == "<=" || op->text == "<") && nv->asNumber() > v->asNumber());
          if (looser)
            why.push_back(fmt::format("threshold `{} {} {}` loosened to `{} {} {}`", m->text, op->text,
                                      sema::numberText(v->asNumber()), m->text, nop->text,
                                      sema::numberText(nv->asNumber())));
        }
      if (why.empty())
        continue;
      flag("approval-gate-weakened", he.name, name, fmt::format("the approval gate of `{}` is weaker", d.name),
           locate(h_, ha->span, false))
          .details = why;
    }
  }

  // ---- agents

  void newAgent(const EnvModel &he, DeclId hid, const std::string &env) {
    const sema::Decl &d = hp_.decl(hid);
    std::vector<std::string> may;
    if (const Value *m = he.get(hid, fields::agent::may))
      for (const sema::NamedValue &f : m->fields)
        for (const std::string &t : refNames(hp_, f.value))
          may.push_back(fmt::format("{} `{}`", f.name, t));
    Flag &f = flag("agent-granted-more", env, d.qualifiedName, fmt::format("new agent `{}`", d.name),
                   locate(h_, d.nameSpan, false));
    f.details = may.empty() ? std::vector<std::string>{"may do nothing yet"} : may;
  }

  void agents(const EnvModel &be, const EnvModel &he) {
    for (const auto &[name, hid] : hDecls_) {
      DeclId bid = baseId(name);
      const sema::Decl &d = hp_.decl(hid);
      if (d.kindId != sema::DeclKind::Agent || bid == sema::kNoDecl || !exists(be, bid) || !exists(he, hid))
        continue;
      std::vector<std::string> why;
      Span at;
      const Value *bm = be.get(bid, fields::agent::may), *hm = he.get(hid, fields::agent::may);
      if (hm)
        for (const sema::NamedValue &f : hm->fields) {
          std::set<std::string> before = refNames(bp_, bm ? bm->field(f.name) : nullptr);
          for (const std::string &t : refNames(hp_, f.value))
            if (!before.count(t)) {
              why.push_back(fmt::format("may {} `{}`", f.name, t));
              if (!at.valid())
                at = f.value->span;
            }
        }
      const Value *bd = be.get(bid, fields::agent::deny), *hd = he.get(hid, fields::agent::deny);
      if (bd)
        for (const sema::NamedValue &f : bd->fields) {
          std::set<std::string> after = refNames(hp_, hd ? hd->field(f.name) : nullptr);
          for (const std::string &t : refNames(bp_, f.value))
            if (!after.count(t))
              why.push_back(fmt::format("no longer denied {} `{}`", f.name, t));
        }
      std::set<std::string> hb = refNames(bp_, be.get(bid, fields::agent::human_approval)),
                            ha = refNames(hp_, he.get(hid, fields::agent::human_approval));
      for (const std::string &a : hb)
        if (!ha.count(a)) {
          why.push_back(fmt::format("`{}` no longer needs human approval", a));
          if (!at.valid() && he.get(hid, fields::agent::human_approval))
            at = he.get(hid, fields::agent::human_approval)->span;
        }
      const Value *bq = be.get(bid, fields::any::quota), *hq = he.get(hid, fields::any::quota);
      if (bq && hq)
        for (sema::RecordFieldKey k :
             {records::agent_quota::requests, records::agent_quota::tokens, records::agent_quota::spend}) {
          // An unset limit is no limit: removing one grants more, adding
          // one grants less.
          const Value *x = bq->field(k), *y = hq->field(k);
          if (x && (!y || y->asNumber() > x->asNumber())) {
            why.push_back(fmt::format("quota {}: {} → {}", sema::fieldName(k).str(), text(bp_, x),
                                      y ? text(hp_, y) : "unlimited"));
            if (!at.valid() && y)
              at = y->span;
          }
        }
      if (why.empty())
        continue;
      flag("agent-granted-more", he.name, name, fmt::format("agent `{}` is granted more", d.name),
           locate(h_, at.valid() ? at : d.nameSpan, false))
          .details = why;
    }
  }

  // ---- dataset columns and their blast radius

  void columns(const EnvModel &be, const EnvModel &he) {
    for (const auto &[name, bid] : bDecls_) {
      const sema::Decl &bd = bp_.decl(bid);
      auto hit = hDecls_.find(name);
      if (bd.kindId != sema::DeclKind::Dataset || hit == hDecls_.end() || !exists(be, bid) ||
          !exists(he, hit->second))
        continue;
      const sema::Decl &hd = hp_.decl(hit->second);
      std::map<std::string, const sema::Column *> after;
      for (const sema::Column &c : hd.columns)
        after[c.name] = &c;
      for (const sema::Column &c : bd.columns) {
        auto it = after.find(c.name);
        if (it != after.end() && it->second->type == c.type)
          continue;
        bool removed = it == after.end();
        // The blast radius on the side where the column exists.
        const Program &p = removed ? bp_ : hp_;
        const EnvModel &env = removed ? be : he;
        DeclId ds = removed ? bid : hit->second;
        Flag &f = flag(removed ? "dataset-column-removed" : "dataset-column-retyped", he.name, name,
                       removed ? fmt::format("column `{}.{}` is removed", bd.name, c.name)
                               : fmt::format("column `{}.{}` changes type from {} to {}", bd.name, c.name,
                                             c.type, it->second->type),
                       removed ? locate(b_, c.span, true) : locate(h_, it->second->span, false));
        f.details = blastRadius(p, env, ds, c.name);
        if (f.details.empty())
          f.details.push_back("nothing reads the dataset");
      }
    }
  }

  // Everything downstream of `dataset`: what reads it, is trained on it,
  // calls or invokes what is, and what pipelines write from it; the direct
  // users of the column by name first.
  std::vector<std::string> blastRadius(const Program &p, const EnvModel &env, DeclId dataset,
                                       const std::string &column) {
    std::vector<std::string> out;
    // Direct uses of `dataset.column` in any field.
    std::set<DeclId> usesColumn;
    std::function<bool(const Value *)> mentions = [&](const Value *v) {
      if (!v)
        return false;
      if (v->kind == Value::Kind::ColumnRef && v->ref == dataset && v->text == column)
        return true;
      for (const Value *i : v->items)
        if (mentions(i))
          return true;
      for (const sema::NamedValue &f : v->fields)
        if (mentions(f.value))
          return true;
      return false;
    };
    for (const sema::Decl &d : p.decls) {
      if (d.fromStdlib || !exists(env, d.id))
        continue;
      for (const sema::FieldValue &f : env.fields[d.id])
        if (mentions(f.value)) {
          usesColumn.insert(d.id);
          out.push_back(fmt::format("{} `{}` uses `{}.{}` in `{}`", d.kind, d.name, p.decl(dataset).name,
                                    column, f.def->name));
          break;
        }
    }
    // Downstream, breadth first; each reached once.
    std::map<DeclId, std::vector<const Edge *>> into;
    for (const Edge &e : env.edges)
      into[e.to].push_back(&e);
    std::vector<DeclId> queue{dataset};
    std::set<DeclId> seen{dataset};
    for (size_t i = 0; i < queue.size(); ++i) {
      DeclId at = queue[i];
      auto visit = [&](DeclId next, const std::string &how) {
        if (!seen.insert(next).second || !exists(env, next))
          return;
        queue.push_back(next);
        if (!usesColumn.count(next))
          out.push_back(how);
      };
      auto it = into.find(at);
      if (it != into.end())
        for (const Edge *e : it->second) {
          if (e->kind == EdgeKind::Owns || e->kind == EdgeKind::Writes || e->kind == EdgeKind::AgentWrites)
            continue;
          visit(e->from, fmt::format("{} `{}` {} `{}`", p.decl(e->from).kind, p.decl(e->from).name,
                                     sema::edgeVerb(e->kind).str(), p.decl(at).name));
        }
      // A pipeline passes what it reads on to what it writes.
      if (p.decl(at).kindId == sema::DeclKind::Pipeline)
        for (const Edge &e : env.edgesFrom(at, EdgeKind::Writes))
          visit(e.to, fmt::format("dataset `{}` is written by `{}`", p.decl(e.to).name, p.decl(at).name));
    }
    return out;
  }
};

// ---- rendering helpers

const char *declChangeWord(DeclChange::Kind k) {
  return k == DeclChange::Added ? "added" : k == DeclChange::Removed ? "removed" : "changed";
}
const char *fileChangeWord(FileChange::Kind k) {
  return k == FileChange::Added ? "added" : k == FileChange::Removed ? "removed" : "changed";
}
const char *sign(int kind) { return kind == 0 ? "+" : kind == 1 ? "-" : "~"; }

std::string money(double v) { return fmt::format("${:.2f}", v); }
std::string delta(double before, double after) {
  double d = after - before;
  return fmt::format("{}${:.2f}", d < 0 ? "-" : "+", std::abs(d));
}

size_t changedFiles(const Report &r) {
  size_t n = 0;
  for (const EnvReport &e : r.envs)
    n += e.files.size();
  return n;
}
size_t changedDecls(const Report &r) {
  size_t n = 0;
  for (const EnvReport &e : r.envs)
    n += e.decls.size();
  return n;
}

std::string count(size_t n, llvm::StringRef what) {
  return fmt::format("{} {}{}", n, what.str(), n == 1 ? "" : "s");
}

std::string headline(const Report &r) {
  return fmt::format("{}; {} and {} across {}", r.flags.empty() ? "no risk flags" : count(r.flags.size(), "risk flag"),
                     count(changedDecls(r), "declaration change"), count(changedFiles(r), "generated file change"),
                     count(r.envs.size(), "environment"));
}

// Markdown for a pull-request comment. Prose is ours, with names and values
// in `code spans`; nothing a workspace holds may open HTML, a link or an
// image there. Outside code spans Markdown's punctuation is escaped; inside,
// nothing is interpreted (so nothing is escaped: `<=` stays `<=`).
std::string md(llvm::StringRef s) {
  std::string out;
  bool inCode = false;
  for (char c : s) {
    if (c == '`') {
      inCode = !inCode;
      out += c;
    } else if (c == '\n' || c == '\r') {
      out += ' ';
    } else if (inCode) {
      out += c;
    } else if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else if (c == '&') {
      out += "&amp;";
    } else if (llvm::StringRef("\\*_[]!#|~").contains(c)) {
      out += '\\';
      out += c;
    } else {
      out += c;
    }
  }
  if (inCode)
    out += '`'; // a value with a stray backtick must not swallow what follows
  return out;
}

// Any text as one code span: the fence is longer than any run of backticks
// inside (CommonMark), padded when the text starts or ends with one.
std::string code(llvm::StringRef s) {
  size_t longest = 0;
  for (size_t i = 0, run = 0; i < s.size(); ++i) {
    run = s[i] == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  std::string text;
  for (char c : s)
    text += c == '\n' || c == '\r' ? ' ' : c;
  std::string fence(longest + 1, '`');
  bool pad = !text.empty() && (text.front() == '`' || text.back() == '`');
  return fence + (pad ? " " : "") + text + (pad ? " " : "") + fence;
}

// Text for people: every line made safe for a terminal (and a review page):
// control characters and bidirectional overrides from the workspace shown
// as escapes, never interpreted.
std::string safeLines(llvm::StringRef text) {
  std::string out;
  while (!text.empty()) {
    auto [line, rest] = text.split('\n');
    out += escapeForTerminal(line);
    if (text.size() > line.size())
      out += '\n';
    text = rest;
  }
  return out;
}

} // namespace

Report compare(const Side &base, const Side &head, const CompareOptions &options) {
  Report r;
  r.base = base.label;
  r.head = head.label;
  Comparer(base, head, options, r).run();
  return r;
}

// `teams/payments.plat:12` (and `...:12:5`) → `<source>`: where a
// declaration is written is provenance; moving it changes nothing deployed.
static std::string withoutSourcePositions(llvm::StringRef line) {
  std::string out;
  size_t from = 0;
  for (size_t at; (at = line.find(".plat:", from)) != llvm::StringRef::npos;) {
    size_t end = at + 6;
    size_t digits = end;
    while (digits < line.size() && llvm::isDigit(line[digits]))
      ++digits;
    if (digits == end) {
      out += line.slice(from, end).str();
      from = end;
      continue;
    }
    if (digits + 1 < line.size() && line[digits] == ':' && llvm::isDigit(line[digits + 1]))
      for (++digits; digits < line.size() && llvm::isDigit(line[digits]);)
        ++digits;
    size_t start = at;
    while (start > from && !llvm::StringRef(" \t\"'(=,[{").contains(line[start - 1]))
      --start;
    out += line.slice(from, start).str();
    out += "<source>";
    from = digits;
  }
  out += line.substr(from).str();
  return out;
}

std::string withoutProvenance(llvm::StringRef text) {
  std::string out;
  out.reserve(text.size());
  bool skipNext = false;
  while (!text.empty()) {
    auto [line, rest] = text.split('\n');
    bool last = rest.empty() && !text.endswith("\n");
    text = rest;
    if (skipNext) {
      skipNext = false;
      if (line.ltrim().startswith("\"Value\""))
        continue;
    }
    // Content hashes: `plat.dev/content-hash: ...`, `# content-hash: ...`,
    // `"plat:content-hash": ...`, `"contentHash": ...`, and SageMaker's
    // `"Key": "plat:content-hash",` followed by its `"Value": ...` line.
    if (line.contains("content-hash") || line.contains("contentHash")) {
      skipNext = line.ltrim().startswith("\"Key\"");
      continue;
    }
    out += line.contains(".plat:") ? withoutSourcePositions(line) : line.str();
    if (!last)
      out += '\n';
  }
  return out;
}

std::string unifiedDiff(llvm::StringRef before, llvm::StringRef after, llvm::StringRef fromName,
                        llvm::StringRef toName) {
  if (before == after)
    return "";
  llvm::SmallVector<llvm::StringRef, 0> a, b;
  before.split(a, '\n');
  after.split(b, '\n');
  if (!a.empty() && a.back().empty())
    a.pop_back();
  if (!b.empty() && b.back().empty())
    b.pop_back();
  // Common prefix and suffix first: generated files mostly differ in a few
  // places, and the edit script below then works on the middle only.
  size_t pre = 0;
  while (pre < a.size() && pre < b.size() && a[pre] == b[pre])
    ++pre;
  size_t suf = 0;
  while (suf < a.size() - pre && suf < b.size() - pre && a[a.size() - 1 - suf] == b[b.size() - 1 - suf])
    ++suf;
  size_t n = a.size() - pre - suf, m = b.size() - pre - suf;
  // ops: ' ' keep, '-' remove, '+' add, with indexes into a and b.
  struct Op {
    char op;
    size_t ai, bi;
  };
  std::vector<Op> ops;
  for (size_t i = 0; i < pre; ++i)
    ops.push_back({' ', i, i});
  // Myers' O((N+M)·D) shortest edit script over the middle. The frontier
  // of each step is kept (2d+1 entries) for the backtrack, so memory is
  // O(D²); beyond kMaxEdits edits the middle is shown as replaced whole.
  const long N = static_cast<long>(n), M = static_cast<long>(m);
  const long kMaxEdits = 4000;
  const long maxD = std::min(N + M, kMaxEdits);
  const long off = maxD + 1;
  std::vector<long> v(2 * maxD + 3, 0);
  std::vector<std::vector<long>> trace;
  bool found = false;
  for (long d = 0; d <= maxD && !found; ++d) {
    for (long k = -d; k <= d; k += 2) {
      long x = (k == -d || (k != d && v[off + k - 1] < v[off + k + 1])) ? v[off + k + 1] : v[off + k - 1] + 1;
      long y = x - k;
      while (x < N && y < M && a[pre + x] == b[pre + y])
        ++x, ++y;
      v[off + k] = x;
      if (x >= N && y >= M) {
        found = true;
        break;
      }
    }
    trace.emplace_back(v.begin() + (off - d), v.begin() + (off + d + 1));
  }
  if (found) {
    std::vector<Op> rev;
    long x = N, y = M;
    for (long d = static_cast<long>(trace.size()) - 1; d > 0; --d) {
      const std::vector<long> &prev = trace[d - 1]; // index: k + d - 1
      long k = x - y;
      auto at = [&](long kk) { return prev[kk + d - 1]; };
      long prevK = (k == -d || (k != d && at(k - 1) < at(k + 1))) ? k + 1 : k - 1;
      long prevX = at(prevK), prevY = prevX - prevK;
      while (x > prevX && y > prevY) {
        rev.push_back({' ', pre + x - 1, pre + y - 1});
        --x, --y;
      }
      if (prevK == k + 1)
        rev.push_back({'+', pre + x, pre + y - 1});
      else
        rev.push_back({'-', pre + x - 1, pre + y});
      x = prevX, y = prevY;
    }
    while (x > 0 && y > 0) {
      rev.push_back({' ', pre + x - 1, pre + y - 1});
      --x, --y;
    }
    ops.insert(ops.end(), rev.rbegin(), rev.rend());
  } else {
    for (size_t i = 0; i < n; ++i)
      ops.push_back({'-', pre + i, pre + m});
    for (size_t j = 0; j < m; ++j)
      ops.push_back({'+', pre + n, pre + j});
  }
  for (size_t i = 0; i < suf; ++i)
    ops.push_back({' ', pre + n + i, pre + m + i});

  // Within each run of edits, removed lines first (as diff and git print
  // them), with the positions they then have.
  for (size_t k = 0; k < ops.size();) {
    if (ops[k].op == ' ') {
      ++k;
      continue;
    }
    size_t end = k;
    size_t a0 = SIZE_MAX, b0 = SIZE_MAX, removed = 0, added = 0;
    for (; end < ops.size() && ops[end].op != ' '; ++end) {
      a0 = std::min(a0, ops[end].ai);
      b0 = std::min(b0, ops[end].bi);
      (ops[end].op == '-' ? removed : added)++;
    }
    for (size_t r = 0; r < removed; ++r)
      ops[k + r] = {'-', a0 + r, b0};
    for (size_t i = 0; i < added; ++i)
      ops[k + removed + i] = {'+', a0 + removed, b0 + i};
    k = end;
  }

  std::string out = fmt::format("--- {}\n+++ {}\n", fromName.str(), toName.str());
  const size_t context = 3;
  size_t k = 0;
  while (k < ops.size()) {
    if (ops[k].op == ' ') {
      ++k;
      continue;
    }
    // A hunk: from `context` lines before this change to `context` lines
    // after the last change that is at most 2*context lines from the next.
    size_t start = k >= context ? k - context : 0;
    size_t end = k;
    size_t lastChange = k;
    while (end < ops.size()) {
      if (ops[end].op != ' ')
        lastChange = end;
      else if (end - lastChange > 2 * context)
        break;
      ++end;
    }
    end = std::min(ops.size(), lastChange + context + 1);
    size_t aStart = ops[start].ai, bStart = ops[start].bi, aLen = 0, bLen = 0;
    std::string body;
    for (size_t x = start; x < end; ++x) {
      const Op &o = ops[x];
      if (o.op != '+')
        ++aLen;
      if (o.op != '-')
        ++bLen;
      body += o.op;
      body += (o.op == '+' ? b[o.bi] : a[o.ai]).str();
      body += '\n';
    }
    out += fmt::format("@@ -{},{} +{},{} @@\n", aLen ? aStart + 1 : aStart, aLen, bLen ? bStart + 1 : bStart,
                       bLen);
    out += body;
    k = end;
  }
  return out;
}

// Flags for people: the same finding in several environments (same flag,
// message, location and details) is said once, with every environment.
struct FlagGroup {
  const Flag *flag;
  std::string envs;
};
std::vector<FlagGroup> groupFlags(const Report &r) {
  std::vector<FlagGroup> out;
  std::map<std::string, size_t> seen;
  for (const Flag &f : r.flags) {
    std::string key = fmt::format("{}\x1f{}\x1f{}\x1f{}\x1f{}", f.flag, f.subject, f.message,
                                  locationText(f.location), join(f.details, "\x1f"));
    auto [it, fresh] = seen.emplace(key, out.size());
    if (fresh)
      out.push_back(FlagGroup{&f, f.env});
    else
      out[it->second].envs += ", " + f.env;
  }
  return out;
}

std::string renderText(const Report &r, bool files) {
  std::string out = fmt::format("platc diff: base `{}` → head `{}`\n{}\n", r.base, r.head, headline(r));
  if (!r.flags.empty()) {
    out += "\nrisk flags:\n";
    for (const FlagGroup &g : groupFlags(r)) {
      const Flag &f = *g.flag;
      out += fmt::format("  [{}] {}: {}\n", f.flag, g.envs, f.message);
      if (f.location.valid())
        out += fmt::format("      --> {}\n", locationText(f.location));
      for (const std::string &d : f.details)
        out += fmt::format("      = {}\n", d);
    }
  }
  for (const EnvReport &e : r.envs) {
    out += fmt::format("\nenvironment `{}`{}:\n", e.name,
                       e.kind == EnvReport::Added   ? " (added)"
                       : e.kind == EnvReport::Removed ? " (removed)"
                                                      : "");
    if (e.decls.empty() && e.files.empty() && e.costs.empty())
      out += "  no changes\n";
    for (const DeclChange &d : e.decls) {
      out += fmt::format("  {} {} `{}` ({})\n", sign(d.kind), d.declKind, d.name, locationText(d.location));
      for (const FieldChange &f : d.fields)
        out += fmt::format("      {}: {} → {}\n", f.field, f.before.empty() ? "(unset)" : f.before,
                           f.after.empty() ? "(unset)" : f.after);
    }
    if (!e.files.empty()) {
      out += "  generated files:\n";
      for (const FileChange &f : e.files) {
        out += fmt::format("    {} {}\n", sign(f.kind), f.path);
        if (files)
          out += f.unified;
      }
    }
    if (!e.costs.empty()) {
      out += fmt::format("  monthly cost: {} → {} ({})\n", money(e.totalBefore), money(e.totalAfter),
                         delta(e.totalBefore, e.totalAfter));
      for (const CostChange &c : e.costs)
        out += fmt::format("    `{}`: {} → {} ({}){}\n", c.team, money(c.before), money(c.after),
                           delta(c.before, c.after),
                           c.budget >= 0 ? fmt::format(", budget {}", money(c.budget)) : "");
    }
  }
  return safeLines(out);
}

std::string renderMarkdown(const Report &r, bool files) {
  std::string out = fmt::format("### platc diff: {}\n\nbase {} → head {}\n\n", md(headline(r)), code(r.base), code(r.head));
  if (!r.flags.empty()) {
    out += "#### Risk flags\n\n";
    for (const FlagGroup &g : groupFlags(r)) {
      const Flag &f = *g.flag;
      out += fmt::format("- **{}** ({}): {}", f.flag, md(g.envs), md(f.message));
      if (f.location.valid())
        out += fmt::format(" — {}", code(locationText(f.location)));
      out += "\n";
      for (const std::string &d : f.details)
        out += fmt::format("  - {}\n", md(d));
    }
    out += "\n";
  }
  for (const EnvReport &e : r.envs) {
    out += fmt::format("<details><summary>Environment <code>{}</code>{}: {}, {}</summary>\n\n", md(e.name),
                       e.kind == EnvReport::Added   ? " (added)"
                       : e.kind == EnvReport::Removed ? " (removed)"
                                                      : "",
                       count(e.decls.size(), "declaration change"), count(e.files.size(), "generated file change"));
    for (const DeclChange &d : e.decls) {
      out += fmt::format("- {} {} {} ({})\n", declChangeWord(d.kind), d.declKind, code(d.name),
                         code(locationText(d.location)));
      for (const FieldChange &f : d.fields)
        out += fmt::format("  - {}: {} → {}\n", code(f.field), code(f.before.empty() ? "(unset)" : f.before),
                           code(f.after.empty() ? "(unset)" : f.after));
    }
    if (!e.files.empty()) {
      out += "\nGenerated files:\n\n";
      for (const FileChange &f : e.files)
        out += fmt::format("- {} {}\n", fileChangeWord(f.kind), code(f.path));
      if (files) {
        // A fence longer than any run of backticks in the files.
        size_t longest = 0;
        for (const FileChange &f : e.files)
          for (size_t i = 0, run = 0; i < f.unified.size(); ++i) {
            run = f.unified[i] == '`' ? run + 1 : 0;
            longest = std::max(longest, run);
          }
        std::string fence(std::max<size_t>(3, longest + 1), '`');
        out += "\n" + fence + "diff\n";
        for (const FileChange &f : e.files)
          out += f.unified;
        out += fence + "\n";
      }
    }
    if (!e.costs.empty()) {
      out += fmt::format("\nMonthly cost: {} → {} ({})\n\n", money(e.totalBefore), money(e.totalAfter),
                         delta(e.totalBefore, e.totalAfter));
      for (const CostChange &c : e.costs)
        out += fmt::format("- {}: {} → {} ({}){}\n", code(c.team), money(c.before), money(c.after),
                           delta(c.before, c.after),
                           c.budget >= 0 ? fmt::format(", budget {}", money(c.budget)) : "");
    }
    out += "\n</details>\n\n";
  }
  return safeLines(out);
}

std::string renderJson(const Report &r, bool files) {
  using J = nlohmann::ordered_json;
  auto loc = [](const Location &l) -> J {
    if (!l.valid())
      return nullptr;
    return J{{"side", l.base ? "base" : "head"}, {"path", l.path}, {"line", l.line}, {"column", l.column}};
  };
  J j;
  j["version"] = 1;
  j["base"] = r.base;
  j["head"] = r.head;
  J flags = J::array();
  for (const Flag &f : r.flags)
    flags.push_back(J{{"flag", f.flag},
                      {"environment", f.env},
                      {"subject", f.subject},
                      {"message", f.message},
                      {"location", loc(f.location)},
                      {"details", f.details}});
  j["flags"] = flags;
  J envs = J::array();
  for (const EnvReport &e : r.envs) {
    J env;
    env["name"] = e.name;
    env["change"] = e.kind == EnvReport::Added ? "added" : e.kind == EnvReport::Removed ? "removed" : "both";
    J decls = J::array();
    for (const DeclChange &d : e.decls) {
      J fields = J::array();
      for (const FieldChange &f : d.fields)
        fields.push_back(J{{"field", f.field},
                           {"before", f.before.empty() ? J(nullptr) : J(f.before)},
                           {"after", f.after.empty() ? J(nullptr) : J(f.after)}});
      decls.push_back(J{{"name", d.name},
                        {"kind", d.declKind},
                        {"change", declChangeWord(d.kind)},
                        {"location", loc(d.location)},
                        {"fields", fields}});
    }
    env["declarations"] = decls;
    J fs = J::array();
    for (const FileChange &f : e.files) {
      J file{{"path", f.path}, {"change", fileChangeWord(f.kind)}};
      if (files)
        file["diff"] = f.unified;
      fs.push_back(file);
    }
    env["files"] = fs;
    J costs = J::array();
    for (const CostChange &c : e.costs)
      costs.push_back(J{{"team", c.team},
                        {"before", std::round(c.before * 100) / 100},
                        {"after", std::round(c.after * 100) / 100},
                        {"budget", c.budget >= 0 ? J(c.budget) : J(nullptr)}});
    env["costs"] = J{{"before", std::round(e.totalBefore * 100) / 100},
                     {"after", std::round(e.totalAfter * 100) / 100},
                     {"teams", costs}};
    envs.push_back(env);
  }
  j["environments"] = envs;
  return j.dump(2) + "\n";
}

} // namespace plat::review
