// libFuzzer target: the whole check of a small workspace (FuzzInput.h), and
// its diagnostics rendered as text, JSON Lines and SARIF.
#include <cstddef>
#include <cstdint>
#include <string>

#include "pipeline/Pipeline.h"
#include "FuzzInput.h"
#include "diag/Render.h"
#include "llvm/Support/raw_ostream.h"
#include "sema/Program.h"
#include "workspace/Workspace.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef input(reinterpret_cast<const char *>(data), size);
  plat::Diagnostics diags;
  plat::LoadOptions options;
  options.threads = 1;
  plat::Workspace ws = plat::Workspace::fromSources("/fuzz", plat::fuzz::splitInput(input), diags, options);
  std::unique_ptr<plat::sema::Program> program = plat::pipeline::check(ws, diags);
  diags.sort(ws.sources());
  std::string text;
  llvm::raw_string_ostream out(text);
  plat::RenderOptions render;
  render.root = "/fuzz";
  for (plat::DiagFormat format : {plat::DiagFormat::Text, plat::DiagFormat::Json, plat::DiagFormat::Sarif})
    plat::render(format, out, ws.sources(), diags, render);
  return 0;
}
