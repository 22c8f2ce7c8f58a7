// `platc init`: scaffolds the smallest useful workspace (the same files as
// examples/minimal, which a test keeps identical).
#pragma once

#include <map>
#include <string>

namespace plat {

// The files of a new workspace named `name` (a valid Plat identifier).
std::map<std::string, std::string> initFiles(const std::string &name);

} // namespace plat
