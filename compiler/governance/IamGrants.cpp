// Explicit IAM widening (P0516). Roles are derived from the graph with no
// wildcard; a declaration that needs more says so in `iam_allow`, and every
// such grant is a warning, so it is seen in CI and in review each time,
// never silently part of the baseline (docs/backends/iam.md).
#include <set>

#include "fmt/format.h"
#include "governance/Governance.h"
#include "llvm/ADT/StringExtras.h"
#include "sema/Formats.h"

namespace plat::governance {

void checkIamGrants(const sema::Program &program, const sema::EnvModel &env,
                    std::set<std::pair<uint32_t, uint32_t>> &reported, Diagnostics &diags) {
  for (const sema::Decl &decl : program.decls) {
    if (decl.fromStdlib || decl.id >= env.exists.size() || !env.exists[decl.id])
      continue;
    const sema::Value *grants = env.get(decl.id, sema::fields::any::iam_allow);
    if (!grants || grants->kind != sema::Value::Kind::List)
      continue;
    for (const sema::Value *g : grants->items) {
      if (!g || !reported.insert({g->span.file.index, g->span.begin}).second)
        continue;
      // A grant with a malformed action or resource, or no reason, is
      // already an error (P0308, P0319); a warning on top would only
      // follow from it.
      bool wellFormed = true;
      auto allValid = [&](const char *field, const char *format) {
        if (const sema::Value *list = g->field(field))
          for (const sema::Value *x : list->items)
            wellFormed &= sema::validFormat(format, x->text);
      };
      allValid("actions", "iam_action");
      allValid("resources", "iam_resource");
      const sema::Value *why = g->field(sema::records::iam_grant::reason);
      wellFormed &= why && sema::validFormat("nonblank", why->text);
      if (!wellFormed)
        continue;
      std::vector<std::string> actions, resources, wild;
      if (const sema::Value *a = g->field(sema::records::iam_grant::actions))
        for (const sema::Value *x : a->items) {
          actions.push_back(fmt::format("`{}`", x->text));
          if (llvm::StringRef(x->text).find_first_of("*?") != llvm::StringRef::npos)
            wild.push_back(fmt::format("`{}`", x->text));
        }
      if (const sema::Value *r = g->field(sema::records::iam_grant::resources))
        for (const sema::Value *x : r->items) {
          resources.push_back(fmt::format("`{}`", x->text));
          if (x->text.find('*') != std::string::npos)
            wild.push_back(fmt::format("`{}`", x->text));
        }
      Diagnostic &d = diags.report(
          DiagId::ExplicitIamWidening, g->span,
          fmt::format("`{}` widens its IAM role{} explicitly: {} on {}", decl.name,
                      decl.kindId == sema::DeclKind::Model ? "s" : "", llvm::join(actions, ", "),
                      llvm::join(resources, ", ")));
      if (!wild.empty())
        d.note(fmt::format("wildcards: {}", llvm::join(wild, ", ")));
      if (const sema::Value *reason = g->field(sema::records::iam_grant::reason); reason && !reason->text.empty())
        d.note(fmt::format("reason given: {}", reason->text));
      d.withHelp("this warning repeats on every build while the grant stays; grant through a "
                 "dependency (`reads`, `writes`, `calls`) where one exists, which is scoped exactly");
    }
  }
}

} // namespace plat::governance
