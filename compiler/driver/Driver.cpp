#include "driver/Driver.h"

#include <atomic>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "diag/Explain.h"
#include "diag/Render.h"
#include "fmt/format.h"
#include "driver/Init.h"
#include "format/Formatter.h"
#include "pipeline/Pipeline.h"
#include "backends/Backend.h"
#include "backends/BuildWriter.h"
#include "backends/Common.h"
#include "backends/Evidence.h"
#include "governance/Governance.h"
#include "report/CostReport.h"
#include "report/Graph.h"
#include "review/Diff.h"
#include "review/Provenance.h"
#include "sema/Program.h"
#include "syntax/Parser.h"
#include "workspace/SourceFiles.h"
#include "workspace/Workspace.h"

namespace fs = std::filesystem;

namespace plat {
namespace {

constexpr const char *kUsage = R"(platc — the Plat compiler

usage: platc <command> [options] [arguments]

commands:
  init [DIR]                create a new workspace in DIR (default: .): one
                            team and one service to start from
  check [DIR] [--dump-ir] [--time-phases]
                            check the workspace that holds DIR (default: .);
                            --dump-ir prints the typed IR of every environment,
                            --time-phases the CPU seconds of each phase
  build [DIR] -o OUT [--env E] [--target k8s,iam,sagemaker,airflow]
                            check, then write each environment's artefacts to
                            OUT/<env>/<target>/ (atomically; nothing on errors),
                            and its audit evidence to OUT/<env>/evidence.json
  fmt [--check] [PATH...]   format .plat files (folders are searched);
                            --check lists unformatted files and changes nothing
  fix [DIR] [--dry-run] [--code CODE]
                            apply the safe fixes of the workspace's diagnostics
                            (only CODE's with --code), format the files touched,
                            re-check and repeat; --dry-run prints a unified diff
                            and writes nothing
  graph [DIR] [--env E] [--format dot|mermaid|json] [--focus NAME] [--depth N]
                            print the dependency graph of one environment
                            (default: the first production environment)
  cost [DIR] [--env E] [--format text|json|csv]
                            estimated monthly cost per team and declaration
  evidence [DIR] --profile pci|sox|hipaa|gdpr [--env E] [--format text|markdown|json]
                            for an auditor: each rule of the compliance profile
                            with the declarations in scope, their result and the
                            generated objects that implement it (default: the
                            first production environment); exit 1 when a rule fails
  diff [DIR] --base REV|DIR [--head REV] [--files] [--env E] [--format text|markdown|json]
                            compare the workspace with another state of it (a git
                            revision, read without touching the work tree, or
                            another checkout): changed declarations, generated
                            files and risk flags; exit 3 when a flag is raised
  explain CODE              explain a diagnostic code, such as P0102
  lsp [--stdio]             run the language server on stdin/stdout (LSP 3.17;
                            docs/editors.md)
  mcp                       run the Model Context Protocol server on
                            stdin/stdout (docs/guide-agents.md)

options:
  --format text|json|sarif  how diagnostics are printed (default: text)
  --color auto|always|never colour in text diagnostics (default: auto)
  -q, --quiet               no summary or progress lines: diagnostics and results only
  -v, --verbose             also the CPU time of each phase (check, build)
  -h, --help                show this help
  --version                 show the version

exit codes:
  0  no errors
  1  errors were found (or, with fmt --check, files need formatting)
  2  usage error, or a file or folder could not be read or written
  3  (diff) a risk flag was raised
)";

struct Options {
  std::string command;
  std::vector<std::string> positional;
  DiagFormat format = DiagFormat::Text;
  std::string color = "auto";
  bool check = false;
  bool dryRun = false;
  bool dumpIr = false;
  bool timePhases = false;
  // --quiet: no summary or progress lines, only diagnostics and results;
  // --verbose: also the CPU time of each phase (check, build).
  bool quiet = false;
  bool verbose = false;
  std::string output;
  std::string env;
  std::string targets;
  std::string focus;
  std::string code; // fix --code
  std::string profile; // evidence --profile
  unsigned depth = 1;
  std::string formatName;
  std::string base, head; // diff
  bool files = false;     // diff --files
  // Every option given, as spelled without its value (`--env`, `-o`), in order.
  std::vector<std::string> given;
};

// Parses the arguments; returns an error message on bad usage.
std::optional<std::string> parseArgs(const std::vector<std::string> &args, Options &opts) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string &a = args[i];
    auto value = [&](const char *flag) -> std::optional<std::string> {
      if (a.rfind(std::string(flag) + "=", 0) == 0)
        return a.substr(std::strlen(flag) + 1);
      if (a == flag && i + 1 < args.size())
        return args[++i];
      return std::nullopt;
    };
    if (a == "-h" || a == "--help") {
      opts.command = "help";
      return std::nullopt;
    }
    if (a == "--version") {
      opts.command = "version";
      return std::nullopt;
    }
    if (a.size() > 1 && a[0] == '-')
      opts.given.push_back(a.substr(0, a.find('=')));
    if (a.rfind("--format", 0) == 0) {
      auto v = value("--format");
      if (!v)
        return "--format needs a value: text, json or sarif";
      opts.formatName = *v;
      // Which values are allowed depends on the command (checkCommandOptions).
      if (*v == "json")
        opts.format = DiagFormat::Json;
      else if (*v == "sarif")
        opts.format = DiagFormat::Sarif;
      continue;
    }
    if (a.rfind("--color", 0) == 0) {
      auto v = value("--color");
      if (!v || (*v != "auto" && *v != "always" && *v != "never"))
        return "--color takes auto, always or never";
      opts.color = *v;
      continue;
    }
    if (a == "-o" || a.rfind("--output", 0) == 0) {
      auto v = a == "-o" ? (i + 1 < args.size() ? std::optional<std::string>(args[++i]) : std::nullopt)
                         : value("--output");
      if (!v)
        return "-o needs a folder";
      opts.output = *v;
      continue;
    }
    // Options that take one string.
    struct StringOption {
      const char *flag;
      std::string *target;
      const char *missing;
    };
    const StringOption stringOptions[] = {
        {"--env", &opts.env, "--env needs an environment name"},
        {"--target", &opts.targets, "--target needs a list such as k8s,iam"},
        {"--focus", &opts.focus, "--focus needs a declaration name"},
        {"--base", &opts.base, "--base needs a git revision or a folder"},
        {"--head", &opts.head, "--head needs a git revision"},
        {"--code", &opts.code, "--code needs a diagnostic code, such as P0206"},
        {"--profile", &opts.profile, "--profile needs a compliance profile, such as pci"},
    };
    bool matched = false;
    for (const StringOption &o : stringOptions) {
      if (a != o.flag && a.rfind(std::string(o.flag) + "=", 0) != 0)
        continue;
      auto v = value(o.flag);
      if (!v)
        return std::string(o.missing);
      *o.target = *v;
      matched = true;
      break;
    }
    if (matched)
      continue;
    if (a.rfind("--depth", 0) == 0) {
      auto v = value("--depth");
      if (!v || v->empty() || v->find_first_not_of("0123456789") != std::string::npos ||
          v->size() > 4)
        return "--depth needs a whole number";
      opts.depth = static_cast<unsigned>(std::stoul(*v));
      continue;
    }
    if (a == "--quiet" || a == "-q") {
      opts.quiet = true;
      continue;
    }
    if (a == "--verbose" || a == "-v") {
      opts.verbose = true;
      continue;
    }
    if (a == "--time-phases") {
      opts.timePhases = true;
      continue;
    }
    if (a == "--dump-ir") {
      opts.dumpIr = true;
      continue;
    }
    if (a == "--files") {
      opts.files = true;
      continue;
    }
    if (a == "--check") {
      opts.check = true;
      continue;
    }
    if (a == "--dry-run") {
      opts.dryRun = true;
      continue;
    }
    if (a.size() > 1 && a[0] == '-')
      return fmt::format("unknown option `{}`", a);
    if (opts.command.empty())
      opts.command = a;
    else
      opts.positional.push_back(a);
  }
  return std::nullopt;
}

