// The fast path of the syntax stage: a hand-written lexer and a
// recursive-descent parser that build the same AST as Parser.cpp's ANTLR
// path for every well-formed file, and decline everything else.
//
// Mirrors grammar/Plat.g4 (tokens, longest match, keywords) and the `Builder`
// in Parser.cpp (spans, docs, string decoding, numbers, depth limit). Where
// the two could differ, this file declines: a wrong "no" costs a slower
// parse, a wrong "yes" would be a wrong AST. Nothing here allocates per token
// or throws; failure is a null result passed up to `fastParse`.

#include "syntax/FastParser.h"
#include "syntax/Literals.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"

namespace plat::syntax {
namespace {

// ---------------------------------------------------------------- tokens

enum class Tok : uint8_t {
  Eof,
  Id,
  String,
  RawString,
  Int,
  Float,
  Quantity,
  Currency,
  // Keywords, in the grammar's order.
  KwPackage,
  KwImport,
  KwAs,
  KwTemplate,
  KwEnum,
  KwExtends,
  KwFor,
  KwWhere,
  KwRequire,
  KwElse,
  KwAnd,
  KwOr,
  KwNot,
  KwIn,
  KwAny,
  KwAll,
  KwTrue,
  KwFalse,
  // Punctuation.
  LBrace,
  RBrace,
  LParen,
  RParen,
  LBrack,
  RBrack,
  DotDot,
  Dot,
  Comma,
  Colon,
  Question,
  Pipe,
  At,
  Slash,
  Minus,
  Le,
  Ge,
  Eq,
  Ne,
  Lt,
  Gt,
  Assign,
};

struct Token {
  Tok kind;
  uint32_t begin;
  uint32_t end;
  // Number of comments that precede this token: the comments between the
  // previous token and this one are [prev.commentsEnd, commentsEnd).
  uint32_t commentsEnd;
};

// Character classes, ASCII only: any other byte outside a string or a
// comment is an error character for ANTLR, so the lexer declines.
enum : uint8_t { kDigit = 1, kAlpha = 2, kIdent = 4, kSpace = 8 };

constexpr auto kCharClass = [] {
  std::array<uint8_t, 256> table{};
  for (int c = '0'; c <= '9'; ++c)
    table[c] = kDigit | kIdent;
  for (int c = 'a'; c <= 'z'; ++c)
    table[c] = kAlpha | kIdent;
  for (int c = 'A'; c <= 'Z'; ++c)
    table[c] = kAlpha | kIdent;
  table['_'] = kIdent;
  table[' '] = table['\t'] = table['\r'] = table['\n'] = table['\f'] = kSpace;
  return table;
}();

inline bool is(char c, uint8_t cls) { return kCharClass[static_cast<unsigned char>(c)] & cls; }

// ANTLR resolves a tie in match length by rule order, and every keyword
// rule comes before ID: a word that spells a keyword is that keyword.
Tok keywordOrId(const char *p, size_t n) {
  auto eq = [&](const char *kw) { return std::memcmp(p, kw, n) == 0; };
  switch (n) {
  case 2:
    if (eq("as"))
      return Tok::KwAs;
    if (eq("or"))
      return Tok::KwOr;
    if (eq("in"))
      return Tok::KwIn;
    break;
  case 3:
    if (eq("for"))
      return Tok::KwFor;
    if (eq("and"))
      return Tok::KwAnd;
    if (eq("not"))
      return Tok::KwNot;
    if (eq("any"))
      return Tok::KwAny;
    if (eq("all"))
      return Tok::KwAll;
    if (eq("usd") || eq("eur") || eq("gbp"))
      return Tok::Currency;
    break;
  case 4:
    if (eq("enum"))
      return Tok::KwEnum;
    if (eq("else"))
      return Tok::KwElse;
    if (eq("true"))
      return Tok::KwTrue;
    break;
  case 5:
    if (eq("where"))
      return Tok::KwWhere;
    if (eq("false"))
      return Tok::KwFalse;
    break;
  case 6:
    if (eq("import"))
      return Tok::KwImport;
    break;
  case 7:
    if (eq("package"))
      return Tok::KwPackage;
    if (eq("extends"))
      return Tok::KwExtends;
    if (eq("require"))
      return Tok::KwRequire;
    break;
  case 8:
    if (eq("template"))
      return Tok::KwTemplate;
    break;
  default:
    break;
  }
  return Tok::Id;
}

// The whole file as tokens (comments aside), or false to decline. Also
// applies the lexical pass's bound on bracket and prefix-operator nesting.
class Lexer {
public:
  Lexer(llvm::StringRef text, FileId id, unsigned maxDepth, std::vector<Token> &tokens,
        llvm::SmallVectorImpl<ast::Comment> &comments)
      : text_(text), id_(id), maxDepth_(maxDepth), tokens_(tokens), comments_(comments) {}

