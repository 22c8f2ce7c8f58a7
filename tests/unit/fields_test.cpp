// The typed field keys of sema/Fields.def: every key binds to the stdlib
// platc embeds (a renamed or retyped stdlib field fails here, not in the
// output), a read by key is the read by name it replaces, and a key of one
// kind reads nothing from a declaration of another.

#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "pipeline/Pipeline.h"
#include "sema/Fields.h"
#include "sema/Program.h"
#include "workspace/Workspace.h"

using namespace plat;
using sema::DeclKind;

namespace {

std::unique_ptr<sema::Program> checkAcme() {
  Diagnostics diags;
  std::optional<Workspace> ws = Workspace::load(PLAT_SOURCE_DIR "/examples/acme", diags);
  REQUIRE(ws);
  static std::optional<Workspace> keep; // the program's spans point into it
  keep = std::move(ws);
  return pipeline::check(*keep, diags);
}

bool mentions(const std::vector<std::string> &problems, const std::string &text) {
  for (const std::string &p : problems)
    if (p.find(text) != std::string::npos)
      return true;
  return false;
}

} // namespace

TEST_CASE("every field key binds to the embedded stdlib with its type", "[sema][fields]") {
  std::unique_ptr<sema::Program> p = checkAcme();
  sema::FieldBinding binding;
  std::vector<std::string> problems = sema::bindFields(p->schema, binding);
  INFO((problems.empty() ? std::string() : problems.front()));
  CHECK(problems.empty());
  for (sema::FieldKey key : sema::allFieldKeys()) {
    const sema::FieldKeyInfo &info = sema::keyInfo(key);
    const sema::RecordDef *kind = p->schema.kind(info.kindName);
    INFO(info.kindName.str() << "." << info.name.str());
    REQUIRE(kind);
    size_t i = static_cast<size_t>(key.id);
    REQUIRE(binding.def[i]);
    CHECK(binding.def[i]->name == info.name.str());
    CHECK(&kind->fields[binding.slot[i]] == binding.def[i]);
    CHECK(sema::declKindName(info.kind) == info.kindName);
  }
  // Keywords are written with a trailing `_`; the key names the stdlib field.
  CHECK(sema::fieldName(sema::records::task::operator_) == "operator");
  CHECK(sema::fieldName(sema::fields::service::replicas) == "replicas");
  CHECK(sema::keyInfo(sema::fields::service::replicas).type == sema::TypeKind::Range);
}

TEST_CASE("every stdlib kind is a DeclKind and back", "[sema][fields]") {
  std::unique_ptr<sema::Program> p = checkAcme();
  std::set<std::string> names;
  for (const std::string &k : p->schema.kindNames()) {
    std::optional<DeclKind> kind = sema::declKindFromName(k);
    REQUIRE(kind);
    CHECK(sema::declKindName(*kind) == k);
    names.insert(k);
  }
  CHECK(names.size() == sema::kDeclKindCount);
  CHECK_FALSE(sema::declKindFromName("servce"));
}

TEST_CASE("a stdlib field renamed, retyped or removed fails the binding", "[sema][fields]") {
  std::unique_ptr<sema::Program> p = checkAcme();
  sema::FieldBinding binding;

  SECTION("renamed") {
    sema::Schema schema = p->schema;
    for (sema::FieldDef &f : schema.kinds.at("service").fields)
      if (f.name == "replicas")
        f.name = "replica_count";
    std::vector<std::string> problems = sema::bindFields(schema, binding);
    CHECK(mentions(problems, "`service.replicas`, which stdlib does not declare"));
    CHECK_FALSE(binding.def[static_cast<size_t>(sema::fields::service::replicas.id)]);
  }
  SECTION("retyped") {
    sema::Schema schema = p->schema;
    sema::Type text;
    text.kind = sema::TypeKind::String;
    for (sema::FieldDef &f : schema.kinds.at("service").fields)
      if (f.name == "port")
        f.type = &text;
    CHECK(mentions(sema::bindFields(schema, binding), "`service.port` another type"));
  }
  SECTION("a record type's field removed") {
    sema::Schema schema = p->schema;
    auto &fs = schema.records.at("serving").fields;
    fs.erase(
        std::remove_if(fs.begin(), fs.end(), [](const sema::FieldDef &f) { return f.name == "serverless"; }),
        fs.end());
    CHECK(mentions(sema::bindFields(schema, binding), "`serving.serverless`, which stdlib does not declare"));
  }
  SECTION("a kind Fields.def does not know") {
    sema::Schema schema = p->schema;
    schema.kinds["queue"] = sema::RecordDef{};
    CHECK(mentions(sema::bindFields(schema, binding), "kind `queue`, which Fields.def does not list"));
  }
}

