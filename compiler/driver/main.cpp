#include <string>
#include <vector>

#include "driver/Driver.h"
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
}
#endif

int main(int argc, char **argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  bool tty = llvm::sys::Process::StandardErrIsDisplayed();
  return plat::runDriver(args, llvm::outs(), llvm::errs(), tty);
}
