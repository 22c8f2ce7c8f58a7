// String formats that fields and declaration names can require:
// `string(format = dns_label)` in a stdlib schema, `@name_format(...)` on a kind.
#pragma once

#include <string>

#include "llvm/ADT/StringRef.h"

namespace plat::sema {

// Whether `value` is valid for the named format. Unknown formats accept
// everything (the schema author's typo is not the user's problem).
bool validFormat(llvm::StringRef format, llvm::StringRef value);
std::string formatDescription(llvm::StringRef format);
std::string formatHelp(llvm::StringRef format);

// Five-field cron expressions and Airflow's presets.
bool validCron(llvm::StringRef expr, std::string &why);

} // namespace plat::sema