TEST_CASE("a read by key is the read by name, and nothing for another kind", "[sema][fields]") {
  std::unique_ptr<sema::Program> p = checkAcme();
  REQUIRE(p->envs.size() >= 2);
  size_t read = 0, set = 0;
  for (const sema::EnvModel &env : p->envs)
    for (const sema::Decl &d : p->decls) {
      for (sema::FieldKey key : sema::allFieldKeys()) {
        const sema::FieldKeyInfo &info = sema::keyInfo(key);
        const sema::Value *byKey = env.get(d.id, key);
        if (info.kind == d.kindId) {
          CHECK(byKey == env.getByName(d.id, info.name));
          CHECK(env.originOf(d.id, key) == env.originOfByName(d.id, info.name));
          ++read;
          set += byKey != nullptr;
        } else {
          CHECK(byKey == nullptr);
        }
      }
      CHECK(env.get(d.id, sema::fields::any::owner) == env.getByName(d.id, "owner"));
      CHECK(env.get(d.id, sema::fields::any::compliance) == env.getByName(d.id, "compliance"));
      CHECK(env.get(d.id, sema::fields::any::image) == env.getByName(d.id, "image"));
      CHECK(env.get(d.id, sema::fields::any::slo) == env.getByName(d.id, "slo"));
      CHECK(env.get(d.id, sema::fields::any::patch) == env.getByName(d.id, "patch"));
      CHECK(env.get(d.id, sema::fields::any::quota) == env.getByName(d.id, "quota"));
      CHECK(env.get(d.id, sema::fields::any::environments) == env.getByName(d.id, "environments"));
    }
  // The example sets enough fields for the comparison to mean something.
  CHECK(read > 1000);
  CHECK(set > 300);

  // A service's replicas, read by key, is the record the backends see.
  sema::DeclId checkout = p->byQualifiedName.at("acme.payments.checkout_api");
  const sema::Value *replicas = p->envs.back().get(checkout, sema::fields::service::replicas);
  REQUIRE(replicas);
  CHECK(replicas->kind == sema::Value::Kind::Range);
  // The same key on a team reads nothing, as for an unset field.
  sema::DeclId team = p->owner(p->envs.back(), checkout);
  REQUIRE(team != sema::kNoDecl);
  CHECK(p->envs.back().get(team, sema::fields::service::replicas) == nullptr);
}

TEST_CASE("record field keys read the record's field by its stdlib name", "[sema][fields]") {
  std::unique_ptr<sema::Program> p = checkAcme();
  size_t seen = 0;
  for (const sema::EnvModel &env : p->envs)
    for (sema::DeclId id : p->ofKind(DeclKind::Service)) {
      const sema::Value *res = env.get(id, sema::fields::service::resources);
      if (!res)
        continue;
      ++seen;
      CHECK(res->field(sema::records::resources::cpu) == res->field("cpu"));
      CHECK(res->field(sema::records::resources::memory) == res->field("memory"));
      CHECK(res->field(sema::records::resources::cpu) != nullptr);
    }
  CHECK(seen > 0);
}
