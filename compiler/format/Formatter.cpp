// The formatter prints the AST; comments are woven back in by position.
//
// Every construct is printed in source order, and `next_` walks the file's
// comments in the same order, so comments can never come out reordered. Each
// comment is emitted at the first point the printer reaches after it:
// - at a line boundary inside a container (block, list, arguments, enum), as
//   a trailing comment if it sat on the line of the previous element, or
//   on its own line otherwise;
// - inside an expression or a head, inline (`/* */`) or followed by a line
//   break (`//`).
// The printer puts each comment back between the same two tokens it was
// found between (or later, never earlier), and every layout decision depends
// only on the AST, the comments' presence inside a construct, and the
// column, so a second run reproduces the first: formatting is idempotent.

#include "format/Formatter.h"

#include <algorithm>
#include <vector>

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringExtras.h"

namespace plat::format {
namespace {

using namespace ast;

// Binding strength of expressions, mirroring the order of the `expr`
// alternatives in grammar/Plat.g4. Member, call and index are postfix
// operators that the generated parser applies at any level, so they share one.
enum Prec : int {
  kQuantifier = 10,
  kOr = 20,
  kAnd = 30,
  kNot = 40,
  kIn = 50,
  kCompare = 60,
  kRange = 70,
  kNeg = 80,
  kPostfix = 90,
  kAtom = 100,
};

int precedence(const Expr *e) {
  switch (e->kind) {
  case ExprKind::Member:
  case ExprKind::Call:
  case ExprKind::Index:
    return kPostfix;
  case ExprKind::Unary:
    return llvm::cast<UnaryExpr>(e)->op == UnaryOp::Neg ? kNeg : kNot;
  case ExprKind::Range:
    return kRange;
  case ExprKind::Binary:
    switch (llvm::cast<BinaryExpr>(e)->op) {
    case BinaryOp::And:
      return kAnd;
    case BinaryOp::Or:
      return kOr;
    case BinaryOp::In:
      return kIn;
    default:
      return kCompare;
    }
  case ExprKind::Quantifier:
    return kQuantifier;
  default:
    return kAtom;
  }
}

// Display width in code points; widths only need to be deterministic.
size_t width(llvm::StringRef text) {
  size_t n = 0;
  for (char c : text)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80)
      ++n;
  return n;
}

Span argSpan(const Arg &arg) {
  return arg.name.empty() ? arg.value->span : arg.name.span.to(arg.value->span);
}

Span memberSpan(const EnumMember &m) {
  return m.annotations.empty() ? m.name.span : m.annotations.front().span.to(m.name.span);
}

// Where the blank-line bookkeeping of one sequence of lines stands.
struct Run {
  uint32_t prevEnd; // source end of the last thing printed
  bool first;       // nothing printed yet: no blank line may open the sequence
  bool keepBlank;   // keep (collapsed) blank lines from the source
};

class Printer {
public:
  Printer(const File &file, llvm::StringRef source, const FormatOptions &options)
      : file_(file), src_(source), opts_(options), comments_(file.comments) {}

  std::string run() {
    Run r{0, true, true};
    // `inside`: comments within the element also go above it (package and
    // imports are printed whole).
    // Where each top-level element begins, to stop its trailing comments.
    std::vector<uint32_t> begins;
    if (file_.package)
      begins.push_back(file_.packageSpan.begin);
    for (const Import &imp : file_.imports)
      begins.push_back(imp.span.begin);
    for (const Item *decl : file_.decls)
      begins.push_back(decl->span.begin);
    begins.push_back(UINT32_MAX);
    size_t index = 0;
    auto element = [&](Span span, bool forceBlank, bool inside, auto print) {
      if (forceBlank && !r.first)
        blankLine();
      leading(r, span.begin);
      if (inside)
        leading(r, span.end);
      if (!r.first && blankBetween(r.prevEnd, span.begin))
        blankLine();
      endLine();
      print();
      r.prevEnd = span.end;
      r.first = false;
      trailing(r, begins[++index]);
    };
    if (file_.package)
      element(file_.packageSpan, false, true, [&] { write("package " + file_.package->str()); });
    for (size_t i = 0; i < file_.imports.size(); ++i) {
      const Import &imp = file_.imports[i];
      element(imp.span, i == 0, true, [&] {
        write("import " + imp.path.str());
        if (!imp.alias.empty())
          write(" as " + imp.alias.text.str());
      });
    }
    for (const Item *decl : file_.decls)
      element(decl->span, true, false, [&] { topDecl(decl); });
    leading(r, UINT32_MAX);
    endLine();
    return std::move(out_);
  }

private:
  // ---------------------------------------------------------------- output

