#include "mcp/Server.h"

#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>

#include "diag/Render.h"
#include "driver/Driver.h"
#include "fmt/format.h"
#include "llvm/Support/raw_ostream.h"
#include "pipeline/Pipeline.h"
#include "sema/Program.h"
#include "workspace/Workspace.h"

namespace plat::mcp {
namespace {

using json = nlohmann::ordered_json;
namespace fs = std::filesystem;

// The protocol revisions this server speaks, newest first. The client's
// revision is answered with itself when it is one of these, else with the
// newest (the client then decides whether to go on).
const char *const kProtocolVersions[] = {"2025-06-18", "2025-03-26", "2024-11-05"};

// A tool failure reported to the agent (isError), not a protocol error.
struct ToolError {
  std::string message;
};

std::string stringArg(const json &args, const char *name, bool required) {
  auto it = args.find(name);
  if (it == args.end() || it->is_null()) {
    if (required)
      throw ToolError{fmt::format("missing argument `{}`", name)};
    return "";
  }
  if (!it->is_string())
    throw ToolError{fmt::format("argument `{}` must be a string", name)};
  return it->get<std::string>();
}

// JSON Lines (the `--format json` of platc) as an array.
json parseLines(const std::string &text) {
  json out = json::array();
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty())
      out.push_back(json::parse(line));
  return out;
}

// Runs a platc command in-process and captures what it prints.
struct Captured {
  int status;
  std::string out, err;
};
Captured runPlatc(std::vector<std::string> args) {
  args.push_back("--color");
  args.push_back("never");
  Captured c;
  llvm::raw_string_ostream out(c.out), err(c.err);
  c.status = runDriver(args, out, err, /*errIsTerminal=*/false);
  out.flush();
  err.flush();
  return c;
}

json diagnosticsResult(const json &diags) {
  size_t errors = 0, warnings = 0;
  for (const json &d : diags) {
    errors += d["severity"] == "error";
    warnings += d["severity"] == "warning";
  }
  return {{"diagnostics", diags}, {"errors", errors}, {"warnings", warnings}};
}

// check: the workspace that holds `dir`; with `file` and `text`, as if that
// file (a path relative to the workspace root, one of its `.plat` files)
// held `text`. Nothing is written.
json toolCheck(const json &args) {
  std::string dir = stringArg(args, "dir", true);
  std::string file = stringArg(args, "file", false);
  bool hasText = args.contains("text") && !args["text"].is_null();
  if (hasText != !file.empty())
    throw ToolError{"give both `file` and `text` (a proposed edit), or neither"};
  std::string text = hasText ? stringArg(args, "text", true) : "";
  Diagnostics diags;
  std::optional<Workspace> ws = Workspace::load(dir, diags);
  std::map<std::string, std::string> overlay;
  LoadOptions options;
  if (ws && hasText) {
    bool known = false;
    for (const LoadedFile &lf : ws->files())
      known |= !lf.fromStdlib && lf.relativePath == file;
    if (!known)
      throw ToolError{fmt::format("`{}` is not a .plat file of the workspace at `{}` (give the "
                                  "path relative to the workspace root)",
                                  file, ws->root())};
    overlay[(fs::path(ws->root()) / file).string()] = text;
    options.overlay = &overlay;
    diags = Diagnostics();
    ws = Workspace::load(dir, diags, options);
  }
  std::string lines;
  llvm::raw_string_ostream out(lines);
  if (ws) {
    std::unique_ptr<sema::Program> program = pipeline::check(*ws, diags);
    diags.sort(ws->sources());
    renderJson(out, ws->sources(), diags);
  } else {
    SourceManager none;
    renderJson(out, none, diags);
  }
  out.flush();
  json result = diagnosticsResult(parseLines(lines));
  result["root"] = ws ? json(ws->root()) : json(nullptr);
  return result;
}

json toolExplain(const json &args) {
  std::string code = stringArg(args, "code", true);
  Captured c = runPlatc({"explain", code});
  if (c.status != 0)
    throw ToolError{c.err};
  return {{"code", code}, {"text", c.out}};
}

// fix: `platc fix`, a dry run unless `dry_run` is false.
json toolFix(const json &args) {
  std::string dir = stringArg(args, "dir", true);
  std::string code = stringArg(args, "code", false);
  bool dryRun = true;
  if (args.contains("dry_run")) {
    if (!args["dry_run"].is_boolean())
      throw ToolError{"argument `dry_run` must be true or false"};
    dryRun = args["dry_run"].get<bool>();
  }
  std::vector<std::string> argv = {"fix", dir, "--format", "json"};
  if (dryRun)
    argv.push_back("--dry-run");
  if (!code.empty()) {
    argv.push_back("--code");
    argv.push_back(code);
  }
  Captured c = runPlatc(argv);
  if (c.status == 2)
    throw ToolError{c.err};
  json applied = json::array();
  std::istringstream in(c.err);
  for (std::string line; std::getline(in, line);)
    if (line.rfind("fixed ", 0) == 0 || line.rfind("would fix ", 0) == 0)
      applied.push_back(line.substr(line.find(' ', line.rfind("would ", 0) == 0 ? 6 : 0) + 1));
  json result = {{"dry_run", dryRun}, {"applied", applied}};
  if (dryRun)
    result["diff"] = c.out;
  else
    result.update(diagnosticsResult(parseLines(c.out)));
  result["errors_left"] = c.status == 1;
  return result;
}

json toolGraph(const json &args) {
  std::vector<std::string> argv = {"graph", stringArg(args, "dir", true), "--format", "json"};
  if (std::string focus = stringArg(args, "focus", false); !focus.empty())
    argv.insert(argv.end(), {"--focus", focus});
  if (std::string env = stringArg(args, "env", false); !env.empty())
    argv.insert(argv.end(), {"--env", env});
  if (args.contains("depth")) {
    if (!args["depth"].is_number_unsigned())
      throw ToolError{"argument `depth` must be a whole number"};
    argv.insert(argv.end(), {"--depth", std::to_string(args["depth"].get<unsigned>())});
  }
  Captured c = runPlatc(argv);
  if (c.status != 0)
    throw ToolError{c.err};
  return {{"graph", json::parse(c.out)}};
}

json toolCost(const json &args) {
  std::vector<std::string> argv = {"cost", stringArg(args, "dir", true), "--format", "json"};
  if (std::string env = stringArg(args, "env", false); !env.empty())
    argv.insert(argv.end(), {"--env", env});
  Captured c = runPlatc(argv);
  if (c.status != 0)
    throw ToolError{c.err};
  return {{"cost", json::parse(c.out)}};
}

// `platc evidence --format json`: a failed rule (exit 1) is a result, not an
// error; a usage error (exit 2) or a workspace that cannot be reported on
// (exit 1, nothing printed) is.
json toolEvidence(const json &args) {
  std::vector<std::string> argv = {"evidence", stringArg(args, "dir", true), "--profile",
                                   stringArg(args, "profile", true), "--format", "json"};
  if (std::string env = stringArg(args, "env", false); !env.empty())
    argv.insert(argv.end(), {"--env", env});
  Captured c = runPlatc(argv);
  if (c.status == 2 || c.out.empty())
    throw ToolError{c.err};
  return {{"evidence", json::parse(c.out)}};
}

struct Tool {
  const char *name;
  const char *description;
  json inputSchema;
  json (*call)(const json &args);
};

json dirProperty() {
  return {{"type", "string"},
          {"description", "a folder of the workspace (the one with workspace.plat, or below it)"}};
}

const std::vector<Tool> &tools() {
  static const std::vector<Tool> list = {
      {"check",
       "Check a Plat workspace and return its diagnostics (the objects of `platc check --format "
       "json`, with fixes). With `file` and `text`, check it as if that file held `text`: a "
       "proposed edit, checked in memory, nothing written.",
       {{"type", "object"},
        {"properties",
         {{"dir", dirProperty()},
          {"file", {{"type", "string"}, {"description", "a .plat file, relative to the root"}}},
          {"text", {{"type", "string"}, {"description", "the proposed text of `file`"}}}}},
        {"required", {"dir"}}},
       toolCheck},
      {"explain",
       "Explain a diagnostic code (P0302): what it means, an example and how to fix it.",
       {{"type", "object"},
        {"properties", {{"code", {{"type", "string"}}}}},
        {"required", {"code"}}},
       toolExplain},
      {"fix",
       "Apply the safe fixes of the workspace's diagnostics (`platc fix`). A dry run by default: "
       "returns the unified diff and writes nothing; with dry_run false it writes the files.",
       {{"type", "object"},
        {"properties",
         {{"dir", dirProperty()},
          {"dry_run", {{"type", "boolean"}, {"default", true}}},
          {"code", {{"type", "string"}, {"description", "only this code's fixes"}}}}},
        {"required", {"dir"}}},
       toolFix},
      {"graph",
       "The dependency graph of one environment (`platc graph --format json`), or the part "
       "within `depth` edges of the declaration `focus`.",
       {{"type", "object"},
        {"properties",
         {{"dir", dirProperty()},
          {"focus", {{"type", "string"}}},
          {"depth", {{"type", "integer"}, {"minimum", 0}}},
          {"env", {{"type", "string"}}}}},
        {"required", {"dir"}}},
       toolGraph},
      {"cost",
       "The estimated monthly cost per team and declaration (`platc cost --format json`).",
       {{"type", "object"},
        {"properties", {{"dir", dirProperty()}, {"env", {{"type", "string"}}}}},
        {"required", {"dir"}}},
       toolCost},
      {"evidence",
       "For an auditor: each rule of a compliance profile (pci, sox, hipaa, gdpr) with the "
       "declarations in scope, passed or failed, and the generated objects that implement it "
       "(`platc evidence --format json`).",
       {{"type", "object"},
        {"properties",
         {{"dir", dirProperty()},
          {"profile", {{"type", "string"}, {"description", "pci, sox, hipaa or gdpr"}}},
          {"env", {{"type", "string"}}}}},
        {"required", {"dir", "profile"}}},
       toolEvidence},
  };
  return list;
}

json error(const json &id, int code, const std::string &message) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}};
}

