#include "diag/Render.h"

#include <algorithm>
#include <filesystem>

#include "base/Text.h"
#include "fmt/format.h"
#include "nlohmann/json.hpp"

namespace plat {

using ordered_json = nlohmann::ordered_json;

namespace {

const char *kReset = "\x1b[0m";
const char *kBold = "\x1b[1m";
const char *kRed = "\x1b[1;31m";
const char *kYellow = "\x1b[1;33m";
const char *kBlue = "\x1b[1;34m";
const char *kCyan = "\x1b[1;36m";

} // namespace

std::string escapeForTerminal(llvm::StringRef text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    auto b = static_cast<unsigned char>(text[i]);
    if (b < 0x80) {
      if (b == '\n')
        out += "\\n";
      else if (b == '\r')
        out += "\\r";
      else if ((b < 0x20 && b != '\t') || b == 0x7f)
        out += fmt::format("\\u{{{:x}}}", b);
      else
        out += static_cast<char>(b);
      ++i;
      continue;
    }
    // A multi-byte sequence: decode it to decide, copy it when harmless.
    size_t len = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
    uint32_t cp = len == 4 ? b & 0x07u : len == 3 ? b & 0x0Fu : b & 0x1Fu;
    bool valid = len > 1 && i + len <= text.size();
    for (size_t k = 1; valid && k < len; ++k) {
      auto c = static_cast<unsigned char>(text[i + k]);
      valid = (c & 0xC0) == 0x80;
      cp = (cp << 6) | (c & 0x3Fu);
    }
    if (!valid) {
      out += fmt::format("\\x{{{:02x}}}", b);
      ++i;
      continue;
    }
    bool unsafe = (cp >= 0x80 && cp <= 0x9F) || cp == 0x061C || cp == 0x200E || cp == 0x200F ||
                  (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
    if (unsafe)
      out += fmt::format("\\u{{{:x}}}", cp);
    else
      out.append(text.data() + i, len);
    i += len;
  }
  return out;
}

namespace {

struct Painter {
  bool on;
  std::string operator()(const char *code, llvm::StringRef text) const {
    if (!on)
      return text.str();
    return std::string(code) + text.str() + kReset;
  }
};

std::string location(const SourceManager &sources, Span span) {
  const SourceFile &file = sources.file(span.file);
  LineCol lc = file.lineCol(span.begin);
  return fmt::format("{}:{}:{}", escapeForTerminal(file.path()), lc.line, lc.column);
}

// A source line as the terminal shows it: tabs expanded so carets line up,
// and control characters escaped (escapeForTerminal).
std::string displayLine(llvm::StringRef line) {
  std::string out;
  for (char c : line)
    out += c == '\t' ? std::string("    ") : std::string(1, c);
  return escapeForTerminal(out);
}

// Columns the start of a line takes once displayed.
size_t displayWidth(llvm::StringRef text) {
  std::string shown = displayLine(text);
  size_t width = 0;
  for (char c : shown)
    width += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return width;
}

// The source line of `span` with a run of `marker` under it, and `message`
// after the markers.
void snippet(llvm::raw_ostream &out, const SourceManager &sources, Span span, char marker,
             llvm::StringRef message, const char *color, const Painter &paint, size_t gutter) {
  const SourceFile &file = sources.file(span.file);
  if (file.text().empty())
    return;
  LineCol lc = file.lineCol(span.begin);
  llvm::StringRef line = file.lineText(lc.line);
  uint32_t lineStart = file.lineStart(lc.line);
  size_t startCol = displayWidth(line.substr(0, span.begin - lineStart));
  uint32_t lineEnd = lineStart + static_cast<uint32_t>(line.size());
  uint32_t end = std::min(span.end, lineEnd);
  size_t width = end > span.begin ? displayWidth(line.substr(span.begin - lineStart, end - span.begin))
                                  : 1;
  std::string pad(gutter, ' ');
  std::string num = fmt::format("{:>{}}", lc.line, gutter);
  out << paint(kBlue, num + " |") << " " << displayLine(line) << "\n";
  out << paint(kBlue, pad + " |") << " " << std::string(startCol, ' ')
      << paint(color, std::string(std::max<size_t>(width, 1), marker) +
                          (message.empty() ? "" : " " + escapeForTerminal(message)))
      << "\n";
}

} // namespace

void renderText(llvm::raw_ostream &out, const SourceManager &sources, const Diagnostics &diags,
                const RenderOptions &options) {
  Painter paint{options.color};
  for (const Diagnostic &d : diags.all()) {
    const char *color = d.severity == Severity::Error ? kRed : kYellow;
    out << paint(color, fmt::format("{}[{}]", severityName(d.severity).str(), d.info().code.str()))
        << paint(kBold, ": " + escapeForTerminal(d.message)) << "\n";
    size_t gutter = 1;
    auto widen = [&](Span s) {
      if (s.valid())
        gutter = std::max(gutter, std::to_string(sources.lineCol(s).line).size());
    };
    widen(d.span);
    for (const Label &l : d.labels)
      widen(l.span);
    std::string pad(gutter, ' ');
    if (d.span.valid()) {
      out << pad << paint(kBlue, "--> ") << location(sources, d.span) << "\n";
      // An empty file has no line to show under the location.
      if (!sources.file(d.span.file).text().empty())
        out << paint(kBlue, pad + " |") << "\n";
      snippet(out, sources, d.span, '^', "", color, paint, gutter);
      for (const Label &l : d.labels) {
        if (!l.span.valid())
          continue;
        if (l.span.file != d.span.file)
          out << pad << paint(kBlue, "::: ") << location(sources, l.span) << "\n";
        snippet(out, sources, l.span, '-', l.message, kBlue, paint, gutter);
      }
    }
    for (const Note &n : d.notes) {
      out << pad << paint(kBlue, " = ") << paint(kBold, "note") << ": " << escapeForTerminal(n.message);
      if (n.span && n.span->valid())
        out << " (" << location(sources, *n.span) << ")";
      out << "\n";
    }
    if (d.help)
      out << pad << paint(kBlue, " = ") << paint(kCyan, "help") << ": " << escapeForTerminal(*d.help) << "\n";
    out << "\n";
  }
}

std::string summaryLine(const Diagnostics &diags) {
  size_t errors = diags.errorCount(), warnings = diags.warningCount();
  auto plural = [](size_t n, const char *word) {
    return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
  };
  return plural(errors, "error") + ", " + plural(warnings, "warning");
}

static ordered_json jsonSpan(const SourceManager &sources, Span span) {
  const SourceFile &file = sources.file(span.file);
  LineCol begin = file.lineCol(span.begin);
  LineCol end = file.lineCol(span.end);
  ordered_json j;
  j["file"] = file.path();
  j["line"] = begin.line;
  j["column"] = begin.column;
  j["end_line"] = end.line;
  j["end_column"] = end.column;
  j["byte_offset"] = span.begin;
  j["byte_length"] = span.size();
  return j;
}

void renderJson(llvm::raw_ostream &out, const SourceManager &sources, const Diagnostics &diags) {
  for (const Diagnostic &d : diags.all()) {
    ordered_json j;
    j["code"] = d.info().code.str();
    j["name"] = d.info().name.str();
    j["severity"] = severityName(d.severity).str();
    j["message"] = d.message;
    j["span"] = d.span.valid() ? jsonSpan(sources, d.span) : ordered_json(nullptr);
    ordered_json labels = ordered_json::array();
    for (const Label &l : d.labels)
      if (l.span.valid())
        labels.push_back({{"span", jsonSpan(sources, l.span)}, {"message", l.message}});
    j["labels"] = labels;
    ordered_json notes = ordered_json::array();
    for (const Note &n : d.notes) {
      ordered_json note;
      note["message"] = n.message;
      note["span"] = n.span && n.span->valid() ? jsonSpan(sources, *n.span) : ordered_json(nullptr);
      notes.push_back(note);
    }
    j["notes"] = notes;
    j["help"] = d.help ? ordered_json(*d.help) : ordered_json(nullptr);
    ordered_json fixes = ordered_json::array();
    for (const Fix &f : d.fixes) {
      ordered_json edits = ordered_json::array();
      for (const Edit &e : f.edits)
        edits.push_back({{"span", jsonSpan(sources, e.span)}, {"replacement", e.replacement}});
      fixes.push_back({{"description", f.description}, {"safe", f.safe}, {"edits", edits}});
    }
    j["fixes"] = fixes;
    out << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  }
}

static ordered_json sarifRegion(const SourceManager &sources, Span span) {
  const SourceFile &file = sources.file(span.file);
  // SARIF counts columns in UTF-16 code units by default, 1-based.
  auto [line, col] = file.utf16Position(span.begin);
  auto [endLine, endCol] = file.utf16Position(span.end);
  ordered_json region;
  region["startLine"] = line + 1;
  region["startColumn"] = col + 1;
  region["endLine"] = endLine + 1;
  region["endColumn"] = endCol + 1;
  region["charOffset"] = span.begin;
  region["charLength"] = span.size();
  return region;
}

// Code scanning resolves SARIF locations against the repository, so when the
// workspace lies in a git work tree (a `.git` folder or file in it or a folder
// above), %SRCROOT% is the work tree's top and every path is prefixed with
// the workspace's folder in it (`platform/teams.plat`). Files of the
// embedded standard library keep their `<std>/` paths.
struct SarifPaths {
  std::string rootUri;
  std::string prefix; // "" or "sub/folder/"
  std::string uri(llvm::StringRef path) const {
    return path.startswith("<std>/") ? path.str() : prefix + path.str();
  }
};

static SarifPaths sarifPaths(const std::string &root) {
  namespace fs = std::filesystem;
  SarifPaths p;
  std::string top = root;
  std::error_code ec;
  if (!root.empty() && fs::path(root).is_absolute()) {
    fs::path at = fs::path(root).lexically_normal();
    for (fs::path dir = at;; dir = dir.parent_path()) {
      if (fs::exists(dir / ".git", ec)) {
        fs::path rel = at.lexically_relative(dir);
        if (!rel.empty() && rel != ".")
          p.prefix = rel.generic_string() + "/";
        top = dir.string();
        break;
      }
      if (dir == dir.parent_path())
        break;
    }
  }
  p.rootUri = top.empty() ? std::string("file:///") : "file://" + top;
  if (p.rootUri.back() != '/')
    p.rootUri += '/';
  return p;
}

static ordered_json sarifLocation(const SourceManager &sources, const SarifPaths &paths, Span span,
                                  const std::string *message = nullptr) {
  ordered_json loc;
  loc["physicalLocation"] = {
      {"artifactLocation", {{"uri", paths.uri(sources.file(span.file).path())}, {"uriBaseId", "%SRCROOT%"}}},
      {"region", sarifRegion(sources, span)}};
  if (message)
    loc["message"] = {{"text", *message}};
  return loc;
}

void renderSarif(llvm::raw_ostream &out, const SourceManager &sources, const Diagnostics &diags,
                 const RenderOptions &options) {
  SarifPaths paths = sarifPaths(options.root);
  ordered_json rules = ordered_json::array();
  for (const DiagInfo &info : allDiagnostics()) {
    ordered_json rule;
    rule["id"] = info.code.str();
    rule["name"] = info.name.str();
    rule["shortDescription"] = {{"text", info.summary.str()}};
    rule["helpUri"] = fmt::format("https://plat.dev/docs/diagnostics#{}", info.code.str());
    rule["defaultConfiguration"] = {
        {"level", info.severity == Severity::Error ? "error" : "warning"}};
    rules.push_back(rule);
  }
  ordered_json results = ordered_json::array();
  for (const Diagnostic &d : diags.all()) {
    ordered_json r;
    r["ruleId"] = d.info().code.str();
    r["ruleIndex"] = static_cast<size_t>(d.id);
    r["level"] = d.severity == Severity::Error     ? "error"
                 : d.severity == Severity::Warning ? "warning"
                                                   : "note";
    std::string text = d.message;
    if (d.help)
      text += "\nhelp: " + *d.help;
    r["message"] = {{"text", text}};
    if (d.span.valid())
      r["locations"] = ordered_json::array({sarifLocation(sources, paths, d.span)});
    ordered_json related = ordered_json::array();
    int relatedId = 1;
    for (const Label &l : d.labels)
      if (l.span.valid()) {
        ordered_json loc = sarifLocation(sources, paths, l.span, &l.message);
        loc["id"] = relatedId++;
        related.push_back(loc);
      }
    for (const Note &n : d.notes)
      if (n.span && n.span->valid()) {
        ordered_json loc = sarifLocation(sources, paths, *n.span, &n.message);
        loc["id"] = relatedId++;
        related.push_back(loc);
      }
    if (!related.empty())
      r["relatedLocations"] = related;
    ordered_json fixes = ordered_json::array();
    for (const Fix &f : d.fixes) {
      if (f.edits.empty())
        continue;
      // One artifactChange per file, in first-edit order.
      ordered_json changes = ordered_json::array();
      std::vector<FileId> order;
      for (const Edit &e : f.edits)
        if (std::find(order.begin(), order.end(), e.span.file) == order.end())
          order.push_back(e.span.file);
      for (FileId file : order) {
        ordered_json replacements = ordered_json::array();
        for (const Edit &e : f.edits)
          if (e.span.file == file)
            replacements.push_back({{"deletedRegion", sarifRegion(sources, e.span)},
                                    {"insertedContent", {{"text", e.replacement}}}});
        changes.push_back({{"artifactLocation",
                            {{"uri", paths.uri(sources.file(file).path())}, {"uriBaseId", "%SRCROOT%"}}},
                           {"replacements", replacements}});
      }
      fixes.push_back({{"description", {{"text", f.description}}},
                       {"artifactChanges", changes},
                       {"properties", {{"safe", f.safe}}}});
    }
    if (!fixes.empty())
      r["fixes"] = fixes;
    results.push_back(r);
  }
  const std::string &rootUri = paths.rootUri;
  ordered_json log;
  log["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json";
  log["version"] = "2.1.0";
  log["runs"] = ordered_json::array(
      {{{"tool",
         {{"driver",
           {{"name", "platc"},
            {"version", PLAT_VERSION},
            {"informationUri", "https://plat.dev"},
            {"rules", rules}}}}},
        {"originalUriBaseIds", {{"%SRCROOT%", {{"uri", rootUri}}}}},
        {"columnKind", "utf16CodeUnits"},
        {"results", results}}});
  out << log.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

void render(DiagFormat format, llvm::raw_ostream &out, const SourceManager &sources,
            const Diagnostics &diags, const RenderOptions &options) {
  switch (format) {
  case DiagFormat::Text:
    renderText(out, sources, diags, options);
    return;
  case DiagFormat::Json:
    renderJson(out, sources, diags);
    return;
  case DiagFormat::Sarif:
    renderSarif(out, sources, diags, options);
    return;
  }
}

} // namespace plat
