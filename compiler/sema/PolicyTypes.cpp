// Typing of policy rules; see PolicyTypes.h and docs/governance.md
// ("Typing rules").

#include "sema/PolicyTypes.h"

#include <memory>

#include "base/Text.h"
#include "fmt/format.h"

namespace plat::sema {

namespace {

// The static type of a rule expression.
struct PT {
  enum class K {
    Unknown, // after an error: compatible with everything, reported once
    Bool,
    Number,
    Quantity,
    Money,
    MoneyRate,
    Rate,
    String,
    Enum,
    Decl,
    List,
    Map,
    Record,
    Range,
    Other, // columns, storage, blocks: no operations
    None,    // the literal `none`
    Name,    // a bare name not in scope: an enum member once compared
    Literal, // a number literal: its unit is decided by the other side
  } k = K::Unknown;
  const UnitDef *unit = nullptr;
  const EnumDef *enumDef = nullptr;
  const RecordDef *record = nullptr;
  std::vector<std::string> kinds; // Decl: the kinds it may be (empty: any)
  std::shared_ptr<const PT> elem; // List, Map, Range
  const ast::Expr *expr = nullptr; // Name, Literal

  static PT of(K k) {
    PT t;
    t.k = k;
    return t;
  }
  static PT listOf(PT e) {
    PT t = of(K::List);
    t.elem = std::make_shared<const PT>(std::move(e));
    return t;
  }
  bool numeric() const {
    return k == K::Number || k == K::Quantity || k == K::Money || k == K::MoneyRate || k == K::Rate;
  }
};

const char *kComputed[] = {"name",   "kind",    "package", "env",     "tier",   "classification",
                           "cost",   "reach",   "callers", "readers", "writers"};

std::string join(const std::vector<std::string> &names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i)
    out += (i ? ", `" : "`") + names[i] + "`";
  return out;
}

// How the source spells a rule expression, for messages.
std::string spell(const ast::Expr *e) {
  if (!e)
    return "?";
  if (auto *n = llvm::dyn_cast<ast::NameExpr>(e))
    return n->name.text.str();
  if (auto *m = llvm::dyn_cast<ast::MemberExpr>(e))
    return spell(m->base) + "." + m->member.text.str();
  if (auto *n = llvm::dyn_cast<ast::NumberExpr>(e)) {
    std::string out = n->raw.str();
    if (!n->currency.empty())
      out += " " + n->currency.str();
    if (!n->per.empty())
      out += "/" + n->per.text.str();
    return out;
  }
  if (auto *s = llvm::dyn_cast<ast::StringExpr>(e))
    return s->raw.str();
  if (auto *b = llvm::dyn_cast<ast::BoolExpr>(e))
    return b->value ? "true" : "false";
  if (auto *c = llvm::dyn_cast<ast::CallExpr>(e))
    return spell(c->callee) + "(...)";
  return "this expression";
}

class Typer {
public:
  Typer(Program &p, Diagnostics &diags) : p_(p), diags_(diags), out_(p.policyTyping) {}

  void run() {
    out_ = PolicyTyping{};
    for (const Decl &policy : p_.decls) {
      const ast::Block *block = policy.kindId == DeclKind::Policy ? p_.block(policy) : nullptr;
      if (!block)
        continue;
      for (const ast::Item *item : block->items)
        if (auto *rule = llvm::dyn_cast<ast::Rule>(item))
          typeRule(*rule);
    }
  }

private:
  Diagnostic &error(DiagId id, Span at, std::string message) {
    ok_ = false;
    return diags_.report(id, at, std::move(message));
  }

  void typeRule(const ast::Rule &rule) {
    ok_ = true;
    std::string kind = rule.kindName.text.str();
    if (!p_.schema.kind(kind)) {
      std::vector<std::string> kinds = p_.schema.kindNames();
      std::string help = fmt::format("the kinds are {}", join(kinds));
      std::optional<std::string> suggestion = closestMatch(kind, kinds);
      if (suggestion)
        help = fmt::format("did you mean `{}`?", *suggestion);
      Diagnostic &d = error(DiagId::PolicyTypeError, rule.kindName.span,
                            fmt::format("rule ranges over unknown kind `{}`", kind))
                          .withHelp(help);
      if (suggestion)
        d.fix(fmt::format("use `{}`", *suggestion), rule.kindName.span, *suggestion);
      out_.illTyped.insert(syntaxRef(rule));
      return;
    }
    scope_.clear();
    PT self = PT::of(PT::K::Decl);
    self.kinds = {kind};
    scope_[rule.var.text.str()] = self;
    if (rule.where)
      condition(rule.where, "`where`");
    condition(rule.require, "`require`");
    if (rule.message)
      typeOf(rule.message);
    if (!ok_)
      out_.illTyped.insert(syntaxRef(rule));
  }