  void write(llvm::StringRef text) {
    if (text.empty())
      return;
    if (atLineStart_) {
      out_.append(indent_, ' ');
      atLineStart_ = false;
    }
    out_ += text.str();
  }
  void write(const std::string &text) { write(llvm::StringRef(text)); }
  void write(const char *text) { write(llvm::StringRef(text)); }

  void trimSpaces() {
    while (!out_.empty() && out_.back() == ' ')
      out_.pop_back();
  }

  void endLine() {
    if (atLineStart_)
      return;
    trimSpaces();
    out_ += '\n';
    atLineStart_ = true;
  }

  void blankLine() {
    endLine();
    if (out_.empty() || llvm::StringRef(out_).endswith("\n\n"))
      return;
    out_ += '\n';
  }

  size_t lineBegin() const {
    size_t nl = out_.rfind('\n');
    return nl == std::string::npos ? 0 : nl + 1;
  }
  unsigned column() const {
    if (atLineStart_)
      return indent_;
    return static_cast<unsigned>(width(llvm::StringRef(out_).substr(lineBegin())));
  }
  unsigned lineIndent() const {
    if (atLineStart_)
      return indent_;
    size_t begin = lineBegin();
    size_t i = begin;
    while (i < out_.size() && out_[i] == ' ')
      ++i;
    return static_cast<unsigned>(i - begin);
  }
  bool fits(size_t textWidth) const { return column() + textWidth <= opts_.maxWidth; }

  // ---------------------------------------------------------------- comments

  llvm::StringRef commentText(const Comment &c) const {
    llvm::StringRef text = src_.substr(c.span.begin, c.span.size());
    return c.isBlock ? text : text.rtrim();
  }

  bool hasCommentIn(uint32_t begin, uint32_t end) const {
    auto it = std::lower_bound(comments_.begin(), comments_.end(), begin,
                               [](const Comment &c, uint32_t pos) { return c.span.begin < pos; });
    return it != comments_.end() && it->span.begin < end;
  }
  bool hasCommentIn(Span s) const { return hasCommentIn(s.begin, s.end); }

  bool sameLine(uint32_t from, uint32_t to) const {
    if (to <= from)
      return true;
    return !src_.substr(from, to - from).contains('\n');
  }

  // Whether the source between two offsets holds a line of only whitespace.
  bool blankBetween(uint32_t from, uint32_t to) const {
    if (to <= from)
      return false;
    llvm::StringRef gap = src_.substr(from, to - from);
    size_t nl = gap.find('\n');
    while (nl != llvm::StringRef::npos) {
      size_t next = gap.find('\n', nl + 1);
      if (next == llvm::StringRef::npos)
        return false;
      if (gap.substr(nl + 1, next - nl - 1).trim(" \t\r\f\v").empty())
        return true;
      nl = next;
    }
    return false;
  }

  // The offset of the first token at or after `pos`, skipping whitespace and
  // comments.
  uint32_t tokenAfter(uint32_t pos) const {
    auto it = std::lower_bound(comments_.begin(), comments_.end(), pos,
                               [](const Comment &c, uint32_t p) { return c.span.begin < p; });
    while (pos < src_.size()) {
      if (it != comments_.end() && it->span.begin == pos) {
        pos = it->span.end;
        ++it;
      } else if (llvm::isSpace(src_[pos])) {
        ++pos;
      } else {
        break;
      }
    }
    return pos;
  }

  const Comment *peek() const { return next_ < comments_.size() ? &comments_[next_] : nullptr; }

  // Comments before `limit`, each on its own line.
  void leading(Run &r, uint32_t limit) {
    while (const Comment *c = peek()) {
      if (c->span.begin >= limit)
        break;
      if (!r.first && r.keepBlank && blankBetween(r.prevEnd, c->span.begin))
        blankLine();
      endLine();
      write(commentText(*c));
      endLine();
      r.prevEnd = c->span.end;
      r.first = false;
      ++next_;
    }
  }

