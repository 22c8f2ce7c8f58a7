// Turning fuzzer bytes into a workspace, shared by the fuzz targets.
//
// An input is either one file (`main.plat`) or several in the golden tests'
// layout: `-- path.plat --` lines start each file. Without a
// `workspace.plat` section, a fixed one with two environments is added, so
// that per-environment code runs on every input.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "llvm/ADT/StringRef.h"

namespace plat::fuzz {

inline std::vector<std::pair<std::string, std::string>> splitInput(llvm::StringRef data) {
  std::vector<std::pair<std::string, std::string>> files;
  std::string name = "main.plat";
  std::string text;
  bool sawWorkspace = false;
  while (!data.empty()) {
    auto [line, rest] = data.split('\n');
    bool last = rest.empty() && !data.endswith("\n");
    if (line.startswith("-- ") && line.endswith(" --") && line.size() > 6) {
      if (!text.empty() || name != "main.plat")
        files.emplace_back(name, std::move(text));
      text.clear();
      name = line.drop_front(3).drop_back(3).str();
      // Only relative paths below the root, as a workspace on disk has.
      if (name.empty() || name.front() == '/' || llvm::StringRef(name).contains(".."))
        name = "bad.plat";
      sawWorkspace |= name == "workspace.plat";
    } else {
      text.append(line.data(), line.size());
      if (!last)
        text += '\n';
    }
    data = rest;
  }
  files.emplace_back(name, std::move(text));
  if (!sawWorkspace)
    files.emplace_back("workspace.plat",
                       "workspace fuzz {\n  account = \"123456789012\"\n  region = \"eu-west-1\"\n}\n"
                       "environment dev {\n  tier = development\n}\n"
                       "environment prod {\n  tier = production\n}\n");
  return files;
}

} // namespace plat::fuzz
