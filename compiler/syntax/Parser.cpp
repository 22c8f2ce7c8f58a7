// ANTLR's door into Plat: lexing, parsing with error recovery, human syntax
// errors, and the parse tree → AST conversion. This is the only file in the
// project that includes ANTLR headers.

#include "syntax/Parser.h"
#include "syntax/Literals.h"

#include "syntax/FastParser.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <optional>
#include <vector>

#include "PlatLexer.h"
#include "PlatParser.h"
#include "antlr4-runtime.h"
#include "base/Text.h"
#include "fmt/format.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"

namespace plat::syntax {
namespace {

using gen::PlatLexer;
using gen::PlatParser;
using antlr4::Token;

constexpr size_t kCommentChannel = 2;

// Syntax errors reported per file before the parser gives up on it. Error
// recovery costs time proportional to the size of the enclosing block for
// each error, so a file of nothing but errors would take quadratic time (and
// print gigabytes) without a cap; after the first hundred errors the rest
// are noise anyway.
constexpr unsigned kMaxSyntaxErrors = 100;

// Recovery attempts per file, reported or not, before the parser gives up.
// While it recovers from one error ANTLR reports nothing, but every token it
// cannot use still costs an exception, a resynchronisation and a node of
// the parse tree: two megabytes of `@ ` took 6 s and 700 MB for one reported
// error. A file that needs more attempts than this is not worth parsing on.
constexpr unsigned kMaxRecoveries = 10'000;

std::string tooManyErrors(const SourceFile &file) {
  return fmt::format("too many syntax errors in `{}`; the rest of the file is not checked",
                     file.path());
}

// ANTLR indexes its input by code point; our spans are byte offsets.
class OffsetMap {
public:
  explicit OffsetMap(llvm::StringRef text) : size_(static_cast<uint32_t>(text.size())) {
    bool ascii = true;
    for (char c : text)
      if (static_cast<unsigned char>(c) >= 0x80) {
        ascii = false;
        break;
      }
    if (ascii)
      return;
    for (uint32_t i = 0; i < text.size(); ++i)
      if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80)
        starts_.push_back(i);
  }
  uint32_t byteOffset(size_t codePoint) const {
    if (starts_.empty())
      return static_cast<uint32_t>(std::min<size_t>(codePoint, size_));
    return codePoint < starts_.size() ? starts_[codePoint] : size_;
  }

private:
  uint32_t size_;
  std::vector<uint32_t> starts_; // empty when the text is ASCII
};

// How a token reads in an error message.
std::string describeTokenType(const antlr4::dfa::Vocabulary &vocabulary, size_t type) {
  switch (type) {
  case Token::EOF:
    return "the end of the file";
  case PlatParser::ID:
    return "a name";
  case PlatParser::STRING:
  case PlatParser::RAW_STRING:
    return "a string";
  case PlatParser::INT:
  case PlatParser::FLOAT:
  case PlatParser::QUANTITY:
    return "a number";
  case PlatParser::CURRENCY:
    return "a currency";
  default:
    break;
  }
  std::string literal(vocabulary.getLiteralName(type));
  if (literal.size() >= 2 && literal.front() == '\'')
    return "`" + literal.substr(1, literal.size() - 2) + "`";
  return std::string(vocabulary.getSymbolicName(type));
}

std::string describeToken(Token *token) {
  switch (token->getType()) {
  case Token::EOF:
    return "the end of the file";
  case PlatParser::ID:
    return fmt::format("name `{}`", token->getText());
  case PlatParser::STRING:
  case PlatParser::RAW_STRING:
    return "a string";
  case PlatParser::INT:
  case PlatParser::FLOAT:
  case PlatParser::QUANTITY:
    return fmt::format("number `{}`", token->getText());
  default:
    return "`" + token->getText() + "`";
  }
}

std::string joinAlternatives(const std::vector<std::string> &items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0)
      out += (i + 1 == items.size()) ? " or " : ", ";
    out += items[i];
  }
  return out;
}

// The innermost construct the parser is inside, for "expected `}` to close
// the block of `service checkout_api` opened at 3:20".
struct OpenConstruct {
  std::string what;  // "the block of `service checkout_api`"
  std::string closer; // "`}`"
  Token *opener = nullptr;
};

std::string blockOwner(antlr4::ParserRuleContext *block) {
  auto *parent = block->parent ? dynamic_cast<antlr4::ParserRuleContext *>(block->parent) : nullptr;
  auto text = [](PlatParser::IdentContext *id) {
    return id && id->ID() ? id->ID()->getText() : std::string();
  };
  if (auto *d = dynamic_cast<PlatParser::DeclarationContext *>(parent)) {
    std::string head = text(d->kind);
    if (!text(d->name).empty())
      head += " " + text(d->name);
    return fmt::format("the block of `{}`", head);
  }
  if (auto *t = dynamic_cast<PlatParser::TemplateDeclContext *>(parent))
    return fmt::format("the block of `template {} {}`", text(t->kind), text(t->name));
  if (auto *n = dynamic_cast<PlatParser::NestedBlockContext *>(parent)) {
    std::string head = text(n->kind);
    if (n->name && !text(n->name).empty())
      head += " " + text(n->name);
    return fmt::format("the block `{}`", head);
  }
  if (auto *e = dynamic_cast<PlatParser::EnumDeclContext *>(parent))
    return fmt::format("the members of `enum {}`", text(e->name));
  return "the record";
}

std::optional<OpenConstruct> innermostOpen(antlr4::ParserRuleContext *ctx) {
  for (; ctx; ctx = dynamic_cast<antlr4::ParserRuleContext *>(ctx->parent)) {
    if (auto *b = dynamic_cast<PlatParser::BlockContext *>(ctx)) {
      if (b->LBRACE() && !b->RBRACE())
        return OpenConstruct{blockOwner(b), "`}`", b->LBRACE()->getSymbol()};
    } else if (auto *e = dynamic_cast<PlatParser::EnumBodyContext *>(ctx)) {
      if (e->LBRACE() && !e->RBRACE())
        return OpenConstruct{blockOwner(e), "`}`", e->LBRACE()->getSymbol()};
    } else if (auto *l = dynamic_cast<PlatParser::ListLitContext *>(ctx)) {
      if (l->LBRACK() && !l->RBRACK())
        return OpenConstruct{"the list", "`]`", l->LBRACK()->getSymbol()};
    } else if (auto *p = dynamic_cast<PlatParser::ParenExprContext *>(ctx)) {
      if (p->LPAREN() && !p->RPAREN())
        return OpenConstruct{"the parenthesis", "`)`", p->LPAREN()->getSymbol()};
    } else if (auto *c = dynamic_cast<PlatParser::CallExprContext *>(ctx)) {
      if (c->LPAREN() && !c->RPAREN())
        return OpenConstruct{"the argument list", "`)`", c->LPAREN()->getSymbol()};
    }
  }
  return std::nullopt;
}