  // Comments on the source line where the previous element ended (and any
  // left over from inside it) stay at the end of its printed line.
  void trailing(Run &r, uint32_t limit) {
    bool any = false;
    while (const Comment *c = peek()) {
      if (c->span.begin >= limit)
        break;
      if (c->span.begin >= r.prevEnd && !sameLine(r.prevEnd, c->span.begin))
        break;
      trimSpaces();
      write(any ? " " : "  ");
      write(commentText(*c));
      any = true;
      r.prevEnd = std::max(r.prevEnd, c->span.end);
      ++next_;
    }
  }

  // Comments inside an expression or a head, before the token at `pos`.
  void inlineComments(uint32_t pos) {
    while (const Comment *c = peek()) {
      if (c->span.begin >= pos)
        break;
      ++next_;
      trimSpaces();
      if (c->isBlock) {
        if (!atLineStart_ && column() > lineIndent())
          write(" ");
        write(commentText(*c));
        write(" ");
        continue;
      }
      write(atLineStart_ || column() == lineIndent() ? "" : "  ");
      write(commentText(*c));
      // The rest of the construct continues on an indented line.
      unsigned cont = indent_ + opts_.indent;
      endLine();
      out_.append(cont, ' ');
      atLineStart_ = false;
    }
  }

  // ---------------------------------------------------------------- sequences

  // One element per line between `open` and `close`, with comments in
  // between; `sep` follows every element (a trailing comma for lists).
  // Elements are indented one step from `base`, where the closer goes.
  void sequence(unsigned base, llvm::StringRef open, llvm::StringRef close, uint32_t openEnd,
                uint32_t closeBegin, size_t count, llvm::function_ref<Span(size_t)> spanOf,
                llvm::function_ref<void(size_t)> print, llvm::StringRef sep, bool keepBlank) {
    unsigned saved = indent_;
    write(open);
    indent_ = base + opts_.indent;
    Run r{openEnd, true, keepBlank};
    trailing(r, count ? spanOf(0).begin : closeBegin);
    for (size_t i = 0; i < count; ++i) {
      Span s = spanOf(i);
      leading(r, s.begin);
      if (!r.first && keepBlank && blankBetween(r.prevEnd, s.begin))
        blankLine();
      endLine();
      print(i);
      write(sep);
      r.prevEnd = std::max(r.prevEnd, s.end);
      r.first = false;
      trailing(r, i + 1 < count ? spanOf(i + 1).begin : closeBegin);
    }
    leading(r, closeBegin);
    endLine();
    indent_ = base;
    write(close);
    indent_ = saved;
  }

  // ---------------------------------------------------------------- flat text

  // Whether `e` can be printed on one line: records only hold assignments.
  // Comments are checked separately, by span.
  bool flattenable(const Expr *e) const {
    switch (e->kind) {
    case ExprKind::Member:
      return flattenable(llvm::cast<MemberExpr>(e)->base);
    case ExprKind::Call: {
      auto *c = llvm::cast<CallExpr>(e);
      return flattenable(c->callee) && flattenable(c->args);
    }
    case ExprKind::Index: {
      auto *i = llvm::cast<IndexExpr>(e);
      return flattenable(i->base) && flattenable(i->index);
    }
    case ExprKind::List:
      return llvm::all_of(llvm::cast<ListExpr>(e)->elements,
                          [&](const Expr *x) { return flattenable(x); });
    case ExprKind::Record:
      return llvm::all_of(llvm::cast<RecordExpr>(e)->body->items, [&](const Item *item) {
        auto *a = llvm::dyn_cast<Assignment>(item);
        return a && flattenable(a->value);
      });
    case ExprKind::Range: {
      auto *r = llvm::cast<RangeExpr>(e);
      return flattenable(r->low) && flattenable(r->high);
    }
    case ExprKind::Unary:
      return flattenable(llvm::cast<UnaryExpr>(e)->operand);
    case ExprKind::Binary: {
      auto *b = llvm::cast<BinaryExpr>(e);
      return flattenable(b->lhs) && flattenable(b->rhs);
    }
    case ExprKind::Quantifier: {
      auto *q = llvm::cast<QuantifierExpr>(e);
      return flattenable(q->domain) && flattenable(q->body);
    }
    default:
      return true;
    }
  }
  bool flattenable(llvm::ArrayRef<Arg> args) const {
    return llvm::all_of(args, [&](const Arg &a) { return flattenable(a.value); });
  }

