#include "sema/TargetLimits.h"

#include <algorithm>
#include <tuple>

#include "fmt/format.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringExtras.h"
#include "sema/Formats.h"

namespace plat::sema {

namespace {

// Limits from botocore's SageMaker service model (python3-botocore,
// sagemaker/*/service-2.json): HyperParameters, HyperParameterKey,
// HyperParameterValue, S3Uri, ContainerImage, CustomerMetadataValue. AWS counts characters as
// Java does, in UTF-16 code units.
constexpr size_t kMaxHyperparameters = 100;
constexpr size_t kMaxHyperparameterKey = 256;
constexpr size_t kMaxHyperparameterValue = 2500;
constexpr size_t kMaxS3Uri = 1024;
constexpr size_t kMaxContainerImage = 255;
constexpr size_t kMaxMetadataValue = 256;

struct Problem {
  DiagId id;
  Span span;
  std::string message;
  std::string help;
  // The string literal at `span` rewritten, when the problem has one likely
  // correction (offered as an unsafe fix: it changes what is deployed).
  std::optional<std::string> replacement = std::nullopt;
};

// Decodes the UTF-8 code point at `s[i]` and advances `i`; a byte that does
// not start a valid sequence is returned as itself (sources are validated
// UTF-8, so this is only a fallback).
uint32_t nextCodePoint(llvm::StringRef s, size_t &i) {
  auto b = static_cast<unsigned char>(s[i]);
  int extra = b >= 0xF0 ? 3 : b >= 0xE0 ? 2 : b >= 0xC0 ? 1 : 0;
  if (extra == 0) {
    ++i;
    return b;
  }
  uint32_t cp = b & (0x3F >> extra);
  for (int k = 1; k <= extra; ++k) {
    if (i + k >= s.size() || (static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) {
      ++i;
      return b;
    }
    cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  }
  i += static_cast<size_t>(extra) + 1;
  return cp;
}

size_t utf16Length(llvm::StringRef s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size();)
    n += nextCodePoint(s, i) >= 0x10000 ? 2 : 1;
  return n;
}

std::string describe(uint32_t cp) {
  switch (cp) {
  case 0x00: return "NUL (U+0000)";
  case 0x07: return "BEL (U+0007)";
  case 0x08: return "backspace (U+0008)";
  case 0x09: return "a tab";
  case 0x0A: return "a newline";
  case 0x0B: return "vertical tab (U+000B)";
  case 0x0C: return "form feed (U+000C)";
  case 0x0D: return "a carriage return";
  case 0x1B: return "ESC (U+001B)";
  case 0x20: return "a space";
  case 0x7F: return "DEL (U+007F)";
  default: break;
  }
  if (cp > 0x20 && cp < 0x7F)
    return fmt::format("`{}`", static_cast<char>(cp));
  return fmt::format("U+{:04X}", cp);
}

// Characters no generated file can carry to its target: C0 controls other
// than tab, newline and carriage return, DEL, C1 controls, and the
// noncharacters U+FFFE and U+FFFF. YAML 1.1 and 1.2 exclude them from a
// stream (go-yaml, and so `kubectl kustomize`, refuses them even escaped),
// and AWS's patterns (`\p{L}\p{Z}\p{N}...`) do not admit them.
bool isControl(uint32_t cp) {
  return (cp < 0x20 && cp != 0x09 && cp != 0x0A && cp != 0x0D) || cp == 0x7F ||
         (cp >= 0x80 && cp <= 0x9F) || cp == 0xFFFE || cp == 0xFFFF;
}

std::optional<uint32_t> firstControl(llvm::StringRef s) {
  for (size_t i = 0; i < s.size();) {
    // Fast path: printable ASCII and the three allowed controls.
    auto b = static_cast<unsigned char>(s[i]);
    if (b >= 0x20 && b < 0x7F) {
      ++i;
      continue;
    }
    uint32_t cp = nextCodePoint(s, i);
    if (isControl(cp))
      return cp;
  }
  return std::nullopt;
}

// Java's `.` (the `.*` of botocore's patterns) stops at these.
std::optional<uint32_t> firstLineTerminator(llvm::StringRef s) {
  for (size_t i = 0; i < s.size();) {
    uint32_t cp = nextCodePoint(s, i);
    if (cp == 0x0A || cp == 0x0D || cp == 0x85 || cp == 0x2028 || cp == 0x2029)
      return cp;
  }
  return std::nullopt;
}

// Characters an S3 prefix may hold here: S3's "safe" characters plus `=`,
// `+`, `,`, `@`, `:`, `;` and `&` (partition folders such as `dt=2024-01-01/`).
// Everything else is refused because the prefix is written into IAM ARNs
// (no whitespace; `*` and `?` are wildcards that would widen the grant; `$`
// starts a policy variable) and into Airflow dataset URIs (ASCII only).
bool prefixChar(char c) {
  return llvm::isAlnum(c) || llvm::StringRef("/!_.'()-=+,@:;&").contains(c);
}

// Finds the problems of each value once (values are shared between
// environments and often between declarations' environments) and records
// in which environments each declaration has each problem value.
// Whether the declaration's strings can reach YAML (Kubernetes manifests)
// or AWS fields whose patterns exclude control characters. A pipeline's and
// a model's strings reach only Python (Airflow DAGs) and JSON (SageMaker
// requests), which carry every character exactly (checked by
// tests/validators/airflow_validate.py); their fields that reach ARNs or
// names have formats.
bool yamlBound(const Decl &decl) {
  switch (decl.kindId) {
  case DeclKind::Pipeline:
  case DeclKind::Model:
  case DeclKind::Policy:
  case DeclKind::Instance:
  case DeclKind::Framework:
  case DeclKind::Region:
    return false;
  case DeclKind::Workspace:
  case DeclKind::Environment:
  case DeclKind::Team:
  case DeclKind::Service:
  case DeclKind::Dataset:
  case DeclKind::Agent:
    return true;
  }
  return true;
}

// Walks every environment's values, keeping the field path on a stack (a
// string is built only for a message), and records in which environments
// each declaration has each value with a problem. Values shared between
// environments are checked again in each: a scan of short strings costs
// less than remembering every value.
class Inspector {
public:
  // Where a problem value is used: the declaration, and the environments it
  // has that value in.
  struct Use {
    DeclId decl;
    Origin origin;
    std::vector<EnvId> envs;
    std::vector<Problem> problems;
  };

