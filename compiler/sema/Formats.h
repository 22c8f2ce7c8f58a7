// String formats that fields and declaration names can require:
// `string(format = dns_label)` in a stdlib schema, `@name_format(...)` on a kind.
#pragma once

#include <optional>
#include <string>

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

namespace plat::sema {

// Whether `value` is valid for the named format. Unknown formats accept
// everything (the schema author's typo is not the user's problem).
bool validFormat(llvm::StringRef format, llvm::StringRef value);
std::string formatDescription(llvm::StringRef format);
std::string formatHelp(llvm::StringRef format);

// What is wrong with `value` as a string of `format`, worded for a
// diagnostic; nullopt when it is valid. `blank` when the value is empty or
// only whitespace (reported as `empty-string` rather than `bad-format`).
struct FormatProblem {
  bool blank = false;
  std::string message;
  std::string help;
  // The whole value corrected, where one correction is plausible (a
  // misspelt `pagerduty:` scheme): offered as a fix, never applied silently.
  std::optional<std::string> replacement;
};
// The AWS region codes known when this platc was built, sorted (every
// partition: aws, aws-cn, aws-us-gov and the isolated ones).
llvm::ArrayRef<const char *> knownAwsRegions();

std::optional<FormatProblem> formatProblem(llvm::StringRef format, llvm::StringRef value);

// `value` for a diagnostic message: as it is when short and free of control
// characters, otherwise with control characters escaped (`\n`, `\x1b`) and
// cut to about 60 characters at a UTF-8 character boundary.
std::string quotedForMessage(llvm::StringRef value);

// Five-field cron expressions and Airflow's presets.
bool validCron(llvm::StringRef expr, std::string &why);

// The longest wait, in seconds, between two consecutive runs of a valid cron
// expression or preset (`@daily` → 86400, `0 */6 * * *` → 21600,
// `0 3 * * 1-5` → 3 days, over a weekend), or -1 for `@once` and for an
// expression that never fires. Computed over two calendar years (2024 and
// 2025, UTC), a constant amount of work per expression.
double cronLongestInterval(llvm::StringRef expr);

} // namespace plat::sema
