// The standard library's Plat sources, embedded in the binary at build time
// from stdlib/ (see tools/embed_stdlib.cmake).
#pragma once

#include <cstddef>

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

namespace plat::stdlib {

struct EmbeddedFile {
  const char *path; // relative to stdlib/, e.g. "kinds/service.plat"
  const char *data;
  size_t size;
  llvm::StringRef text() const { return llvm::StringRef(data, size); }
};

llvm::ArrayRef<EmbeddedFile> embeddedFiles();

} // namespace plat::stdlib
