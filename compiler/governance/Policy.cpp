// The policy rule language: `for KIND x where COND require COND else "..."`.
//
// Total by construction: a rule quantifies over the finite set of
// declarations of one kind; expressions follow fields and edges (never a
// user-defined function), quantifiers range over finite lists, and the only
// transitive operation, `reach`, is computed by the engine with a visited
// set. Rules are checked like code: a kind, field or function that does not
// exist is a type error in the rule (P0502), reported once.

#include <functional>
#include <set>

#include "base/Text.h"
#include "fmt/format.h"
#include "governance/Governance.h"
#include "sema/ValueText.h"

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
  const ast::NumberExpr *literal = nullptr; // a literal whose unit the other side decides
};

// Properties every declaration has besides its fields.
const char *kComputed[] = {"name", "kind", "classification", "reach", "callers", "readers",
                           "writers", "cost", "env", "tier", "package"};

bool isComputed(llvm::StringRef name) {
  for (const char *c : kComputed)
    if (name == c)
      return true;
  return false;
}

class Evaluator {
public:
  Evaluator(const Program &p, const EnvModel &env, Diagnostics &diags, bool staticChecks)
      : p_(p), env_(env), diags_(diags), static_(staticChecks), out_(p.decls.size()),
        in_(p.decls.size()), reach_(p.decls.size()), reachDone_(p.decls.size(), false) {
    // Adjacency, so that `reach` and `callers` cost what they visit.
    for (const sema::Edge &e : env.edges) {
      out_[e.from].push_back(&e);
      in_[e.to].push_back(&e);
    }
  }

  void run() {
    for (const sema::Decl &policy : p_.decls) {
      if (policy.kind != "policy" || !env_.exists[policy.id])
        continue;
      Severity severity = Severity::Error;
      if (const Value *sev = env_.get(policy.id, "severity"); sev && sev->text == "warning")
        severity = Severity::Warning;
      const Value *profile = env_.get(policy.id, "profile");
      for (const ast::Item *item : policy.ast->items)
        if (auto *rule = llvm::dyn_cast<ast::Rule>(item))
          runRule(policy, *rule, severity, profile ? profile->text : "");
    }
  }

private:
  // ---------------------------------------------------------------- static

  struct SType {
    enum class K { Unknown, Decl, ListDecl, Record, Range, Other } k = K::Unknown;
    std::vector<std::string> kinds;
    const sema::RecordDef *record = nullptr;
  };

  // `suggestion`: the near-miss name the help proposes, offered as a fix.
  bool typeError(Span at, std::string message, std::string help,
                 const std::optional<std::string> &suggestion = std::nullopt) {
    if (static_) {
      Diagnostic &d =
          diags_.report(DiagId::PolicyTypeError, at, std::move(message)).withHelp(std::move(help));
      if (suggestion)
        d.fix(fmt::format("use `{}`", *suggestion), at, *suggestion);
    }
    return false;
  }

  SType typeOfField(const sema::FieldDef &f) {
    const sema::Type *t = f.type;
    while (t && t->kind == sema::TypeKind::Optional)
      t = t->element;
    SType out;
    if (!t)
      return out;
    if (t->kind == sema::TypeKind::Ref) {
      out.k = SType::K::Decl;
      out.kinds = t->refKinds;
    } else if (t->kind == sema::TypeKind::List && t->element &&
               t->element->kind == sema::TypeKind::Ref) {
      out.k = SType::K::ListDecl;
      out.kinds = t->element->refKinds;
    } else if (t->kind == sema::TypeKind::Record) {
      out.k = SType::K::Record;
      out.record = t->record;
    } else if (t->kind == sema::TypeKind::Range) {
      out.k = SType::K::Range;
    } else {
      out.k = SType::K::Other;
    }
    return out;
  }