  bool run() {
    const char *const base = text_.data();
    const char *const end = base + text_.size();
    const char *p = base;
    auto at = [&](const char *q) { return q < end ? *q : '\0'; };
    for (;;) {
      while (p < end && is(*p, kSpace))
        ++p;
      if (p == end) {
        push(Tok::Eof, p, p);
        return true;
      }
      const char *start = p;
      char c = *p;
      if (is(c, kAlpha) || c == '_') {
        ++p;
        while (p < end && is(*p, kIdent))
          ++p;
        if (!push(keywordOrId(start, static_cast<size_t>(p - start)), start, p))
          return false;
        continue;
      }
      if (is(c, kDigit)) {
        Tok kind = number(p, end);
        if (!push(kind, start, p))
          return false;
        continue;
      }
      Tok kind;
      switch (c) {
      case '"':
        if (at(p + 1) == '"' && at(p + 2) == '"') {
          // RAW_STRING: '"""' .*? '"""'. Without a closing `"""` it is
          // UNTERMINATED_RAW_STRING, a lexical error.
          llvm::StringRef rest(p + 3, static_cast<size_t>(end - (p + 3)));
          size_t close = rest.find("\"\"\"");
          if (close == llvm::StringRef::npos)
            return false;
          p += 3 + close + 3;
          kind = Tok::RawString;
          break;
        }
        // STRING: '"' (ESC | ~["\\\r\n])* '"', where ESC is '\\' and any
        // character (a line break included).
        ++p;
        for (;;) {
          if (p == end)
            return false;
          char s = *p;
          if (s == '"') {
            ++p;
            break;
          }
          if (s == '\\') {
            if (p + 1 == end)
              return false;
            p += 2;
            continue;
          }
          if (s == '\n' || s == '\r')
            return false;
          ++p;
        }
        kind = Tok::String;
        break;
      case '/':
        if (at(p + 1) == '/') {
          bool doc = at(p + 2) == '/';
          p += 2;
          while (p < end && *p != '\n' && *p != '\r')
            ++p;
          comment(start, p, doc, false);
          continue;
        }
        if (at(p + 1) == '*') {
          llvm::StringRef rest(p + 2, static_cast<size_t>(end - (p + 2)));
          size_t close = rest.find("*/");
          if (close == llvm::StringRef::npos)
            return false; // UNTERMINATED_COMMENT
          p += 2 + close + 2;
          comment(start, p, false, true);
          continue;
        }
        ++p;
        kind = Tok::Slash;
        break;
      case '{':
        ++p, kind = Tok::LBrace;
        break;
      case '}':
        ++p, kind = Tok::RBrace;
        break;
      case '(':
        ++p, kind = Tok::LParen;
        break;
      case ')':
        ++p, kind = Tok::RParen;
        break;
      case '[':
        ++p, kind = Tok::LBrack;
        break;
      case ']':
        ++p, kind = Tok::RBrack;
        break;
      case '.':
        if (at(p + 1) == '.')
          p += 2, kind = Tok::DotDot;
        else
          ++p, kind = Tok::Dot;
        break;
      case ',':
        ++p, kind = Tok::Comma;
        break;
      case ':':
        ++p, kind = Tok::Colon;
        break;
      case '?':
        ++p, kind = Tok::Question;
        break;
      case '|':
        ++p, kind = Tok::Pipe;
        break;
      case '@':
        ++p, kind = Tok::At;
        break;
      case '-':
        ++p, kind = Tok::Minus;
        break;
      case '<':
        if (at(p + 1) == '=')
          p += 2, kind = Tok::Le;
        else
          ++p, kind = Tok::Lt;
        break;
      case '>':
        if (at(p + 1) == '=')
          p += 2, kind = Tok::Ge;
        else
          ++p, kind = Tok::Gt;
        break;
      case '=':
        if (at(p + 1) == '=')
          p += 2, kind = Tok::Eq;
        else
          ++p, kind = Tok::Assign;
        break;
      case '!':
        if (at(p + 1) != '=')
          return false; // ERROR_CHAR
        p += 2, kind = Tok::Ne;
        break;
      default:
        return false; // ERROR_CHAR (`;`, `+`, a NUL, any non-ASCII character, ...)
      }
      if (!push(kind, start, p))
        return false;
    }
  }

private:
  // INT, FLOAT or QUANTITY, by longest match; on a tie FLOAT wins (it comes
  // first in the grammar). Advances `p` past the token.
  //   FLOAT    : DIGITS '.' DIGITS EXPONENT? | DIGITS EXPONENT
  //   QUANTITY : DIGITS ('.' DIGITS)? [a-zA-Z] [a-zA-Z0-9]*
  //   INT      : DIGITS          DIGITS : [0-9] [0-9_]*
  static Tok number(const char *&p, const char *end) {
    auto at = [&](const char *q) { return q < end ? *q : '\0'; };
    auto digits = [&](const char *q) { // q at a digit
      ++q;
      while (q < end && (is(*q, kDigit) || *q == '_'))
        ++q;
      return q;
    };
    auto exponent = [&](const char *q) -> const char * { // end of EXPONENT at q, or null
      if (at(q) != 'e' && at(q) != 'E')
        return nullptr;
      ++q;
      if (at(q) == '+' || at(q) == '-')
        ++q;
      if (!is(at(q), kDigit))
        return nullptr;
      while (q < end && is(*q, kDigit))
        ++q;
      return q;
    };
    auto quantity = [&](const char *q) -> const char * { // end of the unit at q, or null
      if (!is(at(q), kAlpha))
        return nullptr;
      ++q;
      while (q < end && (is(*q, kAlpha) || is(*q, kDigit)))
        ++q;
      return q;
    };
    const char *q = digits(p);
    const char *best = q;
    Tok kind = Tok::Int;
    const char *mantissa = q;
    if (at(q) == '.' && is(at(q + 1), kDigit)) {
      mantissa = digits(q + 1);
      best = mantissa;
      kind = Tok::Float;
    }
    if (const char *e = exponent(mantissa); e && e > best)
      best = e, kind = Tok::Float;
    if (const char *u = quantity(mantissa); u && u > best)
      best = u, kind = Tok::Quantity;
    p = best;
    return kind;
  }

