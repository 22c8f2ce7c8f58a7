// The policy rule language: `for KIND x where COND require COND else "..."`.
//
// Total by construction: a rule quantifies over the finite set of
// declarations of one kind; expressions follow fields and edges (never a
// user-defined function), quantifiers range over finite lists, and the only
// transitive operation, `reach`, is computed by the engine with a visited
// set. Rules are typed before governance runs (sema/PolicyTypes.cpp): a rule
// with a type error is never evaluated, and evaluation follows the types it
// computed (literals in the base unit, how each comparison compares).

#include <functional>
#include <optional>
#include <set>

#include "base/Text.h"
#include "fmt/format.h"
#include "governance/Governance.h"
#include "sema/ValueText.h"
#include "llvm/ADT/StringExtras.h"

namespace plat::governance {

using sema::DeclId;
using sema::EnvModel;
using sema::Program;
using sema::Value;

namespace {

// A value while a rule is evaluated.
struct EV {
  enum class K { Null, Bool, Num, Str, Decl, List, Record } k = K::Null;
  bool b = false;
  double n = 0;
  std::string s;
  DeclId d = sema::kNoDecl;
  std::vector<EV> items;
  const Value *record = nullptr;
  const sema::UnitDef *unit = nullptr;     // for quantities
  const sema::EnumDef *enumDef = nullptr;  // for enum members
  std::string currency;                    // for money
};

class Evaluator {
public:
  Evaluator(const Program &p, const EnvModel &env, Diagnostics &diags,
            std::vector<RuleOutcome> *record = nullptr)
      : p_(p), env_(env), diags_(diags), record_(record), typing_(p.policyTyping), out_(p.decls.size()),
        in_(p.decls.size()), reach_(p.decls.size()), reachDone_(p.decls.size(), false) {
    // Adjacency, so that `reach` and `callers` cost what they visit.
    for (const sema::Edge &e : env.edges) {
      out_[e.from].push_back(&e);
      in_[e.to].push_back(&e);
    }
  }

  void run() {
    for (const sema::Decl &policy : p_.decls) {
      if (policy.kindId != sema::DeclKind::Policy || !env_.exists[policy.id])
        continue;
      Severity severity = Severity::Error;
      if (const Value *sev = env_.get(policy.id, sema::fields::policy::severity);
          sev && sev->text == "warning")
        severity = Severity::Warning;
      const Value *profile = env_.get(policy.id, sema::fields::policy::profile);
      size_t index = 0;
      for (const ast::Item *item : p_.block(policy)->items)
        if (auto *rule = llvm::dyn_cast<ast::Rule>(item))
          runRule(policy, *rule, index++, severity, profile ? profile->text : "");
    }
  }

private:
  static std::string join(const std::vector<std::string> &names) {
    std::string out;
    for (size_t i = 0; i < names.size(); ++i)
      out += (i ? ", `" : "`") + names[i] + "`";
    return out;
  }

  // ---------------------------------------------------------------- eval

  EV fromValue(const Value *v) {
    EV out;
    if (!v)
      return out;
    switch (v->kind) {
    case Value::Kind::Bool:
      out.k = EV::K::Bool;
      out.b = v->boolean;
      break;
    case Value::Kind::Int:
    case Value::Kind::Float:
      out.k = EV::K::Num;
      out.n = v->asNumber();
      break;
    case Value::Kind::Quantity:
      out.k = EV::K::Num;
      out.n = v->number;
      out.unit = v->type ? v->type->unit : nullptr;
      break;
    case Value::Kind::Money:
    case Value::Kind::MoneyRate:
    case Value::Kind::Rate:
      out.k = EV::K::Num;
      out.n = v->number;
      out.currency = v->text;
      break;
    case Value::Kind::Enum:
      out.k = EV::K::Str;
      out.s = v->text;
      out.enumDef = v->type ? v->type->enumDef : nullptr;
      break;
    case Value::Kind::String:
    case Value::Kind::TaskRef:
      out.k = EV::K::Str;
      out.s = v->text;
      break;
    case Value::Kind::Ref:
    case Value::Kind::Framework:
      out.k = EV::K::Decl;
      out.d = v->ref;
      break;
    case Value::Kind::ColumnRef:
      out.k = EV::K::Str;
      out.s = p_.decl(v->ref).name + "." + v->text;
      break;
    case Value::Kind::List:
    case Value::Kind::Range:
      out.k = EV::K::List;
      for (const Value *item : v->items)
        out.items.push_back(fromValue(item));
      break;
    case Value::Kind::Record:
    case Value::Kind::Columns:
    case Value::Kind::Storage:
      out.k = EV::K::Record;
      out.record = v;
      break;
    case Value::Kind::Error:
      break;
    }
    return out;
  }

  EV declList(const std::vector<DeclId> &ids) {
    EV out;
    out.k = EV::K::List;
    for (DeclId id : ids) {
      EV d;
      d.k = EV::K::Decl;
      d.d = id;
      out.items.push_back(d);
    }
    return out;
  }

