#include "report/CostReport.h"

#include <cmath>

#include "fmt/format.h"
#include "governance/Governance.h"
#include "nlohmann/json.hpp"

namespace plat::report {

namespace {

// Cents, so that printed lines add up to printed totals exactly.
long long cents(double usd) { return std::llround(usd * 100); }

std::string money(long long c) {
  std::string digits = std::to_string(std::llabs(c) / 100);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0)
      out += ',';
    out += digits[i];
  }
  return fmt::format("{}${}.{:02}", c < 0 ? "-" : "", out, std::llabs(c) % 100);
}

std::string csvField(const std::string &s) {
  if (s.find_first_of(",\"\n") == std::string::npos)
    return s;
  std::string out = "\"";
  for (char c : s)
    out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

} // namespace

std::string renderCost(const sema::Program &p, const std::vector<const sema::EnvModel *> &envs,
                       CostFormat format) {
  std::string text;
  std::string csv = "environment,team,declaration,kind,monthly_usd,basis\n";
  nlohmann::ordered_json json;
  json["currency"] = "USD";
  json["period"] = "month";
  json["environments"] = nlohmann::ordered_json::array();
  long long grand = 0;
  for (const sema::EnvModel *env : envs) {
    long long envTotal = 0;
    nlohmann::ordered_json je;
    je["name"] = env->name;
    je["teams"] = nlohmann::ordered_json::array();
    text += fmt::format("environment {}\n", env->name);
    for (const governance::TeamCost &t : governance::teamCosts(p, *env)) {
      long long teamTotal = 0;
      nlohmann::ordered_json jt;
      jt["team"] = p.decl(t.team).name;
      jt["declarations"] = nlohmann::ordered_json::array();
      std::string lines;
      for (const governance::CostLine &l : t.lines) {
        long long c = cents(l.monthly);
        teamTotal += c;
        const sema::Decl &d = p.decl(l.decl);
        lines += fmt::format("    {:<32} {:>14}  {}\n", d.kind + " " + d.name, money(c), l.basis);
        csv += fmt::format("{},{},{},{},{}.{:02},{}\n", env->name, p.decl(t.team).name, d.name,
                           d.kind, c / 100, c % 100, csvField(l.basis));
        jt["declarations"].push_back({{"name", d.qualifiedName},
                                      {"kind", d.kind},
                                      {"monthly_usd", static_cast<double>(c) / 100},
                                      {"basis", l.basis}});
      }
      jt["total_usd"] = static_cast<double>(teamTotal) / 100;
      jt["budget_usd"] = t.budget < 0 ? nlohmann::ordered_json(nullptr)
                                      : nlohmann::ordered_json(t.budget);
      je["teams"].push_back(jt);
      text += fmt::format("  team {:<27} {:>14}{}\n", p.decl(t.team).name, money(teamTotal),
                          t.budget < 0 ? std::string()
                                       : fmt::format("  (budget {} for all environments)",
                                                     money(cents(t.budget))));
      text += lines;
      envTotal += teamTotal;
    }
    je["total_usd"] = static_cast<double>(envTotal) / 100;
    json["environments"].push_back(je);
    text += fmt::format("  {:<32} {:>14}\n\n", "total", money(envTotal));
    grand += envTotal;
  }
  json["total_usd"] = static_cast<double>(grand) / 100;
  text += fmt::format("{}: {} per month (estimates from on-demand prices; see "
                      "docs/governance.md)\n",
                      envs.size() == 1 ? "total in `" + envs.front()->name + "`" : std::string("all environments"),
                      money(grand));
  switch (format) {
  case CostFormat::Text:
    return text;
  case CostFormat::Json:
    return json.dump(2) + "\n";
  case CostFormat::Csv:
    return csv;
  }
  return text;
}

} // namespace plat::report
