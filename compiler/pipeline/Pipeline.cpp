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

std::unique_ptr<sema::Program> run(const Workspace &ws, Diagnostics &diags,
                                   const sema::Program *previous, sema::PhaseTimes *times,
                                   sema::RecheckStats *stats) {
  size_t from = diags.all().size();
  double t0 = cpuSeconds();
  std::unique_ptr<sema::Program> program = sema::resolve(ws, diags, previous, stats);
  double t1 = cpuSeconds();
  sema::crossCheck(*program, diags);
  sema::checkTargetLimits(*program, diags);
  sema::typePolicies(*program, diags);
  double t2 = cpuSeconds();
  governance::checkGovernance(*program, diags);
  dropCascades(ws, diags, from);
  double t3 = cpuSeconds();
  if (times)
    *times = sema::PhaseTimes{t1 - t0, t2 - t1, t3 - t2};
  return program;
}

} // namespace

std::unique_ptr<sema::Program> check(const Workspace &ws, Diagnostics &diags,
                                     sema::PhaseTimes *times) {
  return run(ws, diags, nullptr, times, nullptr);
}

std::unique_ptr<sema::Program> recheck(const Workspace &ws, Diagnostics &diags,
                                       const sema::Program &previous, sema::PhaseTimes *times,
                                       sema::RecheckStats *stats) {
  if (stats)
    *stats = sema::RecheckStats{};
  // Reused values stay in the store with the garbage of replaced ones (and
  // each recheck's partly used chunk); once the store outgrows twice the
  // live values, start afresh, and let the old chunks go with the last
  // program that shares them. A long session's memory is bounded by this.
  if (!previous.memo || previous.values.slots() > 2 * previous.memo->valuesAfterFullCheck + 4096)
    return run(ws, diags, nullptr, times, stats);
  return run(ws, diags, &previous, times, stats);
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
                                     const LoadOptions &options, sema::RecheckStats *stats) {
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
  out->program = recheck(out->workspace, diags, *previous.program, nullptr, stats);
  diags.sort(out->workspace.sources());
  out->diagnostics = std::move(diags.all());
  return out;
}

} // namespace plat::pipeline