  // Everything a declaration depends on, transitively (calls, reads,
  // trained_on, invokes), with a visited set; computed once per declaration
  // and environment (rules and nested quantifiers ask for the same sets).
  const std::vector<DeclId> &reach(DeclId from) {
    static const std::vector<DeclId> kNone;
    if (from >= reach_.size())
      return kNone;
    if (reachDone_[from])
      return reach_[from];
    reachDone_[from] = true;
    std::vector<DeclId> &out = reach_[from];
    std::set<DeclId> seen{from};
    std::vector<DeclId> stack{from};
    while (!stack.empty()) {
      DeclId id = stack.back();
      stack.pop_back();
      for (const sema::Edge *e : out_[id]) {
        if (e->kind == sema::EdgeKind::Owns)
          continue;
        if (seen.insert(e->to).second) {
          out.push_back(e->to);
          stack.push_back(e->to);
        }
      }
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  EV member(const EV &base, llvm::StringRef field) {
    if (base.k == EV::K::Record && base.record)
      return fromValue(base.record->field(field));
    if (base.k == EV::K::List && base.items.size() == 2 && (field == "min" || field == "max"))
      return base.items[field == "min" ? 0 : 1];
    if (base.k != EV::K::Decl)
      return {};
    DeclId id = base.d;
    const sema::Decl &d = p_.decl(id);
    EV out;
    if (field == "name") {
      out.k = EV::K::Str;
      out.s = d.name;
      return out;
    }
    if (field == "kind" || field == "package") {
      out.k = EV::K::Str;
      out.s = field == "kind" ? d.kind : d.package;
      return out;
    }
    if (field == "env" || field == "tier") {
      out.k = EV::K::Str;
      out.s = field == "env" ? env_.name : env_.tier;
      if (field == "tier")
        out.enumDef = p_.schema.enumeration("tier");
      return out;
    }
    if (field == "classification") {
      int level = id < env_.classification.size() ? env_.classification[id] : -1;
      if (level < 0)
        return out;
      out.k = EV::K::Str;
      out.s = classificationName(level).str();
      out.enumDef = p_.schema.enumeration("classification");
      return out;
    }
    if (field == "cost") {
      out.k = EV::K::Num;
      // Money rates are kept per second, like MoneyRate values.
      out.n = id < env_.monthlyCost.size() ? env_.monthlyCost[id] / 2629800.0 : 0;
      out.currency = "usd";
      return out;
    }
    if (field == "reach")
      return declList(reach(id));
    if (field == "callers" || field == "readers" || field == "writers") {
      std::vector<DeclId> ids;
      for (const sema::Edge *e : in_[id]) {
        bool match = field == "callers"   ? e->kind == sema::EdgeKind::Calls
                     : field == "readers" ? (e->kind == sema::EdgeKind::Reads ||
                                             e->kind == sema::EdgeKind::TrainedOn)
                                          : e->kind == sema::EdgeKind::Writes;
        if (match)
          ids.push_back(e->from);
      }
      return declList(ids);
    }
    return fromValue(env_.getByName(id, field));
  }

  // Compares as the rule's typing decided (sema/PolicyTypes.cpp). An unset
  // value (`none`) equals only `none` and is not ordered:
  // `x.retention <= 400d` is false when no retention is set, never
  // vacuously true.
  int compare(const EV &a, const EV &b, sema::PolicyCompare how, bool &comparable) {
    comparable = a.k != EV::K::Null && b.k != EV::K::Null;
    if (how == sema::PolicyCompare::None || !comparable) {
      comparable = a.k == b.k;
      return a.k == b.k ? 0 : 1;
    }
    switch (how) {
    case sema::PolicyCompare::Number:
      return a.n < b.n ? -1 : a.n > b.n ? 1 : 0;
    case sema::PolicyCompare::Enum: {
      const sema::EnumDef *e = a.enumDef ? a.enumDef : b.enumDef;
      if (e && e->has(a.s) && e->has(b.s))
        return e->index(a.s) - e->index(b.s);
      return a.s < b.s ? -1 : a.s > b.s ? 1 : 0;
    }
    case sema::PolicyCompare::String:
      return a.s < b.s ? -1 : a.s > b.s ? 1 : 0;
    case sema::PolicyCompare::Decl:
      return a.d < b.d ? -1 : a.d > b.d ? 1 : 0;
    case sema::PolicyCompare::DeclName: {
      const std::string &name = a.k == EV::K::Decl ? p_.decl(a.d).name : a.s;
      const std::string &other = b.k == EV::K::Decl ? p_.decl(b.d).name : b.s;
      return name == other ? 0 : 1;
    }
    case sema::PolicyCompare::Bool:
      return int(a.b) - int(b.b);
    case sema::PolicyCompare::None:
      break;
    }
    return 0;
  }

  bool truthy(const EV &v) {
    switch (v.k) {
    case EV::K::Null:
      return false;
    case EV::K::Bool:
      return v.b;
    case EV::K::Num:
      return v.n != 0;
    case EV::K::Str:
      return !v.s.empty();
    case EV::K::List:
      return !v.items.empty();
    case EV::K::Decl:
    case EV::K::Record:
      return true;
    }
    return false;
  }

  EV boolean(bool b) {
    EV out;
    out.k = EV::K::Bool;
    out.b = b;
    return out;
  }

  EV eval(const ast::Expr *e, std::map<std::string, EV> &vars) {
    if (!e)
      return {};
    switch (e->kind) {
    case ast::ExprKind::Bool:
      return boolean(llvm::cast<ast::BoolExpr>(e)->value);
    case ast::ExprKind::Number: {
      auto *n = llvm::cast<ast::NumberExpr>(e);
      EV out;
      out.k = EV::K::Num;
      auto it = typing_.literals.find(sema::syntaxRef(*n)); // in the base unit of what it is compared with
      out.n = it != typing_.literals.end() ? it->second : n->value;
      return out;
    }
    case ast::ExprKind::String: {
      EV out;
      out.k = EV::K::Str;
      out.s = interpolate(llvm::cast<ast::StringExpr>(e), vars);
      return out;
    }
    case ast::ExprKind::Name: {
      auto *n = llvm::cast<ast::NameExpr>(e);
      llvm::StringRef name = n->name.text;
      if (auto it = vars.find(name.str()); it != vars.end())
        return it->second;
      EV out; // `none`, or an enum member (the typing checked it is one)
      if (auto it = typing_.enumMembers.find(sema::syntaxRef(*n)); it != typing_.enumMembers.end()) {
        out.k = EV::K::Str;
        out.s = name.str();
        out.enumDef = it->second;
      }
      return out;
    }
    case ast::ExprKind::Member: {
      auto *m = llvm::cast<ast::MemberExpr>(e);
      return member(eval(m->base, vars), m->member.text);
    }
    case ast::ExprKind::Call: {
      auto *c = llvm::cast<ast::CallExpr>(e);
      EV out;
      out.k = EV::K::Num;
      if (!c->args.empty()) {
        EV arg = eval(c->args[0].value, vars);
        // The typing allows a list, a map (a record value) or a string.
        out.n = arg.k == EV::K::List ? static_cast<double>(arg.items.size())
                : arg.k == EV::K::Str ? static_cast<double>(arg.s.size())
                : arg.k == EV::K::Record && arg.record
                    ? static_cast<double>(arg.record->fields.size())
                    : 0;
      }
      return out;
    }
    case ast::ExprKind::List: {
      EV out;
      out.k = EV::K::List;
      for (const ast::Expr *el : llvm::cast<ast::ListExpr>(e)->elements)
        out.items.push_back(eval(el, vars));
      return out;
    }
    case ast::ExprKind::Unary: {
      auto *u = llvm::cast<ast::UnaryExpr>(e);
      EV v = eval(u->operand, vars);
      if (u->op == ast::UnaryOp::Not)
        return boolean(!truthy(v));
      v.n = -v.n;
      return v;
    }
    case ast::ExprKind::Binary: {
      auto *b = llvm::cast<ast::BinaryExpr>(e);
      if (b->op == ast::BinaryOp::And)
        return boolean(truthy(eval(b->lhs, vars)) && truthy(eval(b->rhs, vars)));
      if (b->op == ast::BinaryOp::Or)
        return boolean(truthy(eval(b->lhs, vars)) || truthy(eval(b->rhs, vars)));
      EV l = eval(b->lhs, vars), r = eval(b->rhs, vars);
      auto how = typing_.comparisons.find(sema::syntaxRef(*b));
      if (how == typing_.comparisons.end()) // untyped: the rule is not evaluated
        return boolean(false);
      if (b->op == ast::BinaryOp::In) {
        for (const EV &item : r.items) {
          bool ok;
          if (compare(l, item, how->second, ok) == 0 && ok)
            return boolean(true);
        }
        return boolean(false);
      }
      bool comparable;
      int c = compare(l, r, how->second, comparable);
      switch (b->op) {
      case ast::BinaryOp::Eq:
        return boolean(comparable && c == 0);
      case ast::BinaryOp::Ne:
        return boolean(!comparable || c != 0);
      case ast::BinaryOp::Lt:
        return boolean(comparable && c < 0);
      case ast::BinaryOp::Le:
        return boolean(comparable && c <= 0);
      case ast::BinaryOp::Gt:
        return boolean(comparable && c > 0);
      case ast::BinaryOp::Ge:
        return boolean(comparable && c >= 0);
      default:
        return boolean(false);
      }
    }
    case ast::ExprKind::Quantifier:
      return boolean(quantifier(llvm::cast<ast::QuantifierExpr>(e), vars));
    default:
      return {};
    }
  }

  // Collects the variable names an expression reads; false when it holds
  // something `eval` may one day read variables through unseen.
  static bool namesRead(const ast::Expr *e, std::vector<std::string> &names) {
    if (!e)
      return true;
    switch (e->kind) {
    case ast::ExprKind::Bool:
    case ast::ExprKind::Number:
    case ast::ExprKind::Error:
      return true;
    case ast::ExprKind::String:
      for (const ast::StringPart &part : llvm::cast<ast::StringExpr>(e)->parts)
        if (part.interpolation && !part.interpolation->parts.empty())
          names.push_back(part.interpolation->parts[0].text.str());
      return true;
    case ast::ExprKind::Name:
      names.push_back(llvm::cast<ast::NameExpr>(e)->name.text.str());
      return true;
    case ast::ExprKind::Member:
      return namesRead(llvm::cast<ast::MemberExpr>(e)->base, names);
    case ast::ExprKind::Call: {
      bool ok = true;
      for (const ast::Arg &a : llvm::cast<ast::CallExpr>(e)->args)
        ok &= namesRead(a.value, names);
      return ok;
    }
    case ast::ExprKind::List: {
      bool ok = true;
      for (const ast::Expr *el : llvm::cast<ast::ListExpr>(e)->elements)
        ok &= namesRead(el, names);
      return ok;
    }
    case ast::ExprKind::Unary:
      return namesRead(llvm::cast<ast::UnaryExpr>(e)->operand, names);
    case ast::ExprKind::Binary: {
      auto *b = llvm::cast<ast::BinaryExpr>(e);
      return namesRead(b->lhs, names) & namesRead(b->rhs, names);
    }
    case ast::ExprKind::Quantifier: {
      auto *q = llvm::cast<ast::QuantifierExpr>(e);
      names.push_back(q->var.text.str());
      return namesRead(q->domain, names) & namesRead(q->body, names);
    }
    case ast::ExprKind::Index:
    case ast::ExprKind::Record:
    case ast::ExprKind::Range:
      return false;
    }
    return false;
  }

  // `all x in D: B` / `any x in D: B`. Evaluation is pure, so the value
  // depends only on the variables the quantifier reads; when they all hold
  // declarations (rule and quantifier variables over `reach`, `callers`,
  // `calls` ...), the value is remembered by them, and nested quantifiers
  // over `reach` cost once per distinct declaration instead of once per
  // path to it (a chain of n services with three nested `all`s: n^4 → n^2).
  bool quantifier(const ast::QuantifierExpr *q, std::map<std::string, EV> &vars) {
    auto [info, added] = quantInfo_.try_emplace(q);
    if (added) {
      info->second.memoisable = namesRead(q, info->second.names);
      std::sort(info->second.names.begin(), info->second.names.end());
      info->second.names.erase(std::unique(info->second.names.begin(), info->second.names.end()),
                               info->second.names.end());
    }
    std::vector<uint64_t> key;
    bool memo = info->second.memoisable;
    for (const std::string &name : info->second.names) {
      if (!memo)
        break;
      auto it = vars.find(name);
      if (it == vars.end())
        key.push_back(uint64_t(1) << 32);
      else if (it->second.k == EV::K::Decl)
        key.push_back(it->second.d);
      else
        memo = false;
    }
    if (memo)
      if (auto it = quantValue_.find({q, key}); it != quantValue_.end())
        return it->second;

    std::string var = q->var.text.str();
    auto saved = vars.find(var) != vars.end() ? std::optional<EV>(vars[var]) : std::nullopt;
    bool result = q->all;
    auto visit = [&](const EV &item) { // false: the answer is known
      vars[var] = item;
      bool holds = truthy(eval(q->body, vars));
      if (q->all != holds) {
        result = holds;
        return false;
      }
      return true;
    };
    // `x.reach` is walked from the cached set, without building a list.
    auto *m = llvm::dyn_cast_or_null<ast::MemberExpr>(q->domain);
    EV base = m && m->member.text == "reach" ? eval(m->base, vars) : EV{};
    if (base.k == EV::K::Decl) {
      EV item;
      item.k = EV::K::Decl;
      for (DeclId id : reach(base.d)) {
        item.d = id;
        if (!visit(item))
          break;
      }
    } else {
      EV domain = eval(q->domain, vars);
      for (const EV &item : domain.items)
        if (!visit(item))
          break;
    }
    if (saved)
      vars[var] = *saved;
    else
      vars.erase(var);
    if (memo)
      quantValue_.emplace(std::make_pair(q, std::move(key)), result);
    return result;
  }

  std::string text(const EV &v) {
    switch (v.k) {
    case EV::K::Null:
      return "none";
    case EV::K::Bool:
      return v.b ? "true" : "false";
    case EV::K::Num:
      if (!v.currency.empty()) // a money rate, per second: show it per month
        return fmt::format("{:.2f} {}/month", v.n * 2629800, v.currency);
      return sema::numberText(v.n);
    case EV::K::Str:
      return v.s;
    case EV::K::Decl:
      return p_.decl(v.d).name;
    case EV::K::List: {
      std::string out = "[";
      for (size_t i = 0; i < v.items.size(); ++i)
        out += (i ? ", " : "") + text(v.items[i]);
      return out + "]";
    }
    case EV::K::Record:
      return v.record ? sema::valueText(p_, *v.record) : "{}";
    }
    return "";
  }

  std::string interpolate(const ast::StringExpr *s, std::map<std::string, EV> &vars) {
    std::string out;
    for (const ast::StringPart &part : s->parts) {
      if (!part.interpolation) {
        out += part.text.str();
        continue;
      }
      llvm::ArrayRef<ast::Ident> path = part.interpolation->parts;
      auto it = vars.find(path[0].text.str());
      if (it == vars.end()) {
        out += "${" + part.interpolation->str() + "}";
        continue;
      }
      EV v = it->second;
      for (const ast::Ident &field : path.drop_front())
        v = member(v, field.text);
      out += text(v);
    }
    return out;
  }

  static bool mentions(const ast::Expr *e, llvm::StringRef field) {
    if (!e)
      return false;
    if (auto *m = llvm::dyn_cast<ast::MemberExpr>(e))
      return m->member.text == field || mentions(m->base, field);
    if (auto *b = llvm::dyn_cast<ast::BinaryExpr>(e))
      return mentions(b->lhs, field) || mentions(b->rhs, field);
    if (auto *u = llvm::dyn_cast<ast::UnaryExpr>(e))
      return mentions(u->operand, field);
    if (auto *q = llvm::dyn_cast<ast::QuantifierExpr>(e))
      return mentions(q->domain, field) || mentions(q->body, field);
    return false;
  }

  // ------------------------------------------------------- explanations

  // The operands of a chain of `and`s, in source order.
  static void conjunctsOf(const ast::Expr *e, std::vector<const ast::Expr *> &out) {
    if (auto *b = llvm::dyn_cast_or_null<ast::BinaryExpr>(e); b && b->op == ast::BinaryOp::And) {
      conjunctsOf(b->lhs, out);
      conjunctsOf(b->rhs, out);
    } else if (e) {
      out.push_back(e);
    }
  }

  // A rule expression as it would be written (for notes; the AST keeps no
  // source text).
  static std::string exprText(const ast::Expr *e, int parentPrec = 0) {
    if (!e)
      return "";
    switch (e->kind) {
    case ast::ExprKind::Bool:
      return llvm::cast<ast::BoolExpr>(e)->value ? "true" : "false";
    case ast::ExprKind::Number: {
      auto *n = llvm::cast<ast::NumberExpr>(e);
      std::string out = n->raw.str();
      if (!n->per.empty())
        out += "/" + n->per.text.str();
      return out;
    }
    case ast::ExprKind::String:
      return llvm::cast<ast::StringExpr>(e)->raw.str();
    case ast::ExprKind::Name:
      return llvm::cast<ast::NameExpr>(e)->name.text.str();
    case ast::ExprKind::Member: {
      auto *m = llvm::cast<ast::MemberExpr>(e);
      return exprText(m->base, 9) + "." + m->member.text.str();
    }
    case ast::ExprKind::Call: {
      auto *c = llvm::cast<ast::CallExpr>(e);
      std::string out = exprText(c->callee, 9) + "(";
      for (size_t i = 0; i < c->args.size(); ++i)
        out += (i ? ", " : "") + exprText(c->args[i].value);
      return out + ")";
    }
    case ast::ExprKind::List: {
      std::string out = "[";
      auto *l = llvm::cast<ast::ListExpr>(e);
      for (size_t i = 0; i < l->elements.size(); ++i)
        out += (i ? ", " : "") + exprText(l->elements[i]);
      return out + "]";
    }
    case ast::ExprKind::Unary: {
      auto *u = llvm::cast<ast::UnaryExpr>(e);
      return (u->op == ast::UnaryOp::Not ? "not " : "-") + exprText(u->operand, 8);
    }
    case ast::ExprKind::Binary: {
      auto *b = llvm::cast<ast::BinaryExpr>(e);
      int prec = b->op == ast::BinaryOp::Or ? 1 : b->op == ast::BinaryOp::And ? 2 : 3;
      std::string out = exprText(b->lhs, prec) + " " + ast::spelling(b->op).str() + " " +
                        exprText(b->rhs, prec + 1);
      return prec < parentPrec ? "(" + out + ")" : out;
    }
    case ast::ExprKind::Quantifier: {
      auto *q = llvm::cast<ast::QuantifierExpr>(e);
      std::string out = fmt::format("{} {} in {}: {}", q->all ? "all" : "any", q->var.text.str(),
                                    exprText(q->domain), exprText(q->body));
      return parentPrec > 0 ? "(" + out + ")" : out;
    }
    default:
      return "…";
    }
  }

  // The field paths of the rule's subject an expression reads
  // (`s.tls`, `m.approval.approvers`), in source order, without repeats.
  static void pathsOf(const ast::Expr *e, llvm::StringRef var,
                      std::vector<std::vector<llvm::StringRef>> &out) {
    if (!e)
      return;
    if (auto *m = llvm::dyn_cast<ast::MemberExpr>(e)) {
      std::vector<llvm::StringRef> path;
      const ast::Expr *base = m;
      while (auto *mm = llvm::dyn_cast<ast::MemberExpr>(base)) {
        path.insert(path.begin(), mm->member.text);
        base = mm->base;
      }
      auto *n = llvm::dyn_cast<ast::NameExpr>(base);
      if (n && n->name.text == var) {
        if (std::find(out.begin(), out.end(), path) == out.end())
          out.push_back(std::move(path));
      } else {
        pathsOf(base, var, out);
      }
      return;
    }
    if (auto *b = llvm::dyn_cast<ast::BinaryExpr>(e)) {
      pathsOf(b->lhs, var, out);
      pathsOf(b->rhs, var, out);
    } else if (auto *u = llvm::dyn_cast<ast::UnaryExpr>(e)) {
      pathsOf(u->operand, var, out);
    } else if (auto *c = llvm::dyn_cast<ast::CallExpr>(e)) {
      for (const ast::Arg &a : c->args)
        pathsOf(a.value, var, out);
    } else if (auto *q = llvm::dyn_cast<ast::QuantifierExpr>(e)) {
      pathsOf(q->domain, var, out);
    }
  }

  // Where a field path of declaration `id` leads in this environment: the
  // value at its end (a default, perhaps), the deepest value on it that the
  // user wrote (the top field set by the declaration, a template or an
  // `env` block, and the fields written inside it) and how many fields of
  // the path that covers, and where the top field's value comes from.
  struct PathValue {
    const Value *value = nullptr;
    const Value *written = nullptr;
    size_t writtenDepth = 0;
    size_t length = 0; // the leading parts of the path that are fields
    sema::Origin origin = sema::Origin::Default;
  };
  std::optional<PathValue> follow(DeclId id, llvm::ArrayRef<llvm::StringRef> path) {
    const sema::Decl &d = p_.decl(id);
    if (path.empty() || !d.schema || !d.schema->field(path[0]))
      return std::nullopt; // derived (`classification`, `reach`, ...): no field to point at
    PathValue out;
    out.origin = env_.originOfByName(id, path[0]);
    const Value *v = env_.getByName(id, path[0]);
    if (v && out.origin != sema::Origin::Default && v->span.valid()) {
      out.written = v;
      out.writtenDepth = 1;
    }
    // A nested value is written when it lies inside the written one (a
    // default's span is in the standard library).
    out.length = path.size();
    for (size_t depth = 1; v && depth < path.size(); ++depth) {
      if (v->kind != Value::Kind::Record) {
        out.length = depth; // `replicas.min`: a range's bound, not a field
        break;
      }
      v = v->field(path[depth]);
      if (v && out.written && out.writtenDepth == depth && v->span.file == out.written->span.file &&
          out.written->span.begin <= v->span.begin && v->span.end <= out.written->span.end) {
        out.written = v;
        out.writtenDepth = depth + 1;
      }
    }
    out.value = v;
    return out;
  }

  static std::string joinPath(llvm::ArrayRef<llvm::StringRef> path) {
    std::string out;
    for (size_t i = 0; i < path.size(); ++i)
      out += (i ? "." : "") + path[i].str();
    return out;
  }

  // One edit a failing conjunct asks for, when its shape says it: `s.f`
  // (a boolean) wants `f = true`; `s.f == L`, `s.f <= L`, `s.f >= L` want
  // `f = L`. Only for top-level fields of the subject.
  std::optional<std::pair<std::string, std::string>> wantedSetting(const ast::Expr *c,
                                                                    llvm::StringRef var, DeclId id) {
    auto fieldOf = [&](const ast::Expr *e) -> std::optional<std::string> {
      auto *m = llvm::dyn_cast_or_null<ast::MemberExpr>(e);
      auto *n = m ? llvm::dyn_cast<ast::NameExpr>(m->base) : nullptr;
      const sema::Decl &decl = p_.decl(id);
      if (!n || n->name.text != var || !decl.schema || !decl.schema->field(m->member.text))
        return std::nullopt; // a derived member (`cost`, `classification`) is not set
      return m->member.text.str();
    };
    if (auto f = fieldOf(c))
      return std::make_pair(*f, std::string("true"));
    auto *b = llvm::dyn_cast<ast::BinaryExpr>(c);
    // `len(s.f) > 0`: a list to fill in; a placeholder (`[…]`), since which
    // entries belong there is the user's decision.
    if (b && b->op == ast::BinaryOp::Gt) {
      auto *call = llvm::dyn_cast<ast::CallExpr>(b->lhs);
      auto *callee = call ? llvm::dyn_cast<ast::NameExpr>(call->callee) : nullptr;
      auto *zero = llvm::dyn_cast<ast::NumberExpr>(b->rhs);
      if (callee && callee->name.text == "len" && call->args.size() == 1 && zero && zero->value == 0)
        if (auto f = fieldOf(call->args[0].value)) {
          const sema::Type *t = p_.decl(id).schema->field(*f)->type;
          while (t && t->kind == sema::TypeKind::Optional && t->element)
            t = t->element;
          if (t && t->kind == sema::TypeKind::List)
            return std::make_pair(*f, std::string("[…]"));
          if (t && t->kind == sema::TypeKind::Map)
            return std::make_pair(*f, std::string("{ … }"));
        }
    }
    if (!b || (b->op != ast::BinaryOp::Eq && b->op != ast::BinaryOp::Le && b->op != ast::BinaryOp::Ge))
      return std::nullopt;
    auto *lit = b->rhs;
    if (!llvm::isa<ast::NumberExpr>(lit) && !llvm::isa<ast::BoolExpr>(lit) &&
        !llvm::isa<ast::StringExpr>(lit) && !llvm::isa<ast::NameExpr>(lit))
      return std::nullopt;
    if (auto *n = llvm::dyn_cast<ast::NameExpr>(lit); n && (n->name.text == "none" || n->name.text == var))
      return std::nullopt;
    if (auto f = fieldOf(b->lhs))
      return std::make_pair(*f, exprText(lit));
    return std::nullopt;
  }

  // Says which operands of the failing `require` do not hold and what the
  // declaration has for the fields they read; moves the primary span to the
  // value that breaks the rule where the declaration (or its `env` block)
  // wrote one; and offers the settings the failing operands ask for.
  // Returns the help naming those settings, or "".
  std::string explainFailure(Diagnostic &d, const ast::Rule &rule, DeclId id,
                             std::map<std::string, EV> &vars) {
    const sema::Decl &decl = p_.decl(id);
    llvm::StringRef var = rule.var.text;
    std::vector<const ast::Expr *> conjuncts;
    conjunctsOf(rule.require, conjuncts);
    std::vector<const ast::Expr *> failing;
    for (const ast::Expr *c : conjuncts)
      if (!truthy(eval(c, vars)))
        failing.push_back(c);
    bool moved = false;
    std::vector<std::string> settings;
    Fix fix{"", {}, false};
    std::set<std::string> wanted;
    std::vector<std::string> choices; // what a placeholder may hold
    bool inEnvBlock = false;          // an edit changes an `env` block's value
    // What each failing operand reads, as notes; operands failing for the
    // same facts share one note (`d.retention != none` and
    // `d.retention <= 400d` when no retention is set).
    struct Explained {
      std::vector<std::string> operands;
      std::vector<std::string> facts;
      std::optional<Span> at;
    };
    std::vector<Explained> explained;
    for (const ast::Expr *c : failing) {
      std::vector<std::vector<llvm::StringRef>> paths;
      pathsOf(c, var, paths);
      std::vector<std::string> facts;
      std::optional<Span> at;
      for (const auto &path : paths) {
        std::optional<PathValue> pv = follow(id, path);
        if (!pv)
          continue;
        llvm::ArrayRef<llvm::StringRef> fields = llvm::ArrayRef(path).take_front(pv->length);
        std::string name = joinPath(fields);
        std::string dflt = pv->value ? fmt::format(" (default `{}`)", sema::valueText(p_, *pv->value)) : "";
        bool inEnv = pv->origin == sema::Origin::EnvOverride ||
                     pv->origin == sema::Origin::TemplateEnvOverride;
        std::string where = inEnv ? fmt::format(" in environment `{}`", env_.name) : "";
        if (pv->writtenDepth == fields.size())
          facts.push_back(fmt::format("`{}` is `{}`{}", name, sema::valueText(p_, *pv->value), where));
        else if (pv->written)
          facts.push_back(fmt::format("`{}`{} sets no `{}`{}",
                                      joinPath(fields.take_front(pv->writtenDepth)), where,
                                      joinPath(fields.drop_front(pv->writtenDepth)), dflt));
        else
          facts.push_back(fmt::format("`{}` is not set{}", name, dflt));
        if (pv->written && !at)
          at = pv->written->span;
        // The value that breaks the rule, where this declaration wrote it:
        // the primary span, naming the environment of an `env` block.
        if (pv->written && !moved &&
            (pv->origin == sema::Origin::Declared || pv->origin == sema::Origin::EnvOverride)) {
          moved = true;
          d.span = pv->written->span;
          if (pv->origin == sema::Origin::EnvOverride) {
            if (d.message.find("`" + env_.name + "`") == std::string::npos)
              d.message += fmt::format(" (in environment `{}`)", env_.name);
            d.note(decl.nameSpan, fmt::format("`{}` is declared here; its `env {}` block sets `{}`",
                                              decl.name, env_.name, path[0].str()));
          }
        }
      }
      if (!explained.empty() && explained.back().facts == facts && !facts.empty())
        explained.back().operands.push_back(exprText(c));
      else
        explained.push_back({{exprText(c)}, facts, at});
      // The setting the operand asks for, written where the value is (the
      // declaration or its `env` block) or added to the declaration.
      auto want = wantedSetting(c, var, id);
      if (!want || !wanted.insert(want->first).second)
        continue;
      std::string text = fmt::format("{} = {}", want->first, want->second);
      settings.push_back(text);
      if (const sema::FieldDef *fd = decl.schema ? decl.schema->field(want->first) : nullptr) {
        const sema::Type *t = fd->type;
        while (t && (t->kind == sema::TypeKind::Optional || t->kind == sema::TypeKind::List) && t->element)
          t = t->element;
        if (want->second == "[…]" && t && t->enumDef)
          choices.push_back(fmt::format("`{}` is a list of {}", want->first, join(t->enumDef->members)));
      }
      sema::Origin origin = env_.originOfByName(id, want->first);
      const Value *current = env_.getByName(id, want->first);
      if (current && current->span.valid() &&
          (origin == sema::Origin::Declared || origin == sema::Origin::EnvOverride)) {
        fix.edits.push_back({current->span, want->second});
        inEnvBlock |= origin == sema::Origin::EnvOverride;
      }
      else if (const ast::Block *block = p_.block(decl); block && block->close.valid())
        fix.edits.push_back({Span{block->close.file, block->close.begin, block->close.begin},
                             fmt::format("  {}\n", text)});
    }
    // A lone operand with nothing to show says no more than the rule's note.
    if (!(explained.size() == 1 && conjuncts.size() == 1 && explained[0].facts.empty()))
      for (const Explained &e : explained) {
        std::string note = "requires `" + llvm::join(e.operands, "` and `") + "`";
        if (!e.facts.empty())
          note += ", but " + llvm::join(e.facts, " and ");
        if (e.at && !(*e.at == d.span))
          d.note(*e.at, note);
        else
          d.note(note);
      }
    if (settings.empty())
      return "";
    std::string list;
    for (size_t i = 0; i < settings.size(); ++i)
      list += fmt::format("{}`{}`", i ? (i + 1 == settings.size() ? " and " : ", ") : "", settings[i]);
    // Inserts at one place (the closing brace) are merged into one edit, in
    // order, so that the fix applies as one.
    std::vector<Edit> merged;
    for (Edit &e : fix.edits) {
      if (!merged.empty() && merged.back().span == e.span && e.span.size() == 0)
        merged.back().replacement += e.replacement;
      else
        merged.push_back(std::move(e));
    }
    fix.edits = std::move(merged);
    // Changes what is deployed: offered, never applied by `platc fix`.
    fix.description = fmt::format("set {}", list);
    d.fixes.push_back(std::move(fix));
    return fmt::format("set {} on `{}`{}{}", list, decl.name,
                       inEnvBlock ? fmt::format(" in its `env {}` block", env_.name) : "",
                       choices.empty() ? "" : " (" + llvm::join(choices, "; ") + ")");
  }

  // The fields of `var` that `e` reads directly (`s.tls`, and `approval`
  // in `s.approval.approvers`).
  static void fieldsOf(const ast::Expr *e, llvm::StringRef var, std::set<std::string> &out) {
    if (!e)
      return;
    if (auto *m = llvm::dyn_cast<ast::MemberExpr>(e)) {
      if (auto *n = llvm::dyn_cast_or_null<ast::NameExpr>(m->base); n && n->name.text == var)
        out.insert(m->member.text.str());
      fieldsOf(m->base, var, out);
    } else if (auto *b = llvm::dyn_cast<ast::BinaryExpr>(e)) {
      fieldsOf(b->lhs, var, out);
      fieldsOf(b->rhs, var, out);
    } else if (auto *u = llvm::dyn_cast<ast::UnaryExpr>(e)) {
      fieldsOf(u->operand, var, out);
    } else if (auto *q = llvm::dyn_cast<ast::QuantifierExpr>(e)) {
      fieldsOf(q->domain, var, out);
      if (q->var.text != var) // shadowed inside the body otherwise
        fieldsOf(q->body, var, out);
    } else if (auto *c = llvm::dyn_cast<ast::CallExpr>(e)) {
      for (const ast::Arg &a : c->args)
        fieldsOf(a.value, var, out);
    }
  }

  void runRule(const sema::Decl &policy, const ast::Rule &rule, size_t index, Severity severity,
               const std::string &profile) {
    // Rules are typed once for the workspace (sema/PolicyTypes.cpp); one
    // with a type error was reported there and is never evaluated.
    std::string kind = rule.kindName.text.str();
    std::optional<sema::DeclKind> kindId = sema::declKindFromName(kind);
    if (typing_.illTyped.count(sema::syntaxRef(rule)) || !p_.schema.kind(kind) || !kindId)
      return;
    bool lineage = mentions(rule.where, "classification") || mentions(rule.require, "classification");
    std::vector<std::string> fields;
    if (record_) {
      std::set<std::string> set;
      fieldsOf(rule.where, rule.var.text, set);
      fieldsOf(rule.require, rule.var.text, set);
      fields.assign(set.begin(), set.end());
    }
    for (DeclId id : p_.ofKind(*kindId)) {
      if (!env_.exists[id])
        continue;
      std::map<std::string, EV> vars;
      EV self;
      self.k = EV::K::Decl;
      self.d = id;
      vars[rule.var.text.str()] = self;
      if (rule.where && !truthy(eval(rule.where, vars)))
        continue;
      bool passed = truthy(eval(rule.require, vars));
      std::string message;
      if (!passed)
        message = rule.message ? text(eval(rule.message, vars))
                               : fmt::format("`{}` breaks policy `{}`", p_.decl(id).name, policy.name);
      if (record_) {
        record_->push_back(RuleOutcome{policy.id, index, kind, rule.span, profile,
                                       severity == Severity::Error, id, passed, message, fields});
        continue;
      }
      if (passed)
        continue;
      DiagId code = policy.fromStdlib ? DiagId::ComplianceViolation : DiagId::PolicyViolation;
      Diagnostic &d = diags_.report(code, p_.decl(id).nameSpan, message);
      d.severity = severity;
      std::string settingHelp = explainFailure(d, rule, id, vars);
      if (lineage && env_.classificationVia.size() > id && env_.classificationVia[id])
        addLineageNotes(d, p_, env_, id);
      if (policy.fromStdlib)
        d.note(fmt::format("{}{}",
                           profile.empty()
                               ? fmt::format("baseline rule `{}`", policy.name)
                               : fmt::format("rule `{}` of compliance profile `{}`", policy.name, profile),
                           policy.doc.empty() ? "" : ": " + paragraph(policy.doc)));
      else
        d.note(rule.span, fmt::format("required by policy `{}`", policy.name));
      std::string link = fmt::format("see `platc explain {}` and docs/governance.md#{}",
                                     diagInfo(code).code.str(), policy.name);
      if (!settingHelp.empty()) {
        // The edit first; the policy's own words or the link after it.
        d.withHelp(settingHelp);
        if (policy.fromStdlib)
          d.note(link);
        else if (!policy.doc.empty())
          d.note(paragraph(policy.doc));
      } else if (!policy.doc.empty() && !policy.fromStdlib) {
        d.withHelp(paragraph(policy.doc));
      } else if (policy.fromStdlib) {
        d.withHelp(link);
      }
    }
  }

  // The first paragraph of a doc comment, on one line: a doc comment
  // wrapped over several lines is one sentence, never cut at a line end.
  static std::string paragraph(const std::string &doc) {
    std::string out;
    for (char c : doc.substr(0, doc.find("\n\n")))
      out += c == '\n' ? ' ' : c;
    return out;
  }

  const Program &p_;
  const EnvModel &env_;
  Diagnostics &diags_;
  std::vector<RuleOutcome> *record_; // evaluateRules: record, do not report
  const sema::PolicyTyping &typing_;
  std::vector<std::vector<const sema::Edge *>> out_;
  std::vector<std::vector<const sema::Edge *>> in_;
  std::vector<std::vector<DeclId>> reach_; // by DeclId, once reachDone_
  std::vector<bool> reachDone_;
  // Per quantifier: the variable names its domain and body read, and
  // whether its value is a function of those alone (see `quantifier`).
  struct QuantInfo {
    bool memoisable = true;
    std::vector<std::string> names;
  };
  std::map<const ast::QuantifierExpr *, QuantInfo> quantInfo_;
  // A quantifier's value, by the values of the variables it reads.
  std::map<std::pair<const ast::QuantifierExpr *, std::vector<uint64_t>>, bool> quantValue_;
};

} // namespace

void checkPolicies(const Program &program, const EnvModel &env, Diagnostics &diags) {
  Evaluator(program, env, diags).run();
}

std::vector<RuleOutcome> evaluateRules(const Program &program, const EnvModel &env) {
  std::vector<RuleOutcome> out;
  Diagnostics unused;
  Evaluator(program, env, unused, &out).run();
  return out;
}

} // namespace plat::governance