  void field(EnvId env, const Decl &decl, const FieldValue &fv) {
    env_ = env;
    origin_ = fv.origin;
    decl_ = &decl;
    path_.clear();
    path_.push_back({fv.def->name, 0, false});
    visit(fv.value);
  }

  const std::vector<Use> &uses() const { return uses_; }

private:
  struct PathPart {
    llvm::StringRef name;
    size_t index;
    bool isIndex;
  };

  // `config.KEY`, `task.load.command[0]`.
  std::string path() const {
    std::string out;
    for (const PathPart &p : path_)
      out += p.isIndex ? fmt::format("[{}]", p.index) : (out.empty() ? "" : ".") + p.name.str();
    return out;
  }
  llvm::StringRef top() const { return path_.front().name; }
  bool atTop() const { return path_.size() == 1; }

  void visit(const Value *v) {
    if (!v)
      return;
    scratch_.clear();
    problemsOf(*v, scratch_);
    if (!scratch_.empty()) {
      // Defaults are shared by declarations, so the key names both.
      auto [u, fresh] = useOf_.try_emplace({v, decl_->id}, uses_.size());
      if (fresh)
        uses_.push_back(Use{decl_->id, origin_, {}, std::move(scratch_)});
      std::vector<EnvId> &envs = uses_[u->second].envs;
      if (envs.empty() || envs.back() != env_)
        envs.push_back(env_);
    }
    switch (v->kind) {
    case Value::Kind::List:
      for (size_t i = 0; i < v->items.size(); ++i) {
        const Value *item = v->items[i];
        // Named blocks (`task load { ... }`) are lists of records with a name.
        if (item && item->kind == Value::Kind::Record && !item->text.empty())
          path_.push_back({item->text, 0, false});
        else
          path_.push_back({"", i, true});
        visit(item);
        path_.pop_back();
      }
      break;
    case Value::Kind::Record:
      for (const NamedValue &f : v->fields) {
        path_.push_back({f.name, 0, false});
        visit(f.value);
        path_.pop_back();
      }
      break;
    case Value::Kind::Range:
      for (const Value *item : v->items)
        visit(item);
      break;
    default:
      break;
    }
  }