json callTool(const json &params) {
  if (!params.is_object() || !params.contains("name") || !params["name"].is_string())
    throw std::invalid_argument("tools/call needs a tool `name`");
  std::string name = params["name"];
  json args = params.value("arguments", json::object());
  if (!args.is_object())
    throw std::invalid_argument("`arguments` must be an object");
  for (const Tool &t : tools()) {
    if (name != t.name)
      continue;
    try {
      json result = t.call(args);
      return {{"content", {{{"type", "text"}, {"text", result.dump()}}}},
              {"structuredContent", result},
              {"isError", false}};
    } catch (const ToolError &e) {
      return {{"content", {{{"type", "text"}, {"text", e.message}}}}, {"isError", true}};
    }
  }
  throw std::invalid_argument(fmt::format("no tool `{}`", name));
}

} // namespace

json handle(const json &message) {
  if (!message.is_object() || message.value("jsonrpc", "") != "2.0" ||
      !message.contains("method") || !message["method"].is_string())
    return error(message.is_object() && message.contains("id") ? message["id"] : json(nullptr),
                 -32600, "not a JSON-RPC 2.0 request");
  bool notification = !message.contains("id");
  json id = notification ? json(nullptr) : message["id"];
  std::string method = message["method"];
  json params = message.value("params", json::object());
  if (notification)
    return nullptr; // notifications/initialized, cancelled: nothing to answer
  try {
    json result;
    if (method == "initialize") {
      std::string wanted = params.is_object() ? params.value("protocolVersion", "") : "";
      std::string version = kProtocolVersions[0];
      for (const char *v : kProtocolVersions)
        if (wanted == v)
          version = v;
      result = {{"protocolVersion", version},
                {"capabilities", {{"tools", {{"listChanged", false}}}}},
                {"serverInfo", {{"name", "platc"}, {"version", PLAT_VERSION}}},
                {"instructions",
                 "Tools for Plat workspaces. Diagnostics are the objects of `platc check --format "
                 "json`; a fix with `safe: true` cannot change what a name refers to or what is "
                 "deployed. `platc explain CODE` (the explain tool) says how to fix a code."}};
    } else if (method == "ping") {
      result = json::object();
    } else if (method == "tools/list") {
      json list = json::array();
      for (const Tool &t : tools())
        list.push_back(
            {{"name", t.name}, {"description", t.description}, {"inputSchema", t.inputSchema}});
      result = {{"tools", list}};
    } else if (method == "tools/call") {
      result = callTool(params);
    } else {
      return error(id, -32601, fmt::format("method `{}` not found", method));
    }
    return {{"jsonrpc", "2.0"}, {"id", id}, {"result", result}};
  } catch (const std::invalid_argument &e) {
    return error(id, -32602, e.what());
  } catch (const std::exception &e) {
    return error(id, -32603, e.what());
  }
}

int run(std::istream &in, std::ostream &out) {
  std::string line;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos)
      continue;
    json response;
    try {
      response = handle(json::parse(line));
    } catch (const json::parse_error &) {
      response = error(nullptr, -32700, "parse error: not JSON");
    }
    if (!response.is_null())
      out << response.dump(-1, ' ', false, json::error_handler_t::replace) << "\n" << std::flush;
  }
  return 0;
}

int runStdio(const std::vector<std::string> &args) {
  if (!args.empty()) {
    std::cerr << "error: `platc mcp` takes no arguments (it speaks MCP on stdin/stdout)\n";
    return 2;
  }
  std::ios::sync_with_stdio(false);
  return run(std::cin, std::cout);
}

} // namespace plat::mcp