  static void atom(const Expr *e, llvm::StringRef src, std::string &out) {
    switch (e->kind) {
    case ExprKind::String:
      out += llvm::cast<StringExpr>(e)->raw.str();
      return;
    case ExprKind::Number: {
      auto *n = llvm::cast<NumberExpr>(e);
      out += n->raw.str();
      if (!n->currency.empty())
        out += " " + n->currency.str();
      if (!n->per.empty())
        out += "/" + n->per.text.str();
      return;
    }
    case ExprKind::Bool:
      out += llvm::cast<BoolExpr>(e)->value ? "true" : "false";
      return;
    case ExprKind::Name:
      out += llvm::cast<NameExpr>(e)->name.text.str();
      return;
    default:
      // Only error nodes get here; files with syntax errors are not
      // formatted, but keep the text rather than lose it.
      out += src.substr(e->span.begin, e->span.size()).str();
      return;
    }
  }

  void flat(const Expr *e, int minPrec, std::string &out) const {
    bool parens = precedence(e) < minPrec;
    if (parens)
      out += '(';
    switch (e->kind) {
    case ExprKind::Member: {
      auto *m = llvm::cast<MemberExpr>(e);
      flat(m->base, kPostfix, out);
      out += "." + m->member.text.str();
      break;
    }
    case ExprKind::Call: {
      auto *c = llvm::cast<CallExpr>(e);
      flat(c->callee, kPostfix, out);
      out += "(" + flatArgs(c->args) + ")";
      break;
    }
    case ExprKind::Index: {
      auto *i = llvm::cast<IndexExpr>(e);
      flat(i->base, kPostfix, out);
      out += '[';
      flat(i->index, 0, out);
      out += ']';
      break;
    }
    case ExprKind::List: {
      out += '[';
      bool firstElement = true;
      for (const Expr *x : llvm::cast<ListExpr>(e)->elements) {
        if (!firstElement)
          out += ", ";
        firstElement = false;
        flat(x, 0, out);
      }
      out += ']';
      break;
    }
    case ExprKind::Record: {
      auto items = llvm::cast<RecordExpr>(e)->body->items;
      if (items.empty()) {
        out += "{}";
        break;
      }
      out += "{ ";
      for (size_t i = 0; i < items.size(); ++i) {
        auto *a = llvm::cast<Assignment>(items[i]);
        if (i)
          out += ", ";
        out += a->target.str() + " = ";
        flat(a->value, 0, out);
      }
      out += " }";
      break;
    }
    case ExprKind::Range: {
      auto *r = llvm::cast<RangeExpr>(e);
      flat(r->low, kRange, out);
      out += "..";
      flat(r->high, kRange + 1, out);
      break;
    }
    case ExprKind::Unary: {
      auto *u = llvm::cast<UnaryExpr>(e);
      bool neg = u->op == UnaryOp::Neg;
      out += neg ? "-" : "not ";
      flat(u->operand, neg ? kNeg : kNot, out);
      break;
    }
    case ExprKind::Binary: {
      auto *b = llvm::cast<BinaryExpr>(e);
      int p = precedence(b);
      flat(b->lhs, p, out);
      out += " " + spelling(b->op).str() + " ";
      flat(b->rhs, p + 1, out);
      break;
    }
    case ExprKind::Quantifier: {
      auto *q = llvm::cast<QuantifierExpr>(e);
      out += q->all ? "all " : "any ";
      out += q->var.text.str() + " in ";
      flat(q->domain, kQuantifier + 1, out);
      out += ": ";
      flat(q->body, kQuantifier, out);
      break;
    }
    default:
      atom(e, src_, out);
      break;
    }
    if (parens)
      out += ')';
  }
  std::string flat(const Expr *e, int minPrec = 0) const {
    std::string out;
    flat(e, minPrec, out);
    return out;
  }