bool has(const antlr4::misc::IntervalSet &set, size_t type) {
  return set.contains(static_cast<size_t>(type));
}

// Keywords that `pathSegment` in the grammar also accepts as field names.
bool isSoftKeyword(size_t type) {
  switch (type) {
  case PlatParser::KW_TEMPLATE:
  case PlatParser::KW_ENUM:
  case PlatParser::KW_EXTENDS:
  case PlatParser::KW_AS:
  case PlatParser::KW_IN:
  case PlatParser::KW_IMPORT:
  case PlatParser::KW_PACKAGE:
  case PlatParser::KW_WHERE:
  case PlatParser::KW_REQUIRE:
  case PlatParser::KW_ELSE:
  case PlatParser::KW_ANY:
  case PlatParser::KW_ALL:
    return true;
  default:
    return false;
  }
}

bool insideRule(antlr4::ParserRuleContext *ctx, size_t ruleIndex) {
  for (; ctx; ctx = dynamic_cast<antlr4::ParserRuleContext *>(ctx->parent))
    if (ctx->getRuleIndex() == ruleIndex)
      return true;
  return false;
}

// Turns ANTLR's recovery events into our diagnostics.
class SyntaxReporter {
public:
  SyntaxReporter(const SourceFile &file, FileId id, const OffsetMap &offsets, Diagnostics &diags)
      : file_(file), id_(id), offsets_(offsets), diags_(diags) {}

  Span span(Token *token) const {
    if (!token)
      return Span{id_, 0, 0};
    if (token->getType() == Token::EOF) {
      // Point just after the last non-blank character rather than at an
      // empty last line: that is where the missing text belongs.
      auto end = static_cast<uint32_t>(file_.text().rtrim().size());
      return Span{id_, end, end};
    }
    uint32_t begin = offsets_.byteOffset(token->getStartIndex());
    uint32_t end = offsets_.byteOffset(token->getStopIndex() + 1);
    return Span{id_, begin, std::max(begin, end)};
  }

  std::string position(Token *token) const {
    LineCol lc = file_.lineCol(span(token).begin);
    return fmt::format("{}:{}", lc.line, lc.column);
  }

  // True once the per-file error cap is reached; the parse is then
  // abandoned (see ErrorStrategy::checkLimit).
  const SourceFile &file() const { return file_; }
  bool limitReached() const { return reported_ >= kMaxSyntaxErrors; }
  void countLexicalErrors(unsigned n) { reported_ += n; }

  // Counts one recovery attempt; past the cap, reports that the parser
  // gives up (where it stands) and makes `limitReached` true.
  void countRecovery(Token *at) {
    if (limitReached() || ++recoveries_ <= kMaxRecoveries)
      return;
    reported_ = kMaxSyntaxErrors;
    diags_.report(DiagId::SyntaxError, span(at), tooManyErrors(file_))
        .withHelp("fix the errors above and check again");
  }

  void report(antlr4::Parser *parser, Token *offending, const antlr4::misc::IntervalSet &expected,
              antlr4::ParserRuleContext *ctx, bool unwanted) {
    // A token the lexer already reported (an error character, say) does not
    // get a second, more confusing diagnostic.
    if (offending && offending->getType() == PlatParser::ERROR_CHAR)
      return;
    if (limitReached())
      return;
    if (++reported_ == kMaxSyntaxErrors) {
      diags_.report(DiagId::SyntaxError, span(offending), tooManyErrors(file_))
          .withHelp("fix the errors above and check again");
      return;
    }
    std::optional<OpenConstruct> open = innermostOpen(ctx);
    if (open && offending && offending->getType() == Token::EOF &&
        has(expected, closerType(open->closer))) {
      diags_
          .report(DiagId::UnclosedBlock, span(offending),
                  fmt::format("expected {} to close {} opened at {}", open->closer, open->what,
                              position(open->opener)))
          .label(span(open->opener), "opened here")
          .withHelp(fmt::format("add {} at the end of {}", open->closer, open->what));
      return;
    }

    std::string expectedText = describeExpected(parser, expected, ctx);
    std::string where = open ? " in " + open->what : "";
    Diagnostic &d =
        unwanted ? diags_.report(DiagId::SyntaxError, span(offending),
                                 fmt::format("unexpected {}{}", describeToken(offending), where))
                 : diags_.report(DiagId::SyntaxError, span(offending),
                                 fmt::format("expected {}{}, found {}", expectedText, where,
                                             describeToken(offending)));
    if (unwanted)
      d.note(fmt::format("expected {} here", expectedText));
    if (open && offending && offending->getType() == Token::EOF)
      d.label(span(open->opener), "opened here");
    addHelp(d, offending, expected, ctx);
  }

private:
  static size_t closerType(const std::string &closer) {
    if (closer == "`]`")
      return PlatParser::RBRACK;
    if (closer == "`)`")
      return PlatParser::RPAREN;
    return PlatParser::RBRACE;
  }

  std::string describeExpected(antlr4::Parser *parser, const antlr4::misc::IntervalSet &expected,
                               antlr4::ParserRuleContext *ctx) const {
    bool value = has(expected, PlatParser::STRING) && has(expected, PlatParser::INT) &&
                 has(expected, PlatParser::LBRACK);
    if (value)
      return "a value";
    bool item = has(expected, PlatParser::RBRACE) && has(expected, PlatParser::ID) &&
                has(expected, PlatParser::KW_FOR);
    if (item)
      return "a field (`name = value`), a nested block or `}`";
    if (ctx && ctx->getRuleIndex() == PlatParser::RuleFile)
      return "a declaration such as `service name { ... }`";
    std::vector<std::string> names;
    bool name = has(expected, PlatParser::ID);
    for (ssize_t type : expected.toList()) {
      if (type == PlatParser::RAW_STRING || type == PlatParser::FLOAT ||
          type == PlatParser::QUANTITY)
        continue;
      // Keywords that may also serve as field names are covered by "a name".
      if (name && isSoftKeyword(static_cast<size_t>(type)))
        continue;
      std::string name = describeTokenType(parser->getVocabulary(), static_cast<size_t>(type));
      if (std::find(names.begin(), names.end(), name) == names.end())
        names.push_back(name);
    }
    if (names.empty())
      return "something else";
    if (names.size() > 6)
      names.resize(6), names.push_back("…");
    return joinAlternatives(names);
  }