  bool push(Tok kind, const char *begin, const char *end) {
    tokens_.push_back(Token{kind, offset(begin), offset(end),
                            static_cast<uint32_t>(comments_.size())});
    // The lexical pass's nesting bound (Parser.cpp): brackets plus a run of
    // prefix operators deeper than maxDepth is refused with a diagnostic.
    switch (kind) {
    case Tok::LBrace:
    case Tok::LBrack:
    case Tok::LParen:
      ++depth_;
      break;
    case Tok::RBrace:
    case Tok::RBrack:
    case Tok::RParen:
      if (depth_ > 0)
        --depth_;
      break;
    default:
      break;
    }
    if (kind == Tok::Minus || kind == Tok::KwNot || kind == Tok::Lt)
      ++prefixRun_;
    else
      prefixRun_ = 0;
    return depth_ + prefixRun_ <= maxDepth_;
  }

  void comment(const char *begin, const char *end, bool doc, bool block) {
    comments_.push_back(ast::Comment{Span{id_, offset(begin), offset(end)}, doc, block});
  }

  uint32_t offset(const char *p) const { return static_cast<uint32_t>(p - text_.data()); }

  llvm::StringRef text_;
  FileId id_;
  unsigned maxDepth_;
  std::vector<Token> &tokens_;
  llvm::SmallVectorImpl<ast::Comment> &comments_;
  unsigned depth_ = 0;
  unsigned prefixRun_ = 0;
};

// ---------------------------------------------------------------- parser

// Tokens that can start an expression (`primary`, `-`, `not`, a quantifier).
bool startsExpr(Tok t) {
  switch (t) {
  case Tok::String:
  case Tok::RawString:
  case Tok::Int:
  case Tok::Float:
  case Tok::Quantity:
  case Tok::KwTrue:
  case Tok::KwFalse:
  case Tok::Id:
  case Tok::LParen:
  case Tok::LBrack:
  case Tok::LBrace:
  case Tok::Minus:
  case Tok::KwNot:
  case Tok::KwAny:
  case Tok::KwAll:
    return true;
  default:
    return false;
  }
}

// `pathSegment`: ID or a keyword that may name a field.
bool isPathSegment(Tok t) {
  switch (t) {
  case Tok::Id:
  case Tok::KwTemplate:
  case Tok::KwEnum:
  case Tok::KwExtends:
  case Tok::KwAs:
  case Tok::KwIn:
  case Tok::KwImport:
  case Tok::KwPackage:
  case Tok::KwWhere:
  case Tok::KwRequire:
  case Tok::KwElse:
  case Tok::KwAny:
  case Tok::KwAll:
    return true;
  default:
    return false;
  }
}

bool compareOp(Tok t, ast::BinaryOp &op) {
  switch (t) {
  case Tok::Lt:
    op = ast::BinaryOp::Lt;
    return true;
  case Tok::Le:
    op = ast::BinaryOp::Le;
    return true;
  case Tok::Gt:
    op = ast::BinaryOp::Gt;
    return true;
  case Tok::Ge:
    op = ast::BinaryOp::Ge;
    return true;
  case Tok::Eq:
    op = ast::BinaryOp::Eq;
    return true;
  case Tok::Ne:
    op = ast::BinaryOp::Ne;
    return true;
  default:
    return false;
  }
}

// Binding strength of the `expr` alternatives, as ANTLR numbers them when it
// rewrites the left recursion: the n-th of the 12 alternatives gets 13 - n.
// A binary operator of strength p takes its right operand at p + 1 (left
// associative); a prefix operator takes its operand at its own strength.
enum Prec : unsigned {
  kMember = 11,
  kCall = 10,
  kIndex = 9,
  kNeg = 8,
  kRange = 7,
  kCompare = 6,
  kIn = 5,
  kNot = 4,
  kAnd = 3,
  kOr = 2,
};
// `typeExpr`: `?` binds tighter than `|`.
enum TypePrec : unsigned { kOptional = 3, kUnion = 2 };

// An expression with its extent as written (parentheses included, which the
// AST node's span leaves out) and the nesting depth the ANTLR builder would
// count beneath it.
struct Parsed {
  ast::Expr *expr = nullptr;
  uint32_t begin = 0;
  uint32_t end = 0;
  unsigned height = 0;
};

struct ParsedType {
  ast::TypeExpr *type = nullptr;
  uint32_t begin = 0;
  uint32_t end = 0;
  unsigned height = 0;
};

class Parser {
public:
  Parser(const SourceFile &file, FileId id, const ParseOptions &options,
         llvm::ArrayRef<Token> tokens, llvm::ArrayRef<ast::Comment> comments, ast::Arena &arena)
      : text_(file.text()), id_(id), maxDepth_(options.maxDepth), toks_(tokens),
        comments_(comments), arena_(arena) {}

