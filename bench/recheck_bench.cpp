// Times what an editor would run on every keystroke: after one file of a
// large workspace changes, Workspace::updateFile (re-parses that file) and
// sema::recheck (re-resolves its declarations, reruns the whole-graph
// passes), against a full check of the same workspace.
//
//   plat_recheck_bench WORKSPACE_DIR [RUNS]
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

  std::vector<double> full, edit;
  sema::RecheckStats stats;
  std::unique_ptr<sema::Program> program;
  for (int i = 0; i < runs; ++i) {
    Diagnostics d;
    double t0 = cpu();
    program = pipeline::check(*ws, d);
    full.push_back(cpu() - t0);
  }
  for (int i = 0; i < runs; ++i) {
    Diagnostics d;
    double t0 = cpu();
    // Alternate two versions so that every run is a real change.
    ws->updateFile(rel, text + (i % 2 ? "\n" : "\n// edited\n"), d);
    program = pipeline::recheck(*ws, d, std::move(program), nullptr, &stats);
    edit.push_back(cpu() - t0);
    if (d.hasErrors()) {
      std::fprintf(stderr, "the edit produced errors\n");
      return 1;
    }
  }
  std::printf("files %zu, declarations %zu, edited %s\n", user.size(), program->decls.size(),
              rel.c_str());
  std::printf("full check (sema, all passes): %.3f s CPU median of %d\n", median(full), runs);
  std::printf("edit one file (updateFile + recheck): %.3f s CPU median of %d; %s, %zu declarations "
              "resolved, %zu reused\n",
              median(edit), runs, stats.incremental ? "incremental" : "FULL", stats.resolved,
              stats.reused);
  return 0;
}
