#include <string>
#include <vector>

#include "driver/Driver.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#ifdef PLAT_JEMALLOC
// jemalloc's start-up options (its documented `malloc_conf` symbol): back its
// memory with transparent huge pages, one page fault per 2 MiB instead of per
// 4 KiB. MALLOC_CONF in the environment still overrides this.
extern "C" {
const char *malloc_conf = "thp:always,metadata_thp:auto";
}
#endif

int main(int argc, char **argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  bool tty = llvm::sys::Process::StandardErrIsDisplayed();
  return plat::runDriver(args, llvm::outs(), llvm::errs(), tty);
}
