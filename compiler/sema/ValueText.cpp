#include "sema/ValueText.h"

#include <cmath>

#include "fmt/format.h"

namespace plat::sema {

std::string numberText(double value) {
  if (std::floor(value) == value && std::fabs(value) < 1e15)
    return fmt::format("{}", static_cast<long long>(value));
  return fmt::format("{}", value);
}

static std::string quote(const std::string &s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\t':
      out += "\\t";
      break;
    case '$':
      out += "\\$";
      break;
    default:
      out += c;
    }
  }
  return out + "\"";
}

// A quantity in the largest suffix of its unit that divides it exactly, so
// `0.5` cores prints `500m` and 536870912 bytes `512Mi`.
static std::string quantityText(const Value &v) {
  const UnitDef *unit = v.type && v.type->kind == TypeKind::Quantity ? v.type->unit : nullptr;
  if (!unit)
    return v.text.empty() ? numberText(v.number) : v.text;
  if (unit->plainAllowed && std::floor(v.number) == v.number)
    return numberText(v.number);
  std::string best;
  double bestFactor = 0;
  for (const auto &[suffix, factor] : unit->suffixes) {
    double n = v.number / factor;
    if (std::fabs(n - std::round(n)) < 1e-9 && factor > bestFactor) {
      // Prefer binary memory suffixes: Mi over M when both fit.
      best = numberText(std::round(n)) + suffix;
      bestFactor = factor;
    }
  }
  return best.empty() ? numberText(v.number) : best;
}

std::string valueText(const Program &program, const Value &v) {
  switch (v.kind) {
  case Value::Kind::Bool:
    return v.boolean ? "true" : "false";
  case Value::Kind::Int:
    return fmt::format("{}", v.integer);
  case Value::Kind::Float:
    return numberText(v.number);
  case Value::Kind::String:
    return quote(v.text);
  case Value::Kind::Quantity:
    return quantityText(v);
  case Value::Kind::Money:
    return numberText(v.number) + " " + v.text;
  case Value::Kind::MoneyRate: {
    const UnitDef *periods = program.schema.unit("period");
    double secs = 1;
    if (periods)
      if (auto it = periods->suffixes.find(v.period); it != periods->suffixes.end())
        secs = it->second;
    return fmt::format("{} {}/{}", numberText(std::round(v.number * secs * 1e6) / 1e6), v.text, v.period);
  }
  case Value::Kind::Rate: {
    const UnitDef *periods = program.schema.unit("period");
    double secs = 1;
    if (periods)
      if (auto it = periods->suffixes.find(v.period); it != periods->suffixes.end())
        secs = it->second;
    return fmt::format("{}/{}", numberText(std::round(v.number * secs * 1e6) / 1e6), v.period);
  }
  case Value::Kind::Enum:
    return v.text;
  case Value::Kind::Ref:
    return "ref " + program.decl(v.ref).qualifiedName;
  case Value::Kind::ColumnRef:
    return "column " + program.decl(v.ref).qualifiedName + "." + v.text;
  case Value::Kind::TaskRef:
    return "task " + v.text;
  case Value::Kind::List: {
    std::string out = "[";
    for (size_t i = 0; i < v.items.size(); ++i) {
      if (i)
        out += ", ";
      if (v.items[i]->kind == Value::Kind::Record && !v.items[i]->text.empty())
        out += v.items[i]->text + " ";
      out += valueText(program, *v.items[i]);
    }
    return out + "]";
  }
  case Value::Kind::Record:
  case Value::Kind::Columns: {
    std::string out = "{";
    for (size_t i = 0; i < v.fields.size(); ++i) {
      const Value &f = *v.fields[i].value;
      out += i ? ", " : " ";
      if (v.kind == Value::Kind::Columns)
        out += fmt::format("{} : {}{}", v.fields[i].name, f.text2, f.boolean ? " @pii" : "");
      else
        out += v.fields[i].name + " = " + valueText(program, f);
    }
    return out + (v.fields.empty() ? "}" : " }");
  }
  case Value::Kind::Range:
    if (v.items.size() == 2)
      return valueText(program, *v.items[0]) + ".." + valueText(program, *v.items[1]);
    return "?";
  case Value::Kind::Storage:
    return fmt::format("s3({}, {})", quote(v.text), quote(v.text2));
  case Value::Kind::Framework:
    return fmt::format("{}({})", v.text, quote(v.text2));
  case Value::Kind::Error:
    return "<error>";
  }
  return "?";
}

} // namespace plat::sema