// The options each command takes; anything else is a usage error, so that
// a misplaced flag (`build --dump-ir`) is never silently ignored. `--color`
// is accepted by every command (scripts pass it to all).
struct CommandOptions {
  const char *command;
  std::vector<const char *> options;
  std::vector<const char *> formats; // values --format takes; empty: not allowed
};
const std::vector<CommandOptions> &commandOptions() {
  static const std::vector<CommandOptions> table = {
      {"check", {"--format", "--dump-ir", "--time-phases"}, {"text", "json", "sarif"}},
      {"build", {"--format", "-o", "--output", "--env", "--target"}, {"text", "json", "sarif"}},
      {"fmt", {"--check", "--format"}, {"text", "json", "sarif"}},
      {"fix", {"--dry-run", "--code", "--format"}, {"text", "json", "sarif"}},
      {"graph", {"--format", "--env", "--focus", "--depth"}, {"dot", "mermaid", "json"}},
      {"cost", {"--format", "--env"}, {"text", "json", "csv"}},
      {"init", {}, {}},
      {"explain", {}, {}},
      {"diff", {"--base", "--head", "--files", "--env", "--format"}, {"text", "markdown", "json"}},
      {"evidence", {"--profile", "--env", "--format"}, {"text", "markdown", "json"}},
  };
  return table;
}

// Returns what is wrong with the options given to `opts.command`, if anything.
std::optional<std::string> checkCommandOptions(const Options &opts) {
  for (const CommandOptions &c : commandOptions()) {
    if (opts.command != c.command)
      continue;
    for (const std::string &flag : opts.given)
      if (flag != "--color" && flag != "--quiet" && flag != "-q" && flag != "--verbose" &&
          flag != "-v" && std::find(c.options.begin(), c.options.end(), flag) == c.options.end()) {
        std::string takes;
        for (const char *o : c.options)
          takes += (takes.empty() ? "" : ", ") + std::string(o);
        return fmt::format("`{}` is not an option of `platc {}`{}", escapeForTerminal(flag), c.command,
                           takes.empty() ? " (it takes none)" : "; it takes " + takes);
      }
    if (!opts.formatName.empty() &&
        std::find(c.formats.begin(), c.formats.end(), opts.formatName) == c.formats.end()) {
      std::string list;
      for (size_t i = 0; i < c.formats.size(); ++i)
        list += (i ? (i + 1 == c.formats.size() ? " or " : ", ") : "") + std::string(c.formats[i]);
      return fmt::format("`platc {}` takes --format {}, not `{}`", c.command, list,
                         escapeForTerminal(opts.formatName));
    }
  }
  return std::nullopt;
}

RenderOptions renderOptions(const Options &opts, bool errIsTerminal, const std::string &root) {
  RenderOptions r;
  r.color = opts.color == "always" || (opts.color == "auto" && errIsTerminal);
  r.root = root;
  return r;
}

void emit(const Options &opts, llvm::raw_ostream &out, llvm::raw_ostream &err, bool tty,
          const SourceManager &sources, Diagnostics &diags, const std::string &root,
          bool summary = true) {
  diags.sort(sources);
  RenderOptions r = renderOptions(opts, tty, root);
  if (opts.format == DiagFormat::Text) {
    renderText(err, sources, diags, r);
    if (summary && !opts.quiet && !diags.empty())
      err << summaryLine(diags) << "\n";
  } else {
    // Machine formats go to stdout so they can be piped or redirected alone.
    render(opts.format, out, sources, diags, r);
  }
}

// The exit status for a run that reported `diags`: 2 when an input could
// not be read at all (no workspace, an unreadable file or folder: the result
// would say nothing about the workspace), 1 for other errors, 0 otherwise.
int exitStatus(const Diagnostics &diags) {
  for (const Diagnostic &d : diags.all())
    if (d.id == DiagId::NoWorkspace || d.id == DiagId::UnreadableFile)
      return kExitUsage;
  return diags.hasErrors() ? kExitErrors : kExitOk;
}

// Prints a multi-line error (a message, then `help: ...` lines) with each
// line escaped for the terminal: the text names paths from the workspace.
void printError(llvm::raw_ostream &err, llvm::StringRef text) {
  llvm::SmallVector<llvm::StringRef, 4> lines;
  text.split(lines, '\n');
  for (size_t i = 0; i < lines.size(); ++i)
    err << (i == 0 ? "error: " : "") << escapeForTerminal(lines[i]) << "\n";
}

int runCheck(const Options &opts, llvm::raw_ostream &out, llvm::raw_ostream &err, bool tty) {
  if (opts.positional.size() > 1) {
    err << "error: `platc check` takes one folder\n";
    return kExitUsage;
  }
  std::string dir = opts.positional.empty() ? "." : opts.positional[0];
  Diagnostics diags;
  std::clock_t loadStart = std::clock();
  std::optional<Workspace> ws = Workspace::load(dir, diags);
  double loadSeconds = static_cast<double>(std::clock() - loadStart) / CLOCKS_PER_SEC;
  if (!ws) {
    SourceManager none;
    emit(opts, out, err, tty, none, diags, "");
    return exitStatus(diags);
  }
  sema::PhaseTimes times;
  std::unique_ptr<sema::Program> program = pipeline::check(*ws, diags, &times);
  if (opts.timePhases || opts.verbose)
    // CPU seconds of the whole process (both parse threads count in load).
    err << fmt::format("phases (CPU s): load+parse {:.3f}, resolve+types {:.3f}, cross {:.3f}, "
                       "governance {:.3f}\n",
                       loadSeconds, times.resolve, times.cross, times.governance);
  if (opts.dumpIr)
    out << sema::dumpIr(*program, ws->sources());
  // Without errors the closing "checked ..." line carries the summary.
  emit(opts, out, err, tty, ws->sources(), diags, ws->root(), diags.hasErrors());
  if (opts.format == DiagFormat::Text && !diags.hasErrors() && !opts.quiet)
    err << fmt::format("checked {} file{} in `{}`: {}\n", ws->userFileCount(), ws->userFileCount() == 1 ? "" : "s",
                       escapeForTerminal(ws->root()),
                       summaryLine(diags));
  return exitStatus(diags);
}