  void addHelp(Diagnostic &d, Token *offending, const antlr4::misc::IntervalSet &expected,
               antlr4::ParserRuleContext *ctx) const {
    if (insideRule(ctx, PlatParser::RuleTypeExpr) && offending &&
        offending->getType() != PlatParser::ID) {
      d.withHelp("`name : type` declares a field; to set a value write `name = value`");
      return;
    }
    if (has(expected, PlatParser::ASSIGN) && offending &&
        offending->getType() != Token::EOF) {
      d.withHelp("fields are set with `=`, as in `replicas = 3`");
      return;
    }
    if (offending && offending->getType() == PlatParser::ID && offending->getText() == "instance")
      d.withHelp("instance types are strings: `instance = \"ml.m5.xlarge\"`");
  }

  const SourceFile &file_;
  FileId id_;
  const OffsetMap &offsets_;
  Diagnostics &diags_;
  unsigned reported_ = 0;
  unsigned recoveries_ = 0;
};

// ANTLR parses by recursive descent: every nested rule is a few C++ stack
// frames. The lexical pass bounds bracket and prefix-operator nesting; this
// guard bounds everything else (nested type arguments such as `list<list<`,
// long left-recursive chains such as `a.b.c...`) by the depth of the rules
// being parsed, and abandons the parse before the stack can overflow.
class DepthGuardListener : public antlr4::tree::ParseTreeListener {
public:
  explicit DepthGuardListener(size_t limit) : limit_(limit) {}
  void visitTerminal(antlr4::tree::TerminalNode *) override {}
  void visitErrorNode(antlr4::tree::ErrorNode *) override {}
  void enterEveryRule(antlr4::ParserRuleContext *ctx) override {
    if (++depth_ <= limit_)
      return;
    if (!at_)
      at_ = ctx->getStart();
    throw antlr4::ParseCancellationException("nesting too deep");
  }
  void exitEveryRule(antlr4::ParserRuleContext *) override {
    if (depth_ > 0)
      --depth_;
  }
  // The token where the limit was first exceeded, or null.
  Token *tripped() const { return at_; }

private:
  size_t limit_;
  size_t depth_ = 0;
  Token *at_ = nullptr;
};

// DefaultErrorStrategy keeps ANTLR's recovery (single-token insertion and
// deletion, resynchronisation on follow sets) but reports through us.
class ErrorStrategy : public antlr4::DefaultErrorStrategy {
public:
  explicit ErrorStrategy(SyntaxReporter &reporter) : reporter_(reporter) {}

  // Every recognition error passes here, also those not reported while
  // recovering from an earlier one: each counts towards kMaxRecoveries.
  void reportError(antlr4::Parser *parser, const antlr4::RecognitionException &e) override {
    reporter_.countRecovery(e.getOffendingToken() ? e.getOffendingToken() : parser->getCurrentToken());
    checkLimit();
    antlr4::DefaultErrorStrategy::reportError(parser, e);
  }

protected:
  void reportNoViableAlternative(antlr4::Parser *parser,
                                 const antlr4::NoViableAltException &e) override {
    reporter_.report(parser, e.getOffendingToken(), e.getExpectedTokens(), parser->getContext(),
                     false);
    checkLimit();
  }
  void reportInputMismatch(antlr4::Parser *parser,
                           const antlr4::InputMismatchException &e) override {
    reporter_.report(parser, e.getOffendingToken(), e.getExpectedTokens(), parser->getContext(),
                     false);
    checkLimit();
  }
  void reportFailedPredicate(antlr4::Parser *parser,
                             const antlr4::FailedPredicateException &e) override {
    reporter_.report(parser, e.getOffendingToken(), e.getExpectedTokens(), parser->getContext(),
                     false);
    checkLimit();
  }
  void reportUnwantedToken(antlr4::Parser *parser) override {
    reporter_.countRecovery(parser->getCurrentToken());
    checkLimit();
    if (inErrorRecoveryMode(parser))
      return;
    beginErrorCondition(parser);
    reporter_.report(parser, parser->getCurrentToken(), getExpectedTokens(parser),
                     parser->getContext(), true);
    checkLimit();
  }
  void reportMissingToken(antlr4::Parser *parser) override {
    reporter_.countRecovery(parser->getCurrentToken());
    checkLimit();
    if (inErrorRecoveryMode(parser))
      return;
    beginErrorCondition(parser);
    reporter_.report(parser, parser->getCurrentToken(), getExpectedTokens(parser),
                     parser->getContext(), false);
    checkLimit();
  }

private:
  void checkLimit() {
    if (reporter_.limitReached())
      throw antlr4::ParseCancellationException("too many syntax errors");
  }

  SyntaxReporter &reporter_;
};

// ---------------------------------------------------------------- AST builder

class Builder {
public:
  Builder(const SourceFile &file, FileId id, const OffsetMap &offsets, ast::Arena &arena,
          antlr4::CommonTokenStream &tokens, Diagnostics &diags, unsigned maxDepth)
      : file_(file), id_(id), offsets_(offsets), arena_(arena), tokens_(tokens), diags_(diags),
        maxDepth_(maxDepth) {}

  ast::File *build(PlatParser::FileContext *ctx) {
    auto *f = arena_.make<ast::File>();
    f->id = id_;
    if (!ctx)
      return f;
    if (auto *pkg = ctx->packageDecl()) {
      f->package = arena_.make<ast::Path>(path(pkg->qualifiedName()));
      f->packageSpan = span(pkg);
    }
    llvm::SmallVector<ast::Import, 8> imports;
    for (auto *imp : ctx->importDecl()) {
      if (!imp->qualifiedName())
        continue;
      ast::Import i;
      i.path = path(imp->qualifiedName());
      if (imp->ident())
        i.alias = ident(imp->ident());
      i.span = span(imp);
      imports.push_back(i);
    }
    f->imports = arena_.copy(llvm::ArrayRef<ast::Import>(imports));
    llvm::SmallVector<ast::Item *, 16> decls;
    for (auto *d : ctx->topDecl())
      if (ast::Item *item = topDecl(d))
        decls.push_back(item);
    f->decls = arena_.copy(llvm::ArrayRef<ast::Item *>(decls));
    return f;
  }

private:
  // ---- spans and tokens