  std::string flatArgs(llvm::ArrayRef<Arg> args) const {
    std::string out;
    for (size_t i = 0; i < args.size(); ++i) {
      if (i)
        out += ", ";
      if (!args[i].name.empty())
        out += args[i].name.text.str() + " = ";
      flat(args[i].value, 0, out);
    }
    return out;
  }

  std::string flatAnnotation(const Annotation &a) const {
    std::string out = "@" + a.name.text.str();
    if (!a.args.empty())
      out += "(" + flatArgs(a.args) + ")";
    return out;
  }

  // ---------------------------------------------------------------- expressions

  void expr(const Expr *e, int minPrec) {
    inlineComments(e->span.begin);
    bool parens = precedence(e) < minPrec;
    if (parens)
      write("(");
    switch (e->kind) {
    case ExprKind::Member: {
      auto *m = llvm::cast<MemberExpr>(e);
      expr(m->base, kPostfix);
      write(".");
      inlineComments(m->member.span.begin);
      write(m->member.text.str());
      break;
    }
    case ExprKind::Call: {
      auto *c = llvm::cast<CallExpr>(e);
      expr(c->callee, kPostfix);
      args(c->args, c->callee->span.end, e->span.end - 1);
      break;
    }
    case ExprKind::Index: {
      auto *i = llvm::cast<IndexExpr>(e);
      expr(i->base, kPostfix);
      write("[");
      expr(i->index, 0);
      inlineComments(e->span.end - 1);
      write("]");
      break;
    }
    case ExprKind::List:
      list(llvm::cast<ListExpr>(e));
      break;
    case ExprKind::Record:
      record(llvm::cast<RecordExpr>(e));
      break;
    case ExprKind::Range: {
      auto *r = llvm::cast<RangeExpr>(e);
      expr(r->low, kRange);
      write("..");
      expr(r->high, kRange + 1);
      break;
    }
    case ExprKind::Unary: {
      auto *u = llvm::cast<UnaryExpr>(e);
      bool neg = u->op == UnaryOp::Neg;
      write(neg ? "-" : "not ");
      expr(u->operand, neg ? kNeg : kNot);
      break;
    }
    case ExprKind::Binary: {
      auto *b = llvm::cast<BinaryExpr>(e);
      int p = precedence(b);
      expr(b->lhs, p);
      write(" " + spelling(b->op).str() + " ");
      expr(b->rhs, p + 1);
      break;
    }
    case ExprKind::Quantifier: {
      auto *q = llvm::cast<QuantifierExpr>(e);
      write(q->all ? "all " : "any ");
      inlineComments(q->var.span.begin);
      write(q->var.text.str() + " in ");
      expr(q->domain, kQuantifier + 1);
      write(": ");
      expr(q->body, kQuantifier);
      break;
    }
    default: {
      // A number is several tokens (`120 usd/month`); comments between
      // them go first, as nothing of the item may follow its last token.
      inlineComments(e->span.end);
      std::string text;
      atom(e, src_, text);
      write(text);
      break;
    }
    }
    if (parens)
      write(")");
  }

  void list(const ListExpr *l) {
    uint32_t openEnd = l->span.begin + 1, closeBegin = l->span.end - 1;
    bool comments = hasCommentIn(openEnd, closeBegin);
    if (!comments && flattenable(l)) {
      std::string text = flat(l);
      if (l->elements.empty() || fits(width(text))) {
        write(text);
        return;
      }
    }
    auto elements = l->elements;
    sequence(
        lineIndent(), "[", "]", openEnd, closeBegin, elements.size(), [&](size_t i) { return elements[i]->span; },
        [&](size_t i) { expr(elements[i], 0); }, ",", false);
  }

  void record(const RecordExpr *r) {
    if (!hasCommentIn(r->span) && flattenable(r)) {
      std::string text = flat(r);
      if (r->body->items.empty() || fits(width(text))) {
        write(text);
        return;
      }
    }
    body(*r->body, lineIndent());
  }