// The environment commands such as graph and cost show by default: the
// first production-tier one, else the first.
const sema::EnvModel *defaultEnv(const sema::Program &program, const std::string &wanted) {
  for (const sema::EnvModel &e : program.envs)
    if (wanted.empty() ? e.tier == "production" : e.name == wanted)
      return &e;
  if (!wanted.empty() || program.envs.empty())
    return nullptr;
  return &program.envs.front();
}

// Loads and checks the workspace that holds `dir` for the report commands.
// When there is no workspace, prints why and returns null.
std::unique_ptr<sema::Program> loadAndCheck(const std::string &dir, const Options &opts,
                                            llvm::raw_ostream &out, llvm::raw_ostream &err, bool tty,
                                            std::optional<Workspace> &ws, Diagnostics &diags) {
  ws = Workspace::load(dir, diags);
  if (!ws) {
    SourceManager none;
    emit(opts, out, err, tty, none, diags, "");
    return nullptr;
  }
  return pipeline::check(*ws, diags);
}

int runGraph(const Options &opts, llvm::raw_ostream &out, llvm::raw_ostream &err, bool tty) {
  std::string dir = opts.positional.empty() ? "." : opts.positional[0];
  report::GraphOptions g;
  if (opts.formatName.empty() || opts.formatName == "dot")
    g.format = report::GraphFormat::Dot;
  else if (opts.formatName == "mermaid")
    g.format = report::GraphFormat::Mermaid;
  else if (opts.formatName == "json")
    g.format = report::GraphFormat::Json;
  else {
    err << fmt::format("error: `platc graph` writes dot, mermaid or json, not `{}`\n", opts.formatName);
    return kExitUsage;
  }
  g.focus = opts.focus;
  g.depth = opts.depth;
  Diagnostics diags;
  std::optional<Workspace> ws;
  Options textOpts = opts;
  textOpts.format = DiagFormat::Text;
  std::unique_ptr<sema::Program> program = loadAndCheck(dir, textOpts, out, err, tty, ws, diags);
  if (!program)
    return exitStatus(diags);
  if (diags.hasErrors()) {
    emit(textOpts, out, err, tty, ws->sources(), diags, ws->root());
    return exitStatus(diags);
  }
  const sema::EnvModel *env = defaultEnv(*program, opts.env);
  if (!env) {
    err << fmt::format("error: no environment named `{}`\n", opts.env);
    return kExitUsage;
  }
  std::string error;
  std::optional<std::string> text = report::renderGraph(*program, *env, g, error);
  if (!text) {
    err << "error: " << error << "\n";
    return kExitUsage;
  }
  out << *text;
  return kExitOk;
}

bool writeAtomically(const fs::path &path, const std::string &text, std::string &error);

int runInit(const Options &opts, llvm::raw_ostream &, llvm::raw_ostream &err) {
  fs::path dir = opts.positional.empty() ? fs::path(".") : fs::path(opts.positional[0]);
  std::error_code ec;
  if (fs::exists(dir / kWorkspaceFileName.str(), ec)) {
    err << fmt::format("error: `{}` already holds a workspace.plat; nothing written\n",
                       dir.generic_string());
    return kExitUsage;
  }
  // The workspace is named after its folder, made into an identifier.
  std::string name = fs::absolute(dir, ec).lexically_normal().filename().string();
  if (name.empty() || name == ".")
    name = fs::absolute(dir, ec).lexically_normal().parent_path().filename().string();
  std::string ident;
  for (char c : name)
    ident += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '_';
  if (ident.empty() || !std::isalpha(static_cast<unsigned char>(ident[0])))
    ident = "platform" + (ident.empty() ? "" : "_" + ident);
  std::map<std::string, std::string> files = initFiles(ident);
  for (const auto &[rel, text] : files)
    if (fs::exists(dir / rel, ec)) {
      err << fmt::format("error: `{}` exists; nothing written\n", (dir / rel).generic_string());
      return kExitUsage;
    }
  fs::create_directories(dir, ec);
  for (const auto &[rel, text] : files) {
    std::string why;
    if (!writeAtomically(dir / rel, text, why)) {
      err << fmt::format("error: cannot write `{}`: {}\n", (dir / rel).generic_string(), why);
      return kExitUsage;
    }
    err << fmt::format("created {}\n", (dir / rel).generic_string());
  }
  err << fmt::format("workspace `{}` is ready: run `platc check {}`\n", ident, dir.generic_string());
  return kExitOk;
}

int runCost(const Options &opts, llvm::raw_ostream &out, llvm::raw_ostream &err, bool tty) {
  std::string dir = opts.positional.empty() ? "." : opts.positional[0];
  report::CostFormat format = report::CostFormat::Text;
  if (opts.formatName == "json")
    format = report::CostFormat::Json;
  else if (opts.formatName == "csv")
    format = report::CostFormat::Csv;
  else if (!opts.formatName.empty() && opts.formatName != "text") {
    err << fmt::format("error: `platc cost` writes text, json or csv, not `{}`\n", opts.formatName);
    return kExitUsage;
  }
  Diagnostics diags;
  std::optional<Workspace> ws;
  Options textOpts = opts;
  textOpts.format = DiagFormat::Text;
  std::unique_ptr<sema::Program> program = loadAndCheck(dir, textOpts, out, err, tty, ws, diags);
  if (!program)
    return exitStatus(diags);
  // Governance and budget findings (P05xx, P06xx) do not stop the report;
  // errors in the declarations themselves make its figures meaningless.
  bool blocking = false;
  for (const Diagnostic &d : diags.all()) {
    llvm::StringRef code = d.info().code;
    blocking |= d.severity == Severity::Error && !code.startswith("P05") && !code.startswith("P06");
  }
  emit(textOpts, out, err, tty, ws->sources(), diags, ws->root());
  if (blocking)
    return exitStatus(diags);
  // One environment, as the docs say: the one named, else the first
  // production one (budgets in `check` are compared with the sum over all).
  const sema::EnvModel *env = defaultEnv(*program, opts.env);
  if (!env) {
    err << fmt::format("error: no environment named `{}`\n", escapeForTerminal(opts.env));
    return kExitUsage;
  }
  out << report::renderCost(*program, {env}, format);
  return exitStatus(diags);
}