  ast::File *file() {
    auto *f = arena_.make<ast::File>();
    f->id = id_;
    if (at(Tok::KwPackage)) {
      uint32_t begin = tok().begin;
      ++pos_;
      ast::Path p;
      if (!qualifiedName(p))
        return nullptr;
      f->package = arena_.make<ast::Path>(p);
      f->packageSpan = span(begin, p.span.end);
    }
    llvm::SmallVector<ast::Import, 8> imports;
    while (at(Tok::KwImport)) {
      ast::Import imp;
      uint32_t begin = tok().begin;
      ++pos_;
      if (!qualifiedName(imp.path))
        return nullptr;
      uint32_t end = imp.path.span.end;
      if (at(Tok::KwAs)) {
        ++pos_;
        if (!ident(imp.alias))
          return nullptr;
        end = imp.alias.span.end;
      }
      imp.span = span(begin, end);
      imports.push_back(imp);
    }
    f->imports = arena_.copy(llvm::ArrayRef<ast::Import>(imports));
    llvm::SmallVector<ast::Item *, 16> decls;
    while (!at(Tok::Eof)) {
      ast::Item *d = topDecl();
      if (!d)
        return nullptr;
      decls.push_back(d);
    }
    f->decls = arena_.copy(llvm::ArrayRef<ast::Item *>(decls));
    return f;
  }

private:
  // ---- tokens and spans

  const Token &tok() const { return toks_[pos_]; }
  Tok kind() const { return toks_[pos_].kind; }
  // The token after the current one (EOF repeats at the end).
  Tok peek() const { return pos_ + 1 < toks_.size() ? toks_[pos_ + 1].kind : Tok::Eof; }
  bool at(Tok k) const { return kind() == k; }
  Span span(uint32_t begin, uint32_t end) const { return Span{id_, begin, end}; }
  Span span(const Token &t) const { return Span{id_, t.begin, t.end}; }
  llvm::StringRef textOf(const Token &t) const {
    return text_.substr(t.begin, t.end - t.begin);
  }

  // Consumes a token of kind `k`, or fails.
  bool expect(Tok k, uint32_t *end = nullptr) {
    if (!at(k))
      return false;
    if (end)
      *end = tok().end;
    ++pos_;
    return true;
  }

  // `ident : ID`: keywords are not names.
  bool ident(ast::Ident &out) {
    if (!at(Tok::Id))
      return false;
    out = ast::Ident{textOf(tok()), span(tok())};
    ++pos_;
    return true;
  }

  bool qualifiedName(ast::Path &out) {
    llvm::SmallVector<ast::Ident, 4> parts;
    ast::Ident part;
    if (!ident(part))
      return false;
    parts.push_back(part);
    while (at(Tok::Dot)) {
      ++pos_;
      if (!ident(part))
        return false;
      parts.push_back(part);
    }
    out.parts = arena_.copy(llvm::ArrayRef<ast::Ident>(parts));
    out.span = parts.front().span.to(parts.back().span);
    return true;
  }

  // The `///` lines right before token `index`: the run of doc comments
  // that ends just before it, with no other comment in between (Builder's
  // docBefore over ANTLR's hidden tokens to the left).
  llvm::StringRef docBefore(size_t index) {
    uint32_t hi = toks_[index].commentsEnd;
    uint32_t lo = index > 0 ? toks_[index - 1].commentsEnd : 0;
    uint32_t first = hi;
    while (first > lo && comments_[first - 1].isDoc)
      --first;
    if (first == hi)
      return {};
    auto line = [&](uint32_t i) {
      const ast::Comment &c = comments_[i];
      llvm::StringRef text = text_.substr(c.span.begin, c.span.size()).drop_front(3);
      if (text.startswith(" "))
        text = text.drop_front();
      return text.rtrim();
    };
    if (hi - first == 1) {
      llvm::StringRef only = line(first);
      return only.empty() ? llvm::StringRef() : only;
    }
    size_t size = hi - first - 1;
    for (uint32_t i = first; i < hi; ++i)
      size += line(i).size();
    llvm::SmallString<256> joined;
    joined.reserve(size);
    for (uint32_t i = first; i < hi; ++i) {
      if (!joined.empty())
        joined += '\n';
      joined += line(i);
    }
    return arena_.copy(llvm::StringRef(joined));
  }

  // Bounds recursion like the Builder's depth guard: every active
  // expression or type frame is at least one level of ANTLR nesting, so more
  // than maxDepth of them means the Builder would report and we decline.
  struct Nest {
    Parser &p;
    explicit Nest(Parser &parser) : p(parser) { ++p.nest_; }
    ~Nest() { --p.nest_; }
    bool tooDeep() const { return p.nest_ > p.maxDepth_; }
  };

  // ---- annotations and arguments

  bool annotations(llvm::ArrayRef<ast::Annotation> &out, unsigned &height, uint32_t &end) {
    llvm::SmallVector<ast::Annotation, 2> list;
    while (at(Tok::At)) {
      ast::Annotation a;
      uint32_t begin = tok().begin;
      ++pos_;
      if (!ident(a.name))
        return false;
      end = a.name.span.end;
      if (at(Tok::LParen)) {
        ++pos_;
        if (!args(Tok::RParen, a.args, height))
          return false;
        end = tok().end;
        ++pos_;
      }
      a.span = span(begin, end);
      list.push_back(a);
    }
    out = arena_.copy(llvm::ArrayRef<ast::Annotation>(list));
    return true;
  }

  // `args?` up to (not including) `close`.
  bool args(Tok close, llvm::ArrayRef<ast::Arg> &out, unsigned &height) {
    llvm::SmallVector<ast::Arg, 4> list;
    while (!at(close)) {
      ast::Arg a;
      if (at(Tok::Id) && peek() == Tok::Assign) {
        ident(a.name);
        ++pos_;
      }
      Parsed v = expr(0);
      if (!v.expr)
        return false;
      a.value = v.expr;
      height = std::max(height, v.height);
      list.push_back(a);
      if (at(Tok::Comma))
        ++pos_;
      else if (!at(close))
        return false;
    }
    out = arena_.copy(llvm::ArrayRef<ast::Arg>(list));
    return true;
  }