  // A condition must be a boolean.
  void condition(const ast::Expr *e, const char *what) {
    PT t = typeOf(e);
    if (t.k == PT::K::Bool || t.k == PT::K::Unknown)
      return;
    error(DiagId::PolicyOperandType, e->span,
          fmt::format("{} needs a boolean, but `{}` is {}", what, spell(e), describe(t)))
        .withHelp(t.k == PT::K::List || t.k == PT::K::Map
                      ? fmt::format("test its length: `len({}) > 0`", spell(e))
                      : fmt::format("compare it: `{} != none`", spell(e)));
  }

  std::string describe(const PT &t) {
    switch (t.k) {
    case PT::K::Unknown:
      return "unknown";
    case PT::K::Bool:
      return "a boolean";
    case PT::K::Number:
      return "a plain number";
    case PT::K::Quantity:
      return fmt::format("a `{}`", t.unit ? t.unit->name : "quantity");
    case PT::K::Money:
      return "money";
    case PT::K::MoneyRate:
      return "money per period";
    case PT::K::Rate:
      return "a rate (a count per period)";
    case PT::K::String:
      return "a string";
    case PT::K::Enum:
      return t.enumDef ? fmt::format("a member of `{}`", t.enumDef->name) : "an enum member";
    case PT::K::Decl: {
      std::string kinds;
      for (const std::string &k : t.kinds)
        kinds += (kinds.empty() ? "" : " | ") + k;
      return kinds.empty() ? "a declaration" : fmt::format("a `{}`", kinds);
    }
    case PT::K::List:
      return "a list";
    case PT::K::Map:
      return "a map";
    case PT::K::Record:
      return fmt::format("a `{}` record", t.record ? t.record->name : "");
    case PT::K::Range:
      return "a range";
    case PT::K::Other:
      return "a value that cannot be compared";
    case PT::K::None:
      return "`none`";
    case PT::K::Name:
      return fmt::format("the bare name `{}`", spell(t.expr));
    case PT::K::Literal: {
      auto *n = llvm::cast<ast::NumberExpr>(t.expr);
      if (n->suffix.empty() && n->currency.empty() && n->per.empty())
        return "a bare number";
      return fmt::format("`{}`", spell(t.expr));
    }
    }
    return "";
  }

  PT fromType(const Type *t) {
    while (t && t->kind == TypeKind::Optional)
      t = t->element;
    if (!t)
      return {};
    PT out;
    switch (t->kind) {
    case TypeKind::String:
    case TypeKind::Cron:
    case TypeKind::InstanceType:
    case TypeKind::TaskRef:
    case TypeKind::ColumnRef:
      out.k = PT::K::String;
      break;
    case TypeKind::Int:
    case TypeKind::Float:
      out.k = PT::K::Number;
      break;
    case TypeKind::Bool:
      out.k = PT::K::Bool;
      break;
    case TypeKind::Quantity:
      out.k = PT::K::Quantity;
      out.unit = t->unit;
      break;
    case TypeKind::Money:
      out.k = PT::K::Money;
      break;
    case TypeKind::MoneyRate:
      out.k = PT::K::MoneyRate;
      break;
    case TypeKind::Rate:
      out.k = PT::K::Rate;
      break;
    case TypeKind::Enum:
      out.k = PT::K::Enum;
      out.enumDef = t->enumDef;
      break;
    case TypeKind::Record:
      out.k = PT::K::Record;
      out.record = t->record;
      break;
    case TypeKind::Ref:
      out.k = PT::K::Decl;
      out.kinds = t->refKinds;
      break;
    case TypeKind::FrameworkVersion:
      out.k = PT::K::Decl;
      out.kinds = {"framework"};
      break;
    case TypeKind::List:
    case TypeKind::Map:
    case TypeKind::Range:
      out.k = t->kind == TypeKind::List ? PT::K::List
              : t->kind == TypeKind::Map ? PT::K::Map
                                         : PT::K::Range;
      out.elem = std::make_shared<const PT>(fromType(t->element));
      break;
    case TypeKind::Any:
    case TypeKind::Scalar:
      out.k = PT::K::Unknown; // no static type to check against
      break;
    case TypeKind::Blocks:
    case TypeKind::Columns:
    case TypeKind::Storage:
    case TypeKind::Optional:
      out.k = PT::K::Other;
      break;
    }
    return out;
  }