  Span span(Token *token) const {
    if (!token || token->getType() == Token::EOF) {
      auto end = static_cast<uint32_t>(file_.text().size());
      return Span{id_, end, end};
    }
    uint32_t begin = offsets_.byteOffset(token->getStartIndex());
    uint32_t end = offsets_.byteOffset(token->getStopIndex() + 1);
    return Span{id_, begin, std::max(begin, end)};
  }
  Span span(antlr4::tree::TerminalNode *node) const {
    return node ? span(node->getSymbol()) : Span{};
  }
  Span span(antlr4::ParserRuleContext *ctx) const {
    if (!ctx || !ctx->start)
      return Span{id_, 0, 0};
    Span s = span(ctx->start);
    if (ctx->stop && ctx->stop->getTokenIndex() >= ctx->start->getTokenIndex() &&
        ctx->stop->getType() != Token::EOF)
      s = s.to(span(ctx->stop));
    return s;
  }
  llvm::StringRef textOf(Span s) const { return file_.text().substr(s.begin, s.size()); }

  // The `///` lines right before `start`, without the slashes.
  llvm::StringRef docBefore(Token *start) {
    if (!start)
      return {};
    std::vector<Token *> hidden = tokens_.getHiddenTokensToLeft(start->getTokenIndex(),
                                                                static_cast<ssize_t>(kCommentChannel));
    std::vector<llvm::StringRef> lines;
    for (auto it = hidden.rbegin(); it != hidden.rend(); ++it) {
      if ((*it)->getType() != PlatParser::DOC_COMMENT)
        break;
      llvm::StringRef text = textOf(span(*it)).drop_front(3);
      if (text.startswith(" "))
        text = text.drop_front();
      lines.push_back(text.rtrim());
    }
    if (lines.empty())
      return {};
    std::string joined;
    for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
      if (!joined.empty())
        joined += '\n';
      joined += it->str();
    }
    return arena_.copy(llvm::StringRef(joined));
  }

  ast::Ident ident(PlatParser::IdentContext *ctx) const {
    if (!ctx || !ctx->ID())
      return ast::Ident{};
    Span s = span(ctx->ID());
    return ast::Ident{textOf(s), s};
  }

  ast::Path path(PlatParser::PathContext *ctx) {
    ast::Path p;
    if (!ctx)
      return p;
    llvm::SmallVector<ast::Ident, 4> parts;
    for (auto *seg : ctx->pathSegment()) {
      if (!seg->start)
        continue;
      Span s = span(seg->start);
      parts.push_back(ast::Ident{textOf(s), s});
    }
    p.parts = arena_.copy(llvm::ArrayRef<ast::Ident>(parts));
    p.span = span(ctx);
    return p;
  }

  // The template after `extends`, or null when recovery left no name there
  // (`service a extends {`): the syntax error is reported, and the checker
  // relies on an `extends` path having at least one part.
  const ast::Path *extendsPath(PlatParser::ExtendsClauseContext *ctx) {
    if (!ctx)
      return nullptr;
    ast::Path p = path(ctx->qualifiedName());
    if (p.parts.empty())
      return nullptr;
    return arena_.make<ast::Path>(p);
  }

  template <typename Ctx> ast::Path path(Ctx *ctx) {
    ast::Path p;
    if (!ctx)
      return p;
    llvm::SmallVector<ast::Ident, 4> parts;
    for (auto *id : ctx->ident()) {
      ast::Ident i = ident(id);
      if (!i.empty())
        parts.push_back(i);
    }
    p.parts = arena_.copy(llvm::ArrayRef<ast::Ident>(parts));
    p.span = span(ctx);
    return p;
  }

  llvm::ArrayRef<ast::Annotation> annotations(
      const std::vector<PlatParser::AnnotationContext *> &list) {
    llvm::SmallVector<ast::Annotation, 2> out;
    for (auto *a : list) {
      ast::Annotation ann;
      ann.name = ident(a->ident());
      ann.args = args(a->args());
      ann.span = span(a);
      out.push_back(ann);
    }
    return arena_.copy(llvm::ArrayRef<ast::Annotation>(out));
  }

  llvm::ArrayRef<ast::Arg> args(PlatParser::ArgsContext *ctx) {
    if (!ctx)
      return {};
    llvm::SmallVector<ast::Arg, 4> out;
    for (auto *a : ctx->arg()) {
      ast::Arg arg;
      if (a->ident())
        arg.name = ident(a->ident());
      arg.value = expr(a->expr());
      out.push_back(arg);
    }
    return arena_.copy(llvm::ArrayRef<ast::Arg>(out));
  }

  // ---- declarations and items

  ast::Item *topDecl(PlatParser::TopDeclContext *ctx) {
    if (auto *d = dynamic_cast<PlatParser::DeclarationContext *>(ctx)) {
      ast::Block *b = block(d->block(), span(d));
      b->kindName = ident(d->kind);
      b->name = ident(d->name);
      b->extends = extendsPath(d->extendsClause());
      b->annotations = annotations(d->annotation());
      b->doc = docBefore(d->start);
      return b;
    }
    if (auto *t = dynamic_cast<PlatParser::TemplateDeclContext *>(ctx)) {
      ast::Block *b = block(t->block(), span(t));
      b->isTemplate = true;
      b->templateKeyword = span(t->KW_TEMPLATE());
      b->kindName = ident(t->kind);
      b->name = ident(t->name);
      b->extends = extendsPath(t->extendsClause());
      b->annotations = annotations(t->annotation());
      b->doc = docBefore(t->start);
      return b;
    }
    if (auto *e = dynamic_cast<PlatParser::EnumDeclContext *>(ctx)) {
      auto *en = arena_.make<ast::EnumDecl>(span(e));
      en->name = ident(e->name);
      en->annotations = annotations(e->annotation());
      en->doc = docBefore(e->start);
      if (auto *body = e->enumBody()) {
        en->open = span(body->LBRACE());
        en->close = span(body->RBRACE());
        llvm::SmallVector<ast::EnumMember, 8> members;
        for (auto *m : body->enumMember()) {
          ast::EnumMember member;
          member.name = ident(m->ident());
          member.annotations = annotations(m->annotation());
          member.doc = docBefore(m->start);
          if (!member.name.empty())
            members.push_back(member);
        }
        en->members = arena_.copy(llvm::ArrayRef<ast::EnumMember>(members));
      }
      return en;
    }
    return nullptr;
  }

  ast::Block *block(PlatParser::BlockContext *ctx, Span whole) {
    auto *b = arena_.make<ast::Block>(whole);
    if (!ctx)
      return b;
    b->open = span(ctx->LBRACE());
    b->close = ctx->RBRACE() ? span(ctx->RBRACE()) : Span{};
    llvm::SmallVector<ast::Item *, 16> items;
    for (auto *it : ctx->item())
      if (ast::Item *item = this->item(it))
        items.push_back(item);
    b->items = arena_.copy(llvm::ArrayRef<ast::Item *>(items));
    return b;
  }

  ast::Item *item(PlatParser::ItemContext *ctx) {
    ast::Item *out = nullptr;
    if (auto *n = dynamic_cast<PlatParser::NestedBlockContext *>(ctx)) {
      ast::Block *b = block(n->block(), span(n));
      b->kindName = ident(n->kind);
      if (n->name)
        b->name = ident(n->name);
      b->extends = extendsPath(n->extendsClause());
      out = b;
    } else if (auto *a = dynamic_cast<PlatParser::AssignmentContext *>(ctx)) {
      auto *as = arena_.make<ast::Assignment>(span(a));
      as->target = path(a->path());
      as->value = expr(a->expr());
      out = as;
    } else if (auto *c = dynamic_cast<PlatParser::ConstraintContext *>(ctx)) {
      auto *cs = arena_.make<ast::Constraint>(span(c));
      cs->target = path(c->path());
      cs->op = compareOp(c->cmpOp());
      cs->value = expr(c->expr());
      out = cs;
    } else if (auto *f = dynamic_cast<PlatParser::FieldDeclContext *>(ctx)) {
      auto *fd = arena_.make<ast::FieldDecl>(span(f));
      fd->name = ident(f->ident());
      fd->type = type(f->typeExpr());
      if (f->expr())
        fd->defaultValue = expr(f->expr());
      fd->annotations = annotations(f->annotation());
      out = fd;
    } else if (auto *r = dynamic_cast<PlatParser::RuleItemContext *>(ctx)) {
      auto *rule = arena_.make<ast::Rule>(span(r));
      rule->kindName = ident(r->kind);
      rule->var = ident(r->var);
      if (r->where)
        rule->where = expr(r->where);
      rule->require = expr(r->cond);
      if (r->message)
        rule->message = expr(r->message);
      out = rule;
    }
    if (out)
      out->doc = docBefore(ctx->start);
    return out;
  }

  // ---- types

  ast::TypeExpr *type(PlatParser::TypeExprContext *ctx) {
    DepthGuard guard(*this);
    if (!ctx || guard.tooDeep(span(ctx))) {
      auto *t = arena_.make<ast::NamedType>(span(ctx));
      return t;
    }
    if (auto *o = dynamic_cast<PlatParser::OptionalTypeContext *>(ctx))
      return arena_.make<ast::OptionalType>(span(o), type(o->typeExpr()));
    if (auto *u = dynamic_cast<PlatParser::UnionTypeContext *>(ctx)) {
      llvm::SmallVector<ast::TypeExpr *, 4> members;
      for (auto *m : u->typeExpr()) {
        ast::TypeExpr *t = type(m);
        // Flatten `a | b | c` into one union.
        if (auto *inner = llvm::dyn_cast<ast::UnionType>(t))
          members.append(inner->members.begin(), inner->members.end());
        else
          members.push_back(t);
      }
      auto *t = arena_.make<ast::UnionType>(span(u));
      t->members = arena_.copy(llvm::ArrayRef<ast::TypeExpr *>(members));
      return t;
    }
    auto *n = dynamic_cast<PlatParser::NamedTypeContext *>(ctx);
    auto *t = arena_.make<ast::NamedType>(span(ctx));
    if (!n)
      return t;
    t->name = path(n->qualifiedName());
    llvm::SmallVector<ast::TypeExpr *, 2> typeArgs;
    for (auto *a : n->typeExpr())
      typeArgs.push_back(type(a));
    t->typeArgs = arena_.copy(llvm::ArrayRef<ast::TypeExpr *>(typeArgs));
    t->hasConstraintList = n->LPAREN() != nullptr;
    t->constraints = args(n->args());
    return t;
  }

  // ---- expressions

  struct DepthGuard {
    Builder &b;
    explicit DepthGuard(Builder &builder) : b(builder) { ++b.depth_; }
    ~DepthGuard() { --b.depth_; }
    bool tooDeep(Span where) {
      if (b.depth_ <= b.maxDepth_)
        return false;
      if (!b.reportedDepth_) {
        b.reportedDepth_ = true;
        b.diags_
            .report(DiagId::NestingTooDeep, where,
                    fmt::format("this expression is nested more than {} levels deep", b.maxDepth_))
            .withHelp("split it into smaller named values");
      }
      return true;
    }
  };

  ast::BinaryOp compareOp(PlatParser::CmpOpContext *ctx) {
    if (!ctx || !ctx->start)
      return ast::BinaryOp::Eq;
    switch (ctx->start->getType()) {
    case PlatParser::LT:
      return ast::BinaryOp::Lt;
    case PlatParser::LE:
      return ast::BinaryOp::Le;
    case PlatParser::GT:
      return ast::BinaryOp::Gt;
    case PlatParser::GE:
      return ast::BinaryOp::Ge;
    case PlatParser::NE:
      return ast::BinaryOp::Ne;
    default:
      return ast::BinaryOp::Eq;
    }
  }

  ast::Expr *binary(antlr4::ParserRuleContext *ctx, ast::BinaryOp op,
                    const std::vector<PlatParser::ExprContext *> &operands) {
    ast::Expr *lhs = operands.size() > 0 ? expr(operands[0]) : error(span(ctx));
    ast::Expr *rhs = operands.size() > 1 ? expr(operands[1]) : error(span(ctx));
    return arena_.make<ast::BinaryExpr>(span(ctx), op, lhs, rhs);
  }

  ast::Expr *error(Span s) { return arena_.make<ast::ErrorExpr>(s); }

  ast::Expr *expr(PlatParser::ExprContext *ctx) {
    if (!ctx)
      return error(Span{id_, 0, 0});
    DepthGuard guard(*this);
    Span s = span(ctx);
    if (guard.tooDeep(s))
      return error(s);
    if (auto *p = dynamic_cast<PlatParser::PrimaryExprContext *>(ctx))
      return primary(p->primary());
    if (auto *m = dynamic_cast<PlatParser::MemberExprContext *>(ctx)) {
      ast::Ident member = ident(m->ident());
      if (member.empty())
        return error(s);
      return arena_.make<ast::MemberExpr>(s, expr(m->expr()), member);
    }
    if (auto *c = dynamic_cast<PlatParser::CallExprContext *>(ctx)) {
      auto *call = arena_.make<ast::CallExpr>(s, expr(c->expr()));
      call->args = args(c->args());
      return call;
    }
    if (auto *i = dynamic_cast<PlatParser::IndexExprContext *>(ctx)) {
      auto operands = i->expr();
      if (operands.size() < 2)
        return error(s);
      return arena_.make<ast::IndexExpr>(s, expr(operands[0]), expr(operands[1]));
    }
    if (auto *n = dynamic_cast<PlatParser::NegExprContext *>(ctx))
      return arena_.make<ast::UnaryExpr>(s, ast::UnaryOp::Neg, expr(n->expr()));
    if (auto *n = dynamic_cast<PlatParser::NotExprContext *>(ctx))
      return arena_.make<ast::UnaryExpr>(s, ast::UnaryOp::Not, expr(n->expr()));
    if (auto *r = dynamic_cast<PlatParser::RangeExprContext *>(ctx)) {
      auto operands = r->expr();
      if (operands.size() < 2)
        return error(s);
      return arena_.make<ast::RangeExpr>(s, expr(operands[0]), expr(operands[1]));
    }
    if (auto *c = dynamic_cast<PlatParser::CompareExprContext *>(ctx))
      return binary(c, compareOp(c->cmpOp()), c->expr());
    if (auto *c = dynamic_cast<PlatParser::InExprContext *>(ctx))
      return binary(c, ast::BinaryOp::In, c->expr());
    if (auto *c = dynamic_cast<PlatParser::AndExprContext *>(ctx))
      return binary(c, ast::BinaryOp::And, c->expr());
    if (auto *c = dynamic_cast<PlatParser::OrExprContext *>(ctx))
      return binary(c, ast::BinaryOp::Or, c->expr());
    if (auto *q = dynamic_cast<PlatParser::QuantifierExprContext *>(ctx)) {
      auto operands = q->expr();
      if (operands.size() < 2)
        return error(s);
      bool all = q->quant && q->quant->getType() == PlatParser::KW_ALL;
      return arena_.make<ast::QuantifierExpr>(s, all, ident(q->var), expr(operands[0]),
                                              expr(operands[1]));
    }
    return error(s);
  }

  ast::Expr *primary(PlatParser::PrimaryContext *ctx) {
    if (!ctx)
      return error(Span{id_, 0, 0});
    Span s = span(ctx);
    if (auto *str = dynamic_cast<PlatParser::StringLitContext *>(ctx))
      return string(str->STRING(), false);
    if (auto *raw = dynamic_cast<PlatParser::RawStringLitContext *>(ctx))
      return string(raw->RAW_STRING(), true);
    if (auto *n = dynamic_cast<PlatParser::NumberLitContext *>(ctx))
      return number(n->number());
    if (auto *b = dynamic_cast<PlatParser::BoolLitContext *>(ctx))
      return arena_.make<ast::BoolExpr>(s, b->KW_TRUE() != nullptr);
    if (auto *n = dynamic_cast<PlatParser::NameRefContext *>(ctx)) {
      ast::Ident id = ident(n->ident());
      if (id.empty())
        return error(s);
      return arena_.make<ast::NameExpr>(s, id);
    }
    if (auto *p = dynamic_cast<PlatParser::ParenExprContext *>(ctx))
      return expr(p->expr());
    if (auto *l = dynamic_cast<PlatParser::ListLitContext *>(ctx)) {
      auto *list = arena_.make<ast::ListExpr>(s);
      llvm::SmallVector<ast::Expr *, 8> elements;
      for (auto *e : l->expr())
        elements.push_back(expr(e));
      list->elements = arena_.copy(llvm::ArrayRef<ast::Expr *>(elements));
      return list;
    }
    if (auto *r = dynamic_cast<PlatParser::RecordLitContext *>(ctx))
      return arena_.make<ast::RecordExpr>(s, block(r->block(), s));
    return error(s);
  }

  ast::Expr *number(PlatParser::NumberContext *ctx) {
    Span s = span(ctx);
    auto *n = arena_.make<ast::NumberExpr>(s);
    if (!ctx || !ctx->start)
      return n;
    Span litSpan = span(ctx->start);
    llvm::StringRef lit = textOf(litSpan);
    n->raw = lit;
    size_t split = 0;
    while (split < lit.size() &&
           (llvm::isDigit(lit[split]) || lit[split] == '_' || lit[split] == '.' ||
            ((lit[split] == 'e' || lit[split] == 'E') && ctx->FLOAT()) ||
            ((lit[split] == '+' || lit[split] == '-') && ctx->FLOAT())))
      ++split;
    n->digits = lit.substr(0, split);
    n->suffix = lit.substr(split);
    std::string clean;
    for (char c : n->digits)
      if (c != '_')
        clean += c;
    n->isInteger = clean.find_first_of(".eE") == std::string::npos;
    if (n->isInteger) {
      auto [ptr, ec] = std::from_chars(clean.data(), clean.data() + clean.size(), n->intValue);
      (void)ptr;
      if (ec != std::errc()) {
        diags_
            .report(DiagId::InvalidNumber, litSpan,
                    fmt::format("integer `{}` does not fit in 64 bits", n->digits))
            .withHelp("use a smaller number or a larger unit");
        return error(s); // no value to check further
      }
      n->value = static_cast<double>(n->intValue);
    } else {
      n->value = std::strtod(clean.c_str(), nullptr);
      if (!std::isfinite(n->value))
        diags_.report(DiagId::InvalidNumber, litSpan,
                      fmt::format("number `{}` is out of range", n->digits));
    }
    if (llvm::StringRef(n->digits).contains("__") || llvm::StringRef(n->digits).endswith("_"))
      diags_
          .report(DiagId::InvalidNumber, litSpan,
                  fmt::format("misplaced `_` in number `{}`", n->digits))
          .withHelp("use `_` only between digits, as in `10_000`");
    if (ctx->CURRENCY())
      n->currency = textOf(span(ctx->CURRENCY()));
    if (ctx->per)
      n->per = ident(ctx->per);
    return n;
  }

  // Escapes and `${path}` interpolations: Literals.h, shared with the fast parser.
  ast::Expr *string(antlr4::tree::TerminalNode *node, bool triple) {
    Span s = span(node);
    auto *str = arena_.make<ast::StringExpr>(s);
    llvm::StringRef raw = textOf(s);
    str->raw = raw;
    str->triple = triple;
    if (triple) {
      llvm::StringRef body = raw.size() >= 6 ? raw.substr(3, raw.size() - 6) : llvm::StringRef();
      ast::StringPart part{body, nullptr, Span{id_, s.begin + 3, s.begin + 3 + static_cast<uint32_t>(body.size())}};
      str->parts = arena_.copy(llvm::ArrayRef<ast::StringPart>(part));
      return str;
    }
    // Without a closing quote (already reported by the lexer pass) take the
    // rest of the token.
    size_t bodyEnd = raw.size() >= 2 && raw.endswith("\"") && !raw.endswith("\\\"") ? raw.size() - 1
                                                                                   : raw.size();
    if (raw.size() >= 3 && raw.endswith("\\\"")) {
      // `"abc\"` is unterminated only if the backslash is itself unescaped;
      // count backslashes before the final quote.
      size_t slashes = 0;
      for (size_t i = raw.size() - 1; i > 0 && raw[i - 1] == '\\'; --i)
        ++slashes;
      bodyEnd = slashes % 2 == 0 ? raw.size() - 1 : raw.size();
    }
    str->parts = decodeString(raw, bodyEnd, s.begin, id_, arena_, [&](LiteralProblem p) {
      diags_.report(p.id, p.span, std::move(p.message)).withHelp(std::move(p.help));
    });
    return str;
  }

  const SourceFile &file_;
  FileId id_;
  const OffsetMap &offsets_;
  ast::Arena &arena_;
  antlr4::CommonTokenStream &tokens_;
  Diagnostics &diags_;
  unsigned maxDepth_;
  unsigned depth_ = 0;
  bool reportedDepth_ = false;
};

