#include <algorithm>
#include <deque>

#include "fmt/format.h"
#include "governance/Governance.h"

namespace plat::governance {

namespace fields = sema::fields;
namespace records = sema::records;

using sema::DeclId;
using sema::Edge;
using sema::EdgeKind;
using sema::EnvModel;
using sema::Program;
using sema::Value;

static const char *kLevels[] = {"public", "internal", "confidential", "pii"};
constexpr int kPii = 3;
constexpr int kConfidential = 2;

llvm::StringRef classificationName(int level) {
  return level >= 0 && level <= 3 ? kLevels[level] : "unclassified";
}


// A hop of the lineage path where a dataset gets less than its writer has:
// a task of the writer de-identified the pii columns it read.
// (For a pipeline's task, `via` is the read the level came through: the
// read data is above what the task passed on only when it de-identified.)
static bool deidentifiedHop(const EnvModel &env, DeclId current, const Edge *via) {
  return via->from != current && via->to != current &&
         env.classification[via->to] > env.classification[current];
}

static bool deidentifiedOnPath(const EnvModel &env, DeclId id) {
  DeclId current = id;
  for (int guard = 0; guard < 64; ++guard) {
    const Edge *via = env.classificationVia[current];
    if (!via)
      break;
    if (deidentifiedHop(env, current, via))
      return true;
    current = via->from == current ? via->to : via->from;
  }
  return false;
}

// The level a declaration has on its own: a dataset's declared
// classification, raised to pii by any `@pii` column.
static int ownLevel(const Program &p, const EnvModel &env, DeclId id) {
  const sema::Decl &d = p.decl(id);
  if (d.kindId != sema::DeclKind::Dataset)
    return 0;
  int level = 1;
  if (const Value *c = env.get(id, fields::dataset::classification); c && c->kind == Value::Kind::Enum)
    level = static_cast<int>(c->integer);
  for (const sema::Column &col : d.columns)
    if (col.pii)
      level = kPii;
  return level;
}

// For a pipeline task writing a dataset: the level that flows through it.
// A task that de-identifies every pii column of what it reads passes pii
// data on as confidential.
static int taskLevel(const Program &p, const EnvModel &env, const Value *task, const Edge *&via,
                     const std::vector<const Edge *> &readEdges) {
  int level = 0;
  via = nullptr;
  const Value *reads = task->field(records::task::reads);
  const Value *deid = task->field(records::task::deidentifies);
  if (!reads)
    return 0;
  for (const Value *r : reads->items) {
    if (r->kind != Value::Kind::Ref)
      continue;
    int in = env.classification[r->ref];
    if (in == kPii) {
      bool allCovered = true;
      bool anyPiiColumn = false;
      for (const sema::Column &c : p.decl(r->ref).columns) {
        if (!c.pii)
          continue;
        anyPiiColumn = true;
        bool covered = false;
        if (deid)
          for (const Value *cr : deid->items)
            covered |= cr->kind == Value::Kind::ColumnRef && cr->ref == r->ref && cr->text == c.name;
        allCovered &= covered;
      }
      if (anyPiiColumn && allCovered)
        in = kConfidential;
    }
    if (in > level) {
      level = in;
      for (const Edge *e : readEdges)
        if (e->to == r->ref)
          via = e;
    }
  }
  return level;
}

void computeClassification(Program &p, EnvModel &env, Diagnostics &diags) {
  size_t n = p.decls.size();
  env.classification.assign(n, -1);
  env.classificationVia.assign(n, nullptr);
  for (const sema::Decl &d : p.decls)
    if (!d.fromStdlib && (d.kindId == sema::DeclKind::Dataset || d.kindId == sema::DeclKind::Service ||
                          d.kindId == sema::DeclKind::Model || d.kindId == sema::DeclKind::Pipeline ||
                          d.kindId == sema::DeclKind::Agent))
      env.classification[d.id] = ownLevel(p, env, d.id);

  // Edges along which data (and so classification) flows into `from`.
  // Monotone propagation over a 4-level lattice: it terminates after at most
  // 3 raises per declaration, whatever the cycles.
  std::vector<std::vector<const Edge *>> inflow(n); // edges whose `from` gains from `to`
  std::vector<std::vector<const Edge *>> writesTo(n);
  for (const Edge &e : env.edges) {
    switch (e.kind) {
    case EdgeKind::Calls:
    case EdgeKind::Reads:
    case EdgeKind::TrainedOn:
    case EdgeKind::Invokes:
    case EdgeKind::AgentReads:
      inflow[e.from].push_back(&e);
      break;
    case EdgeKind::Writes:
    case EdgeKind::AgentWrites:
      writesTo[e.to].push_back(&e);
      break;
    case EdgeKind::RetrainsOn:
    case EdgeKind::Triggers:
    case EdgeKind::Owns:
      break;
    }
  }
  // Reverse index: who is affected when X changes.
  std::vector<std::vector<DeclId>> dependents(n);
  for (const Edge &e : env.edges)
    if (e.kind != EdgeKind::Owns && e.kind != EdgeKind::Triggers && e.kind != EdgeKind::RetrainsOn)
      dependents[e.to].push_back(e.from), dependents[e.from].push_back(e.to);

  std::deque<DeclId> work;
  std::vector<bool> queued(n, false);
  for (DeclId id = 0; id < n; ++id)
    if (env.classification[id] >= 0 && env.exists[id]) {
      work.push_back(id);
      queued[id] = true;
    }
  auto raise = [&](DeclId id, int level, const Edge *via) {
    if (level <= env.classification[id])
      return;
    env.classification[id] = level;
    env.classificationVia[id] = via;
    for (DeclId dep : dependents[id])
      if (!queued[dep]) {
        queued[dep] = true;
        work.push_back(dep);
      }
  };
  while (!work.empty()) {
    DeclId id = work.front();
    work.pop_front();
    queued[id] = false;
    if (env.classification[id] < 0)
      continue;
    for (const Edge *e : inflow[id])
      if (env.classification[e->to] >= 0)
        raise(id, env.classification[e->to], e);
    if (p.decl(id).kindId != sema::DeclKind::Dataset)
      continue;
    // What its writers bring: per task for pipelines (so de-identification
    // counts), everything a service or agent reaches for the others.
    for (const Edge *w : writesTo[id]) {
      const sema::Decl &writer = p.decl(w->from);
      if (writer.kindId == sema::DeclKind::Pipeline) {
        const Value *tasks = env.get(w->from, fields::pipeline::task);
        if (!tasks)
          continue;
        for (const Value *task : tasks->items) {
          const Value *writes = task->field(records::task::writes);
          bool writesThis = false;
          if (writes)
            for (const Value *wv : writes->items)
              writesThis |= wv->kind == Value::Kind::Ref && wv->ref == id;
          if (!writesThis)
            continue;
          const Edge *via = nullptr;
          int level = taskLevel(p, env, task, via, inflow[w->from]);
          raise(id, level, via ? via : w);
        }
      } else if (env.classification[w->from] >= 0) {
        raise(id, env.classification[w->from], w);
      }
    }
  }

  // A dataset declared less sensitive than what flows into it.
  for (DeclId id : p.ofKind(sema::DeclKind::Dataset)) {
    if (!env.exists[id] || !env.classificationVia[id])
      continue;
    const Value *declared = env.get(id, fields::dataset::classification);
    int own = ownLevel(p, env, id);
    if (env.classification[id] <= own)
      continue;
    // A classification left at its default is reported at the dataset's
    // name, not at the default in the stdlib schema.
    bool isDefault = !declared || env.originOf(id, fields::dataset::classification) == sema::Origin::Default;
    Diagnostic &d = diags.report(
        DiagId::ClassificationDowngrade, isDefault ? p.decl(id).nameSpan : declared->span,
        fmt::format("`{}` is {} `{}`, but `{}` data flows into it: {}", p.decl(id).name,
                    isDefault ? "classified" : "declared", classificationName(own).str(),
                    classificationName(env.classification[id]).str(), lineagePath(p, env, id)));
    if (isDefault)
      d.note(fmt::format("`{}` declares no `classification`, so it is `{}` by default",
                         p.decl(id).name, classificationName(own).str()));
    addLineageNotes(d, p, env, id);
    std::string level = classificationName(env.classification[id]).str();
    // Once the data was de-identified on its way, what flows is already as
    // low as de-identification makes it: only the declaration can change.
    if (deidentifiedOnPath(env, id))
      d.withHelp(fmt::format("declare `classification = {}`: de-identified data is still {}", level, level));
    else
      d.withHelp(fmt::format(
          "declare `classification = {}`, or de-identify the sensitive columns in the task that "
          "writes it (`deidentifies = [dataset.column, ...]`)",
          level));
    // A setting that changes what is deployed (bucket policies, access):
    // offered, never applied by `platc fix`.
    if (!isDefault && declared->span.valid())
      d.fix(fmt::format("declare `classification = {}`", level), declared->span, level);
    else if (const ast::Block *block = p.block(p.decl(id)); block && block->close.valid())
      d.fix(fmt::format("declare `classification = {}`", level),
            Span{block->close.file, block->close.begin, block->close.begin},
            fmt::format("  classification = {}\n", level));
  }
}

std::string lineagePath(const Program &p, const EnvModel &env, DeclId id) {
  std::string out = p.decl(id).name;
  DeclId current = id;
  for (int guard = 0; guard < 64; ++guard) {
    const Edge *via = env.classificationVia[current];
    if (!via)
      break;
    DeclId next = via->from == current ? via->to : via->from;
    llvm::StringRef verb = sema::edgeVerb(via->kind);
    verb.consume_front("is "); // "(trained on)" reads better in a path
    std::string hop = via->from == current ? verb.str() : "written by";
    if (deidentifiedHop(env, current, via))
      hop += fmt::format(", de-identified to {}", classificationName(env.classification[current]).str());
    out += fmt::format(" → {} ({})", p.decl(next).name, hop);
    current = next;
  }
  out += fmt::format(" = {}", classificationName(env.classification[current]).str());
  return out;
}

void addLineageNotes(Diagnostic &d, const Program &p, const EnvModel &env, DeclId id) {
  DeclId current = id;
  for (int guard = 0; guard < 64; ++guard) {
    const Edge *via = env.classificationVia[current];
    if (!via)
      break;
    DeclId next = via->from == current ? via->to : via->from;
    if (via->from == current)
      d.note(via->span, fmt::format("`{}` {} `{}`", p.decl(current).name, sema::edgeVerb(via->kind).str(),
                                    p.decl(next).name));
    else {
      // Point at the `writes` that names this dataset, not at the read the
      // classification came through.
      Span at = via->span;
      for (const Edge &e : env.edges)
        if (e.from == next && e.to == current &&
            (e.kind == EdgeKind::Writes || e.kind == EdgeKind::AgentWrites)) {
          at = e.span;
          break;
        }
      if (deidentifiedHop(env, current, via))
        d.note(at, fmt::format("`{}` is written by `{}`, which de-identifies the pii columns it reads: "
                               "`{}` data flows on",
                               p.decl(current).name, p.decl(next).name,
                               classificationName(env.classification[current]).str()));
      else
        d.note(at, fmt::format("`{}` is written by `{}`", p.decl(current).name, p.decl(next).name));
    }
    current = next;
  }
  const sema::Decl &source = p.decl(current);
  Span where = source.nameSpan;
  for (const sema::Column &c : source.columns)
    if (c.pii) {
      where = c.span;
      break;
    }
  d.note(where, fmt::format("`{}` is {}", source.name,
                            classificationName(env.classification[current]).str()));
}

} // namespace plat::governance