  // The problems of `v` itself (not of the values inside it).
  void problemsOf(const Value &v, std::vector<Problem> &out) {
    switch (v.kind) {
    case Value::Kind::String:
      string(*decl_, v, out);
      break;
    case Value::Kind::Storage:
      storage(v, out);
      break;
    case Value::Kind::List:
      // SageMaker model package metadata: `plat:approvers` holds the
      // approvers joined by spaces, at most 256 characters
      // (CustomerMetadataValue).
      if (decl_->kindId == DeclKind::Model && path_.size() == 2 && top() == "approval" &&
          path_[1].name == "approvers") {
        size_t n = v.items.empty() ? 0 : v.items.size() - 1;
        for (const Value *item : v.items)
          n += item ? item->text.size() : 0;
        if (n > kMaxMetadataValue)
          out.push_back({DiagId::TargetRejectsValue, v.span,
                         fmt::format("the approvers of model `{}` take {} characters joined by "
                                     "spaces; SageMaker model metadata holds at most {}",
                                     decl_->name, n, kMaxMetadataValue),
                         "name fewer approvers, or a team in `by`"});
      }
      break;
    case Value::Kind::Record:
      if (decl_->kindId == DeclKind::Model && top() == "hyperparameters" && atTop())
        hyperparameters(v, out);
      for (const NamedValue &f : v.fields)
        if (auto cp = yamlBound(*decl_) ? firstControl(f.name) : std::nullopt)
          out.push_back({DiagId::ControlCharacter, f.value->span,
                         fmt::format("the key `{}` of `{}` holds the control character {}",
                                     quotedForMessage(f.name), path(), describe(*cp)),
                         "generated YAML, JSON and Python cannot carry it to Kubernetes, AWS or "
                         "Airflow; remove it"});
      break;
    default:
      break;
    }
  }

  // The first word of a task's command: `task.NAME.command[0]`.
  bool atCommandProgram() const {
    return path_.size() == 4 && top() == "task" && path_[2].name == "command" && path_[3].isIndex &&
           path_[3].index == 0;
  }

