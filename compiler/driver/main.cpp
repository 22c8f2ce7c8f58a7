#include <string>
#include <vector>

#include "driver/Driver.h"
#include "lsp/Server.h"
#include "mcp/Server.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#ifdef PLAT_JEMALLOC
// jemalloc's start-up options (its documented `malloc_conf` symbol): back its
// memory with transparent huge pages, one page fault per 2 MiB instead of per
// 4 KiB, and never hand freed pages back to the kernel (no decay). platc runs
// for seconds; backends free and allocate hundreds of megabytes of text, and
// with the default 10 s decay jemalloc returned pages only to fault them in
// (and zero them) again a moment later. A long-running process (a language
// server) must set a finite decay instead. MALLOC_CONF in the environment
// still overrides this.
extern "C" {
const char *malloc_conf = "thp:always,metadata_thp:auto,dirty_decay_ms:-1,muzzy_decay_ms:-1";
int mallctl(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen);
}

// The language server runs for hours: give freed pages back after a while
// (jemalloc's default decay), in the arenas that exist and in new ones.
static void finiteDecay() {
  ssize_t ms = 10000;
  for (const char *name : {"arenas.dirty_decay_ms", "arenas.muzzy_decay_ms"})
    mallctl(name, nullptr, nullptr, &ms, sizeof ms);
  unsigned arenas = 0;
  size_t size = sizeof arenas;
  if (mallctl("arenas.narenas", &arenas, &size, nullptr, 0) != 0)
    return;
  for (unsigned i = 0; i < arenas; ++i)
    for (const char *what : {"dirty", "muzzy"}) {
      std::string name = "arena." + std::to_string(i) + "." + what + "_decay_ms";
      mallctl(name.c_str(), nullptr, nullptr, &ms, sizeof ms);
    }
}
#else
static void finiteDecay() {}
#endif

int main(int argc, char **argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  // `platc lsp` lives in its own library (lsp/), which the driver in the
  // compiler core does not include.
  if (!args.empty() && args[0] == "lsp") {
    finiteDecay();
    return plat::lsp::runStdio(std::vector<std::string>(args.begin() + 1, args.end()));
  }
  // `platc mcp` too (mcp/): a long-running server, like the language server.
  if (!args.empty() && args[0] == "mcp") {
    finiteDecay();
    return plat::mcp::runStdio(std::vector<std::string>(args.begin() + 1, args.end()));
  }
  bool tty = llvm::sys::Process::StandardErrIsDisplayed();
  return plat::runDriver(args, llvm::outs(), llvm::errs(), tty);
}