// `platc evidence --profile P`: the rules of one compliance profile with
// their declarations and evidence, for an auditor (backends/Evidence.h).
int runEvidence(const Options &opts, llvm::raw_ostream &out, llvm::raw_ostream &err, bool tty) {
  if (opts.positional.size() > 1) {
    err << "error: `platc evidence` takes one folder\n";
    return kExitUsage;
  }
  const char *kProfiles = "gdpr, hipaa, pci or sox";
  if (opts.profile.empty()) {
    err << fmt::format("error: `platc evidence` needs a compliance profile: --profile {}\n", kProfiles);
    return kExitUsage;
  }
  backends::evidence::ReportFormat format = backends::evidence::ReportFormat::Text;
  if (opts.formatName == "markdown")
    format = backends::evidence::ReportFormat::Markdown;
  else if (opts.formatName == "json")
    format = backends::evidence::ReportFormat::Json;
  std::string dir = opts.positional.empty() ? "." : opts.positional[0];
  Diagnostics diags;
  std::optional<Workspace> ws;
  Options textOpts = opts;
  textOpts.format = DiagFormat::Text;
  std::unique_ptr<sema::Program> program = loadAndCheck(dir, textOpts, out, err, tty, ws, diags);
  if (!program)
    return exitStatus(diags);
  // The profiles are the stdlib's policies (and a workspace's own with a
  // `profile`): an unknown name is a usage error listing them.
  std::vector<std::string> profiles = backends::evidence::profileNames(*program);
  if (std::find(profiles.begin(), profiles.end(), opts.profile) == profiles.end()) {
    std::string list;
    for (size_t i = 0; i < profiles.size(); ++i)
      list += (i ? (i + 1 == profiles.size() ? " or " : ", ") : "") + profiles[i];
    err << fmt::format("error: no compliance profile named `{}`; the profiles are {}\n",
                       escapeForTerminal(opts.profile), list);
    return kExitUsage;
  }
  // Governance findings (P05xx, P06xx) are what the report shows; errors in
  // the declarations themselves leave nothing trustworthy to report on.
  bool blocking = false;
  for (const Diagnostic &d : diags.all()) {
    llvm::StringRef code = d.info().code;
    blocking |= d.severity == Severity::Error && !code.startswith("P05") && !code.startswith("P06");
  }
  emit(textOpts, out, err, tty, ws->sources(), diags, ws->root());
  if (blocking)
    return exitStatus(diags);
  const sema::EnvModel *env = defaultEnv(*program, opts.env);
  if (!env) {
    err << fmt::format("error: no environment named `{}`\n", escapeForTerminal(opts.env));
    return kExitUsage;
  }
  backends::BackendContext ctx{*program, *env, ws->sources()};
  backends::evidence::ProfileReport report = backends::evidence::profileReport(
      ctx, governance::evaluateRules(*program, *env), opts.profile, format);
  if (format == backends::evidence::ReportFormat::Json) {
    out << report.text;
  } else {
    // Text for people: names and findings from the workspace cannot move
    // the cursor or reorder what an auditor reads (as in `platc diff`).
    llvm::StringRef text = report.text;
    while (!text.empty()) {
      auto [line, rest] = text.split('\n');
      out << escapeForTerminal(line) << (text.size() > line.size() ? "\n" : "");
      text = rest;
    }
  }
  return report.failed ? kExitErrors : exitStatus(diags);
}

