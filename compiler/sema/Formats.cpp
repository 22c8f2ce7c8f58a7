#include "sema/Formats.h"

#include "base/Text.h"

#include "fmt/format.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"

namespace plat::sema {

namespace {

// The formats are small regular languages. They are matched by hand rather
// than with std::regex, which costs about a microsecond per match and showed
// up as 14 % of checking a large workspace. The regular expression each
// function implements is written above it; tests/unit/formats_test.cpp
// compares every function with std::regex on generated strings.

bool isLower(char c) { return c >= 'a' && c <= 'z'; }
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isLowerAlnum(char c) { return isLower(c) || isDigit(c); }
bool isAlnum(char c) { return isLowerAlnum(c) || (c >= 'A' && c <= 'Z'); }
bool isHex(char c) { return isDigit(c) || (c >= 'a' && c <= 'f'); }
bool isSep(char c) { return c == '.' || c == '_' || c == '-'; }

// [a-z]([-a-z0-9]*[a-z0-9])?
bool dnsLabel(llvm::StringRef v) {
  if (v.empty() || v.size() > 63 || !isLower(v.front()) || v.back() == '-')
    return false;
  return llvm::all_of(v, [](char c) { return isLowerAlnum(c) || c == '-'; });
}

// [a-z0-9]+([._-]+[a-z0-9]+)*  (runs of separators when `runs`, else one)
bool nameComponent(llvm::StringRef v, bool runs) {
  if (v.empty() || !isLowerAlnum(v.front()) || !isLowerAlnum(v.back()))
    return false;
  for (size_t i = 0; i < v.size(); ++i) {
    if (isLowerAlnum(v[i]))
      continue;
    if (!isSep(v[i]) || (!runs && !isLowerAlnum(v[i - 1])))
      return false;
  }
  return true;
}

// [a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?
bool registryComponent(llvm::StringRef v) {
  auto [host, port] = v.split(':');
  if (v.contains(':') && (port.empty() || !llvm::all_of(port, isDigit)))
    return false;
  return nameComponent(host, false);
}

// @sha256:[a-f0-9]{64}
bool digest(llvm::StringRef v) {
  return v.consume_front("sha256:") && v.size() == 64 && llvm::all_of(v, isHex);
}

// [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
bool tag(llvm::StringRef v) {
  if (v.empty() || v.size() > 128 || v.front() == '.' || v.front() == '-')
    return false;
  return llvm::all_of(v, [](char c) { return isAlnum(c) || isSep(c); });
}

// registry[:port]/path[:tag][@sha256:digest], with a tag or a digest:
// ([a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?/)?[a-z0-9]+([._-]+[a-z0-9]+)*
// (/[a-z0-9]+([._-]+[a-z0-9]+)*)*
// ((:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})(@sha256:[a-f0-9]{64})?|@sha256:[a-f0-9]{64})
bool imageRef(llvm::StringRef v) {
  if (v.empty() || v.size() > 512)
    return false;
  auto [ref, hash] = v.split('@');
  bool hasDigest = v.contains('@');
  if (hasDigest && !digest(hash))
    return false;
  // The tag's `:` is the first one after the last `/` (a tag has no `:`).
  size_t slash = ref.rfind('/');
  size_t colon = ref.find(':', slash == llvm::StringRef::npos ? 0 : slash);
  llvm::StringRef name = ref.substr(0, colon);
  if (colon != llvm::StringRef::npos) {
    if (!tag(ref.substr(colon + 1)))
      return false;
  } else if (!hasDigest) {
    return false;
  }
  llvm::SmallVector<llvm::StringRef, 4> parts;
  name.split(parts, '/');
  for (size_t i = 0; i < parts.size(); ++i) {
    bool ok = nameComponent(parts[i], true) || (i == 0 && parts.size() > 1 && registryComponent(parts[i]));
    if (!ok)
      return false;
  }
  return true;
}

// [0-9]+\.[0-9]+\.[0-9]+\.[0-9]+
bool ipv4Like(llvm::StringRef v) {
  llvm::SmallVector<llvm::StringRef, 4> parts;
  v.split(parts, '.');
  return parts.size() == 4 && llvm::all_of(parts, [](llvm::StringRef p) {
           return !p.empty() && llvm::all_of(p, isDigit);
         });
}

// [a-z0-9][a-z0-9.-]*[a-z0-9], no `..`, not an IPv4 address
bool s3Bucket(llvm::StringRef v) {
  if (v.size() < 3 || v.size() > 63 || !isLowerAlnum(v.front()) || !isLowerAlnum(v.back()))
    return false;
  if (!llvm::all_of(v, [](char c) { return isLowerAlnum(c) || c == '.' || c == '-'; }))
    return false;
  return !v.contains("..") && !ipv4Like(v);
}

// [0-9]{12}
bool awsAccount(llvm::StringRef v) { return v.size() == 12 && llvm::all_of(v, isDigit); }

// [a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]
bool awsRegion(llvm::StringRef v) {
  llvm::SmallVector<llvm::StringRef, 5> parts;
  v.split(parts, '-');
  auto letters = [](llvm::StringRef p) { return !p.empty() && llvm::all_of(p, isLower); };
  if (parts.size() < 3 || parts.size() > 4)
    return false;
  if (parts.front().size() != 2 || !letters(parts.front()))
    return false;
  if (parts.back().size() != 1 || !isDigit(parts.back()[0]))
    return false;
  if (!letters(parts[parts.size() - 2]))
    return false;
  if (parts.size() == 4) {
    llvm::StringRef p = parts[1];
    return p == "gov" || p == "iso" || (p.size() == 4 && p.startswith("iso") && isLower(p[3]));
  }
  return true;
}

// (secretsmanager|ssm|vault):[A-Za-z0-9/_+=.@-]+
bool secretRef(llvm::StringRef v) {
  auto [store, path] = v.split(':');
  if (!v.contains(':') || (store != "secretsmanager" && store != "ssm" && store != "vault"))
    return false;
  return !path.empty() && llvm::all_of(path, [](char c) {
    return isAlnum(c) || llvm::StringRef("/_+=.@-").contains(c);
  });
}

// [a-zA-Z0-9](-*[a-zA-Z0-9])*, at most 63 characters
bool sagemakerName(llvm::StringRef v) {
  if (v.empty() || v.size() > 63 || !isAlnum(v.front()) || !isAlnum(v.back()))
    return false;
  return llvm::all_of(v, [](char c) { return isAlnum(c) || c == '-'; });
}

// [\s\S]*[^ \t\n\r\v\f][\s\S]*  (something besides ASCII whitespace)
bool nonblank(llvm::StringRef v) {
  return v.find_first_not_of(" \t\n\r\v\f") != llvm::StringRef::npos;
}

// [a-zA-Z0-9:/_-]+, at most 2048 characters: botocore's `KmsKeyId` (a key
// id, `alias/name`, or a key or alias ARN)
bool kmsKey(llvm::StringRef v) {
  if (v.empty() || v.size() > 2048)
    return false;
  return llvm::all_of(v, [](char c) { return isAlnum(c) || llvm::StringRef(":/_-").contains(c); });
}

// [a-zA-Z0-9._:/-]+, at most 2048 characters: a Bedrock model id
// (`anthropic.claude-3-haiku-20240307-v1:0`) or model ARN
bool modelId(llvm::StringRef v) {
  if (v.empty() || v.size() > 2048)
    return false;
  return llvm::all_of(v, [](char c) { return isAlnum(c) || llvm::StringRef("._:/-").contains(c); });
}

// [A-Za-z0-9.-]+(/[A-Za-z0-9._-]+)*, at most 255 characters: an IAM OIDC
// provider without its `https://` (`oidc.eks.eu-west-1.amazonaws.com/id/ABC`)
bool oidcProvider(llvm::StringRef v) {
  if (v.empty() || v.size() > 255)
    return false;
  auto [host, path] = v.split('/');
  if (host.empty() ||
      !llvm::all_of(host, [](char c) { return isAlnum(c) || c == '.' || c == '-'; }))
    return false;
  if (!v.contains('/'))
    return true;
  llvm::SmallVector<llvm::StringRef, 4> parts;
  path.split(parts, '/');
  return llvm::all_of(parts, [](llvm::StringRef p) {
    return !p.empty() && llvm::all_of(p, [](char c) { return isAlnum(c) || isSep(c); });
  });
}

// arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9_+=,.@/-]+, 20 to 2048
// characters: botocore's `RoleArn`
bool iamRoleArn(llvm::StringRef v) {
  if (v.size() < 20 || v.size() > 2048 || !v.consume_front("arn:aws"))
    return false;
  size_t colon = v.find(':');
  if (colon == llvm::StringRef::npos ||
      !llvm::all_of(v.take_front(colon), [](char c) { return isLower(c) || c == '-'; }))
    return false;
  v = v.drop_front(colon);
  if (!v.consume_front(":iam::") || v.size() < 13 || !awsAccount(v.take_front(12)))
    return false;
  v = v.drop_front(12);
  if (!v.consume_front(":role/") || v.empty())
    return false;
  return llvm::all_of(v, [](char c) { return isAlnum(c) || llvm::StringRef("_+=,.@/-").contains(c); });
}

// [A-Za-z0-9 _.:/=+@-]*[A-Za-z0-9_.:/=+@-][A-Za-z0-9 _.:/=+@-]*, at most
// 256 characters: the ASCII part of AWS's tag value pattern
// `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`, not blank (the value becomes a tag or
// SageMaker metadata as written)
bool awsTag(llvm::StringRef v) {
  if (v.size() > 256 || !nonblank(v))
    return false;
  return llvm::all_of(v, [](char c) { return isAlnum(c) || llvm::StringRef(" _.:/=+@-").contains(c); });
}

// /[^\x00-\x20\x7f]*, at most 2048 bytes: an HTTP path for a probe, from
// the root, without whitespace or control characters (the kubelet puts it
// in a request line)
bool httpPath(llvm::StringRef v) {
  if (v.empty() || v.size() > 2048 || v.front() != '/')
    return false;
  return llvm::all_of(v, [](char c) { return static_cast<unsigned char>(c) > 0x20 && c != 0x7F; });
}

// -?[a-z0-9]([-a-z0-9]*[a-z0-9])?, at most 62 characters: what can follow
// a team's name in a Kubernetes namespace (`payments-dev`)
bool dnsSuffix(llvm::StringRef v) {
  v.consume_front("-");
  if (v.empty() || v.size() > 62 || !isLowerAlnum(v.front()) || !isLowerAlnum(v.back()))
    return false;
  return llvm::all_of(v, [](char c) { return isLowerAlnum(c) || c == '-'; });
}

// a team's `on_call`: `pagerduty:<service>`, `opsgenie:<team>`, an email
// address, or an `https://` webhook. The backends route pages by the scheme,
// so a misspelt one must not fall through to a webhook nobody configured.
bool onCall(llvm::StringRef v) {
  auto target = [](llvm::StringRef t) {
    return !t.empty() && llvm::none_of(t, [](char c) { return c == ' ' || c == '\t'; });
  };
  if (v.consume_front("pagerduty:") || v.consume_front("opsgenie:"))
    return target(v);
  if (v.startswith("https://"))
    return target(v.drop_front(8));
  auto [local, domain] = v.split('@');
  return !local.empty() && domain.contains('.') && !domain.startswith(".") && !domain.endswith(".") &&
         target(v);
}

// A near-miss of a known `on_call` scheme (`pagrduty:web`): the value with
// the scheme corrected.
std::optional<std::string> onCallCorrection(llvm::StringRef v) {
  auto [scheme, rest] = v.split(':');
  if (rest.empty() && !v.contains(':'))
    return std::nullopt;
  static const std::vector<std::string> schemes = {"pagerduty", "opsgenie", "https"};
  if (auto s = closestMatch(scheme.lower(), schemes); s && *s != "https")
    if (onCall(*s + ":" + rest.str()))
      return *s + ":" + rest.str();
  return std::nullopt;
}

// [a-z0-9-]+:[A-Za-z0-9*?]+ : an IAM action, wildcards allowed (only
// `iam_allow` takes this format; the derived grants never use wildcards).
bool iamAction(llvm::StringRef v) {
  auto [service, action] = v.split(':');
  if (service.empty() || action.empty() || !v.contains(':'))
    return false;
  return llvm::all_of(service, [](char c) { return isLowerAlnum(c) || c == '-'; }) &&
         llvm::all_of(action, [](char c) { return isAlnum(c) || c == '*' || c == '?'; });
}

// \*|arn:aws[a-z-]*:[a-z0-9*-]+:[a-z0-9*-]*:([0-9]{12}|\*|aws)?:[!-~]+ :
// `*` or an ARN (partition, service, region, account, resource; no spaces).
bool iamResource(llvm::StringRef v) {
  if (v == "*")
    return true;
  if (!v.consume_front("arn:"))
    return false;
  llvm::SmallVector<llvm::StringRef, 5> parts;
  v.split(parts, ':', /*MaxSplit=*/4);
  if (parts.size() != 5)
    return false;
  auto word = [](llvm::StringRef w, bool star) {
    return llvm::all_of(w, [&](char c) { return isLowerAlnum(c) || c == '-' || (star && c == '*'); });
  };
  llvm::StringRef partition = parts[0], service = parts[1], region = parts[2], account = parts[3];
  if (!partition.startswith("aws") || !word(partition, false) || service.empty() || !word(service, true) ||
      !word(region, true))
    return false;
  if (!account.empty() && account != "*" && account != "aws" &&
      !(account.size() == 12 && llvm::all_of(account, isDigit)))
    return false;
  return !parts[4].empty() && llvm::all_of(parts[4], [](char c) { return c > ' ' && c <= '~'; });
}

} // namespace

llvm::ArrayRef<const char *> knownAwsRegions() {
  // From botocore's data/endpoints.json (Debian 12's python3-botocore, read
  // 2026-12-03): every partition's `regions`. A region AWS opens later is
  // only warned about (P0330), so a stale list costs a warning, not a build.
  static const char *const regions[] = {
      "af-south-1",     "ap-east-1",      "ap-east-2",      "ap-northeast-1", "ap-northeast-2",
      "ap-northeast-3", "ap-south-1",     "ap-south-2",     "ap-southeast-1", "ap-southeast-2",
      "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
      "ca-central-1",   "ca-west-1",      "cn-north-1",     "cn-northwest-1", "eu-central-1",
      "eu-central-2",   "eu-isoe-west-1", "eu-north-1",     "eu-south-1",     "eu-south-2",
      "eu-west-1",      "eu-west-2",      "eu-west-3",      "eusc-de-east-1", "il-central-1",
      "me-central-1",   "me-south-1",     "mx-central-1",   "sa-east-1",      "us-east-1",
      "us-east-2",      "us-gov-east-1",  "us-gov-west-1",  "us-iso-east-1",  "us-iso-west-1",
      "us-isob-east-1", "us-isob-west-1", "us-isof-east-1", "us-isof-south-1", "us-west-1",
      "us-west-2"};
  return regions;
}

bool validFormat(llvm::StringRef format, llvm::StringRef value) {
  if (format == "dns_label")
    return dnsLabel(value);
  if (format == "image_ref")
    return imageRef(value);
  if (format == "aws_account")
    return awsAccount(value);
  if (format == "aws_region")
    return awsRegion(value) || llvm::is_contained(knownAwsRegions(), value);
  if (format == "s3_bucket")
    return s3Bucket(value);
  if (format == "secret_ref")
    return secretRef(value);
  if (format == "sagemaker_name")
    return sagemakerName(value);
  if (format == "nonblank")
    return nonblank(value);
  if (format == "kms_key")
    return kmsKey(value);
  if (format == "model_id")
    return modelId(value);
  if (format == "oidc_provider")
    return oidcProvider(value);
  if (format == "iam_role_arn")
    return iamRoleArn(value);
  if (format == "aws_tag")
    return awsTag(value);
  if (format == "http_path")
    return httpPath(value);
  if (format == "dns_suffix")
    return dnsSuffix(value);
  if (format == "on_call")
    return onCall(value);

  if (format == "iam_action")
    return iamAction(value);
  if (format == "iam_resource")
    return iamResource(value);
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
  if (format == "nonblank")
    return "non-empty string";
  if (format == "kms_key")
    return "KMS key id, alias or ARN";
  if (format == "model_id")
    return "model id or ARN";
  if (format == "oidc_provider")
    return "IAM OIDC provider (without `https://`)";
  if (format == "iam_role_arn")
    return "IAM role ARN";
  if (format == "aws_tag")
    return "AWS tag value";
  if (format == "http_path")
    return "HTTP path";
  if (format == "dns_suffix")
    return "namespace suffix";
  if (format == "on_call")
    return "on-call target";

  if (format == "iam_action")
    return "IAM action";
  if (format == "iam_resource")
    return "IAM resource (an ARN or `*`)";
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
  if (format == "nonblank")
    return "write a value, or leave the field out if it is optional";
  if (format == "kms_key")
    return "write a key id, `alias/name` or a key ARN: letters, digits, `:`, `/`, `_` and `-`, "
           "at most 2048 characters";
  if (format == "model_id")
    return "write a model id such as `\"anthropic.claude-3-haiku-20240307-v1:0\"` or a model ARN";
  if (format == "oidc_provider")
    return "write the provider as IAM names it, such as "
           "`\"oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE\"`";
  if (format == "iam_role_arn")
    return "write a role ARN such as `\"arn:aws:iam::123456789012:role/airflow-workers\"`";
  if (format == "dns_suffix")
    return "use lowercase letters, digits and `-`, such as `\"dev\"`: the namespace is the team's "
           "name, `-` and the suffix";
  if (format == "http_path")
    return "write a path from the root without spaces, such as `\"/healthz\"`";
  if (format == "on_call")
    return "write `\"pagerduty:<service>\"`, `\"opsgenie:<team>\"`, an email address or an "
           "`https://` webhook URL: alerts are routed by that scheme";
  if (format == "aws_tag")
    return "it becomes an AWS tag: use letters, digits, spaces and `_ . : / = + @ -`, at most 256 "
           "characters";
  if (format == "iam_action")
    return "write `service:Action`, such as `\"s3:ListAllMyBuckets\"` (`*` and `?` match several)";
  if (format == "iam_resource")
    return "write an ARN such as `\"arn:aws:s3:::acme-lake/exports/*\"`, or `\"*\"`";
  return "";
}

std::string quotedForMessage(llvm::StringRef value) {
  constexpr size_t kKeep = 60;
  bool plain = value.size() <= 80 && llvm::none_of(value, [](char c) {
                 return static_cast<unsigned char>(c) < 0x20 || c == 0x7F;
               });
  if (plain)
    return value.str();
  std::string out;
  size_t i = 0;
  for (; i < value.size() && out.size() < kKeep; ++i) {
    auto c = static_cast<unsigned char>(value[i]);
    if (c == '\n')
      out += "\\n";
    else if (c == '\r')
      out += "\\r";
    else if (c == '\t')
      out += "\\t";
    else if (c < 0x20 || c == 0x7F)
      out += fmt::format("\\x{:02x}", c);
    else
      out += static_cast<char>(c);
  }
  // Finish the UTF-8 character the cut fell into.
  while (i < value.size() && (static_cast<unsigned char>(value[i]) & 0xC0) == 0x80)
    out += value[i++];
  if (i < value.size())
    out += fmt::format("... ({} bytes)", value.size());
  return out;
}

std::optional<FormatProblem> formatProblem(llvm::StringRef format, llvm::StringRef value) {
  if (validFormat(format, value))
    return std::nullopt;
  FormatProblem p;
  p.help = formatHelp(format);
  if (!nonblank(value)) {
    p.blank = true;
    const char *what = value.empty() ? "an empty string" : "a string of only whitespace";
    p.message = format == "nonblank"
                    ? fmt::format("expected a value, found {}", what)
                    : fmt::format("expected {}, found {}", formatDescription(format), what);
    return p;
  }
  p.message = fmt::format("`{}` is not a valid {}", quotedForMessage(value), formatDescription(format));
  if (format == "on_call")
    if ((p.replacement = onCallCorrection(value)))
      p.help = fmt::format("did you mean `{}`? {}", *p.replacement, p.help);
  return p;
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

namespace {

// The values one cron field allows, as a bit set (bit i: value i). Names of
// months (JAN) and weekdays (SUN) count; day of week 7 is Sunday (0).
uint64_t cronField(llvm::StringRef field, int lo, int hi, bool weekday, bool month) {
  static const char *monthNames[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                     "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
  static const char *dayNames[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};
  auto number = [&](llvm::StringRef n, int &v) {
    std::string upper = n.upper();
    if (month)
      for (int i = 0; i < 12; ++i)
        if (upper == monthNames[i]) {
          v = i + 1;
          return true;
        }
    if (weekday)
      for (int i = 0; i < 7; ++i)
        if (upper == dayNames[i]) {
          v = i;
          return true;
        }
    return !n.getAsInteger(10, v) && v >= lo && v <= hi;
  };
  uint64_t bits = 0;
  llvm::SmallVector<llvm::StringRef, 4> parts;
  field.split(parts, ',');
  for (llvm::StringRef part : parts) {
    auto [range, stepText] = part.split('/');
    unsigned step = 1;
    if (!stepText.empty() && (stepText.getAsInteger(10, step) || step == 0))
      return 0;
    int a = lo, b = hi;
    if (range != "*") {
      auto [first, last] = range.split('-');
      if (!number(first, a))
        return 0;
      b = a;
      if (range.contains('-') && !number(last, b))
        return 0;
      // `5/15` means from 5 to the end in steps of 15.
      if (!range.contains('-') && !stepText.empty())
        b = hi;
    }
    for (int v = a; v <= b; v += static_cast<int>(step))
      bits |= uint64_t(1) << (weekday && v == 7 ? 0 : v);
  }
  return bits;
}

} // namespace

double cronLongestInterval(llvm::StringRef expr) {
  constexpr double kDay = 86400;
  if (expr == "@hourly")
    return 3600;
  if (expr == "@daily")
    return kDay;
  if (expr == "@weekly")
    return 7 * kDay;
  if (expr == "@monthly")
    return 31 * kDay;
  if (expr == "@quarterly")
    return 92 * kDay;
  if (expr == "@yearly" || expr == "@annually")
    return 366 * kDay;
  if (expr.startswith("@"))
    return -1;
  llvm::SmallVector<llvm::StringRef, 5> f;
  expr.split(f, ' ', -1, false);
  if (f.size() != 5)
    return -1;
  uint64_t minutes = cronField(f[0], 0, 59, false, false);
  uint64_t hours = cronField(f[1], 0, 23, false, false);
  uint64_t doms = cronField(f[2], 1, 31, false, false);
  uint64_t months = cronField(f[3], 1, 12, false, true);
  uint64_t dows = cronField(f[4], 0, 7, true, false);
  if (!minutes || !hours || !doms || !months || !dows)
    return -1;
  // The minutes of a day at which it fires, in order.
  llvm::SmallVector<int, 64> times;
  for (int h = 0; h < 24; ++h)
    if (hours >> h & 1)
      for (int m = 0; m < 60; ++m)
        if (minutes >> m & 1)
          times.push_back(h * 60 + m);
  double withinDay = -1;
  for (size_t i = 1; i < times.size(); ++i)
    withinDay = std::max(withinDay, double(times[i] - times[i - 1]));
  // Cron's rule: when both day fields are restricted, either one matching
  // is enough; otherwise the restricted one decides.
  bool domAny = f[2].startswith("*"), dowAny = f[4].startswith("*");
  static const int monthDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  double longest = -1;
  double previous = -1; // minute of the previous run, counted from 2024-01-01
  int weekday = 1;      // 2024-01-01 was a Monday
  int day = 0;
  for (int year = 2024; year <= 2025; ++year)
    for (int month = 1; month <= 12; ++month) {
      int days = monthDays[month - 1] + (month == 2 && year % 4 == 0 ? 1 : 0);
      for (int dom = 1; dom <= days; ++dom, ++day, weekday = (weekday + 1) % 7) {
        if (!(months >> month & 1))
          continue;
        bool domOk = doms >> dom & 1, dowOk = dows >> weekday & 1;
        bool fires = domAny && dowAny ? true
                     : domAny         ? dowOk
                     : dowAny         ? domOk
                                      : (domOk || dowOk);
        if (!fires)
          continue;
        // Within a day the gaps are the same every day: only the first
        // run of the day is compared with the previous day's last.
        double first = day * 1440.0 + times.front();
        if (previous >= 0)
          longest = std::max(longest, first - previous);
        longest = std::max(longest, withinDay);
        previous = day * 1440.0 + times.back();
      }
    }
  return longest < 0 ? -1 : longest * 60;
}

} // namespace plat::sema
