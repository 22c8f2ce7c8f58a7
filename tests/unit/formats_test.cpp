// The string formats of compiler/sema/Formats.cpp are matched by hand for
// speed. Their specification is the regular expression written above each
// matcher; this test compares the two on many generated strings.

#include <catch2/catch.hpp>

#include <functional>
#include <map>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "sema/Formats.h"

using plat::sema::validFormat;

namespace {

struct Spec {
  const char *format;
  const char *pattern;
  size_t minSize, maxSize; // the length bounds the checker adds to the pattern
  const char *alphabet;
  std::vector<std::string> seeds; // valid examples to mutate
  std::function<bool(const std::string &)> also = nullptr; // further rules beside the pattern
};

bool reference(const Spec &s, const std::string &v) {
  static std::map<std::string, std::regex> compiled;
  auto it = compiled.find(s.pattern);
  if (it == compiled.end())
    it = compiled.emplace(s.pattern, std::regex(s.pattern, std::regex::ECMAScript)).first;
  if (v.size() < s.minSize || v.size() > s.maxSize)
    return false;
  return std::regex_match(v, it->second) && (!s.also || s.also(v));
}

std::string mutate(std::string v, const std::string &alphabet, std::mt19937 &rng) {
  int edits = 1 + static_cast<int>(rng() % 3);
  for (int i = 0; i < edits; ++i) {
    char c = alphabet[rng() % alphabet.size()];
    size_t at = v.empty() ? 0 : rng() % (v.size() + 1);
    switch (rng() % 3) {
    case 0:
      v.insert(v.begin() + static_cast<long>(at), c);
      break;
    case 1:
      if (at < v.size())
        v.erase(at, 1);
      break;
    default:
      if (at < v.size())
        v[at] = c;
      break;
    }
  }
  return v;
}

std::string randomString(const std::string &alphabet, std::mt19937 &rng) {
  std::string v;
  size_t n = rng() % 14;
  for (size_t i = 0; i < n; ++i)
    v += alphabet[rng() % alphabet.size()];
  return v;
}

} // namespace

TEST_CASE("hand-written format matchers agree with their regular expressions", "[formats]") {
  const std::string digest(64, 'a');
  std::vector<Spec> specs = {
      {"dns_label", "[a-z]([-a-z0-9]*[a-z0-9])?", 1, 63, "ab0-9zA_.", {"checkout-api", "a", "x9"}},
      {"image_ref",
       "([a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?/)?[a-z0-9]+([._-]+[a-z0-9]+)*"
       "(/[a-z0-9]+([._-]+[a-z0-9]+)*)*"
       "((:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})(@sha256:[a-f0-9]{64})?|@sha256:[a-f0-9]{64})",
       1, 512, "ab0:/._-@Z",
       {"registry.acme.io/team/app:1.4.2", "localhost:5000/app:v1", "app:latest",
        "ghcr.io/a__b/c--d:_x", "repo/app@sha256:" + digest, "repo/app:1@sha256:" + digest,
        "a.b-c_d/e:1"}},
      {"s3_bucket", "[a-z0-9][a-z0-9.-]*[a-z0-9]", 3, 63, "ab0.-9A",
       {"acme-data", "a.b.c", "10.0.0.1", "my..bucket"},
       [](const std::string &v) {
         static const std::regex ip("[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+");
         return v.find("..") == std::string::npos && !std::regex_match(v, ip);
       }},
      {"aws_account", "[0-9]{12}", 0, 1000, "0123456789a", {"123456789012"}},
      {"aws_region", "[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]", 0, 1000, "usegovi-1wt",
       {"us-east-1", "us-gov-west-1", "us-isob-east-1", "eu-west-3", "cn-iso-north-1"}},
      {"secret_ref", "(secretsmanager|ssm|vault):[A-Za-z0-9/_+=.@-]+", 0, 1000, "sm:/a_+=.@-v !",
       {"secretsmanager:prod/db", "ssm:/a/b", "vault:kv/x@1"}},
      {"sagemaker_name", "[a-zA-Z0-9](-*[a-zA-Z0-9])*", 1, 63, "aZ0--_.", {"fraud-model", "A--b", "x"}},
      {"nonblank", "[\\s\\S]*[^ \\t\\n\\r\\v\\f][\\s\\S]*", 0, 100000, " \t\n\r\v\fa.",
       {"pagerduty:shop", " x ", "\n.\n"}},
      {"kms_key", "[a-zA-Z0-9:/_-]+", 1, 2048, "aZ0:/_- .*",
       {"alias/orders", "1234abcd-12ab", "arn:aws:kms:us-east-1:210987654321:key/1234abcd"}},
      {"model_id", "[a-zA-Z0-9._:/-]+", 1, 2048, "aZ0._:/- *",
       {"anthropic.claude-3-haiku-20240307-v1:0", "arn:aws:bedrock:us-east-1::foundation-model/x"}},
      {"oidc_provider", "[A-Za-z0-9.-]+(/[A-Za-z0-9._-]+)*", 1, 255, "aZ0.-/_: ",
       {"oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE", "host.example"}},
      {"aws_tag", "[A-Za-z0-9 _.:/=+@-]*[A-Za-z0-9_.:/=+@-][A-Za-z0-9 _.:/=+@-]*", 0, 256,
       "aZ0 _.:/=+@-(*\t", {"CC-1001", "grace.kim@acme.example", "a b"}},
      {"http_path", "/[^\\x00-\\x20\\x7f]*", 0, 2048, "/a.{ \t\x7f?%",
       {"/healthz", "/api/v1/ready?x=1", "/"}},
      {"dns_suffix", "-?[a-z0-9]([-a-z0-9]*[a-z0-9])?", 0, 63, "a0-Z_.", {"dev", "-prod", "eu-2"},
       [](const std::string &v) { return v.size() - (v[0] == '-') <= 62; }},
      {"iam_role_arn", "arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9_+=,.@/-]+", 20, 2048,
       "arn:awsiamrole0123456789/_+=,.@- ",
       {"arn:aws:iam::123456789012:role/airflow", "arn:aws-cn:iam::123456789012:role/a/b",
        "arn:aws-us-gov:iam::123456789012:role/x+=,.@-"}},
      {"iam_action", "[a-z0-9-]+:[A-Za-z0-9*?]+", 3, 100000, "s3:aZ0*?-. ",
       {"s3:ListAllMyBuckets", "ec2:Describe*", "sagemaker:Get?"}},
      {"iam_resource", "\\*|arn:aws[a-z0-9-]*:[a-z0-9*-]+:[a-z0-9*-]*:([0-9]{12}|\\*|aws)?:[!-~]+", 1, 100000,
       "arn:aws-s3*:/0123456789 x",
       {"*", "arn:aws:s3:::acme-lake/exports/*", "arn:aws:logs:eu-west-1:123456789012:log-group:x:*",
        "arn:aws:iam::aws:policy/ReadOnlyAccess"}},
  };
  std::mt19937 rng(20261126);
  for (const Spec &s : specs) {
    std::vector<std::string> cases(s.seeds);
    for (int i = 0; i < 3000; ++i) {
      cases.push_back(mutate(s.seeds[rng() % s.seeds.size()], s.alphabet, rng));
      cases.push_back(randomString(s.alphabet, rng));
    }
    cases.push_back("");
    cases.push_back(std::string(64, 'a'));
    cases.push_back(std::string(600, 'a') + ":1");
    size_t accepted = 0;
    for (const std::string &v : cases) {
      bool expected = reference(s, v);
      accepted += expected;
      INFO(s.format << ": `" << v << "`");
      CHECK(validFormat(s.format, v) == expected);
    }
    // The generated strings must exercise both outcomes, or the test proves little.
    INFO(s.format);
    CHECK(accepted > 10);
    CHECK(accepted < cases.size() - 10);
  }
}