  // Checks member chains against the schemas; returns the static type.
  SType check(const ast::Expr *e, std::map<std::string, SType> &scope, bool &ok) {
    if (!e)
      return {};
    if (auto *n = llvm::dyn_cast<ast::NameExpr>(e)) {
      auto it = scope.find(n->name.text.str());
      if (it != scope.end())
        return it->second;
      return {SType::K::Other, {}, nullptr}; // an enum member or `none`
    }
    if (auto *m = llvm::dyn_cast<ast::MemberExpr>(e)) {
      SType base = check(m->base, scope, ok);
      llvm::StringRef field = m->member.text;
      if (base.k == SType::K::Decl) {
        if (field == "reach" || field == "callers" || field == "readers" || field == "writers")
          return {SType::K::ListDecl, {}, nullptr};
        if (isComputed(field))
          return {SType::K::Other, {}, nullptr};
        const sema::FieldDef *found = nullptr;
        std::vector<std::string> names(std::begin(kComputed), std::end(kComputed));
        for (const std::string &k : base.kinds)
          if (const sema::RecordDef *schema = p_.schema.kind(k)) {
            if (const sema::FieldDef *f = schema->field(field))
              found = f;
            for (const std::string &fn : schema->fieldNames())
              names.push_back(fn);
          }
        if (!found && !base.kinds.empty()) {
          ok = false;
          std::string kinds;
          for (const std::string &k : base.kinds)
            kinds += (kinds.empty() ? "" : " | ") + k;
          std::string help = "check the field names in docs/kinds.md";
          auto s = closestMatch(field, names);
          if (s)
            help = fmt::format("did you mean `{}`?", *s);
          typeError(m->member.span, fmt::format("`{}` has no field `{}`", kinds, field.str()), help,
                    s);
          return {};
        }
        return found ? typeOfField(*found) : SType{};
      }
      if (base.k == SType::K::Record && base.record) {
        if (const sema::FieldDef *f = base.record->field(field))
          return typeOfField(*f);
        ok = false;
        typeError(m->member.span,
                  fmt::format("`{}` has no field `{}`", base.record->name, field.str()),
                  fmt::format("its fields are {}", join(base.record->fieldNames())));
        return {};
      }
      if (base.k == SType::K::Range) {
        if (field == "min" || field == "max")
          return {SType::K::Other, {}, nullptr};
        ok = false;
        typeError(m->member.span, fmt::format("a range has no field `{}`", field.str()),
                  "a range has `min` and `max`: `s.replicas.min >= 2`");
        return {};
      }
      if (base.k == SType::K::Other) {
        ok = false;
        typeError(m->member.span, fmt::format("this value has no field `{}`", field.str()),
                  "only declarations, records and ranges have fields");
        return {};
      }
      return {};
    }
    if (auto *q = llvm::dyn_cast<ast::QuantifierExpr>(e)) {
      SType domain = check(q->domain, scope, ok);
      SType var;
      if (domain.k == SType::K::ListDecl) {
        var.k = SType::K::Decl;
        var.kinds = domain.kinds;
      }
      auto saved = scope;
      scope[q->var.text.str()] = var;
      check(q->body, scope, ok);
      scope = saved;
      return {SType::K::Other, {}, nullptr};
    }
    if (auto *b = llvm::dyn_cast<ast::BinaryExpr>(e)) {
      check(b->lhs, scope, ok);
      check(b->rhs, scope, ok);
      return {SType::K::Other, {}, nullptr};
    }
    if (auto *u = llvm::dyn_cast<ast::UnaryExpr>(e)) {
      check(u->operand, scope, ok);
      return {SType::K::Other, {}, nullptr};
    }
    if (auto *c = llvm::dyn_cast<ast::CallExpr>(e)) {
      auto *callee = llvm::dyn_cast<ast::NameExpr>(c->callee);
      if (!callee || (callee->name.text != "len" && callee->name.text != "count")) {
        ok = false;
        typeError(c->span, "rules can call `len(list)` only",
                  "use `any x in list: ...`, `all x in list: ...` or `len(list)`");
        return {};
      }
      for (const ast::Arg &a : c->args)
        check(a.value, scope, ok);
      return {SType::K::Other, {}, nullptr};
    }
    return {SType::K::Other, {}, nullptr};
  }

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
    return fromValue(env_.get(id, field));
  }

  // Brings a literal like `400d` to the unit of the value it is compared with.
  void settle(EV &literal, const EV &other) {
    if (!literal.literal)
      return;
    const ast::NumberExpr *n = literal.literal;
    if (other.unit && !n->suffix.empty()) {
      auto it = other.unit->suffixes.find(n->suffix.str());
      if (it != other.unit->suffixes.end())
        literal.n = n->value * it->second;
    } else if (!n->per.empty()) {
      if (const sema::UnitDef *periods = p_.schema.unit("period"))
        if (auto it = periods->suffixes.find(n->per.text.str()); it != periods->suffixes.end())
          literal.n = n->value / it->second;
    }
  }

  int compare(EV a, EV b, bool &comparable) {
    comparable = true;
    settle(a, b);
    settle(b, a);
    if (a.k == EV::K::Num && b.k == EV::K::Num)
      return a.n < b.n ? -1 : a.n > b.n ? 1 : 0;
    if (a.k == EV::K::Str && b.k == EV::K::Str) {
      const sema::EnumDef *e = a.enumDef ? a.enumDef : b.enumDef;
      if (e && e->has(a.s) && e->has(b.s))
        return e->index(a.s) - e->index(b.s);
      return a.s < b.s ? -1 : a.s > b.s ? 1 : 0;
    }
    if (a.k == EV::K::Decl && b.k == EV::K::Decl)
      return a.d < b.d ? -1 : a.d > b.d ? 1 : 0;
    if (a.k == EV::K::Bool && b.k == EV::K::Bool)
      return int(a.b) - int(b.b);
    // `none` equals only `none` and is not ordered: `x.retention <= 400d`
    // is false when no retention is set, never vacuously true.
    if (a.k == EV::K::Null || b.k == EV::K::Null) {
      comparable = a.k == b.k;
      return a.k == b.k ? 0 : 1;
    }
    if (a.k == EV::K::Decl && b.k == EV::K::Str)
      return p_.decl(a.d).name == b.s ? 0 : 1;
    if (a.k == EV::K::Str && b.k == EV::K::Decl)
      return p_.decl(b.d).name == a.s ? 0 : 1;
    comparable = false;
    return 1;
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
      out.n = n->value;
      out.literal = n;
      return out;
    }
    case ast::ExprKind::String: {
      EV out;
      out.k = EV::K::Str;
      out.s = interpolate(llvm::cast<ast::StringExpr>(e), vars);
      return out;
    }
    case ast::ExprKind::Name: {
      llvm::StringRef name = llvm::cast<ast::NameExpr>(e)->name.text;
      if (auto it = vars.find(name.str()); it != vars.end())
        return it->second;
      if (name == "none")
        return {};
      EV out; // an enum member, compared by name
      out.k = EV::K::Str;
      out.s = name.str();
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
        out.n = arg.k == EV::K::List ? static_cast<double>(arg.items.size())
                : arg.k == EV::K::Str ? static_cast<double>(arg.s.size())
                : arg.k == EV::K::Null ? 0
                                        : 1;
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
      if (b->op == ast::BinaryOp::In) {
        if (r.k != EV::K::List)
          return boolean(false);
        for (const EV &item : r.items) {
          bool ok;
          if (compare(l, item, ok) == 0 && ok)
            return boolean(true);
        }
        return boolean(false);
      }
      bool comparable;
      int c = compare(l, r, comparable);
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

  void runRule(const sema::Decl &policy, const ast::Rule &rule, Severity severity,
               const std::string &profile) {
    std::string kind = rule.kindName.text.str();
    if (!p_.schema.kind(kind)) {
      std::vector<std::string> kinds = p_.schema.kindNames();
      std::string help = fmt::format("the kinds are {}", join(kinds));
      auto s = closestMatch(kind, kinds);
      if (s)
        help = fmt::format("did you mean `{}`?", *s);
      typeError(rule.kindName.span, fmt::format("rule ranges over unknown kind `{}`", kind), help, s);
      return;
    }
    std::map<std::string, SType> scope;
    scope[rule.var.text.str()] = SType{SType::K::Decl, {kind}, nullptr};
    bool ok = true;
    check(rule.where, scope, ok);
    check(rule.require, scope, ok);
    if (rule.message)
      check(rule.message, scope, ok);
    if (!ok)
      return;
    bool lineage = mentions(rule.where, "classification") || mentions(rule.require, "classification");
    for (DeclId id : p_.ofKind(kind)) {
      if (!env_.exists[id])
        continue;
      std::map<std::string, EV> vars;
      EV self;
      self.k = EV::K::Decl;
      self.d = id;
      vars[rule.var.text.str()] = self;
      if (rule.where && !truthy(eval(rule.where, vars)))
        continue;
      if (truthy(eval(rule.require, vars)))
        continue;
      std::string message = rule.message ? text(eval(rule.message, vars))
                                         : fmt::format("`{}` breaks policy `{}`", p_.decl(id).name,
                                                       policy.name);
      DiagId code = policy.fromStdlib ? DiagId::ComplianceViolation : DiagId::PolicyViolation;
      Diagnostic &d = diags_.report(code, p_.decl(id).nameSpan, message);
      d.severity = severity;
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
      if (!policy.doc.empty() && !policy.fromStdlib)
        d.withHelp(firstLine(policy.doc));
      else if (policy.fromStdlib)
        d.withHelp(fmt::format("see `platc explain {}` and docs/governance.md#{}",
                               diagInfo(code).code.str(), policy.name));
    }
  }

  // The first paragraph of a doc comment, on one line.
  static std::string paragraph(const std::string &doc) {
    std::string out;
    for (char c : doc.substr(0, doc.find("\n\n")))
      out += c == '\n' ? ' ' : c;
    return out;
  }

  static std::string firstLine(const std::string &doc) {
    size_t nl = doc.find('\n');
    return nl == std::string::npos ? doc : doc.substr(0, nl);
  }

  const Program &p_;
  const EnvModel &env_;
  Diagnostics &diags_;
  bool static_;
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

void checkPolicies(const Program &program, const EnvModel &env, Diagnostics &diags,
                   bool staticChecks) {
  Evaluator(program, env, diags, staticChecks).run();
}

} // namespace plat::governance
