// `platc check --dump-ir`: the typed IR as stable, readable text. Golden
// tests read it, so the layout changes only on purpose.

#include <cmath>

#include "fmt/format.h"
#include "sema/Program.h"
#include "sema/ValueText.h"

namespace plat::sema {

std::string dumpIr(const Program &program, const SourceManager &sources) {
  std::string out;
  for (const EnvModel &env : program.envs) {
    out += fmt::format("environment {} ({})\n", env.name, env.tier);
    for (const Decl &d : program.decls) {
      if (d.fromStdlib || d.kindId == DeclKind::Environment)
        continue;
      LineCol lc = sources.lineCol(d.nameSpan);
      out += fmt::format("  {} {}{} @ {}:{}:{}\n", d.kind, d.qualifiedName,
                         env.exists[d.id] ? "" : " (absent)", sources.file(d.nameSpan.file).path(),
                         lc.line, lc.column);
      if (!env.exists[d.id])
        continue;
      if (!d.templates.empty()) {
        std::string chain;
        for (const std::string &t : d.templates)
          chain += (chain.empty() ? "" : ", ") + t;
        out += fmt::format("    extends {}\n", chain);
      }
      for (const FieldValue &f : env.fields[d.id]) {
        if (!f.value)
          continue;
        out += fmt::format("    {} = {}  [{}]\n", f.def->name, valueText(program, *f.value),
                           originName(f.origin).str());
      }
    }
    out += "  edges\n";
    for (const Edge &e : env.edges)
      out += fmt::format("    {} -{}-> {}\n", program.decl(e.from).qualifiedName,
                         edgeName(e.kind).str(), program.decl(e.to).qualifiedName);
  }
  return out;
}

} // namespace plat::sema
