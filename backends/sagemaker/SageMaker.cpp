// The SageMaker backend: per model and environment, the request JSON of every
// SageMaker and Application Auto Scaling call that trains, registers and
// serves it (see Requests.h and docs/backends/sagemaker.md), plus a manifest
// that lists them in the order to run, with their provenance.
#include "backends/Common.h"
#include "backends/json/JsonText.h"
#include "backends/aws/SageMakerRequests.h"
#include "fmt/format.h"

namespace plat::backends {
namespace {

using sagemaker::Json;

constexpr int kIndent = 2;

// `{"Key": "plat:content-hash", "Value": hash}` as dump(2) writes it at
// nesting depth `level`.
void appendHashTag(std::string &out, llvm::StringRef hash, int level) {
  out += '{';
  json::member(out, kIndent, level + 1, "Key", true);
  json::appendString(out, "plat:content-hash");
  json::member(out, kIndent, level + 1, "Value");
  json::appendString(out, hash);
  json::close(out, kIndent, level, '}');
}

// The JSON text of a request, into `out` (cleared first); `scratch` is a
// buffer kept between calls. Requests that take tags get one more,
// `plat:content-hash`: the hash of the request as it reads without that tag,
// so a reviewer can tell whether a deployed resource still matches its
// source. JSON has no comments; requests without tags (the autoscaling ones)
// carry their provenance in the manifest only.
//
// Writes what `body.dump(2)` would after pushing the tag onto `Tags`,
// without changing the tree.
std::string render(const Json &body, std::string &scratch, std::string &hash) {
  scratch.clear();
  json::appendValue(scratch, body);
  hash = contentHash(scratch);

  scratch.clear();
  if (!body.is_object() || body.empty()) {
    json::appendValue(scratch, body, kIndent);
  } else {
    scratch += '{';
    bool first = true;
    for (const auto &[key, value] : body.items()) {
      json::member(scratch, kIndent, 1, key, first);
      first = false;
      if (key != "Tags" || !value.is_array()) {
        json::appendValue(scratch, value, kIndent, 1);
        continue;
      }
      scratch += '[';
      bool firstTag = true;
      for (const Json &tag : value) {
        json::item(scratch, kIndent, 2, firstTag);
        firstTag = false;
        json::appendValue(scratch, tag, kIndent, 2);
      }
      json::item(scratch, kIndent, 2, firstTag);
      appendHashTag(scratch, hash, 2);
      json::close(scratch, kIndent, 1, ']');
    }
    json::close(scratch, kIndent, 0, '}');
  }
  scratch += '\n';
  // An exact-size copy: the file lives until the build is written.
  return std::string(scratch);
}

// `"key": ` on a new line of a manifest entry (depth 3).
void entryKey(std::string &out, const char *key, bool first = false) {
  json::member(out, kIndent, 3, key, first);
}

class SageMakerBackend final : public Backend {
public:
  llvm::StringRef name() const override { return "sagemaker"; }

  void emit(const BackendContext &ctx, Output &out) const override {
    // The manifest's `requests` items, written as dump(2) writes them at
    // depth 2, each preceded by its separator.
    std::string entries, updates; // `requests` and `updates`
    std::vector<std::string> skipped;
    std::string scratch;
    for (const sema::Decl &decl : ctx.program.decls) {
      if (decl.fromStdlib || decl.id >= ctx.env.exists.size() || !ctx.env.exists[decl.id])
        continue;
      switch (decl.kindId) {
      case sema::DeclKind::Model:
        break;
      // Only models become SageMaker resources; services reach them through
      // IAM and Kubernetes, datasets only as training input.
      case sema::DeclKind::Workspace:
      case sema::DeclKind::Environment:
      case sema::DeclKind::Team:
      case sema::DeclKind::Service:
      case sema::DeclKind::Dataset:
      case sema::DeclKind::Pipeline:
      case sema::DeclKind::Agent:
      case sema::DeclKind::Policy:
      case sema::DeclKind::Instance:
      case sema::DeclKind::Framework:
      case sema::DeclKind::Region:
        continue;
      }
      std::vector<sagemaker::Request> requests = sagemaker::modelRequests(ctx, decl.id, skipped);
      if (requests.empty())
        continue;
      std::string source = sourceLocation(ctx, decl);
      for (sagemaker::Request &r : requests) {
        std::string hash;
        std::string text = render(r.body, scratch, hash);
        std::string &list = r.onUpdate ? updates : entries;
        list += list.empty() ? "" : ",";
        json::newline(list, kIndent, 2);
        list += '{';
        entryKey(list, "file", /*first=*/true);
        json::appendString(list, r.file);
        entryKey(list, "command");
        json::appendString(list, fmt::format("aws {} {} --cli-input-json file://{}", r.service,
                                             r.cli, r.file));
        entryKey(list, "operation");
        json::appendString(list, r.service + ":" + r.operation);
        entryKey(list, "declaration");
        json::appendString(list, decl.qualifiedName);
        entryKey(list, "source");
        json::appendString(list, source);
        entryKey(list, "contentHash");
        json::appendString(list, hash);
        if (!r.patched.empty()) {
          // An escape hatch is marked where a reviewer looks first.
          entryKey(list, "patched");
          list += '[';
          for (size_t i = 0; i < r.patched.size(); ++i) {
            json::item(list, kIndent, 4, i == 0);
            json::appendString(list, r.patched[i]);
          }
          json::close(list, kIndent, 3, ']');
        }
        json::newline(list, kIndent, 2);
        list += '}';
        out.add(std::move(r.file), std::move(text), decl.nameSpan);
      }
    }
    if (entries.empty() && skipped.empty())
      return;
    std::string manifest;
    manifest.reserve(entries.size() + 1024);
    manifest += "{\n  \"generatedBy\": \"platc\",\n  \"environment\": ";
    json::appendString(manifest, ctx.env.name);
    manifest += ",\n  \"note\": ";
    json::appendString(manifest,
                       "Run the commands in this order from the environment's folder (the "
                       "parent of sagemaker/). Training job names are stable here; the Airflow "
                       "training DAG appends -{{ ts_nodash }} to make each run's name unique. "
                       "`updates` roll a new version out to an existing endpoint (blue/green, "
                       "rolled back on its alarms).");
    auto list = [&](const char *key, const std::string &items) {
      manifest += ",\n  \"";
      manifest += key;
      manifest += "\": ";
      if (items.empty()) {
        manifest += "[]";
        return;
      }
      manifest += '[';
      manifest += items;
      json::newline(manifest, kIndent, 1);
      manifest += ']';
    };
    list("requests", entries);
    list("updates", updates);
    manifest += ",\n  \"skipped\": ";
    if (skipped.empty()) {
      manifest += "[]";
    } else {
      manifest += '[';
      for (size_t i = 0; i < skipped.size(); ++i) {
        manifest += i ? "," : "";
        json::newline(manifest, kIndent, 2);
        json::appendString(manifest, skipped[i]);
      }
      json::newline(manifest, kIndent, 1);
      manifest += ']';
    }
    manifest += "\n}\n";
    out.add("sagemaker/manifest.json", std::move(manifest));
  }
};

} // namespace

std::unique_ptr<Backend> makeSageMakerBackend() { return std::make_unique<SageMakerBackend>(); }

} // namespace plat::backends