  PT member(const ast::MemberExpr *m) {
    PT base = typeOf(m->base);
    llvm::StringRef field = m->member.text;
    switch (base.k) {
    case PT::K::Unknown:
      return {};
    case PT::K::Decl: {
      if (field == "name" || field == "kind" || field == "package" || field == "env")
        return PT::of(PT::K::String);
      if (field == "tier" || field == "classification") {
        PT t = PT::of(PT::K::Enum);
        t.enumDef = p_.schema.enumeration(field);
        return t.enumDef ? t : PT::of(PT::K::String);
      }
      if (field == "cost")
        return PT::of(PT::K::MoneyRate);
      if (field == "reach" || field == "callers" || field == "readers" || field == "writers")
        return PT::listOf(PT::of(PT::K::Decl));
      const FieldDef *found = nullptr;
      std::vector<std::string> names(std::begin(kComputed), std::end(kComputed));
      std::vector<std::string> kinds = base.kinds;
      if (kinds.empty()) // any declaration: every kind's fields
        kinds = p_.schema.kindNames();
      for (const std::string &k : kinds)
        if (const RecordDef *schema = p_.schema.kind(k)) {
          if (const FieldDef *f = schema->field(field); f && !found)
            found = f;
          for (const std::string &fn : schema->fieldNames())
            names.push_back(fn);
        }
      if (found)
        return fromType(found->type);
      std::string help = "check the field names in docs/kinds.md";
      if (auto s = closestMatch(field, names))
        help = fmt::format("did you mean `{}`?", *s);
      Diagnostic &d = error(DiagId::PolicyTypeError, m->member.span,
                            base.kinds.empty()
                                ? fmt::format("a declaration has no field `{}`", field.str())
                                : fmt::format("{} has no field `{}`", describe(base).substr(2),
                                              field.str()))
                          .withHelp(help);
      if (auto s = closestMatch(field, names))
        d.fix(fmt::format("use `{}`", *s), m->member.span, *s);
      return {};
    }
    case PT::K::Record:
      if (base.record) {
        if (const FieldDef *f = base.record->field(field))
          return fromType(f->type);
        std::vector<std::string> names = base.record->fieldNames();
        Diagnostic &d = error(DiagId::PolicyTypeError, m->member.span,
                              fmt::format("`{}` has no field `{}`", base.record->name, field.str()));
        if (auto s = closestMatch(field, names)) {
          d.withHelp(fmt::format("did you mean `{}`?", *s));
          d.fix(fmt::format("use `{}`", *s), m->member.span, *s);
        } else {
          d.withHelp(fmt::format("its fields are {}", join(names)));
        }
        return {};
      }
      return {};
    case PT::K::Map:
      return base.elem ? *base.elem : PT{};
    case PT::K::Range:
      if (field == "min" || field == "max")
        return base.elem ? *base.elem : PT{};
      error(DiagId::PolicyTypeError, m->member.span,
            fmt::format("a range has no field `{}`", field.str()))
          .withHelp("a range has `min` and `max`: `s.replicas.min >= 2`");
      return {};
    case PT::K::Name:
      unknownName(llvm::cast<ast::NameExpr>(base.expr), nullptr);
      return {};
    default:
      error(DiagId::PolicyTypeError, m->member.span,
            fmt::format("`{}` is {} and has no field `{}`", spell(m->base), describe(base),
                        field.str()))
          .withHelp("only declarations, records and ranges have fields");
      return {};
    }
  }

  void unknownName(const ast::NameExpr *n, const EnumDef *expected) {
    std::vector<std::string> candidates;
    for (const auto &[name, t] : scope_)
      candidates.push_back(name);
    if (expected)
      candidates = expected->members;
    Diagnostic &d = error(DiagId::PolicyUnknownName, n->span,
                          expected ? fmt::format("`{}` is not a member of `{}`", n->name.text.str(),
                                                 expected->name)
                                   : fmt::format("unknown name `{}` in a rule", n->name.text.str()));
    if (auto s = closestMatch(n->name.text, candidates)) {
      d.withHelp(fmt::format("did you mean `{}`?", *s));
      d.fix(fmt::format("use `{}`", *s), n->span, *s);
    } else if (expected) {
      d.withHelp(fmt::format("its members are {}", join(expected->members)));
    } else {
      d.withHelp("a bare name is a rule variable, `none`, or a member of the enum it is compared "
                 "with; quote text: `\"...\"`");
    }
  }

