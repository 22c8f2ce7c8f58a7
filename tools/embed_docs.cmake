# Writes a C++ file that embeds every docs/diagnostics/CODE.md as a string,
# for `platc explain CODE`. Modelled on embed_stdlib.cmake. Run by CMake at
# build time:
#   cmake -DOUT=... -DROOT=.../docs/diagnostics -P embed_docs.cmake
file(GLOB files RELATIVE ${ROOT} ${ROOT}/P[0-9][0-9][0-9][0-9].md)
list(SORT files)
set(body "")
set(entries "")
foreach(rel IN LISTS files)
  string(REGEX REPLACE "\\.md$" "" code "${rel}")
  file(READ ${ROOT}/${rel} content HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${content}")
  string(APPEND body "static const unsigned char k_${code}[] = {${bytes} 0};\n")
  list(APPEND entries "  {\"${code}\", reinterpret_cast<const char *>(k_${code}), sizeof(k_${code}) - 1},\n")
endforeach()
string(JOIN "" entry_text ${entries})
file(WRITE ${OUT}.tmp "// Generated from docs/diagnostics/ by tools/embed_docs.cmake. Do not edit.
#include <cstddef>

#include \"diag/Explain.h\"

namespace plat {
namespace {
struct Explanation {
  const char *code;
  const char *text;
  size_t size;
};
${body}
const Explanation kExplanations[] = {
${entry_text}  {nullptr, nullptr, 0}};
} // namespace

llvm::StringRef explanation(llvm::StringRef code) {
  for (const Explanation *e = kExplanations; e->code; ++e)
    if (code == e->code)
      return llvm::StringRef(e->text, e->size);
  return {};
}
} // namespace plat
")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