  void string(const Decl &decl, const Value &v, std::vector<Problem> &out) {
    if (auto cp = yamlBound(decl) ? firstControl(v.text) : std::nullopt) {
      out.push_back({DiagId::ControlCharacter, v.span,
                     fmt::format("`{}` holds the control character {}", path(), describe(*cp)),
                     "generated YAML, JSON and Python cannot carry it to Kubernetes, AWS or "
                     "Airflow (`kubectl kustomize` refuses the whole environment); remove it"});
      return;
    }
    const Type *t = v.type;
    if (t && t->kind == TypeKind::Optional && t->element)
      t = t->element;
    // Plain strings were checked when converted (the same diagnostic, which
    // the driver deduplicates); this catches values built by `${env}` or
    // `${name}` interpolation, per environment. `${region}` and `${account}`
    // are left for the backends and cannot be judged here.
    llvm::StringRef text = v.text;
    if (t && !t->format.empty() && !text.contains("${region}") && !text.contains("${account}"))
      if (auto problem = formatProblem(t->format, text)) {
        // Only a plain literal (its span is the text in quotes) can be
        // rewritten as a whole; an interpolated one is left to the reader.
        bool plain = v.span.end - v.span.begin == text.size() + 2 &&
                     llvm::none_of(text, [](char c) { return c == '"' || c == '\\' || c == '$'; });
        std::optional<std::string> replacement;
        if (plain && problem->replacement)
          replacement = "\"" + *problem->replacement + "\"";
        out.push_back({problem->blank ? DiagId::EmptyString : DiagId::BadFormat, v.span,
                       problem->message, problem->help, std::move(replacement)});
      }
    // The first word of a task's command is the program the container runs
    // (Kubernetes `command`); later words may well be empty arguments.
    if (decl.kindId == DeclKind::Pipeline && atCommandProgram())
      if (auto problem = formatProblem("nonblank", text))
        out.push_back({DiagId::EmptyString, v.span,
                       fmt::format("`{}` is the program the task runs: {}", path(), problem->message),
                       "name the program, such as `command = [\"python\", \"job.py\"]`"});
    if (decl.kindId == DeclKind::Model && top() == "image" && atTop() &&
        utf16Length(text) > kMaxContainerImage)
      out.push_back({DiagId::TargetRejectsValue, v.span,
                     fmt::format("the image of model `{}` is {} characters long; SageMaker "
                                 "accepts at most {}",
                                 decl.name, utf16Length(text), kMaxContainerImage),
                     "push the image under a shorter repository name or tag"});
  }

  void storage(const Value &v, std::vector<Problem> &out) {
    llvm::StringRef prefix = v.text2;
    for (size_t i = 0; i < prefix.size();) {
      if (prefixChar(prefix[i])) {
        ++i;
        continue;
      }
      uint32_t cp = nextCodePoint(prefix, i);
      std::string why;
      if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r')
        why = "IAM refuses whitespace in ARNs";
      else if (cp == '*' || cp == '?')
        why = "IAM reads it as a wildcard in the ARN, which would widen the grant";
      else if (cp == '$')
        why = "IAM reads `${...}` in an ARN as a policy variable";
      else if (cp >= 0x80)
        why = "Airflow requires dataset URIs to be ASCII";
      else
        why = "S3 advises against it in keys and it cannot be written into ARNs and URIs as is";
      out.push_back({DiagId::TargetRejectsValue, v.span,
                     fmt::format("the S3 prefix `{}` of `{}` contains {}: {}",
                                 quotedForMessage(prefix), path(), describe(cp), why),
                     "use letters, digits and `/ ! _ . ' ( ) - = + , @ : ; &` in prefixes, such "
                     "as `raw/transactions/`"});
      break;
    }
    size_t uri = std::string("s3://").size() + v.text.size() + 1 + prefix.size();
    if (uri > kMaxS3Uri)
      out.push_back({DiagId::TargetRejectsValue, v.span,
                     fmt::format("the S3 URI of `{}` is {} characters long; SageMaker accepts "
                                 "at most {}",
                                 path(), uri, kMaxS3Uri),
                     "use a shorter bucket name or prefix"});
  }

  void hyperparameters(const Value &map, std::vector<Problem> &out) {
    if (map.fields.size() > kMaxHyperparameters)
      out.push_back({DiagId::TargetRejectsValue, map.span,
                     fmt::format("{} hyperparameters; SageMaker accepts at most {}",
                                 map.fields.size(), kMaxHyperparameters),
                     "pass the rest in a configuration file in the training channel"});
    for (const NamedValue &f : map.fields) {
      if (utf16Length(f.name) > kMaxHyperparameterKey || firstLineTerminator(f.name))
        out.push_back({DiagId::TargetRejectsValue, f.value->span,
                       fmt::format("the hyperparameter name `{}` is longer than {} characters "
                                   "or holds a line break, which SageMaker refuses",
                                   quotedForMessage(f.name), kMaxHyperparameterKey),
                       "use a short, single-line name"});
      if (f.value->kind != Value::Kind::String)
        continue;
      llvm::StringRef text = f.value->text;
      if (auto cp = firstLineTerminator(text))
        out.push_back({DiagId::TargetRejectsValue, f.value->span,
                       fmt::format("the hyperparameter `{}` holds {}; SageMaker accepts only "
                                   "single-line values",
                                   quotedForMessage(f.name), describe(*cp)),
                       "write the value on one line, or pass multi-line text in a file in the "
                       "training channel"});
      else if (size_t n = utf16Length(text); n > kMaxHyperparameterValue)
        out.push_back({DiagId::TargetRejectsValue, f.value->span,
                       fmt::format("the hyperparameter `{}` is {} characters long; SageMaker "
                                   "accepts at most {}",
                                   quotedForMessage(f.name), n, kMaxHyperparameterValue),
                       "pass long values in a file in the training channel"});
    }
  }

