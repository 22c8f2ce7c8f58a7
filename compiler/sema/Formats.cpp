#include "sema/Formats.h"

#include <map>
#include <regex>

#include "fmt/format.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"

namespace plat::sema {

namespace {

bool matches(const char *pattern, llvm::StringRef value) {
  // Compiled once per pattern; the patterns are fixed strings.
  static thread_local std::map<const char *, std::regex> cache;
  auto it = cache.find(pattern);
  if (it == cache.end())
    it = cache.emplace(pattern, std::regex(pattern, std::regex::ECMAScript)).first;
  return std::regex_match(value.begin(), value.end(), it->second);
}

bool dnsLabel(llvm::StringRef v) {
  return !v.empty() && v.size() <= 63 && matches("[a-z]([-a-z0-9]*[a-z0-9])?", v);
}

bool imageRef(llvm::StringRef v) {
  // registry[:port]/path[:tag][@sha256:digest], with a tag or a digest.
  if (v.empty() || v.size() > 512)
    return false;
  return matches("([a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?/)?[a-z0-9]+([._-]+[a-z0-9]+)*"
                 "(/[a-z0-9]+([._-]+[a-z0-9]+)*)*"
                 "((:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})(@sha256:[a-f0-9]{64})?|@sha256:[a-f0-9]{64})",
                 v);
}

bool s3Bucket(llvm::StringRef v) {
  return v.size() >= 3 && v.size() <= 63 && matches("[a-z0-9][a-z0-9.-]*[a-z0-9]", v) &&
         !v.contains("..") && !matches("[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+", v);
}

} // namespace

bool validFormat(llvm::StringRef format, llvm::StringRef value) {
  if (format == "dns_label")
    return dnsLabel(value);
  if (format == "image_ref")
    return imageRef(value);
  if (format == "aws_account")
    return matches("[0-9]{12}", value);
  if (format == "aws_region")
    return matches("[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]", value);
  if (format == "s3_bucket")
    return s3Bucket(value);
  if (format == "secret_ref")
    return matches("(secretsmanager|ssm|vault):[A-Za-z0-9/_+=.@-]+", value);
  if (format == "sagemaker_name")
    return value.size() <= 63 && matches("[a-zA-Z0-9](-*[a-zA-Z0-9])*", value);
  return true;
}

std::string formatDescription(llvm::StringRef format) {
  if (format == "dns_label")
    return "Kubernetes name (a DNS-1123 label)";
  if (format == "image_ref")
    return "container image reference with a tag or digest";
  if (format == "aws_account")
    return "AWS account id";
  if (format == "aws_region")
    return "AWS region";
  if (format == "s3_bucket")
    return "S3 bucket name";
  if (format == "secret_ref")
    return "secret reference";
  if (format == "sagemaker_name")
    return "SageMaker name";
  return format.str();
}

std::string formatHelp(llvm::StringRef format) {
  if (format == "dns_label")
    return "use lowercase letters, digits and `-`, starting with a letter, at most 63 characters";
  if (format == "image_ref")
    return "write `registry.example.com/team/app:1.4.2` or pin a digest with `@sha256:...`";
  if (format == "aws_account")
    return "an AWS account id is 12 digits, such as `\"123456789012\"`";
  if (format == "aws_region")
    return "write a region such as `\"eu-west-1\"`";
  if (format == "s3_bucket")
    return "bucket names are 3 to 63 lowercase letters, digits, `.` and `-`";
  if (format == "secret_ref")
    return "reference the secret store, never the value: `\"secretsmanager:prod/checkout/db\"`";
  if (format == "sagemaker_name")
    return "use letters, digits and `-`, at most 63 characters";
  return "";
}

bool validCron(llvm::StringRef expr, std::string &why) {
  static const char *presets[] = {"@once", "@hourly", "@daily", "@weekly", "@monthly",
                                  "@quarterly", "@yearly", "@annually"};
  if (expr.startswith("@")) {
    for (const char *p : presets)
      if (expr == p)
        return true;
    why = fmt::format("unknown preset `{}`", expr.str());
    return false;
  }
  llvm::SmallVector<llvm::StringRef, 6> fields;
  expr.split(fields, ' ', -1, false);
  if (fields.size() != 5) {
    why = fmt::format("expected 5 fields, found {}", fields.size());
    return false;
  }
  static const int lo[] = {0, 0, 1, 1, 0};
  static const int hi[] = {59, 23, 31, 12, 7};
  static const char *names[] = {"minute", "hour", "day of month", "month", "day of week"};
  for (size_t i = 0; i < 5; ++i) {
    llvm::SmallVector<llvm::StringRef, 4> parts;
    fields[i].split(parts, ',');
    for (llvm::StringRef part : parts) {
      auto [rangePart, step] = part.split('/');
      if (!step.empty()) {
        unsigned s;
        if (step.getAsInteger(10, s) || s == 0) {
          why = fmt::format("bad step `{}` in the {} field", step.str(), names[i]);
          return false;
        }
      }
      if (rangePart == "*")
        continue;
      auto [a, b] = rangePart.split('-');
      auto valid = [&](llvm::StringRef n) {
        int v;
        // Months and weekdays may be named: JAN, MON.
        if (i >= 3 && n.size() == 3 && llvm::all_of(n, llvm::isAlpha))
          return true;
        if (n.getAsInteger(10, v) || v < lo[i] || v > hi[i]) {
          why = fmt::format("`{}` is not a valid {} ({}-{})", n.str(), names[i], lo[i], hi[i]);
          return false;
        }
        return true;
      };
      if (!valid(a) || (rangePart.contains('-') && !valid(b)))
        return false;
    }
  }
  return true;
}

} // namespace plat::sema