  PT typeOf(const ast::Expr *e) {
    if (!e)
      return {};
    switch (e->kind) {
    case ast::ExprKind::Bool:
      return PT::of(PT::K::Bool);
    case ast::ExprKind::Number: {
      PT t = PT::of(PT::K::Literal);
      t.expr = e;
      return t;
    }
    case ast::ExprKind::String:
      for (const ast::StringPart &part : llvm::cast<ast::StringExpr>(e)->parts)
        if (part.interpolation && !part.interpolation->parts.empty() &&
            !scope_.count(part.interpolation->parts[0].text.str()))
          error(DiagId::PolicyUnknownName, part.interpolation->parts[0].span,
                fmt::format("unknown name `{}` in a rule message",
                            part.interpolation->parts[0].text.str()))
              .withHelp("interpolate a rule variable: `${s.name}`");
      return PT::of(PT::K::String);
    case ast::ExprKind::Name: {
      auto *n = llvm::cast<ast::NameExpr>(e);
      if (auto it = scope_.find(n->name.text.str()); it != scope_.end())
        return it->second;
      if (n->name.text == "none")
        return PT::of(PT::K::None);
      PT t = PT::of(PT::K::Name);
      t.expr = e;
      return t;
    }
    case ast::ExprKind::Member:
      return member(llvm::cast<ast::MemberExpr>(e));
    case ast::ExprKind::Call: {
      auto *c = llvm::cast<ast::CallExpr>(e);
      auto *callee = llvm::dyn_cast<ast::NameExpr>(c->callee);
      if (!callee || (callee->name.text != "len" && callee->name.text != "count") ||
          c->args.size() != 1) {
        error(DiagId::PolicyTypeError, c->span, "rules can call `len(list)` only")
            .withHelp("use `any x in list: ...`, `all x in list: ...` or `len(list)`");
        return {};
      }
      PT arg = typeOf(c->args[0].value);
      if (arg.k != PT::K::List && arg.k != PT::K::Map && arg.k != PT::K::String &&
          arg.k != PT::K::Unknown) {
        error(DiagId::PolicyOperandType, c->args[0].value->span,
              fmt::format("`len` takes a list, a map or a string, but `{}` is {}",
                          spell(c->args[0].value), describe(arg)))
            .withHelp(arg.k == PT::K::Name ? "quote text: `\"...\"`"
                                           : "compare the value itself, or test `!= none`");
        return {};
      }
      return PT::of(PT::K::Number);
    }
    case ast::ExprKind::List: {
      // A list written in a rule, as a quantifier's domain: its items get
      // one type. Plain numbers are numbers; strings are strings; anything
      // whose type depends on what it is compared with (`30d`, a bare name)
      // cannot be typed once for every item.
      auto *l = llvm::cast<ast::ListExpr>(e);
      PT elem;
      for (const ast::Expr *el : l->elements) {
        PT t = typeOf(el);
        if (auto *n = llvm::dyn_cast<ast::NumberExpr>(el)) {
          if (n->suffix.empty() && n->currency.empty() && n->per.empty()) {
            out_.literals[syntaxRef(*n)] = n->value;
            t = PT::of(PT::K::Number);
          } else {
            t = {};
          }
        }
        if (t.k == PT::K::Unknown || t.k == PT::K::Name || t.k == PT::K::None) {
          error(DiagId::PolicyOperandType, el->span,
                fmt::format("the items of a list in a rule are plain numbers, strings or "
                            "variables' fields, and `{}` is not one",
                            spell(el)))
              .withHelp("compare with each value instead: `x.retention <= 30d or "
                        "x.retention <= 400d`, or test membership: `x.expose in [public, "
                        "internal]`");
          return {};
        }
        if (elem.k == PT::K::Unknown)
          elem = t;
      }
      return PT::listOf(elem);
    }
    case ast::ExprKind::Unary: {
      auto *u = llvm::cast<ast::UnaryExpr>(e);
      if (u->op == ast::UnaryOp::Not) {
        condition(u->operand, "`not`");
        return PT::of(PT::K::Bool);
      }
      PT t = typeOf(u->operand);
      if (!t.numeric() && t.k != PT::K::Literal && t.k != PT::K::Unknown) {
        error(DiagId::PolicyOperandType, u->span,
              fmt::format("`-` negates numbers, but `{}` is {}", spell(u->operand), describe(t)))
            .withHelp("negate a number or a quantity");
        return {};
      }
      return t;
    }
    case ast::ExprKind::Binary:
      return binary(llvm::cast<ast::BinaryExpr>(e));
    case ast::ExprKind::Quantifier: {
      auto *q = llvm::cast<ast::QuantifierExpr>(e);
      PT domain = typeOf(q->domain);
      PT var;
      if (domain.k == PT::K::List) {
        var = domain.elem ? *domain.elem : PT{};
      } else if (domain.k != PT::K::Unknown) {
        error(DiagId::PolicyOperandType, q->domain->span,
              fmt::format("`{}` ranges over a list, but `{}` is {}", q->all ? "all" : "any",
                          spell(q->domain), describe(domain)))
            .withHelp("quantify over a list field (`s.calls`) or a computed list (`s.reach`, "
                      "`s.callers`, `s.readers`, `s.writers`)");
      }
      std::string name = q->var.text.str();
      auto saved = scope_.find(name) != scope_.end() ? std::optional<PT>(scope_[name]) : std::nullopt;
      scope_[name] = var;
      condition(q->body, q->all ? "`all`" : "`any`");
      if (saved)
        scope_[name] = *saved;
      else
        scope_.erase(name);
      return PT::of(PT::K::Bool);
    }
    case ast::ExprKind::Error:
      ok_ = false; // reported by the parser
      return {};
    case ast::ExprKind::Index:
    case ast::ExprKind::Record:
    case ast::ExprKind::Range:
      error(DiagId::PolicyTypeError, e->span, "rules have no index, record or range expressions")
          .withHelp("read fields with `.` and ranges' bounds with `.min` and `.max`");
      return {};
    }
    return {};
  }