  void args(llvm::ArrayRef<Arg> list, uint32_t openEnd, uint32_t closeBegin) {
    bool comments = hasCommentIn(openEnd, closeBegin);
    if (!comments && flattenable(list)) {
      std::string text = "(" + flatArgs(list) + ")";
      if (list.empty() || fits(width(text))) {
        write(text);
        return;
      }
    }
    sequence(
        lineIndent(), "(", ")", openEnd, closeBegin, list.size(), [&](size_t i) { return argSpan(list[i]); },
        [&](size_t i) {
          if (!list[i].name.empty())
            write(list[i].name.text.str() + " = ");
          expr(list[i].value, 0);
        },
        ",", false);
  }

  void annotation(const Annotation &a) {
    inlineComments(a.span.begin);
    write("@");
    inlineComments(a.name.span.begin);
    write(a.name.text.str());
    if (!a.args.empty())
      args(a.args, a.name.span.end, a.span.end - 1);
  }

  // ---------------------------------------------------------------- types

  void type(const TypeExpr *t) {
    inlineComments(t->span.begin);
    switch (t->kind) {
    case TypeKind::Named: {
      auto *n = llvm::cast<NamedType>(t);
      write(n->name.str());
      if (!n->typeArgs.empty()) {
        write("<");
        for (size_t i = 0; i < n->typeArgs.size(); ++i) {
          if (i)
            write(", ");
          type(n->typeArgs[i]);
        }
        inlineComments(tokenAfter(n->typeArgs.back()->span.end));
        write(">");
      }
      if (n->hasConstraintList) {
        uint32_t openEnd = n->typeArgs.empty() ? n->name.span.end : n->typeArgs.back()->span.end;
        args(n->constraints, openEnd, t->span.end - 1);
      }
      break;
    }
    case TypeKind::Optional:
      type(llvm::cast<OptionalType>(t)->inner);
      inlineComments(t->span.end - 1);
      write("?");
      break;
    case TypeKind::Union: {
      auto members = llvm::cast<UnionType>(t)->members;
      for (size_t i = 0; i < members.size(); ++i) {
        if (i)
          write(" | ");
        type(members[i]);
      }
      break;
    }
    }
  }

  // ---------------------------------------------------------------- items

  // A block's items one per line. A declaration's block closes at the
  // declaration's indentation, a record value's at that of its line.
  void body(const Block &b, unsigned base) {
    uint32_t closeBegin = b.close.valid() ? b.close.begin : b.span.end;
    if (b.items.empty() && !hasCommentIn(b.open.end, closeBegin)) {
      write("{}");
      return;
    }
    auto items = b.items;
    sequence(
        base, "{", "}", b.open.end, closeBegin, items.size(), [&](size_t i) { return items[i]->span; },
        [&](size_t i) { item(items[i]); }, "", true);
  }

  // `kind name extends base {`, after the `template` keyword if any.
  void blockHead(const Block &b) {
    inlineComments(b.kindName.span.begin);
    write(b.kindName.text.str());
    if (!b.name.empty()) {
      inlineComments(b.name.span.begin);
      write(" " + b.name.text.str());
    }
    if (b.extends) {
      inlineComments(b.extends->span.begin);
      write(" extends " + b.extends->str());
    }
    inlineComments(b.open.begin);
    write(" ");
    body(b, indent_);
  }

  void item(const Item *it) {
    switch (it->kind) {
    case ItemKind::Block:
      blockHead(*llvm::cast<Block>(it));
      return;
    case ItemKind::Enum:
      enumDecl(*llvm::cast<EnumDecl>(it));
      return;
    case ItemKind::Assignment: {
      auto *a = llvm::cast<Assignment>(it);
      write(a->target.str() + " = ");
      expr(a->value, 0);
      return;
    }
    case ItemKind::Constraint: {
      auto *c = llvm::cast<Constraint>(it);
      write(c->target.str() + " " + spelling(c->op).str() + " ");
      expr(c->value, 0);
      return;
    }
    case ItemKind::FieldDecl: {
      auto *f = llvm::cast<FieldDecl>(it);
      write(f->name.text.str() + " : ");
      type(f->type);
      if (f->defaultValue) {
        write(" = ");
        expr(f->defaultValue, 0);
      }
      for (const Annotation &a : f->annotations) {
        write(" ");
        annotation(a);
      }
      return;
    }
    case ItemKind::Rule:
      rule(*llvm::cast<Rule>(it));
      return;
    }
  }