// Lexical problems are reported once, here, and the offending tokens are
// patched so that the parser can carry on: an unterminated string still
// reads as a string, an unexpected character is hidden from the parser.
// Returns false when the file is too deeply nested to parse safely.
bool lexicalPass(antlr4::CommonTokenStream &tokens, SyntaxReporter &reporter,
                 Diagnostics &diags, llvm::SmallVectorImpl<ast::Comment> &comments,
                 unsigned maxDepth) {
  unsigned depth = 0;
  unsigned prefixRun = 0;
  unsigned errors = 0;
  for (Token *t : tokens.getTokens()) {
    auto *token = static_cast<antlr4::CommonToken *>(t);
    switch (token->getType()) {
    case PlatParser::UNTERMINATED_STRING:
      diags
          .report(DiagId::UnterminatedString, reporter.span(token),
                  "unterminated string: no closing `\"` before the end of the line")
          .withHelp("close the string with `\"`; for text over several lines use `\"\"\"...\"\"\"`");
      token->setType(PlatParser::STRING);
      ++errors;
      break;
    case PlatParser::UNTERMINATED_RAW_STRING:
      diags
          .report(DiagId::UnterminatedString, reporter.span(token),
                  "unterminated string: no closing `\"\"\"` before the end of the file")
          .withHelp("close the text block with `\"\"\"`");
      token->setType(PlatParser::RAW_STRING);
      ++errors;
      break;
    case PlatParser::UNTERMINATED_COMMENT: {
      Span s = reporter.span(token);
      diags
          .report(DiagId::UnterminatedComment, Span{s.file, s.begin, s.begin + 2},
                  "unterminated block comment: no closing `*/` before the end of the file")
          .withHelp("close the comment with `*/`");
      token->setChannel(kCommentChannel);
      comments.push_back(ast::Comment{s, false, true});
      ++errors;
      break;
    }
    case PlatParser::ERROR_CHAR: {
      std::string text = token->getText();
      diags
          .report(DiagId::UnexpectedCharacter, reporter.span(token),
                  fmt::format("unexpected character `{}`", text))
          .withHelp(text == ";" ? "Plat needs no `;` between fields: remove it"
                                : "remove it, or put it inside a string");
      token->setChannel(antlr4::Token::HIDDEN_CHANNEL);
      ++errors;
      break;
    }
    case PlatParser::DOC_COMMENT:
    case PlatParser::LINE_COMMENT:
    case PlatParser::BLOCK_COMMENT:
      comments.push_back(ast::Comment{reporter.span(token),
                                      token->getType() == PlatParser::DOC_COMMENT,
                                      token->getType() == PlatParser::BLOCK_COMMENT});
      break;
    case PlatParser::LBRACE:
    case PlatParser::LBRACK:
    case PlatParser::LPAREN:
      ++depth;
      break;
    case PlatParser::RBRACE:
    case PlatParser::RBRACK:
    case PlatParser::RPAREN:
      if (depth > 0)
        --depth;
      break;
    default:
      break;
    }
    if (errors == kMaxSyntaxErrors) {
      diags.report(DiagId::SyntaxError, reporter.span(token), tooManyErrors(reporter.file()))
          .withHelp("fix the errors above and check again");
      return false;
    }
    size_t type = token->getType();
    if (token->getChannel() == antlr4::Token::DEFAULT_CHANNEL) {
      if (type == PlatParser::MINUS || type == PlatParser::KW_NOT || type == PlatParser::LT)
        ++prefixRun;
      else
        prefixRun = 0;
    }
    if (depth + prefixRun > maxDepth) {
      diags
          .report(DiagId::NestingTooDeep, reporter.span(token),
                  fmt::format("nesting is deeper than {} levels; the file is not parsed",
                              maxDepth))
          .withHelp("split deeply nested values into separate declarations or fields");
      return false;
    }
  }
  reporter.countLexicalErrors(errors);
  return true;
}