  PT binary(const ast::BinaryExpr *b) {
    if (b->op == ast::BinaryOp::And || b->op == ast::BinaryOp::Or) {
      const char *op = b->op == ast::BinaryOp::And ? "`and`" : "`or`";
      condition(b->lhs, op);
      condition(b->rhs, op);
      return PT::of(PT::K::Bool);
    }
    PT l = typeOf(b->lhs);
    if (b->op == ast::BinaryOp::In) {
      if (auto *list = llvm::dyn_cast<ast::ListExpr>(b->rhs)) {
        for (const ast::Expr *el : list->elements)
          compare(b, b->lhs, l, el, typeOf(el), false);
        if (list->elements.empty())
          out_.comparisons[syntaxRef(*b)] = PolicyCompare::None;
        return PT::of(PT::K::Bool);
      }
      PT r = typeOf(b->rhs);
      if (r.k == PT::K::Unknown || l.k == PT::K::Unknown)
        return PT::of(PT::K::Bool);
      if (r.k != PT::K::List) {
        error(DiagId::PolicyOperandType, b->rhs->span,
              fmt::format("`in` tests membership in a list, but `{}` is {}", spell(b->rhs),
                          describe(r)))
            .withHelp("compare with `==` instead, or test a list field: `pci in s.compliance`");
        return PT::of(PT::K::Bool);
      }
      // The element stands for the list's items: compare as with `==`.
      compare(b, b->lhs, l, b->rhs, r.elem ? *r.elem : PT{}, false);
      return PT::of(PT::K::Bool);
    }
    PT r = typeOf(b->rhs);
    bool ordering = b->op == ast::BinaryOp::Lt || b->op == ast::BinaryOp::Le ||
                    b->op == ast::BinaryOp::Gt || b->op == ast::BinaryOp::Ge;
    if (b->op == ast::BinaryOp::Eq || b->op == ast::BinaryOp::Ne || ordering) {
      compare(b, b->lhs, l, b->rhs, r, ordering);
      return PT::of(PT::K::Bool);
    }
    error(DiagId::PolicyOperandType, b->span,
          fmt::format("rules have no `{}` operator", ast::spelling(b->op).str()))
        .withHelp("rules compare values (`==`, `<=` ...) and combine conditions (`and`, `or`, "
                  "`not`)");
    return {};
  }