  // ---- declarations

  ast::Item *topDecl() {
    size_t start = pos_;
    uint32_t begin = tok().begin;
    llvm::ArrayRef<ast::Annotation> anns;
    unsigned height = 0;
    uint32_t unusedEnd = 0;
    if (!annotations(anns, height, unusedEnd) || height > maxDepth_)
      return nullptr;
    if (at(Tok::KwEnum)) {
      ++pos_;
      ast::Ident name;
      if (!ident(name) || !at(Tok::LBrace))
        return nullptr;
      Span open = span(tok());
      ++pos_;
      llvm::SmallVector<ast::EnumMember, 8> members;
      while (!at(Tok::RBrace)) {
        ast::EnumMember m;
        size_t memberStart = pos_;
        unsigned h = 0;
        uint32_t e = 0;
        if (!annotations(m.annotations, h, e) || h > maxDepth_ || !ident(m.name))
          return nullptr;
        m.doc = docBefore(memberStart);
        members.push_back(m);
        if (at(Tok::Comma))
          ++pos_;
      }
      Span close = span(tok());
      ++pos_;
      auto *en = arena_.make<ast::EnumDecl>(span(begin, close.end));
      en->name = name;
      en->annotations = anns;
      en->doc = docBefore(start);
      en->open = open;
      en->close = close;
      en->members = arena_.copy(llvm::ArrayRef<ast::EnumMember>(members));
      return en;
    }
    bool isTemplate = false;
    Span templateKeyword;
    if (at(Tok::KwTemplate)) {
      isTemplate = true;
      templateKeyword = span(tok());
      ++pos_;
    }
    ast::Ident kindName, name;
    if (!ident(kindName) || !ident(name))
      return nullptr;
    ast::Block *b = blockWithHead(begin, kindName, name, height);
    if (!b)
      return nullptr;
    b->isTemplate = isTemplate;
    b->templateKeyword = templateKeyword;
    b->annotations = anns;
    b->doc = docBefore(start);
    return b;
  }

  // `extendsClause? block` after a head that starts at `begin`.
  ast::Block *blockWithHead(uint32_t begin, ast::Ident kindName, ast::Ident name,
                            unsigned &height) {
    const ast::Path *extends = nullptr;
    if (at(Tok::KwExtends)) {
      ++pos_;
      auto *p = arena_.make<ast::Path>();
      if (!qualifiedName(*p))
        return nullptr;
      extends = p;
    }
    ast::Block *b = block(begin, height);
    if (!b)
      return nullptr;
    b->kindName = kindName;
    b->name = name;
    b->extends = extends;
    return b;
  }

  // `{ (item ,?)* }`; the block's span starts at `begin`.
  ast::Block *block(uint32_t begin, unsigned &height) {
    if (!at(Tok::LBrace))
      return nullptr;
    Span open = span(tok());
    ++pos_;
    llvm::SmallVector<ast::Item *, 16> items;
    while (!at(Tok::RBrace)) {
      ast::Item *it = item(height);
      if (!it)
        return nullptr;
      items.push_back(it);
      if (at(Tok::Comma))
        ++pos_;
    }
    Span close = span(tok());
    ++pos_;
    auto *b = arena_.make<ast::Block>(span(begin, close.end));
    b->open = open;
    b->close = close;
    b->items = arena_.copy(llvm::ArrayRef<ast::Item *>(items));
    return b;
  }

  ast::Item *item(unsigned &blockHeight) {
    size_t start = pos_;
    uint32_t begin = tok().begin;
    unsigned height = 0;
    ast::Item *out = nullptr;
    if (at(Tok::KwFor)) {
      out = rule(begin, height);
    } else if (at(Tok::Id) && peek() == Tok::Colon) {
      out = fieldDecl(begin, height);
    } else if (at(Tok::Id) &&
               (peek() == Tok::LBrace || peek() == Tok::Id || peek() == Tok::KwExtends)) {
      ast::Ident kindName, name;
      ident(kindName);
      if (at(Tok::Id))
        ident(name);
      out = blockWithHead(begin, kindName, name, height);
    } else if (isPathSegment(kind())) {
      out = assignmentOrConstraint(begin, height);
    }
    if (!out || height > maxDepth_)
      return nullptr;
    out->doc = docBefore(start);
    blockHeight = std::max(blockHeight, height);
    return out;
  }

  ast::Item *assignmentOrConstraint(uint32_t begin, unsigned &height) {
    llvm::SmallVector<ast::Ident, 4> parts;
    parts.push_back(ast::Ident{textOf(tok()), span(tok())});
    ++pos_;
    while (at(Tok::Dot)) {
      ++pos_;
      if (!isPathSegment(kind()))
        return nullptr;
      parts.push_back(ast::Ident{textOf(tok()), span(tok())});
      ++pos_;
    }
    ast::Path target;
    target.parts = arena_.copy(llvm::ArrayRef<ast::Ident>(parts));
    target.span = parts.front().span.to(parts.back().span);
    ast::BinaryOp op{};
    bool isAssign = at(Tok::Assign);
    if (!isAssign && !compareOp(kind(), op))
      return nullptr;
    ++pos_;
    Parsed v = expr(0);
    if (!v.expr)
      return nullptr;
    height = v.height;
    if (isAssign) {
      auto *a = arena_.make<ast::Assignment>(span(begin, v.end));
      a->target = target;
      a->value = v.expr;
      return a;
    }
    auto *c = arena_.make<ast::Constraint>(span(begin, v.end));
    c->target = target;
    c->op = op;
    c->value = v.expr;
    return c;
  }