// A file with the syntax error flag and nothing else.
ast::ParsedFile emptyFile(ast::ParsedFile result, FileId id) {
  result.ast = result.arena->make<ast::File>();
  result.ast->id = id;
  result.ast->hasSyntaxErrors = true;
  return result;
}

// The checks that come before either parser: size and encoding. Returns
// false (and reports) when the file is refused.
bool preCheck(const SourceFile &file, FileId id, Diagnostics &diags,
              const ParseOptions &options) {
  llvm::StringRef text = file.text();
  if (text.size() > options.maxFileBytes) {
    diags
        .report(DiagId::FileTooLarge, Span{id, 0, 0},
                fmt::format("`{}` is {:.1f} MiB, over the limit of {} MiB per file", file.path(),
                            static_cast<double>(text.size()) / (1 << 20),
                            options.maxFileBytes >> 20))
        .withHelp("split the declarations over several files; a package may span many files");
    return false;
  }
  bool nul = false;
  if (std::optional<size_t> bad = findInvalidUtf8(text, &nul)) {
    auto at = static_cast<uint32_t>(*bad);
    diags
        .report(DiagId::InvalidEncoding, Span{id, at, at + 1},
                nul ? fmt::format("`{}` contains a NUL byte", file.path())
                    : fmt::format("`{}` is not valid UTF-8", file.path()))
        .withHelp(nul ? "Plat sources are text: remove the NUL byte, or move binary data out "
                        "of the workspace"
                      : "save the file as UTF-8");
    return false;
  }
  return true;
}

