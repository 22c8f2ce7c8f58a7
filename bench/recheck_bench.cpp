// Times what an editor would run on every keystroke: after one file of a
// large workspace changes, Workspace::updateFile (re-parses that file) and
// sema::recheck (re-resolves its declarations, reruns the whole-graph
// passes), against a full check of the same workspace.
//
//   plat_recheck_bench WORKSPACE_DIR [RUNS [EDITS]]
//
// Prints one line per measurement: the median CPU seconds of RUNS runs.

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#include "pipeline/Pipeline.h"
#include "sema/Program.h"
#include "workspace/Workspace.h"

using namespace plat;

#ifdef PLAT_JEMALLOC
extern "C" {
const char *malloc_conf = "thp:always,metadata_thp:auto"; // as platc (compiler/driver/main.cpp)
}
#endif

namespace {

double cpu() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s WORKSPACE_DIR [RUNS]\n", argv[0]);
    return 2;
  }
  int runs = argc > 2 ? std::max(1, std::atoi(argv[2])) : 5;
  // A third argument: how many edits (default RUNS), for profiling the edits alone.
  int editRuns = argc > 3 ? std::max(1, std::atoi(argv[3])) : runs;
  Diagnostics diags;
  std::optional<Workspace> ws = Workspace::load(argv[1], diags);
  if (!ws || diags.hasErrors()) {
    std::fprintf(stderr, "cannot load %s without errors\n", argv[1]);
    return 1;
  }
  // The file to edit: the middle one of the user's files.
  std::vector<size_t> user;
  for (size_t i = 0; i < ws->files().size(); ++i)
    if (!ws->files()[i].fromStdlib)
      user.push_back(i);
  const LoadedFile &target = ws->files()[user[user.size() / 2]];
  std::string rel = target.relativePath;
  std::string text = ws->sources().file(target.id).text().str();

  std::vector<double> full, edit, resolve, cross, governance;
  sema::RecheckStats stats;
  std::unique_ptr<sema::Program> program;
  for (int i = 0; i < runs; ++i) {
    Diagnostics d;
    double t0 = cpu();
    program = pipeline::check(*ws, d);
    full.push_back(cpu() - t0);
  }
  for (int i = 0; i < editRuns; ++i) {
    Diagnostics d;
    double t0 = cpu();
    // Alternate two versions so that every run is a real change.
    ws->updateFile(rel, text + (i % 2 ? "\n" : "\n// edited\n"), d);
    sema::PhaseTimes times;
    program = pipeline::recheck(*ws, d, std::move(program), &times, &stats);
    edit.push_back(cpu() - t0);
    resolve.push_back(times.resolve);
    cross.push_back(times.cross);
    governance.push_back(times.governance);
    if (d.hasErrors()) {
      std::fprintf(stderr, "the edit produced errors\n");
      return 1;
    }
  }
  // The same edits as an editor makes them (pipeline::edit on snapshots):
  // CPU until the edited file's early diagnostics, and until the new snapshot.
  std::vector<double> toEarly, toSnapshot;
  {
    Diagnostics d;
    std::shared_ptr<const pipeline::Snapshot> snap = pipeline::snapshot(*ws, std::move(d));
    for (int i = 0; i < editRuns; ++i) {
      double t0 = cpu(), early = 0;
      // A one-line change inside a declaration: a value, then back.
      std::string changed = text;
      if (size_t at = changed.find("replicas = "); at != std::string::npos && i % 2 == 0)
        changed = text.substr(0, at + 11) + "1" + text.substr(at + 11);
      snap = pipeline::edit(*snap, {{rel, changed}}, {}, nullptr,
                            [&](const Workspace &, const std::vector<FileId> &, std::vector<Diagnostic>) {
                              early = cpu() - t0;
                            });
      toSnapshot.push_back(cpu() - t0);
      toEarly.push_back(early);
    }
  }
  std::printf("files %zu, declarations %zu, edited %s\n", user.size(), program->decls.size(),
              rel.c_str());
  std::printf("full check (sema, all passes): %.3f s CPU median of %d\n", median(full), runs);
  std::printf("edit one file (updateFile + recheck): %.3f s CPU median of %d; %s, %zu declarations "
              "resolved, %zu reused\n",
              median(edit), editRuns, stats.incremental ? "incremental" : "FULL", stats.resolved,
              stats.reused);
  std::printf("  of which resolve %.3f, cross checks %.3f, governance %.3f s CPU (medians)\n",
              median(resolve), median(cross), median(governance));
  std::printf("one-line edit inside a declaration (pipeline::edit): edited file's early diagnostics "
              "%.3f s CPU, new snapshot %.3f s CPU (medians of %d)\n",
              median(toEarly), median(toSnapshot), editRuns);
  return 0;
}