  ast::Item *fieldDecl(uint32_t begin, unsigned &height) {
    ast::Ident name;
    ident(name);
    ++pos_; // `:`
    ParsedType t = type(0);
    if (!t.type)
      return nullptr;
    height = t.height;
    uint32_t end = t.end;
    ast::Expr *defaultValue = nullptr;
    if (at(Tok::Assign)) {
      ++pos_;
      Parsed v = expr(0);
      if (!v.expr)
        return nullptr;
      defaultValue = v.expr;
      height = std::max(height, v.height);
      end = v.end;
    }
    llvm::ArrayRef<ast::Annotation> anns;
    if (!annotations(anns, height, end))
      return nullptr;
    auto *f = arena_.make<ast::FieldDecl>(span(begin, end));
    f->name = name;
    f->type = t.type;
    f->defaultValue = defaultValue;
    f->annotations = anns;
    return f;
  }

  // `for kind var (where e)? require e (else e)?`
  ast::Item *rule(uint32_t begin, unsigned &height) {
    ++pos_;
    ast::Ident kindName, var;
    if (!ident(kindName) || !ident(var))
      return nullptr;
    ast::Expr *where = nullptr;
    if (at(Tok::KwWhere)) {
      ++pos_;
      Parsed w = expr(0);
      if (!w.expr)
        return nullptr;
      where = w.expr;
      height = std::max(height, w.height);
    }
    if (!expect(Tok::KwRequire))
      return nullptr;
    Parsed cond = expr(0);
    if (!cond.expr)
      return nullptr;
    height = std::max(height, cond.height);
    uint32_t end = cond.end;
    ast::Expr *message = nullptr;
    // `else` not followed by an expression starts the next item (a field
    // named `else`): the optional clause is skipped, as ANTLR's lookahead does.
    if (at(Tok::KwElse) && startsExpr(peek())) {
      ++pos_;
      Parsed m = expr(0);
      if (!m.expr)
        return nullptr;
      message = m.expr;
      height = std::max(height, m.height);
      end = m.end;
    }
    auto *r = arena_.make<ast::Rule>(span(begin, end));
    r->kindName = kindName;
    r->var = var;
    r->where = where;
    r->require = cond.expr;
    r->message = message;
    return r;
  }

  // ---- types

  ParsedType type(unsigned minPrec) {
    Nest nest(*this);
    if (nest.tooDeep())
      return {};
    ParsedType cur;
    {
      auto *t = arena_.make<ast::NamedType>(Span{});
      if (!qualifiedName(t->name))
        return {};
      cur.begin = t->name.span.begin;
      cur.end = t->name.span.end;
      unsigned h = 0;
      if (at(Tok::Lt)) {
        ++pos_;
        llvm::SmallVector<ast::TypeExpr *, 2> typeArgs;
        for (;;) {
          ParsedType a = type(0);
          if (!a.type)
            return {};
          typeArgs.push_back(a.type);
          h = std::max(h, a.height);
          if (at(Tok::Comma)) {
            ++pos_;
            continue;
          }
          if (!expect(Tok::Gt, &cur.end))
            return {};
          break;
        }
        t->typeArgs = arena_.copy(llvm::ArrayRef<ast::TypeExpr *>(typeArgs));
      }
      if (at(Tok::LParen)) {
        ++pos_;
        t->hasConstraintList = true;
        if (!args(Tok::RParen, t->constraints, h))
          return {};
        cur.end = tok().end;
        ++pos_;
      }
      t->span = span(cur.begin, cur.end);
      cur.type = t;
      cur.height = h + 1;
    }
    // `a | b | c` is one union in the AST: members gather here while the
    // chain of `|` goes on.
    llvm::SmallVector<ast::TypeExpr *, 4> members;
    auto closeUnion = [&] {
      if (members.empty())
        return;
      auto *u = arena_.make<ast::UnionType>(span(cur.begin, cur.end));
      u->members = arena_.copy(llvm::ArrayRef<ast::TypeExpr *>(members));
      cur.type = u;
      members.clear();
    };
    for (;;) {
      if (at(Tok::Question) && kOptional >= minPrec) {
        closeUnion();
        cur.end = tok().end;
        ++pos_;
        cur.type = arena_.make<ast::OptionalType>(span(cur.begin, cur.end), cur.type);
        cur.height += 1;
      } else if (at(Tok::Pipe) && kUnion >= minPrec) {
        ++pos_;
        ParsedType rhs = type(kUnion + 1);
        if (!rhs.type)
          return {};
        if (members.empty()) {
          if (auto *u = llvm::dyn_cast<ast::UnionType>(cur.type))
            members.append(u->members.begin(), u->members.end());
          else
            members.push_back(cur.type);
        }
        members.push_back(rhs.type);
        cur.end = rhs.end;
        cur.height = std::max(cur.height, rhs.height) + 1;
      } else {
        break;
      }
      if (cur.height > maxDepth_)
        return {};
    }
    closeUnion();
    if (cur.height > maxDepth_)
      return {};
    return cur;
  }

  // ---- expressions

  Parsed make(ast::Expr *e, uint32_t begin, uint32_t end, unsigned height) {
    if (height > maxDepth_)
      return {};
    return Parsed{e, begin, end, height};
  }