// The ANTLR path, after the pre-checks: reports every lexical and syntax
// error, recovers, and builds as much AST as it can.
ast::ParsedFile antlrParse(const SourceFile &file, FileId id, Diagnostics &diags,
                           const ParseOptions &options) {
  ast::ParsedFile result;
  result.arena = std::make_unique<ast::Arena>();
  auto emptyFile = [&] { return syntax::emptyFile(std::move(result), id); };
  llvm::StringRef text = file.text();

  OffsetMap offsets(text);
  SyntaxReporter reporter(file, id, offsets, diags);
  antlr4::ANTLRInputStream input(text.data(), text.size());
  PlatLexer lexer(&input);
  lexer.removeErrorListeners();
  antlr4::CommonTokenStream tokens(&lexer);
  tokens.fill();

  size_t errorsBefore = diags.errorCount();
  llvm::SmallVector<ast::Comment, 16> comments;
  if (!lexicalPass(tokens, reporter, diags, comments, options.maxDepth)) {
    ast::ParsedFile r = emptyFile();
    r.ast->comments = r.arena->copy(llvm::ArrayRef<ast::Comment>(comments));
    return r;
  }
  tokens.seek(0);

  // Fast SLL prediction first; if it fails, the file is parsed again with
  // full LL prediction and error recovery, which reports every error.
  // Generous: a bracket level is about five rules deep, and the lexical pass
  // already stops bracket nesting at maxDepth.
  DepthGuardListener depthGuard(size_t{options.maxDepth} * 10);
  auto tooDeep = [&] {
    diags
        .report(DiagId::NestingTooDeep, reporter.span(depthGuard.tripped()),
                "nesting is deeper than the parser allows; the file is not parsed")
        .withHelp("split deeply nested types or long chains of operators into named values");
    return emptyFile();
  };
  std::optional<PlatParser> parser;
  parser.emplace(&tokens);
  parser->addParseListener(&depthGuard);
  parser->removeErrorListeners();
  parser->getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
      antlr4::atn::PredictionMode::SLL);
  parser->setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
  PlatParser::FileContext *tree = nullptr;
  try {
    tree = parser->file();
  } catch (const antlr4::ParseCancellationException &) {
    tree = nullptr;
  }
  if (depthGuard.tripped())
    return tooDeep();
  if (!tree) {
    tokens.seek(0);
    // A fresh parser, so that the abandoned tree is freed now.
    parser.emplace(&tokens);
    parser->addParseListener(&depthGuard);
    parser->removeErrorListeners();
    parser->getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
        antlr4::atn::PredictionMode::LL);
    parser->setErrorHandler(std::make_shared<ErrorStrategy>(reporter));
    try {
      tree = parser->file();
    } catch (const antlr4::ParseCancellationException &) {
      if (depthGuard.tripped())
        return tooDeep();
      // The error cap was reached and reported; the tree is incomplete.
      return emptyFile();
    } catch (const std::exception &e) {
      diags.report(DiagId::SyntaxError, Span{id, 0, 0},
                   fmt::format("the parser gave up on this file: {}", e.what()));
      return emptyFile();
    }
  }

  Builder builder(file, id, offsets, *result.arena, tokens, diags, options.maxDepth);
  result.ast = builder.build(tree);
  result.ast->comments = result.arena->copy(llvm::ArrayRef<ast::Comment>(comments));
  result.ast->hasSyntaxErrors = diags.errorCount() > errorsBefore;
  // `parser` goes out of scope here and frees the parse tree with it.
  return result;
}

} // namespace

ast::ParsedFile parseWithAntlr(const SourceFile &file, FileId id, Diagnostics &diags,
                               const ParseOptions &options) {
  if (!preCheck(file, id, diags, options)) {
    ast::ParsedFile result;
    result.arena = std::make_unique<ast::Arena>();
    return emptyFile(std::move(result), id);
  }
  return antlrParse(file, id, diags, options);
}

ast::ParsedFile parse(const SourceFile &file, FileId id, Diagnostics &diags,
                      const ParseOptions &options) {
  if (!preCheck(file, id, diags, options)) {
    ast::ParsedFile result;
    result.arena = std::make_unique<ast::Arena>();
    return emptyFile(std::move(result), id);
  }
  // Well-formed files take the hand-written parser; it declines anything
  // else, without a word, and ANTLR parses and reports.
  if (std::optional<ast::ParsedFile> fast = fastParse(file, id, options))
    return std::move(*fast);
  return antlrParse(file, id, diags, options);
}

} // namespace plat::syntax