  // `for kind var where cond require cond else message` on one line when it
  // fits and holds no comment; otherwise each clause on its own line.
  void rule(const Rule &r) {
    std::pair<const char *, const Expr *> clauses[] = {
        {"where", r.where}, {"require", r.require}, {"else", r.message}};
    std::string head = "for " + r.kindName.text.str() + " " + r.var.text.str();
    if (!hasCommentIn(r.span)) {
      std::string text = head;
      bool ok = true;
      for (auto [keyword, e] : clauses) {
        if (!e)
          continue;
        ok = ok && flattenable(e);
        text += std::string(" ") + keyword + " " + flat(e);
      }
      if (ok && fits(width(text))) {
        write(text);
        return;
      }
    }
    write("for ");
    inlineComments(r.kindName.span.begin);
    write(r.kindName.text.str() + " ");
    inlineComments(r.var.span.begin);
    write(r.var.text.str());
    unsigned saved = indent_;
    indent_ += opts_.indent;
    Run run{r.var.span.end, false, false};
    for (auto [keyword, e] : clauses) {
      if (!e)
        continue;
      trailing(run, e->span.begin);
      leading(run, e->span.begin);
      endLine();
      write(std::string(keyword) + " ");
      expr(e, 0);
      run.prevEnd = e->span.end;
    }
    indent_ = saved;
  }

  void enumDecl(const EnumDecl &e) {
    write("enum ");
    inlineComments(e.name.span.begin);
    write(e.name.text.str());
    inlineComments(e.open.begin);
    write(" ");
    uint32_t closeBegin = e.close.valid() ? e.close.begin : e.span.end;
    bool comments = hasCommentIn(e.open.end, closeBegin);
    auto members = e.members;
    if (!comments) {
      if (members.empty()) {
        write("{}");
        return;
      }
      std::string text = "{ ";
      for (size_t i = 0; i < members.size(); ++i) {
        if (i)
          text += ", ";
        for (const Annotation &a : members[i].annotations)
          text += flatAnnotation(a) + " ";
        text += members[i].name.text.str();
      }
      text += " }";
      if (fits(width(text))) {
        write(text);
        return;
      }
    }
    sequence(
        indent_, "{", "}", e.open.end, closeBegin, members.size(),
        [&](size_t i) { return memberSpan(members[i]); },
        [&](size_t i) {
          for (const Annotation &a : members[i].annotations) {
            annotation(a);
            write(" ");
          }
          inlineComments(members[i].name.span.begin);
          write(members[i].name.text.str());
        },
        ",", true);
  }

  // A declaration: its annotations on their own lines, then its head.
  void topDecl(const Item *decl) {
    llvm::ArrayRef<Annotation> annotations;
    uint32_t headBegin;
    const auto *block = llvm::dyn_cast<Block>(decl);
    const auto *en = llvm::dyn_cast<EnumDecl>(decl);
    if (block) {
      annotations = block->annotations;
      headBegin = block->isTemplate ? block->templateKeyword.begin : block->kindName.span.begin;
    } else {
      annotations = en->annotations;
      // The AST has no span for `enum`; a comment after the keyword must
      // not move before it, where it would become the enum's doc comment.
      headBegin = annotations.empty() ? en->span.begin : tokenAfter(annotations.back().span.end);
    }
    Run run{decl->span.begin, false, false};
    for (size_t i = 0; i < annotations.size(); ++i) {
      leading(run, annotations[i].span.begin);
      endLine();
      annotation(annotations[i]);
      run.prevEnd = annotations[i].span.end;
      trailing(run, i + 1 < annotations.size() ? annotations[i + 1].span.begin : headBegin);
    }
    leading(run, headBegin);
    endLine();
    if (en) {
      enumDecl(*en);
      return;
    }
    if (block->isTemplate)
      write("template ");
    blockHead(*block);
  }

  const File &file_;
  llvm::StringRef src_;
  const FormatOptions &opts_;
  llvm::ArrayRef<Comment> comments_;
  size_t next_ = 0; // the first comment not printed yet
  std::string out_;
  unsigned indent_ = 0; // indentation of the lines being started
  bool atLineStart_ = true;
};

} // namespace

std::string formatFile(const ast::File &file, const SourceFile &source,
                       const FormatOptions &options) {
  return Printer(file, source.text(), options).run();
}

} // namespace plat::format