int runBuild(const Options &opts, llvm::raw_ostream &out, llvm::raw_ostream &err, bool tty) {
  if (opts.positional.size() > 1) {
    err << "error: `platc build` takes one folder\n";
    return kExitUsage;
  }
  if (opts.output.empty()) {
    err << "error: `platc build` needs an output folder: `-o OUT`\n";
    return kExitUsage;
  }
  std::string dir = opts.positional.empty() ? "." : opts.positional[0];
  Diagnostics diags;
  std::optional<Workspace> ws = Workspace::load(dir, diags);
  if (!ws) {
    SourceManager none;
    emit(opts, out, err, tty, none, diags, "");
    return exitStatus(diags);
  }
  sema::PhaseTimes times;
  std::unique_ptr<sema::Program> program = pipeline::check(*ws, diags, &times);
  if (opts.verbose)
    err << fmt::format("phases (CPU s): resolve+types {:.3f}, cross {:.3f}, governance {:.3f}\n",
                       times.resolve, times.cross, times.governance);

  // Which environments and backends.
  std::vector<const sema::EnvModel *> envs;
  for (const sema::EnvModel &e : program->envs)
    if (opts.env.empty() || e.name == opts.env)
      envs.push_back(&e);
  if (envs.empty())
    diags.report(DiagId::UnknownTarget, Span{}, fmt::format("no environment named `{}`", opts.env));
  std::vector<std::unique_ptr<backends::Backend>> all = backends::allBackends();
  std::vector<const backends::Backend *> selected;
  std::vector<std::string> wanted;
  if (!opts.targets.empty()) {
    std::stringstream ss(opts.targets);
    for (std::string t; std::getline(ss, t, ',');)
      if (!t.empty())
        wanted.push_back(t);
  }
  for (const std::string &t : wanted)
    if (std::none_of(all.begin(), all.end(), [&](const auto &b) { return b->name() == t; }))
      diags.report(DiagId::UnknownTarget, Span{},
                   fmt::format("no backend named `{}`; the backends are k8s, iam, sagemaker and "
                               "airflow",
                               t));
  for (const auto &b : all)
    if (wanted.empty() || std::find(wanted.begin(), wanted.end(), b->name().str()) != wanted.end())
      selected.push_back(b.get());

  // Backends never run on a workspace with errors.
  if (diags.hasErrors()) {
    emit(opts, out, err, tty, ws->sources(), diags, ws->root());
    if (opts.format == DiagFormat::Text)
      err << fmt::format("nothing written to `{}`\n", escapeForTerminal(opts.output));
    return exitStatus(diags);
  }

  // Every (environment, backend) pair on its own, on up to two threads:
  // backends only read the Program, and each writes its own Output. Each
  // job's files go to the temporary output folder as soon as the job is
  // done, and are freed: the build never holds all of its output in memory.
  // Diagnostics and the summary are merged in a fixed order, so nothing
  // depends on scheduling; the folder is swapped into place only when every
  // job succeeded.
  // A narrowed build (`--env`, `--target`) owns only the folders it
  // builds: listed files elsewhere in the output are kept.
  std::vector<std::string> scope;
  if (!opts.env.empty() || !wanted.empty())
    for (const sema::EnvModel *env : envs) {
      for (const backends::Backend *b : selected)
        scope.push_back(env->name + "/" + b->name().str() + "/");
      scope.push_back(env->name + "/evidence.json");
    }
  backends::OutputWriter writer;
  if (std::string why = writer.begin(opts.output, std::move(scope)); !why.empty()) {
    emit(opts, out, err, tty, ws->sources(), diags, ws->root());
    printError(err, why);
    return kExitUsage;
  }
  // Provenance: the commit the workspace is built from. PLAT_COMMIT
  // overrides it (CI passes the commit it checked out; "" or "none" turns
  // it off, which the reviewed output copies use).
  std::string commit;
  if (const char *given = std::getenv("PLAT_COMMIT"))
    commit = llvm::StringRef(given) == "none" ? "" : given;
  else
    commit = review::workspaceCommit(ws->root());
  std::vector<std::unique_ptr<backends::BackendContext>> contexts;
  for (const sema::EnvModel *env : envs) {
    contexts.push_back(std::unique_ptr<backends::BackendContext>(
        new backends::BackendContext{*program, *env, ws->sources()}));
    contexts.back()->commit = commit;
  }
  struct Job {
    size_t env;
    const backends::Backend *backend;
    std::vector<backends::Conflict> conflicts;
    std::vector<backends::Problem> problems;
    std::map<std::string, size_t> perFolder; // env/backend → files written
    std::map<std::string, std::string> hashes; // env-relative path → sha256, for the evidence
    std::string error;                       // from writing
  };
  std::vector<Job> jobs;
  for (size_t e = 0; e < envs.size(); ++e)
    for (const backends::Backend *b : selected)
      jobs.push_back(Job{e, b, {}, {}, {}, {}, {}});
  {
    std::atomic<size_t> next{0};
    auto work = [&] {
      for (size_t i; (i = next.fetch_add(1)) < jobs.size();) {
        Job &job = jobs[i];
        backends::Output output;
        job.backend->emit(*contexts[job.env], output);
        job.conflicts = output.conflicts();
        job.problems = output.problems();
        const std::string prefix = envs[job.env]->name + "/";
        for (const auto &entry : output.files()) {
          const std::string &path = entry.first;
          job.perFolder[prefix + path.substr(0, path.find('/'))]++;
          job.hashes[path] = backends::sha256Hex(entry.second);
        }
        if (job.conflicts.empty() && job.problems.empty())
          job.error = writer.write(output.files(), prefix);
      }
    };
    size_t threads = std::min<size_t>(jobs.size(), std::min(2u, std::max(1u, std::thread::hardware_concurrency())));
    std::vector<std::thread> pool;
    for (size_t t = 1; t < threads; ++t)
      pool.emplace_back(work);
    work();
    for (std::thread &t : pool)
      t.join();
  }
  std::map<std::string, size_t> perFolder;
  size_t fileCount = 0;
  std::string writeError;
  for (Job &job : jobs) {
    const std::string &envName = envs[job.env]->name;
    for (const backends::Conflict &c : job.conflicts)
      diags
          .report(DiagId::DuplicateOutput, c.origin,
                  c.what.empty()
                      ? fmt::format("`{}/{}` would be written twice by the {} backend", envName, c.path,
                                    job.backend->name().str())
                      : fmt::format("{} in `{}/{}` would be written twice by the {} backend", c.what,
                                    envName, c.path, job.backend->name().str()))
          .withHelp("rename one of the declarations that produce it");
    for (const backends::Problem &pr : job.problems)
      diags
          .report(DiagId::TargetRejectsValue, pr.origin,
                  fmt::format("in environment `{}`: {}", envName, pr.message))
          .withHelp(pr.help);
    for (const auto &[folder, count] : job.perFolder) {
      perFolder[folder] += count;
      fileCount += count;
    }
    if (writeError.empty())
      writeError = job.error;
  }
  if (diags.hasErrors()) {
    writer.abort();
    emit(opts, out, err, tty, ws->sources(), diags, ws->root());
    return exitStatus(diags);
  }
  // The audit evidence of each environment: what this build wrote and why
  // (backends/Evidence.h).
  if (writeError.empty()) {
    std::vector<std::pair<std::string, llvm::StringRef>> sourceFiles;
    for (uint32_t i = 0; i < ws->sources().size(); ++i) {
      const SourceFile &f = ws->sources().file(FileId{i});
      if (!llvm::StringRef(f.path()).startswith("<std>"))
        sourceFiles.emplace_back(f.path(), f.text());
    }
    std::optional<review::GitProvenance> git = review::gitProvenance(ws->root(), sourceFiles);
    for (size_t e = 0; e < envs.size() && writeError.empty(); ++e) {
      backends::evidence::RecordInputs inputs;
      for (const backends::Backend *b : selected)
        inputs.targets.push_back(b->name().str());
      for (const Job &job : jobs)
        if (job.env == e)
          inputs.generated.insert(job.hashes.begin(), job.hashes.end());
      inputs.git = git ? &*git : nullptr;
      std::string record = backends::evidence::recordText(
          *contexts[e], governance::evaluateRules(*program, *envs[e]), inputs);
      writeError = writer.write({{"evidence.json", std::move(record)}}, envs[e]->name + "/");
      ++fileCount;
      ++perFolder[envs[e]->name + "/evidence.json"];
    }
  }
  if (writeError.empty())
    writeError = writer.commit();
  if (!writeError.empty()) {
    writer.abort();
    emit(opts, out, err, tty, ws->sources(), diags, ws->root());
    printError(err, writeError);
    return kExitUsage;
  }
  emit(opts, out, err, tty, ws->sources(), diags, ws->root());
  if (opts.format == DiagFormat::Text) {
    if (!opts.quiet)
      err << fmt::format("wrote {} file{} to `{}`:\n", fileCount, fileCount == 1 ? "" : "s",
                         escapeForTerminal(opts.output));
    for (const auto &[folder, count] : perFolder)
      if (!opts.quiet)
        err << (llvm::StringRef(folder).endswith("/evidence.json")
                    ? fmt::format("  {}\n", folder)
                    : fmt::format("  {}/ ({} file{})\n", folder, count, count == 1 ? "" : "s"));
  }
  return kExitOk;
}

// Writes `text` to `path` through a temporary file and a rename, so that a
// crash or kill never leaves a half-written source file.
bool writeAtomically(const fs::path &path, const std::string &text, std::string &error) {
  fs::path tmp = path;
  tmp += ".platfmt.tmp";
  {
    std::ofstream o(tmp, std::ios::binary | std::ios::trunc);
    o << text;
    o.close();
    if (!o) {
      error = "cannot write " + tmp.string();
      std::error_code ec;
      fs::remove(tmp, ec);
      return false;
    }
  }
  std::error_code ec;
  fs::permissions(tmp, fs::status(path, ec).permissions(), ec);
  fs::rename(tmp, path, ec);
  if (ec) {
    error = ec.message();
    fs::remove(tmp, ec);
    return false;
  }
  return true;
}