  EnvId env_ = 0;
  Origin origin_ = Origin::Default;
  const Decl *decl_ = nullptr;
  std::vector<PathPart> path_;
  std::vector<Problem> scratch_;
  llvm::DenseMap<std::pair<const Value *, DeclId>, size_t> useOf_;
  std::vector<Use> uses_;
};

} // namespace

void checkTargetLimits(const Program &program, Diagnostics &diags) {
  Inspector inspector;
  std::vector<size_t> envsOfDecl(program.decls.size(), 0);
  for (EnvId e = 0; e < program.envs.size(); ++e) {
    const EnvModel &env = program.envs[e];
    for (DeclId id = 0; id < program.decls.size() && id < env.fields.size(); ++id) {
      const Decl &decl = program.decls[id];
      if (decl.fromStdlib || (id < env.exists.size() && !env.exists[id]))
        continue;
      ++envsOfDecl[id];
      for (const FieldValue &fv : env.fields[id])
        if (fv.value && fv.def)
          inspector.field(e, decl, fv);
    }
  }
  if (inspector.uses().empty())
    return;
  // A value whose text already has an error (an invalid escape, say) holds
  // what recovery made of it: judging that would only repeat the error.
  std::vector<std::tuple<uint32_t, uint32_t>> errors; // (file, begin), sorted
  for (const Diagnostic &d : diags.all())
    if (d.severity == Severity::Error && d.span.valid())
      errors.emplace_back(d.span.file.index, d.span.begin);
  std::sort(errors.begin(), errors.end());
  auto hasErrorIn = [&](Span s) {
    auto it = std::lower_bound(errors.begin(), errors.end(), std::make_tuple(s.file.index, s.begin));
    return it != errors.end() && std::get<0>(*it) == s.file.index && std::get<1>(*it) < s.end;
  };
  // Uses are in first-seen order: environments in order, declarations by
  // id, fields in schema order.
  for (const Inspector::Use &use : inspector.uses()) {
    const Decl &decl = program.decls[use.decl];
    // A value the declaration has in some environments only (an `env`
    // block, `${env}`) is named with them: the same line can hold a
    // different value in each.
    std::string where;
    if (use.envs.size() < envsOfDecl[use.decl]) {
      for (size_t i = 0; i < use.envs.size(); ++i)
        where += fmt::format("{}`{}`", i ? ", " : "", program.envs[use.envs[i]].name);
      where = fmt::format("in {} {}: ", use.envs.size() == 1 ? "environment" : "environments", where);
    }
    for (const Problem &p : use.problems) {
      if (hasErrorIn(p.span))
        continue;
      Diagnostic &d = diags.report(p.id, p.span, where + p.message);
      if (use.origin == Origin::Template || use.origin == Origin::TemplateEnvOverride)
        d.note(decl.nameSpan, fmt::format("{} `{}` takes this value from a template it extends",
                                          decl.kind, decl.name));
      d.withHelp(p.help);
      if (p.replacement)
        d.fix(fmt::format("write {}", *p.replacement), p.span, *p.replacement);
    }
  }
}

} // namespace plat::sema
