#include "diag/Diagnostic.h"

#include <algorithm>

namespace plat {

static const DiagInfo kInfos[] = {
#define PLAT_DIAG(Id, Code, Sev, Name, Summary)                                \
  DiagInfo{DiagId::Id, Code, Severity::Sev, Name, Summary},
#include "diag/Codes.def"
#undef PLAT_DIAG
};

const DiagInfo &diagInfo(DiagId id) { return kInfos[static_cast<size_t>(id)]; }

llvm::ArrayRef<DiagInfo> allDiagnostics() { return kInfos; }

const DiagInfo *findDiagnostic(llvm::StringRef codeOrName) {
  for (const DiagInfo &info : kInfos)
    if (info.code.equals_insensitive(codeOrName) || info.name == codeOrName)
      return &info;
  return nullptr;
}

llvm::StringRef severityName(Severity severity) {
  switch (severity) {
  case Severity::Error:
    return "error";
  case Severity::Warning:
    return "warning";
  case Severity::Note:
    return "note";
  }
  return "error";
}

Diagnostic &Diagnostics::report(DiagId id, Span span, std::string message) {
  diags_.push_back(Diagnostic{id, diagInfo(id).severity, span, std::move(message),
                              {}, {}, std::nullopt, {}, Stage::File});
  return diags_.back();
}

void Diagnostics::append(Diagnostics &&other) {
  diags_.insert(diags_.end(), std::make_move_iterator(other.diags_.begin()),
                std::make_move_iterator(other.diags_.end()));
  other.diags_.clear();
}

size_t Diagnostics::errorCount() const {
  return std::count_if(diags_.begin(), diags_.end(),
                       [](const Diagnostic &d) { return d.severity == Severity::Error; });
}

size_t Diagnostics::warningCount() const {
  return std::count_if(diags_.begin(), diags_.end(), [](const Diagnostic &d) {
    return d.severity == Severity::Warning;
  });
}

void Diagnostics::sort(const SourceManager &sources) {
  auto key = [&](const Diagnostic &d) {
    // Diagnostics without a place come first; then by path (not file id,
    // which depends on load order), offset, code and message.
    llvm::StringRef path = d.span.valid() ? llvm::StringRef(sources.file(d.span.file).path())
                                          : llvm::StringRef();
    return std::make_tuple(d.span.valid(), path, d.span.begin, d.span.end,
                           diagInfo(d.id).code, llvm::StringRef(d.message));
  };
  std::stable_sort(diags_.begin(), diags_.end(),
                   [&](const Diagnostic &a, const Diagnostic &b) { return key(a) < key(b); });
  diags_.erase(std::unique(diags_.begin(), diags_.end(),
                           [](const Diagnostic &a, const Diagnostic &b) {
                             return a.id == b.id && a.span == b.span && a.message == b.message;
                           }),
               diags_.end());
}

} // namespace plat
