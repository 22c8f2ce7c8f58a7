// Escape hatches pass through the same checks as everything else: a
// `patch` key must name an object the declaration generates (P0322, with a
// suggestion), and no entry may change a value another part of the
// language governs (P0515). The table of targets and governed values is
// sema/PatchTargets.h, which the backends read too.
#include <set>

#include "base/Text.h"
#include "fmt/format.h"
#include "governance/Governance.h"
#include "sema/PatchTargets.h"
#include "llvm/ADT/StringExtras.h"

namespace plat::governance {
namespace {

using sema::Value;
namespace fields = sema::fields;

class PatchChecker {
public:
  PatchChecker(const sema::Decl &decl, const sema::EnvModel &env,
               std::set<std::pair<uint32_t, uint32_t>> &reported, Diagnostics &diags)
      : decl_(decl), env_(env), reported_(reported), diags_(diags) {}

  void check(const Value &patch) {
    for (const sema::NamedValue &entry : patch.fields) {
      Span at = entry.keySpan.valid() ? entry.keySpan : (entry.value ? entry.value->span : decl_.nameSpan);
      const sema::PatchTarget *target = sema::findPatchTarget(decl_.kindId, entry.name);
      if (!target) {
        if (once(at))
          unknownKey(entry.name, at);
        continue;
      }
      if (!entry.value || entry.value->kind != Value::Kind::Record) {
        if (once(at))
          diags_
              .report(DiagId::UnknownPatchKey, at,
                      fmt::format("the patch of `{}` for `{}` is not a record of fields to merge", decl_.name,
                                  entry.name))
              .withHelp(fmt::format("write `{} = {{ field = value }}`", entry.name));
        continue;
      }
      walk(*target, *entry.value, "");
      if (std::string why = absent(*target); !why.empty() && once(Span{at.file, at.begin + 1, at.end}))
        diags_
            .report(DiagId::PatchTargetAbsent, at,
                    fmt::format("the patch of `{}` for `{}` merges into nothing in `{}`: {}", decl_.name,
                                entry.name, env_.name, why))
            .withHelp("remove the entry, or declare what makes the object exist");
    }
  }

private:
  const sema::Decl &decl_;
  const sema::EnvModel &env_;

  // Why the object `target` names is not generated for the declaration in
  // this environment, for the clear cases (a field it needs is not set);
  // empty when it is, or when only the backend can tell.
  std::string absent(const sema::PatchTarget &target) const {
    llvm::StringRef o = target.object;
    const Value *serve = env_.get(decl_.id, fields::model::serve);
    auto rangeOf = [](const Value *v) -> std::pair<int64_t, int64_t> {
      if (v && v->kind == Value::Kind::Range && v->items.size() == 2 && v->items[0] && v->items[1])
        return {v->items[0]->integer, v->items[1]->integer};
      if (v && v->kind == Value::Kind::Int)
        return {v->integer, v->integer};
      return {1, 1};
    };
    if (decl_.kindId == sema::DeclKind::Model) {
      if (o == "create-training-job" && !env_.get(decl_.id, fields::model::train))
        return "the model has no `train`";
      if (o == "create-model-package" && !env_.get(decl_.id, fields::model::approval))
        return "the model has no `approval`, so no model package is registered";
      bool needsServe = o == "create-model" || o == "create-endpoint-config" || o == "create-endpoint" ||
                        o == "update-endpoint" || o == "register-scalable-target" || o == "put-scaling-policy";
      if (needsServe && !serve)
        return "the model has no `serve`";
      if (serve && (o == "register-scalable-target" || o == "put-scaling-policy")) {
        const Value *serverless = serve->field(sema::records::serving::serverless);
        if (serverless && serverless->boolean)
          return "a serverless endpoint is not autoscaled by instance count";
        auto [min, max] = rangeOf(serve->field(sema::records::serving::replicas));
        if (min >= max)
          return fmt::format("`serve.replicas` is fixed ({}), so the endpoint is not autoscaled", min);
      }
      return "";
    }
    if (o == "Service" && !env_.get(decl_.id, fields::service::port))
      return "the service has no `port`, so no Service object";
    if (o == "HorizontalPodAutoscaler") {
      auto [min, max] = rangeOf(env_.get(decl_.id, fields::service::replicas));
      if (min >= max)
        return fmt::format("`replicas` is fixed ({}), so there is no autoscaler", min);
    }
    if (o == "ConfigMap") {
      const Value *config = env_.get(decl_.id, fields::service::config);
      if (!config || config->fields.empty())
        return "the service has no `config`, so no ConfigMap";
    }
    return "";
  }
  std::set<std::pair<uint32_t, uint32_t>> &reported_;
  Diagnostics &diags_;

  // Each place is reported once, whichever environments it is seen in.
  bool once(Span at) { return reported_.insert({at.file.index, at.begin}).second; }

  void unknownKey(const std::string &key, Span at) {
    std::vector<std::string> keys;
    for (const sema::PatchTarget &t : sema::patchTargets(decl_.kindId)) {
      keys.push_back(t.key.str());
      if (!t.alias.empty())
        keys.push_back(t.alias.str());
    }
    const char *what = decl_.kindId == sema::DeclKind::Service ? "Kubernetes object" : "SageMaker request";
    Diagnostic &d = diags_.report(DiagId::UnknownPatchKey, at,
                                  fmt::format("`{}` names no {} of `{}`: its patch would be dropped", key,
                                              what, decl_.name));
    if (auto s = closestMatch(key, keys)) {
      d.withHelp(fmt::format("did you mean `{}`?", *s)).fix(fmt::format("rename to `{}`", *s), at, *s);
      return;
    }
    std::vector<std::string> documented;
    for (const sema::PatchTarget &t : sema::patchTargets(decl_.kindId))
      documented.push_back(fmt::format("`{}`", t.key.str()));
    d.withHelp(fmt::format("a {} patch names one of {}", decl_.kindId == sema::DeclKind::Service ? "service's" : "model's",
                           llvm::join(documented, ", ")));
  }

  void walk(const sema::PatchTarget &target, const Value &record, const std::string &path) {
    for (const sema::NamedValue &f : record.fields) {
      std::string sub = path.empty() ? f.name : path + "." + f.name;
      if (f.value && f.value->kind == Value::Kind::Record && !f.value->fields.empty()) {
        walk(target, *f.value, sub);
        continue;
      }
      const sema::GovernedPath *g = sema::governedPath(decl_.kindId, target, sub);
      if (!g)
        continue;
      Span at = f.keySpan.valid() ? f.keySpan : (f.value ? f.value->span : decl_.nameSpan);
      if (!once(at))
        continue;
      diags_
          .report(DiagId::GovernedPatch, at,
                  fmt::format("the patch of `{}` changes {} (`{}` in `{}`), which a patch may not change",
                              decl_.name, g->what, sub, target.key.str()))
          .note(fmt::format("{}", g->instead))
          .withHelp("remove this entry; patches reach only what no field of the language decides");
    }
  }
};

} // namespace

void checkPatches(const sema::Program &program, const sema::EnvModel &env,
                  std::set<std::pair<uint32_t, uint32_t>> &reported, Diagnostics &diags) {
  for (const sema::Decl &decl : program.decls) {
    if (decl.fromStdlib || sema::patchTargets(decl.kindId).empty())
      continue;
    if (decl.id >= env.exists.size() || !env.exists[decl.id])
      continue;
    if (const Value *patch = env.get(decl.id, fields::any::patch); patch && patch->kind == Value::Kind::Record)
      PatchChecker(decl, env, reported, diags).check(*patch);
  }
}

} // namespace plat::governance