int runFmt(const Options &opts, llvm::raw_ostream &out, llvm::raw_ostream &err, bool tty) {
  std::vector<std::string> inputs = opts.positional;
  if (inputs.empty())
    inputs.push_back(".");
  // The same rules as a workspace's sources (workspace/SourceFiles.h):
  // regular files only, links followed only to regular files inside the
  // folder given (or, for a link named on the command line, anywhere), and
  // a formatted link's target is rewritten, never the link.
  std::vector<SourceEntry> files;
  std::vector<SourceProblem> problems;
  for (const std::string &input : inputs) {
    std::error_code ec;
    fs::file_status status = fs::status(input, ec);
    if (fs::is_directory(status)) {
      // Listed relative to the folder, shown as the user named it.
      size_t first = files.size(), firstProblem = problems.size();
      listSourceFiles(input, /*skipOutputFolders=*/true, files, problems);
      for (size_t i = first; i < files.size(); ++i)
        files[i].relativePath = (fs::path(input) / files[i].relativePath).generic_string();
      for (size_t i = firstProblem; i < problems.size(); ++i)
        problems[i].relativePath = (fs::path(input) / problems[i].relativePath).generic_string();
      continue;
    }
    SourceEntry entry;
    SourceProblem problem;
    if (fs::exists(status) || fs::is_symlink(fs::symlink_status(input, ec))) {
      if (resolveNamedFile(input, entry, problem))
        files.push_back(entry);
      else
        problems.push_back(problem);
      continue;
    }
    err << fmt::format("error: `{}` is not a file or folder\n", escapeForTerminal(input));
    return kExitUsage;
  }
  std::sort(files.begin(), files.end(), [](const SourceEntry &a, const SourceEntry &b) {
    return a.relativePath < b.relativePath;
  });
  for (const SourceProblem &p : problems) {
    const char *why = p.kind == SourceProblem::UnreadableFolder  ? "cannot be listed"
                      : p.kind == SourceProblem::LinkOutsideRoot ? "is a link that leads outside the folder"
                      : p.kind == SourceProblem::BrokenLink      ? "is a link whose target does not exist"
                                                                 : "is not a regular file";
    err << fmt::format("error: `{}` {}; not formatted\n", escapeForTerminal(p.relativePath), why);
  }
  if (!problems.empty())
    return kExitUsage;

  SourceManager sources;
  Diagnostics diags;
  int status = kExitOk;
  size_t changed = 0;
  for (const SourceEntry &file : files) {
    ReadResult read = readSourceFile(file.path, syntax::ParseOptions().maxFileBytes);
    if (read.status != ReadResult::Ok) {
      err << fmt::format("error: cannot read `{}`: {}\n", escapeForTerminal(file.relativePath),
                         read.status == ReadResult::TooLarge         ? "over the size limit"
                         : read.status == ReadResult::NotRegularFile ? "not a regular file"
                                                                     : read.detail);
      return kExitUsage;
    }
    FileId id = sources.add(file.relativePath, std::move(read.text));
    const SourceFile &source = sources.file(id);
    size_t before = diags.errorCount();
    ast::ParsedFile parsed = syntax::parse(source, id, diags);
    if (parsed.ast->hasSyntaxErrors || diags.errorCount() > before) {
      status = kExitErrors; // refuse: the file is left untouched
      continue;
    }
    std::string formatted = format::formatFile(*parsed.ast, source);
    if (formatted == source.text())
      continue;
    ++changed;
    if (opts.check) {
      out << file.relativePath << "\n";
      status = kExitErrors;
      continue;
    }
    std::string error;
    // A link's target is rewritten, never the link; a byte-order mark the
    // file had is kept.
    if (read.hadByteOrderMark)
      formatted.insert(0, "\xEF\xBB\xBF");
    if (!writeAtomically(file.path, formatted, error)) {
      err << fmt::format("error: cannot write `{}`: {}\n", escapeForTerminal(file.relativePath), error);
      return kExitUsage;
    }
  }
  emit(opts, out, err, tty, sources, diags, fs::current_path().string());
  if (opts.format == DiagFormat::Text) {
    if (opts.quiet)
      ; // the list of files (fmt --check) is the result
    else if (opts.check && changed)
      err << fmt::format("{} of {} file{} need{} formatting: run `platc fmt`\n", changed, files.size(),
                         files.size() == 1 ? "" : "s", changed == 1 ? "s" : "");
    else if (!opts.check)
      err << fmt::format("formatted {} file{}, {} changed\n", files.size(), files.size() == 1 ? "" : "s", changed);
  }
  return status;
}

// ------------------------------------------------------------------ fix

// A unified diff of `before` and `after` (one file): the common leading and
// trailing lines are skipped and what lies between is one hunk with up to
// three lines of context. Linear; not always the smallest diff, always a
// correct one (`patch` and `git apply` accept it).
std::string unifiedDiff(const std::string &path, llvm::StringRef before, llvm::StringRef after) {
  auto lines = [](llvm::StringRef text) {
    std::vector<llvm::StringRef> out;
    while (!text.empty()) {
      size_t nl = text.find('\n');
      out.push_back(text.substr(0, nl == llvm::StringRef::npos ? text.size() : nl + 1));
      text = text.substr(out.back().size());
    }
    return out;
  };
  std::vector<llvm::StringRef> a = lines(before), b = lines(after);
  size_t prefix = 0;
  while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix])
    ++prefix;
  size_t suffix = 0;
  while (suffix < a.size() - prefix && suffix < b.size() - prefix &&
         a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix])
    ++suffix;
  size_t ctxBefore = std::min<size_t>(prefix, 3), ctxAfter = std::min<size_t>(suffix, 3);
  size_t aFirst = prefix - ctxBefore, aEnd = a.size() - suffix + ctxAfter;
  size_t bFirst = prefix - ctxBefore, bEnd = b.size() - suffix + ctxAfter;
  auto range = [](size_t first, size_t end) {
    size_t count = end - first;
    return fmt::format("{},{}", count ? first + 1 : first, count);
  };
  std::string out = fmt::format("--- a/{}\n+++ b/{}\n@@ -{} +{} @@\n", path, path,
                                range(aFirst, aEnd), range(bFirst, bEnd));
  auto put = [&](char mark, llvm::StringRef line) {
    out += mark;
    out += line.str();
    if (!line.endswith("\n"))
      out += "\n\\ No newline at end of file\n";
  };
  for (size_t i = aFirst; i < prefix; ++i)
    put(' ', a[i]);
  for (size_t i = prefix; i < a.size() - suffix; ++i)
    put('-', a[i]);
  for (size_t i = prefix; i < b.size() - suffix; ++i)
    put('+', b[i]);
  for (size_t i = a.size() - suffix; i < aEnd; ++i)
    put(' ', a[i]);
  return out;
}