  // Records how `b` compares `le` with `re`, or reports why they do not.
  void compare(const ast::BinaryExpr *b, const ast::Expr *le, PT l, const ast::Expr *re, PT r,
               bool ordering) {
    if (l.k == PT::K::Unknown || r.k == PT::K::Unknown)
      return;
    // Put the "resolved" side on the left: literals and bare names last.
    auto rank = [](const PT &t) {
      return t.k == PT::K::None ? 3 : t.k == PT::K::Name ? 2 : t.k == PT::K::Literal ? 1 : 0;
    };
    if (rank(l) > rank(r)) {
      std::swap(l, r);
      std::swap(le, re);
    }
    auto record = [&](PolicyCompare how) {
      if (ordering && how != PolicyCompare::Number && how != PolicyCompare::Enum &&
          how != PolicyCompare::String) {
        error(DiagId::PolicyOperandType, b->span,
              fmt::format("`{}` orders values, but {} has no order", ast::spelling(b->op).str(),
                          how == PolicyCompare::None ? std::string("`none`") : describe(l)))
            .withHelp(how == PolicyCompare::None
                          ? std::string("test that it is set first: `x != none and x <= 400d`")
                          : std::string("compare with `==` or `!=`"));
        return;
      }
      auto [it, added] = out_.comparisons.emplace(syntaxRef(*b), how);
      if (!added && it->second != how)
        it->second = how; // `x in [..]` with mixed elements is reported below
    };
    if (r.k == PT::K::None) {
      if (l.k == PT::K::Literal || l.k == PT::K::Name) {
        incomparable(b, le, l, re, r, "compare a field with `none`: `d.retention != none`");
        return;
      }
      record(PolicyCompare::None);
      return;
    }
    if (r.k == PT::K::Name) {
      auto *name = llvm::cast<ast::NameExpr>(r.expr);
      if (l.k == PT::K::Enum) {
        if (l.enumDef && !l.enumDef->has(name->name.text)) {
          unknownName(name, l.enumDef);
          return;
        }
        out_.enumMembers[syntaxRef(*name)] = l.enumDef;
        record(PolicyCompare::Enum);
        return;
      }
      if (l.k == PT::K::String) {
        Diagnostic &d = incomparable(
            b, le, l, re, r,
            fmt::format("a string compares with text: write `\"{}\"`", name->name.text.str()));
        d.fix(fmt::format("quote `{}`", name->name.text.str()), name->span,
              fmt::format("\"{}\"", name->name.text.str()));
        return;
      }
      if (l.k == PT::K::Name) {
        unknownName(llvm::cast<ast::NameExpr>(l.expr), nullptr);
        return;
      }
      if (l.k == PT::K::Decl) {
        // `s.owner == web`: a declaration of the kinds it may be, by name.
        std::vector<std::string> names;
        for (const Decl &d : p_.decls) {
          if (d.fromStdlib || (!l.kinds.empty() && std::find(l.kinds.begin(), l.kinds.end(),
                                                             d.kind) == l.kinds.end()))
            continue;
          if (d.name == name->name.text) {
            out_.enumMembers[syntaxRef(*name)] = nullptr; // compared by name
            record(PolicyCompare::DeclName);
            return;
          }
          names.push_back(d.name);
        }
        Diagnostic &d = error(DiagId::PolicyUnknownName, name->span,
                              fmt::format("no {} is named `{}`", describe(l).substr(2),
                                          name->name.text.str()));
        if (auto s = closestMatch(name->name.text, names)) {
          d.withHelp(fmt::format("did you mean `{}`?", *s));
          d.fix(fmt::format("use `{}`", *s), name->span, *s);
        } else {
          d.withHelp(fmt::format("compare with the name of a declaration, or its name as text: "
                                 "`{}.name == \"{}\"`",
                                 spell(le), name->name.text.str()));
        }
        return;
      }
      unknownName(name, nullptr);
      return;
    }
    if (r.k == PT::K::Literal) {
      auto *n = llvm::cast<ast::NumberExpr>(r.expr);
      if (l.k == PT::K::Literal) {
        auto *m = llvm::cast<ast::NumberExpr>(l.expr);
        if (!n->suffix.empty() || !n->currency.empty() || !n->per.empty() || !m->suffix.empty() ||
            !m->currency.empty() || !m->per.empty()) {
          incomparable(b, le, l, re, r, "compare a field with a literal");
          return;
        }
        out_.literals[syntaxRef(*n)] = n->value;
        out_.literals[syntaxRef(*m)] = m->value;
        record(PolicyCompare::Number);
        return;
      }
      if (l.numeric()) {
        if (settle(b, le, l, n))
          record(PolicyCompare::Number);
        return;
      }
      if (l.k == PT::K::String) {
        Diagnostic &d = incomparable(
            b, le, l, re, r, fmt::format("a string compares with text: write `\"{}\"`", spell(n)));
        d.fix(fmt::format("quote `{}`", spell(n)), n->span, fmt::format("\"{}\"", spell(n)));
        return;
      }
      if (l.k == PT::K::Enum && l.enumDef) {
        incomparable(b, le, l, re, r,
                     fmt::format("compare with a member of `{}`: {}", l.enumDef->name,
                                 join(l.enumDef->members)));
        return;
      }
      incomparable(b, le, l, re, r,
                   l.k == PT::K::Range ? fmt::format("compare a bound: `{}.min` or `{}.max`",
                                                     spell(le), spell(le))
                                       : std::string("compare it with a value of its own type"));
      return;
    }
    // Two typed operands.
    if (l.k == PT::K::Enum && r.k == PT::K::Enum) {
      if (l.enumDef == r.enumDef) {
        record(PolicyCompare::Enum);
        return;
      }
      incomparable(b, le, l, re, r, "members of different enums never compare");
      return;
    }
    if ((l.k == PT::K::Enum && r.k == PT::K::String) || (l.k == PT::K::String && r.k == PT::K::Enum)) {
      const PT &en = l.k == PT::K::Enum ? l : r;
      const ast::Expr *str = l.k == PT::K::Enum ? re : le;
      auto *s = llvm::dyn_cast<ast::StringExpr>(str);
      if (s && s->isPlain() && en.enumDef && en.enumDef->has(s->value())) {
        Diagnostic &d = incomparable(
            b, le, l, re, r, fmt::format("write the member without quotes: `{}`", s->value().str()));
        d.fix(fmt::format("unquote `{}`", s->value().str()), s->span, s->value().str());
        return;
      }
      incomparable(b, le, l, re, r,
                   en.enumDef ? fmt::format("compare with a member of `{}`, without quotes: {}",
                                            en.enumDef->name, join(en.enumDef->members))
                              : std::string("compare with a member of the enum, without quotes"));
      return;
    }
    if (l.k == PT::K::String && r.k == PT::K::String) {
      record(PolicyCompare::String);
      return;
    }
    if (l.k == PT::K::Bool && r.k == PT::K::Bool) {
      record(PolicyCompare::Bool);
      return;
    }
    if (l.k == PT::K::Decl && r.k == PT::K::Decl) {
      record(PolicyCompare::Decl);
      return;
    }
    if ((l.k == PT::K::Decl && r.k == PT::K::String) || (l.k == PT::K::String && r.k == PT::K::Decl)) {
      record(PolicyCompare::DeclName);
      return;
    }
    if ((l.numeric() && r.k == PT::K::String) || (l.k == PT::K::String && r.numeric())) {
      const ast::Expr *str = l.k == PT::K::String ? le : re;
      const ast::Expr *num = l.k == PT::K::String ? re : le;
      auto *s = llvm::dyn_cast<ast::StringExpr>(str);
      double parsed = 0;
      if (s && s->isPlain() && l.k != PT::K::String && (l.k == PT::K::Number) &&
          !s->value().empty() && !s->value().getAsDouble(parsed)) {
        Diagnostic &d = incomparable(
            b, le, l, re, r,
            fmt::format("`{}` is a number: write `{}` without quotes", spell(num), s->value().str()));
        d.fix(fmt::format("unquote `{}`", s->value().str()), s->span, s->value().str());
        return;
      }
      incomparable(b, le, l, re, r,
                   fmt::format("`{}` is {}: compare it with a value of that type", spell(num),
                               describe(l.k == PT::K::String ? r : l)));
      return;
    }
    if (l.numeric() && r.numeric()) {
      if (l.k == r.k && (l.k != PT::K::Quantity || l.unit == r.unit)) {
        record(PolicyCompare::Number);
        return;
      }
      incomparable(b, le, l, re, r, "compare values of the same unit");
      return;
    }
    incomparable(b, le, l, re, r,
                 l.k == PT::K::Range || r.k == PT::K::Range
                     ? std::string("compare a range's bound: `.min` or `.max`")
                     : std::string("compare values of the same type"));
  }

