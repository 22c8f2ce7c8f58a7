// libFuzzer target: check, then every backend for every environment, in
// memory (the driver's build without the disk), when the check is clean.
#include <cstddef>
#include <cstdint>
#include <string>

#include "pipeline/Pipeline.h"
#include "FuzzInput.h"
#include "backends/Backend.h"
#include "sema/Program.h"
#include "workspace/Workspace.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef input(reinterpret_cast<const char *>(data), size);
  plat::Diagnostics diags;
  plat::LoadOptions options;
  options.threads = 1;
  plat::Workspace ws = plat::Workspace::fromSources("/fuzz", plat::fuzz::splitInput(input), diags, options);
  std::unique_ptr<plat::sema::Program> program = plat::pipeline::check(ws, diags);
  if (diags.hasErrors())
    return -1; // not worth keeping in the corpus: backends never see it
  for (const plat::sema::EnvModel &env : program->envs) {
    plat::backends::BackendContext ctx{*program, env, ws.sources()};
    for (const auto &backend : plat::backends::allBackends()) {
      plat::backends::Output output;
      backend->emit(ctx, output);
    }
  }
  return 0;
}