// One fix `platc fix` applied, for its report.
struct AppliedFix {
  std::string file;
  unsigned line;
  std::string code;
  std::string description;
};

// Applies the safe fixes of `diags` (restricted to `code` when given) to the
// texts in `texts` (relative path → text; only user files of the
// workspace are there). A fix is applied whole or not at all: one whose
// edits overlap an edit already taken (in diagnostic order, which is
// sorted, so the choice is deterministic) is skipped until the next round.
// Returns the relative paths it changed.
std::set<std::string> applySafeFixes(const Workspace &ws, const Diagnostics &diags,
                                     const std::string &code,
                                     std::map<std::string, std::string> &texts,
                                     std::vector<AppliedFix> &applied) {
  const SourceManager &sources = ws.sources();
  struct Taken {
    uint32_t begin, end;
    std::string replacement;
  };
  std::map<std::string, std::vector<Taken>> byFile;
  for (const Diagnostic &d : diags.all()) {
    if (!code.empty() && d.info().code != code)
      continue;
    for (const Fix &f : d.fixes) {
      if (!f.safe || f.edits.empty())
        continue;
      bool ok = true;
      for (const Edit &e : f.edits) {
        if (!e.span.valid() || !texts.count(sources.file(e.span.file).path())) {
          ok = false; // an edit outside the workspace's own files
          break;
        }
        const std::vector<Taken> &taken = byFile[sources.file(e.span.file).path()];
        for (const Taken &t : taken)
          // Overlapping ranges, or two insertions at one point, conflict.
          if ((e.span.begin < t.end && t.begin < e.span.end) ||
              (e.span.begin == t.begin && (e.span.size() == 0 || t.end == t.begin)))
            ok = false;
      }
      if (!ok)
        continue;
      for (const Edit &e : f.edits)
        byFile[sources.file(e.span.file).path()].push_back(
            {e.span.begin, e.span.end, e.replacement});
      Span at = d.span.valid() ? d.span : f.edits.front().span;
      applied.push_back({sources.file(at.file).path(), sources.lineCol(at).line,
                         d.info().code.str(), f.description});
    }
  }
  std::set<std::string> changed;
  for (auto &[path, edits] : byFile) {
    if (edits.empty())
      continue;
    // From the last edit to the first, so earlier offsets stay valid.
    std::sort(edits.begin(), edits.end(),
              [](const Taken &x, const Taken &y) { return x.begin > y.begin; });
    std::string &text = texts[path];
    for (const Taken &t : edits)
      text.replace(t.begin, t.end - t.begin, t.replacement);
    changed.insert(path);
  }
  return changed;
}