  Diagnostic &incomparable(const ast::BinaryExpr *b, const ast::Expr *le, const PT &l,
                           const ast::Expr *re, const PT &r, std::string help) {
    Diagnostic &d = error(DiagId::PolicyIncomparable, b->span,
                          fmt::format("`{}` compares {} with {}", ast::spelling(b->op).str(),
                                      describe(l), describe(r)));
    d.label(le->span, fmt::format("`{}` is {}", spell(le), describe(l)));
    d.label(re->span, fmt::format("`{}` is {}", spell(re), describe(r)));
    d.withHelp(std::move(help));
    return d;
  }

  // Gives the literal `n` the unit of `t` (a numeric type) and records its
  // value in the base unit; false (reported) when it does not fit.
  bool settle(const ast::BinaryExpr *b, const ast::Expr *field, const PT &t,
              const ast::NumberExpr *n) {
    std::string digits = n->raw.str();
    if (!n->suffix.empty() && digits.size() >= n->suffix.size())
      digits.resize(digits.size() - n->suffix.size());
    auto fail = [&](std::string help) -> Diagnostic & {
      PT lit = PT::of(PT::K::Literal);
      lit.expr = n;
      return incomparable(b, field, t, n, lit, std::move(help));
    };
    double perSecond = 1;
    if (!n->per.empty()) {
      const UnitDef *periods = p_.schema.unit("period");
      if (!periods || !periods->suffixes.count(n->per.text.str())) {
        std::vector<std::string> names;
        if (periods)
          for (const auto &[name, factor] : periods->suffixes)
            names.push_back(name);
        fail(fmt::format("a period is one of {}", join(names)));
        return false;
      }
      perSecond = periods->suffixes.at(n->per.text.str());
    }
    switch (t.k) {
    case PT::K::Number:
      if (!n->suffix.empty() || !n->currency.empty() || !n->per.empty()) {
        fail(fmt::format("`{}` is a plain number: write `{}`", spell(field), digits))
            .fix(fmt::format("write `{}`", digits), n->span, digits);
        return false;
      }
      out_.literals[syntaxRef(*n)] = n->value;
      return true;
    case PT::K::Quantity: {
      const UnitDef *u = t.unit;
      std::vector<std::pair<double, std::string>> suffixes;
      if (u)
        for (const auto &[s, factor] : u->suffixes)
          suffixes.emplace_back(factor, s);
      std::sort(suffixes.begin(), suffixes.end());
      std::string forms;
      for (const auto &[factor, s] : suffixes)
        forms += (forms.empty() ? "`" : ", `") + digits + s + "`";
      std::string uname = u ? u->name : "quantity";
      if (!n->currency.empty() || !n->per.empty()) {
        fail(fmt::format("a `{}` compares with {}", uname, forms));
        return false;
      }
      if (n->suffix.empty()) {
        if (u && u->plainAllowed) {
          out_.literals[syntaxRef(*n)] = n->value;
          return true;
        }
        Diagnostic &d = fail(fmt::format("write the number with a unit of `{}`: {}", uname, forms));
        for (const auto &[factor, s] : suffixes)
          d.fix(fmt::format("write `{}{}`", digits, s), Span{n->span.file, n->span.end, n->span.end},
                s);
        return false;
      }
      if (!u || !u->suffixes.count(n->suffix.str())) {
        fail(fmt::format("`{}` is not a unit of `{}`; it compares with {}", n->suffix.str(), uname,
                         forms));
        return false;
      }
      out_.literals[syntaxRef(*n)] = n->value * u->suffixes.at(n->suffix.str());
      return true;
    }
    case PT::K::Money:
    case PT::K::MoneyRate: {
      bool rate = t.k == PT::K::MoneyRate;
      if (n->currency.empty() || !n->suffix.empty() || rate == n->per.empty()) {
        std::string example =
            fmt::format("{} {}{}", digits, n->currency.empty() ? "usd" : n->currency.str(),
                        rate ? "/month" : "");
        fail(rate ? fmt::format("`{}` is money per period: write an amount with a currency and a "
                                "period, as in `{}`",
                                spell(field), example)
                  : fmt::format("`{}` is money: write an amount with a currency, as in `{}`",
                                spell(field), example));
        return false;
      }
      out_.literals[syntaxRef(*n)] = n->value / perSecond;
      return true;
    }
    case PT::K::Rate:
      if (!n->currency.empty() || !n->suffix.empty() || n->per.empty()) {
        fail(fmt::format("`{}` is a rate: write a count per period, as in `{}/day`", spell(field),
                         digits));
        return false;
      }
      out_.literals[syntaxRef(*n)] = n->value / perSecond;
      return true;
    default:
      return false;
    }
  }

  Program &p_;
  Diagnostics &diags_;
  PolicyTyping &out_;
  bool ok_ = true;
  std::map<std::string, PT> scope_;
};

} // namespace

void typePolicies(Program &program, Diagnostics &diags) { Typer(program, diags).run(); }

} // namespace plat::sema
