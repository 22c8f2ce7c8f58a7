// The `platc` command line: argument parsing and the subcommands.
#pragma once

#include <string>
#include <vector>

#include "llvm/Support/raw_ostream.h"

namespace plat {

// Exit codes, as documented in `platc --help`.
enum ExitCode : int { kExitOk = 0, kExitErrors = 1, kExitUsage = 2, kExitRisk = 3 };

// Runs platc with `args` (without the program name). Output goes to `out`,
// diagnostics and usage errors to `err`.
int runDriver(const std::vector<std::string> &args, llvm::raw_ostream &out,
              llvm::raw_ostream &err, bool errIsTerminal);

} // namespace plat