std::string plural(size_t n, const char *one, const char *many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

int runFix(const Options &opts, llvm::raw_ostream &out, llvm::raw_ostream &err, bool tty) {
  if (opts.positional.size() > 1) {
    err << "error: `platc fix` takes one folder\n";
    return kExitUsage;
  }
  if (!opts.code.empty() && !findDiagnostic(opts.code)) {
    err << fmt::format("error: no diagnostic `{}`\n", escapeForTerminal(opts.code));
    return kExitUsage;
  }
  std::string code = opts.code.empty() ? "" : findDiagnostic(opts.code)->code.str();
  std::string dir = opts.positional.empty() ? "." : opts.positional[0];

  // The files `fix` may write: the workspace's sources by the rules of
  // workspace/SourceFiles.h (regular files inside the root; a link's target
  // only when it is inside the root).
  Diagnostics diags;
  std::optional<Workspace> ws = Workspace::load(dir, diags);
  if (!ws) {
    SourceManager none;
    emit(opts, out, err, tty, none, diags, "");
    return exitStatus(diags);
  }
  fs::path root = ws->root();
  std::vector<SourceEntry> entries;
  std::vector<SourceProblem> problems;
  listSourceFiles(root, /*skipOutputFolders=*/true, entries, problems);
  std::map<std::string, SourceEntry> writable;
  for (const SourceEntry &e : entries)
    writable[e.relativePath] = e;

  // Every round checks the workspace as the fixes so far left it (in
  // memory: nothing is written before the end), applies the safe fixes,
  // and formats the files it touched. Bounded: a fix that keeps producing
  // another stops after kMaxRounds.
  constexpr int kMaxRounds = 8;
  std::map<std::string, std::string> original, texts; // relative path -> text
  std::map<std::string, std::string> overlay;          // absolute path -> text
  for (const LoadedFile &lf : ws->files())
    if (!lf.fromStdlib && writable.count(lf.relativePath))
      original[lf.relativePath] = texts[lf.relativePath] =
          ws->sources().file(lf.id).text().str();
  std::vector<AppliedFix> applied;
  std::set<std::string> touched;
  for (int round = 0; round < kMaxRounds; ++round) {
    std::unique_ptr<sema::Program> program = pipeline::check(*ws, diags);
    diags.sort(ws->sources());
    std::set<std::string> changed = applySafeFixes(*ws, diags, code, texts, applied);
    if (changed.empty())
      break;
    for (const std::string &path : changed) {
      // Formatted with `platc fmt`'s formatter; a file the fixes left
      // unparsable (they should not) keeps its edits unformatted, and the
      // re-check reports why.
      SourceManager sm;
      FileId id = sm.add(path, texts[path]);
      Diagnostics syntax;
      ast::ParsedFile parsed = syntax::parse(sm.file(id), id, syntax);
      if (parsed.ast && !parsed.ast->hasSyntaxErrors && !syntax.hasErrors())
        texts[path] = format::formatFile(*parsed.ast, sm.file(id));
      overlay[(root / path).string()] = texts[path];
      touched.insert(path);
    }
    program.reset();
    diags = Diagnostics();
    LoadOptions load;
    load.overlay = &overlay;
    ws = Workspace::load(root.string(), diags, load);
    if (!ws)
      return kExitUsage;
  }
  // The last round found nothing more to apply; `diags` are what is left.
  std::vector<std::string> changedFiles;
  for (const std::string &path : touched)
    if (texts[path] != original[path])
      changedFiles.push_back(path);
  if (opts.dryRun) {
    for (const std::string &path : changedFiles)
      out << unifiedDiff(path, original[path], texts[path]);
  } else {
    for (const std::string &path : changedFiles) {
      std::string text = texts[path];
      // A byte-order mark the file had is kept.
      ReadResult read = readSourceFile(writable[path].path, syntax::ParseOptions().maxFileBytes);
      if (read.status == ReadResult::Ok && read.text != original[path]) {
        err << fmt::format("error: `{}` changed while `platc fix` ran; not written\n",
                           escapeForTerminal(path));
        return kExitUsage;
      }
      if (read.hadByteOrderMark)
        text.insert(0, "\xEF\xBB\xBF");
      std::string error;
      if (!writeAtomically(writable[path].path, text, error)) {
        err << fmt::format("error: cannot write `{}`: {}\n", escapeForTerminal(path), error);
        return kExitUsage;
      }
    }
  }
  // What was applied goes to stderr, like every other report of platc's, so
  // that stdout holds only the diff (--dry-run) or the machine format.
  for (const AppliedFix &a : applied)
    err << fmt::format("{}{}:{}: [{}] {}\n", opts.dryRun ? "would fix " : "fixed ",
                       escapeForTerminal(a.file), a.line, a.code, escapeForTerminal(a.description));
  if (opts.dryRun) {
    // The diagnostics left would point into texts that were not written.
    err << fmt::format("{} would be applied in {}; nothing written\n",
                       plural(applied.size(), "fix", "fixes"), plural(changedFiles.size(), "file", "files"));
    return diags.hasErrors() ? kExitErrors : kExitOk;
  }
  emit(opts, out, err, tty, ws->sources(), diags, ws->root());
  err << fmt::format("applied {} in {}\n", plural(applied.size(), "fix", "fixes"),
                     plural(changedFiles.size(), "file", "files"));
  return exitStatus(diags);
}

int runExplain(const Options &opts, llvm::raw_ostream &out, llvm::raw_ostream &err) {
  if (opts.positional.size() != 1) {
    err << "error: `platc explain` takes one diagnostic code, such as P0102\n";
    return kExitUsage;
  }
  const DiagInfo *info = findDiagnostic(opts.positional[0]);
  if (!info) {
    err << fmt::format("error: no diagnostic `{}`\n", opts.positional[0]);
    return kExitUsage;
  }
  // The long explanation (docs/diagnostics/CODE.md, embedded at build time);
  // the registry's one-line summary for a code that has none yet.
  llvm::StringRef text = explanation(info->code);
  if (text.empty()) {
    out << fmt::format("{} ({}, {}): {}\n", info->code.str(), info->name.str(),
                       severityName(info->severity).str(), info->summary.str());
    return kExitOk;
  }
  out << text;
  if (!text.endswith("\n"))
    out << "\n";
  return kExitOk;
}

// `platc diff`: the base is a folder when one of that name exists, else a
// git revision of the repository that holds the workspace.
int runDiff(const Options &opts, llvm::raw_ostream &out, llvm::raw_ostream &err, bool tty) {
  if (opts.positional.size() > 1) {
    err << "error: `platc diff` takes one folder\n";
    return kExitUsage;
  }
  if (opts.base.empty()) {
    err << "error: `platc diff` needs `--base REV` (a git revision) or `--base DIR` (another checkout)\n";
    return kExitUsage;
  }
  std::string dir = opts.positional.empty() ? "." : opts.positional[0];
  std::error_code ec;
  bool baseIsFolder = fs::is_directory(opts.base, ec);
  review::Side base, head;
  std::string root, top, prefix;
  if (!baseIsFolder || !opts.head.empty()) {
    if (std::string why = review::locateInRepository(dir, root, top, prefix); !why.empty()) {
      err << "error: " << escapeForTerminal(why) << "\n";
      return kExitUsage;
    }
  }
  if (baseIsFolder) {
    base.label = opts.base;
    review::loadFromFolder(opts.base, base);
  } else {
    base.label = opts.base;
    review::loadFromGit(top, opts.base, prefix, base);
  }
  if (opts.head.empty()) {
    head.label = "work tree";
    review::loadFromFolder(dir, head);
  } else {
    head.label = opts.head;
    review::loadFromGit(top, opts.head, prefix, head);
  }
  // Either side's problems, said with the side they belong to.
  int status = kExitOk;
  Options textOpts = opts;
  textOpts.format = DiagFormat::Text;
  for (review::Side *side : {&base, &head}) {
    const char *which = side == &base ? "base" : "head";
    if (!side->loadError.empty()) {
      err << fmt::format("error: the {} `{}` cannot be read: {}\n", which, escapeForTerminal(side->label),
                         escapeForTerminal(side->loadError));
      status = kExitUsage;
      continue;
    }
    if (!side->ok()) {
      err << fmt::format("error: the {} `{}` has errors (run `platc check` on it):\n", which,
                         escapeForTerminal(side->label));
      emit(textOpts, out, err, tty, side->workspace->sources(), side->diags, side->workspace->root());
      status = std::max(status, static_cast<int>(kExitErrors));
    }
  }
  if (status != kExitOk)
    return status;
  if (!opts.env.empty() && !head.program->env(opts.env) && !base.program->env(opts.env)) {
    err << fmt::format("error: no environment named `{}`\n", escapeForTerminal(opts.env));
    return kExitUsage;
  }
  review::CompareOptions co;
  co.files = opts.files;
  co.env = opts.env;
  review::Report report = review::compare(base, head, co);
  if (opts.formatName == "markdown")
    out << review::renderMarkdown(report, opts.files);
  else if (opts.formatName == "json")
    out << review::renderJson(report, opts.files);
  else
    out << review::renderText(report, opts.files);
  return report.flags.empty() ? kExitOk : kExitRisk;
}

} // namespace

int runDriver(const std::vector<std::string> &args, llvm::raw_ostream &out, llvm::raw_ostream &err,
              bool errIsTerminal) {
  Options opts;
  if (std::optional<std::string> problem = parseArgs(args, opts)) {
    err << "error: " << *problem << "\n\n" << kUsage;
    return kExitUsage;
  }
  if (opts.command.empty() || opts.command == "help") {
    (opts.command.empty() ? err : out) << kUsage;
    return opts.command.empty() ? kExitUsage : kExitOk;
  }
  if (opts.command == "version") {
    out << "platc " << PLAT_VERSION << "\n";
    return kExitOk;
  }
  if (std::optional<std::string> problem = checkCommandOptions(opts)) {
    err << "error: " << *problem << "\n(`platc --help` lists every command and option)\n";
    return kExitUsage;
  }
  if (opts.command == "check")
    return runCheck(opts, out, err, errIsTerminal);
  if (opts.command == "init")
    return runInit(opts, out, err);
  if (opts.command == "cost")
    return runCost(opts, out, err, errIsTerminal);
  if (opts.command == "graph")
    return runGraph(opts, out, err, errIsTerminal);
  if (opts.command == "build")
    return runBuild(opts, out, err, errIsTerminal);
  if (opts.command == "fmt")
    return runFmt(opts, out, err, errIsTerminal);
  if (opts.command == "diff")
    return runDiff(opts, out, err, errIsTerminal);
  if (opts.command == "evidence")
    return runEvidence(opts, out, err, errIsTerminal);
  if (opts.command == "fix")
    return runFix(opts, out, err, errIsTerminal);
  if (opts.command == "explain")
    return runExplain(opts, out, err);
  err << fmt::format("error: unknown command `{}`\n\n", opts.command) << kUsage;
  return kExitUsage;
}

} // namespace plat