  Parsed expr(unsigned minPrec) {
    Nest nest(*this);
    if (nest.tooDeep())
      return {};
    Parsed lhs;
    uint32_t begin = tok().begin;
    switch (kind()) {
    case Tok::Minus:
    case Tok::KwNot: {
      bool neg = at(Tok::Minus);
      ++pos_;
      Parsed operand = expr(neg ? kNeg : kNot);
      if (!operand.expr)
        return {};
      auto *u = arena_.make<ast::UnaryExpr>(span(begin, operand.end),
                                            neg ? ast::UnaryOp::Neg : ast::UnaryOp::Not,
                                            operand.expr);
      lhs = make(u, begin, operand.end, operand.height + 1);
      break;
    }
    case Tok::KwAny:
    case Tok::KwAll: {
      bool all = at(Tok::KwAll);
      ++pos_;
      ast::Ident var;
      if (!ident(var) || !expect(Tok::KwIn))
        return {};
      Parsed domain = expr(0);
      if (!domain.expr || !expect(Tok::Colon))
        return {};
      Parsed body = expr(0);
      if (!body.expr)
        return {};
      auto *q = arena_.make<ast::QuantifierExpr>(span(begin, body.end), all, var, domain.expr,
                                                 body.expr);
      lhs = make(q, begin, body.end, std::max(domain.height, body.height) + 1);
      break;
    }
    default:
      lhs = primary();
      break;
    }
    if (!lhs.expr)
      return {};

    for (;;) {
      ast::BinaryOp op{};
      unsigned prec = 0;
      switch (kind()) {
      case Tok::Dot: {
        if (kMember < minPrec)
          return lhs;
        ++pos_;
        ast::Ident member;
        if (!ident(member))
          return {};
        auto *m = arena_.make<ast::MemberExpr>(span(lhs.begin, member.span.end), lhs.expr, member);
        lhs = make(m, lhs.begin, member.span.end, lhs.height + 1);
        if (!lhs.expr)
          return {};
        continue;
      }
      case Tok::LParen: {
        if (kCall < minPrec)
          return lhs;
        ++pos_;
        unsigned h = lhs.height;
        llvm::ArrayRef<ast::Arg> callArgs;
        if (!args(Tok::RParen, callArgs, h))
          return {};
        uint32_t end = tok().end;
        ++pos_;
        auto *c = arena_.make<ast::CallExpr>(span(lhs.begin, end), lhs.expr);
        c->args = callArgs;
        lhs = make(c, lhs.begin, end, h + 1);
        if (!lhs.expr)
          return {};
        continue;
      }
      case Tok::LBrack: {
        if (kIndex < minPrec)
          return lhs;
        ++pos_;
        Parsed index = expr(0);
        uint32_t end = 0;
        if (!index.expr || !expect(Tok::RBrack, &end))
          return {};
        auto *i = arena_.make<ast::IndexExpr>(span(lhs.begin, end), lhs.expr, index.expr);
        lhs = make(i, lhs.begin, end, std::max(lhs.height, index.height) + 1);
        if (!lhs.expr)
          return {};
        continue;
      }
      case Tok::DotDot: {
        if (kRange < minPrec)
          return lhs;
        ++pos_;
        Parsed high = expr(kRange + 1);
        if (!high.expr)
          return {};
        auto *r = arena_.make<ast::RangeExpr>(span(lhs.begin, high.end), lhs.expr, high.expr);
        lhs = make(r, lhs.begin, high.end, std::max(lhs.height, high.height) + 1);
        if (!lhs.expr)
          return {};
        continue;
      }
      case Tok::KwIn:
        // `in` not followed by an expression is a field named `in` that
        // starts the next item; ANTLR's lookahead leaves the loop there too.
        if (!startsExpr(peek()))
          return lhs;
        op = ast::BinaryOp::In, prec = kIn;
        break;
      case Tok::KwAnd:
        op = ast::BinaryOp::And, prec = kAnd;
        break;
      case Tok::KwOr:
        op = ast::BinaryOp::Or, prec = kOr;
        break;
      default:
        if (!compareOp(kind(), op))
          return lhs;
        prec = kCompare;
        break;
      }
      if (prec < minPrec)
        return lhs;
      ++pos_;
      Parsed rhs = expr(prec + 1);
      if (!rhs.expr)
        return {};
      auto *b = arena_.make<ast::BinaryExpr>(span(lhs.begin, rhs.end), op, lhs.expr, rhs.expr);
      lhs = make(b, lhs.begin, rhs.end, std::max(lhs.height, rhs.height) + 1);
      if (!lhs.expr)
        return {};
    }
  }

