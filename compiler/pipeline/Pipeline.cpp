#include "pipeline/Pipeline.h"

#include <algorithm>
#include <cstdint>
#include <ctime>
#include <map>
#include <optional>
#include <vector>

#include "ast/Ast.h"
#include "governance/Governance.h"
#include "llvm/ADT/STLExtras.h"
#include "sema/Cross.h"
#include "sema/PolicyTypes.h"
#include "sema/TargetLimits.h"

namespace plat::pipeline {

namespace {

double cpuSeconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

// Syntax errors inside one literal (an escape, an interpolation, a number):
// the parser patches the literal and the file's structure is intact.
bool literalError(DiagId id) {
  return id == DiagId::InvalidEscape || id == DiagId::InvalidInterpolation || id == DiagId::InvalidNumber;
}

// Where a file's syntax errors leave its meaning unknown: the literal of a
// literal error; for any other, from the start of the top-level item the
// first error is in (or follows) to the end of the file, since the parser's
// recovery may have dropped or glued together anything after it.
std::vector<Span> brokenRegions(const Workspace &ws) {
  std::vector<Span> out;
  for (const LoadedFile &lf : ws.files()) {
    if (!lf.parsed.ast || !lf.parsed.ast->hasSyntaxErrors)
      continue;
    std::optional<uint32_t> first;
    for (const Diagnostic &d : lf.syntaxDiagnostics) {
      if (d.severity != Severity::Error || !d.span.valid())
        continue;
      if (literalError(d.id))
        out.push_back(Span{lf.id, d.span.begin, std::max(d.span.end, d.span.begin + 1)});
      else if (!first || d.span.begin < *first)
        first = d.span.begin;
    }
    if (!first)
      continue;
    uint32_t begin = 0;
    for (const ast::Item *item : lf.parsed.ast->decls)
      if (item->span.begin <= *first)
        begin = item->span.begin;
    out.push_back(Span{lf.id, begin, UINT32_MAX});
  }
  return out;
}

// Drops, from the diagnostics the checking stages added (`from` on), those
// that only follow from a syntax error: located in, or reasoning about (a
// note or label pointing into), a region a syntax error left unknown. The
// syntax errors themselves are the diagnostics to act on; "declare a team
// named `image`" after `owner =` with its value missing is not.
void dropCascades(const Workspace &ws, Diagnostics &diags, size_t from) {
  std::map<FileId, std::vector<Span>> broken; // per file; a handful each
  for (Span r : brokenRegions(ws))
    broken[r.file].push_back(r);
  if (broken.empty())
    return;
  auto inBroken = [&](const std::optional<Span> &span) {
    if (!span || !span->valid())
      return false;
    auto it = broken.find(span->file);
    return it != broken.end() && llvm::any_of(it->second, [&](Span r) {
             return r.begin <= span->begin && span->begin < r.end;
           });
  };
  std::vector<Diagnostic> &all = diags.all();
  auto cascade = [&](const Diagnostic &d) {
    return inBroken(d.span) || llvm::any_of(d.notes, [&](const Note &n) { return inBroken(n.span); }) ||
           llvm::any_of(d.labels, [&](const Label &l) { return inBroken(l.span); });
  };
  all.erase(std::remove_if(all.begin() + static_cast<std::ptrdiff_t>(from), all.end(), cascade), all.end());
}

// Called between resolution and the whole-graph stages, with the
// diagnostics so far; those from `from` on are resolution's, the ones
// before it the workspace's syntax diagnostics.
using AfterResolve =
    std::function<void(const sema::Program &, const Diagnostics &, size_t from)>;

std::unique_ptr<sema::Program> run(const Workspace &ws, Diagnostics &diags,
                                   const sema::Program *previous, sema::PhaseTimes *times,
                                   sema::RecheckStats *stats, const AfterResolve &afterResolve = {},
                                   const std::function<bool()> &stop = {}) {
  size_t from = diags.all().size();
  double t0 = cpuSeconds();
  std::unique_ptr<sema::Program> program = sema::resolve(ws, diags, previous, stats);
  if (afterResolve)
    afterResolve(*program, diags, from);
  size_t graphFrom = diags.all().size();
  auto stopped = [&] { return stop && stop(); };
  double t1 = cpuSeconds();
  if (stopped())
    return nullptr;
  sema::crossCheck(*program, diags, stop);
  if (stopped())
    return nullptr;
  sema::checkTargetLimits(*program, diags);
  sema::typePolicies(*program, diags);
  double t2 = cpuSeconds();
  if (stopped())
    return nullptr;
  governance::checkGovernance(*program, diags, stop);
  if (stopped())
    return nullptr;
  for (size_t i = graphFrom; i < diags.all().size(); ++i)
    diags.all()[i].stage = Stage::Graph;
  dropCascades(ws, diags, from);
  double t3 = cpuSeconds();
  if (times)
    *times = sema::PhaseTimes{t1 - t0, t2 - t1, t3 - t2};
  return program;
}

// The user declarations of one file, by qualified name, with their spans.
std::map<std::string, Span> declsOf(const sema::Program &program, FileId file) {
  std::map<std::string, Span> out;
  for (const sema::Decl &d : program.decls)
    if (!d.fromStdlib && d.span.file == file)
      out.emplace(d.qualifiedName, d.span);
  return out;
}

// See EarlyDiagnostics (Pipeline.h).
std::vector<Diagnostic> earlyDiagnostics(const Snapshot &previous, const Workspace &ws,
                                         const sema::Program &resolved,
                                         const Diagnostics &sofar, size_t from,
                                         const std::vector<FileId> &files) {
  auto edited = [&](FileId id) { return llvm::is_contained(files, id); };
  Diagnostics out;
  size_t checkedFrom = 0; // the first that is not a syntax diagnostic
  for (size_t i = 0; i < sofar.all().size(); ++i) {
    if (i == from)
      checkedFrom = out.all().size();
    const Diagnostic &d = sofar.all()[i];
    if (d.span.valid() && edited(d.span.file))
      out.all().push_back(d);
  }
  if (from >= sofar.all().size())
    checkedFrom = out.all().size();

  // Each old version's unchanged declarations: old span -> new begin.
  struct Moved {
    Span old;
    uint32_t newBegin;
  };
  std::map<FileId, std::pair<FileId, std::vector<Moved>>> moves; // old file -> new file, moves
  const SourceManager &oldSources = previous.workspace.sources();
  for (FileId now : files) {
    const LoadedFile *lf = nullptr;
    for (const LoadedFile &f : ws.files())
      if (f.id == now)
        lf = &f;
    const LoadedFile *was = nullptr;
    for (const LoadedFile &f : previous.workspace.files())
      if (lf && f.relativePath == lf->relativePath)
        was = &f;
    if (!lf || !was)
      continue;
    std::map<std::string, Span> newDecls = declsOf(resolved, now);
    auto &[newFile, kept] = moves[was->id];
    newFile = now;
    for (const auto &[name, oldSpan] : declsOf(*previous.program, was->id)) {
      auto it = newDecls.find(name);
      if (it != newDecls.end() && oldSources.text(oldSpan) == ws.sources().text(it->second))
        kept.push_back({oldSpan, it->second.begin});
    }
  }
  // A span of an old version moved to the new one, or nothing when it is
  // not inside an unchanged declaration; spans of other files stay.
  auto move = [&](Span s) -> std::optional<Span> {
    if (!s.valid())
      return s;
    auto it = moves.find(s.file);
    if (it == moves.end())
      return edited(s.file) ? std::nullopt : std::optional<Span>(s);
    for (const Moved &m : it->second.second)
      if (m.old.begin <= s.begin && s.end <= m.old.end)
        return Span{it->second.first, s.begin - m.old.begin + m.newBegin,
                    s.end - m.old.begin + m.newBegin};
    return std::nullopt;
  };
  for (const Diagnostic &d : previous.diagnostics) {
    if (d.stage != Stage::Graph || !d.span.valid() || !moves.count(d.span.file))
      continue;
    Diagnostic c = d;
    bool ok = true;
    auto fix = [&](Span &s) {
      if (std::optional<Span> m = move(s))
        s = *m;
      else
        ok = false;
    };
    fix(c.span);
    for (Label &l : c.labels)
      fix(l.span);
    for (Note &n : c.notes)
      if (n.span)
        fix(*n.span);
    for (Fix &f : c.fixes)
      for (Edit &e : f.edits)
        fix(e.span);
    if (ok)
      out.all().push_back(std::move(c));
  }
  // What a syntax error leaves unknown says nothing, as in a full check.
  dropCascades(ws, out, checkedFrom);
  out.sort(ws.sources());
  return std::move(out.all());
}

} // namespace

std::unique_ptr<sema::Program> check(const Workspace &ws, Diagnostics &diags,
                                     sema::PhaseTimes *times) {
  return run(ws, diags, nullptr, times, nullptr);
}

namespace {

std::unique_ptr<sema::Program> recheckWith(const Workspace &ws, Diagnostics &diags,
                                           const sema::Program &previous,
                                           sema::RecheckStats *stats,
                                           const AfterResolve &afterResolve,
                                           sema::PhaseTimes *times = nullptr,
                                           const std::function<bool()> &stop = {}) {
  if (stats)
    *stats = sema::RecheckStats{};
  // Reused values stay in the store with the garbage of replaced ones (and
  // each recheck's partly used chunk); once the store outgrows twice the
  // live values, start afresh, and let the old chunks go with the last
  // program that shares them. A long session's memory is bounded by this.
  if (!previous.memo || previous.values.slots() > 2 * previous.memo->valuesAfterFullCheck + 4096)
    return run(ws, diags, nullptr, times, stats, afterResolve, stop);
  return run(ws, diags, &previous, times, stats, afterResolve, stop);
}

} // namespace

std::unique_ptr<sema::Program> recheck(const Workspace &ws, Diagnostics &diags,
                                       const sema::Program &previous, sema::PhaseTimes *times,
                                       sema::RecheckStats *stats) {
  return recheckWith(ws, diags, previous, stats, {}, times);
}

std::unique_ptr<sema::Program> recheck(const Workspace &ws, Diagnostics &diags,
                                       std::unique_ptr<sema::Program> previous,
                                       sema::PhaseTimes *times, sema::RecheckStats *stats) {
  if (!previous) {
    if (stats)
      *stats = sema::RecheckStats{};
    return run(ws, diags, nullptr, times, stats);
  }
  return recheck(ws, diags, *previous, times, stats);
}

std::shared_ptr<const Snapshot> snapshot(Workspace ws, Diagnostics diags) {
  auto out = std::make_shared<Snapshot>();
  out->workspace = std::move(ws);
  out->program = check(out->workspace, diags);
  diags.sort(out->workspace.sources());
  out->diagnostics = std::move(diags.all());
  return out;
}

std::shared_ptr<const Snapshot> edit(const Snapshot &previous, std::vector<FileEdit> edits,
                                     const LoadOptions &options, sema::RecheckStats *stats,
                                     const EarlyDiagnostics &early,
                                     const std::function<bool()> &stop) {
  if (edits.empty())
    return std::make_shared<const Snapshot>(previous);
  auto out = std::make_shared<Snapshot>();
  Diagnostics diags;
  for (size_t i = 0; i < edits.size(); ++i) {
    diags = Diagnostics(); // each update reports the whole workspace's syntax
    if (i == 0)
      out->workspace = previous.workspace.withFile(edits[i].relativePath, std::move(edits[i].text),
                                                   diags, options);
    else
      out->workspace.updateFile(edits[i].relativePath, std::move(edits[i].text), diags, options);
  }
  AfterResolve afterResolve;
  std::vector<FileId> files;
  if (early) {
    for (const FileEdit &e : edits)
      for (const LoadedFile &f : out->workspace.files())
        if (f.relativePath == e.relativePath && !llvm::is_contained(files, f.id))
          files.push_back(f.id);
    afterResolve = [&](const sema::Program &resolved, const Diagnostics &sofar, size_t from) {
      early(out->workspace, files,
            earlyDiagnostics(previous, out->workspace, resolved, sofar, from, files));
    };
  }
  out->program = recheckWith(out->workspace, diags, *previous.program, stats, afterResolve,
                             nullptr, stop);
  if (!out->program)
    return nullptr; // stopped: a newer version is on its way
  diags.sort(out->workspace.sources());
  out->diagnostics = std::move(diags.all());
  return out;
}

} // namespace plat::pipeline
