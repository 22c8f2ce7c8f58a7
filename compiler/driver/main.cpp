#include <string>
#include <vector>

#include "driver/Driver.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

int main(int argc, char **argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  bool tty = llvm::sys::Process::StandardErrIsDisplayed();
  return plat::runDriver(args, llvm::outs(), llvm::errs(), tty);
}
