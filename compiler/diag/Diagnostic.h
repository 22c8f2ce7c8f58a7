// Diagnostics as plain data.
//
// A Diagnostic records what went wrong and where; rendering it as text, JSON
// or SARIF is the job of Render.h. Every diagnostic has a stable code from
// Codes.def. Wording: lowercase, no trailing period, names in backticks.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/Source.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

namespace plat {

enum class Severity : uint8_t { Error, Warning, Note };

enum class DiagId : uint16_t {
#define PLAT_DIAG(Id, Code, Sev, Name, Summary) Id,
#include "diag/Codes.def"
#undef PLAT_DIAG
  Count_
};

struct DiagInfo {
  DiagId id;
  llvm::StringRef code;
  Severity severity;
  llvm::StringRef name;
  llvm::StringRef summary;
};

const DiagInfo &diagInfo(DiagId id);
llvm::ArrayRef<DiagInfo> allDiagnostics();
const DiagInfo *findDiagnostic(llvm::StringRef codeOrName);
llvm::StringRef severityName(Severity severity);

// A secondary place that matters to the diagnostic ("opened here").
struct Label {
  Span span;
  std::string message;
};

// A note, optionally located ("`scorer` is trained on `transactions`").
struct Note {
  std::optional<Span> span;
  std::string message;
};

// One textual replacement: `span` becomes `replacement`.
struct Edit {
  Span span;
  std::string replacement;
};

// A machine-applicable fix: a short description and its edits.
//
// `safe` means applying it cannot change what any name refers to or what is
// deployed (removing an import nothing uses); `platc fix` applies only safe
// fixes. A fix that picks a different name ("did you mean"), inserts a
// placeholder value or changes a setting is offered but not safe.
struct Fix {
  std::string description;
  std::vector<Edit> edits;
  bool safe = false;
};

// Which part of the pipeline found a problem: what a file says on its own
// (syntax, names, types, values), or what the whole dependency graph shows
// (cross-persona checks, target limits, governance). After an edit, an
// editor shows the first kind for the edited file as soon as it is resolved,
// before the graph stages finish (pipeline::edit's `early`).
enum class Stage : uint8_t { File, Graph };

struct Diagnostic {
  DiagId id;
  Severity severity;
  Span span; // may be invalid for diagnostics about no particular place
  std::string message;
  std::vector<Label> labels;
  std::vector<Note> notes;
  std::optional<std::string> help;
  std::vector<Fix> fixes;
  Stage stage = Stage::File;

  const DiagInfo &info() const { return diagInfo(id); }

  // Builder helpers, so emitting sites read as one expression.
  Diagnostic &label(Span where, std::string text) {
    labels.push_back({where, std::move(text)});
    return *this;
  }
  Diagnostic &note(std::string text) {
    notes.push_back({std::nullopt, std::move(text)});
    return *this;
  }
  Diagnostic &note(Span where, std::string text) {
    notes.push_back({where, std::move(text)});
    return *this;
  }
  Diagnostic &withHelp(std::string text) {
    help = std::move(text);
    return *this;
  }
  // An unsafe fix (the default): offered to people and editors, never
  // applied by `platc fix`.
  Diagnostic &fix(std::string description, Span where, std::string replacement) {
    fixes.push_back({std::move(description), {{where, std::move(replacement)}}, false});
    return *this;
  }
  // A fix that cannot change what any name refers to or what is deployed.
  Diagnostic &safeFix(std::string description, Span where, std::string replacement) {
    fixes.push_back({std::move(description), {{where, std::move(replacement)}}, true});
    return *this;
  }
};

// Collects diagnostics. Not thread-safe: give each worker its own and merge.
class Diagnostics {
public:
  Diagnostic &report(DiagId id, Span span, std::string message);
  void append(Diagnostics &&other);

  const std::vector<Diagnostic> &all() const { return diags_; }
  std::vector<Diagnostic> &all() { return diags_; }
  size_t errorCount() const;
  size_t warningCount() const;
  bool hasErrors() const { return errorCount() > 0; }
  bool empty() const { return diags_.empty(); }

  // Orders diagnostics by file, position and code so that output never
  // depends on the order files were read or checked in.
  void sort(const SourceManager &sources);

private:
  std::vector<Diagnostic> diags_;
};

} // namespace plat
