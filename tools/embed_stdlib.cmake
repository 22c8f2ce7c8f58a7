# Writes a C++ file that embeds every stdlib/*.plat file as a string, so
# platc needs no install path at run time. Run by CMake at build time:
#   cmake -DOUT=... -DROOT=.../stdlib -P embed_stdlib.cmake
file(GLOB_RECURSE files RELATIVE ${ROOT} ${ROOT}/*.plat)
list(SORT files)
set(body "")
foreach(rel IN LISTS files)
  file(READ ${ROOT}/${rel} content HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${content}")
  string(MAKE_C_IDENTIFIER "${rel}" id)
  string(APPEND body "static const unsigned char k_${id}[] = {${bytes} 0};\n")
  list(APPEND entries "  {\"${rel}\", reinterpret_cast<const char *>(k_${id}), sizeof(k_${id}) - 1},\n")
endforeach()
string(JOIN "" entry_text ${entries})
file(WRITE ${OUT}.tmp "// Generated from stdlib/ by tools/embed_stdlib.cmake. Do not edit.
#include \"stdlib/Embedded.h\"
namespace plat::stdlib {
${body}
static const EmbeddedFile kFiles[] = {
${entry_text}};
llvm::ArrayRef<EmbeddedFile> embeddedFiles() { return kFiles; }
} // namespace plat::stdlib
")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