  Parsed primary() {
    const Token &t = tok();
    switch (t.kind) {
    case Tok::String:
    case Tok::RawString: {
      ++pos_;
      ast::Expr *s = string(t, t.kind == Tok::RawString);
      if (!s)
        return {};
      return make(s, t.begin, t.end, 1);
    }
    case Tok::Int:
    case Tok::Float:
    case Tok::Quantity:
      return number();
    case Tok::KwTrue:
    case Tok::KwFalse:
      ++pos_;
      return make(arena_.make<ast::BoolExpr>(span(t), t.kind == Tok::KwTrue), t.begin, t.end, 1);
    case Tok::Id: {
      ++pos_;
      ast::Ident name{textOf(t), span(t)};
      return make(arena_.make<ast::NameExpr>(span(t), name), t.begin, t.end, 1);
    }
    case Tok::LParen: {
      // The AST keeps the inner expression (and its span); the extent as
      // written, which enclosing nodes' spans start or end at, includes the
      // parentheses.
      ++pos_;
      Parsed inner = expr(0);
      uint32_t end = 0;
      if (!inner.expr || !expect(Tok::RParen, &end))
        return {};
      return make(inner.expr, t.begin, end, inner.height + 1);
    }
    case Tok::LBrack: {
      ++pos_;
      llvm::SmallVector<ast::Expr *, 8> elements;
      unsigned h = 0;
      while (!at(Tok::RBrack)) {
        Parsed e = expr(0);
        if (!e.expr)
          return {};
        elements.push_back(e.expr);
        h = std::max(h, e.height);
        if (at(Tok::Comma))
          ++pos_;
        else if (!at(Tok::RBrack))
          return {};
      }
      uint32_t end = tok().end;
      ++pos_;
      auto *list = arena_.make<ast::ListExpr>(span(t.begin, end));
      list->elements = arena_.copy(llvm::ArrayRef<ast::Expr *>(elements));
      return make(list, t.begin, end, h + 1);
    }
    case Tok::LBrace: {
      unsigned h = 0;
      ast::Block *b = block(t.begin, h);
      if (!b)
        return {};
      return make(arena_.make<ast::RecordExpr>(b->span, b), t.begin, b->span.end, h + 1);
    }
    default:
      return {};
    }
  }

  // `(INT | FLOAT | QUANTITY) CURRENCY? (SLASH per=ident)?`, decoded as
  // Builder::number does; declines where it reports.
  Parsed number() {
    const Token &lit = tok();
    ++pos_;
    uint32_t end = lit.end;
    llvm::StringRef currency;
    if (at(Tok::Currency)) {
      currency = textOf(tok());
      end = tok().end;
      ++pos_;
    }
    ast::Ident per;
    if (at(Tok::Slash)) {
      ++pos_;
      if (!ident(per))
        return {};
      end = per.span.end;
    }
    auto *n = arena_.make<ast::NumberExpr>(span(lit.begin, end));
    llvm::StringRef raw = textOf(lit);
    n->raw = raw;
    bool isFloat = lit.kind == Tok::Float;
    size_t split = 0;
    while (split < raw.size() &&
           (llvm::isDigit(raw[split]) || raw[split] == '_' || raw[split] == '.' ||
            (isFloat && (raw[split] == 'e' || raw[split] == 'E' || raw[split] == '+' ||
                         raw[split] == '-'))))
      ++split;
    n->digits = raw.substr(0, split);
    n->suffix = raw.substr(split);
    if (n->digits.contains("__") || n->digits.endswith("_"))
      return {}; // misplaced `_`
    llvm::SmallString<32> clean;
    for (char c : n->digits)
      if (c != '_')
        clean.push_back(c);
    n->isInteger = clean.find_first_of(".eE") == llvm::StringRef::npos;
    if (n->isInteger) {
      auto [ptr, ec] = std::from_chars(clean.begin(), clean.end(), n->intValue);
      if (ec != std::errc() || ptr != clean.end())
        return {}; // does not fit in 64 bits
      n->value = static_cast<double>(n->intValue);
    } else {
      n->value = std::strtod(clean.c_str(), nullptr);
      if (!std::isfinite(n->value))
        return {};
    }
    n->currency = currency;
    n->per = per;
    return make(n, lit.begin, end, 1);
  }

  // Builder::string: escapes decoded, `${path}` split out. Declines on a
  // bad escape or interpolation.
  ast::Expr *string(const Token &t, bool triple) {
    Span s = span(t);
    auto *str = arena_.make<ast::StringExpr>(s);
    llvm::StringRef raw = textOf(t);
    str->raw = raw;
    str->triple = triple;
    if (triple) {
      llvm::StringRef body = raw.substr(3, raw.size() - 6);
      ast::StringPart part{body, nullptr,
                           Span{id_, s.begin + 3, s.begin + 3 + static_cast<uint32_t>(body.size())}};
      str->parts = arena_.copy(llvm::ArrayRef<ast::StringPart>(part));
      return str;
    }
    // A STRING token always ends with an unescaped `"`.
    bool problem = false;
    str->parts = decodeString(raw, raw.size() - 1, s.begin, id_, arena_,
                              [&](LiteralProblem) { problem = true; });
    return problem ? nullptr : str; // the ANTLR path reports it
  }

  llvm::StringRef text_;
  FileId id_;
  unsigned maxDepth_;
  llvm::ArrayRef<Token> toks_;
  llvm::ArrayRef<ast::Comment> comments_;
  ast::Arena &arena_;
  size_t pos_ = 0;
  unsigned nest_ = 0;
};

} // namespace

std::optional<ast::ParsedFile> fastParse(const SourceFile &file, FileId id,
                                         const ParseOptions &options) {
  llvm::StringRef text = file.text();
  if (text.size() > options.maxFileBytes || text.size() >= UINT32_MAX)
    return std::nullopt;
  std::vector<Token> tokens;
  tokens.reserve(text.size() / 4 + 16);
  llvm::SmallVector<ast::Comment, 64> comments;
  if (!Lexer(text, id, options.maxDepth, tokens, comments).run())
    return std::nullopt;

  ast::ParsedFile result;
  result.arena = std::make_unique<ast::Arena>();
  Parser parser(file, id, options, tokens, comments, *result.arena);
  result.ast = parser.file();
  if (!result.ast)
    return std::nullopt;
  result.ast->comments = result.arena->copy(llvm::ArrayRef<ast::Comment>(comments));
  result.ast->hasSyntaxErrors = false;
  return result;
}

} // namespace plat::syntax