TEST_CASE("format matchers on named examples", "[formats]") {
  CHECK(validFormat("dns_label", "checkout-api"));
  CHECK_FALSE(validFormat("dns_label", "Checkout"));
  CHECK_FALSE(validFormat("dns_label", std::string(64, 'a')));
  CHECK(validFormat("image_ref", "registry.acme.io:5000/payments/checkout:1.4.2"));
  CHECK_FALSE(validFormat("image_ref", "registry.acme.io/payments/checkout")); // no tag or digest
  CHECK(validFormat("s3_bucket", "acme-lake"));
  CHECK_FALSE(validFormat("s3_bucket", "192.168.0.1"));
  CHECK(validFormat("aws_region", "us-gov-west-1"));
  CHECK_FALSE(validFormat("aws_region", "us-east"));
  CHECK(validFormat("no_such_format", "anything"));
}

TEST_CASE("the longest interval between runs of a cron schedule", "[formats]") {
  using plat::sema::cronLongestInterval;
  constexpr double h = 3600, d = 86400;
  CHECK(cronLongestInterval("@hourly") == h);
  CHECK(cronLongestInterval("@daily") == d);
  CHECK(cronLongestInterval("@once") == -1);
  CHECK(cronLongestInterval("* * * * *") == 60);
  CHECK(cronLongestInterval("*/15 * * * *") == 15 * 60);
  CHECK(cronLongestInterval("0 */6 * * *") == 6 * h);
  // Uneven hours: the gap from 18:00 to 03:00 is the longest.
  CHECK(cronLongestInterval("0 3,12,18 * * *") == 9 * h);
  // Weekdays only: Friday 06:00 to Monday 06:00.
  CHECK(cronLongestInterval("0 6 * * 1-5") == 3 * d);
  CHECK(cronLongestInterval("0 6 * * MON-FRI") == 3 * d);
  // Sunday written as 7.
  CHECK(cronLongestInterval("0 0 * * 7") == 7 * d);
  // The 1st of each month: 31 days from January to February.
  CHECK(cronLongestInterval("0 0 1 * *") == 31 * d);
  // Both day fields restricted: either matches (the 1st, or any Monday).
  CHECK(cronLongestInterval("0 0 1 * 1") <= 7 * d);
  // The 31st fires only in long months: 61 days from August 31 to October 31.
  CHECK(cronLongestInterval("0 0 31 * *") == 61 * d);
  CHECK(cronLongestInterval("0 0 30 2 *") == -1);
}

TEST_CASE("the known AWS regions are sorted, distinct and region-shaped", "[formats]") {
  llvm::ArrayRef<const char *> regions = plat::sema::knownAwsRegions();
  REQUIRE(regions.size() > 30);
  for (size_t i = 0; i < regions.size(); ++i) {
    INFO(regions[i]);
    CHECK(plat::sema::validFormat("aws_region", regions[i]));
    if (i)
      CHECK(llvm::StringRef(regions[i - 1]) < llvm::StringRef(regions[i]));
  }
}
