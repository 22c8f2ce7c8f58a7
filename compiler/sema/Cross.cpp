#include "sema/Cross.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <set>

#include "base/Text.h"
#include "sema/Formats.h"
#include "fmt/format.h"
#include "llvm/ADT/StringMap.h"

namespace plat::sema {
namespace {

class CrossChecker {
public:
  CrossChecker(Program &p, Diagnostics &diags, const std::function<bool()> &stop)
      : p_(p), diags_(diags), stop_(stop) {}

  void run() {
    for (EnvModel &env : p_.envs) {
      if (stop_ && stop_())
        return;
      env.tier = "development";
      if (env.decl != kNoDecl)
        if (const Value *tier = env.get(env.decl, fields::environment::tier);
            tier && tier->kind == Value::Kind::Enum)
          env.tier = tier->text;
      buildEdges(env);
    }
    checkRegion();
    for (const EnvModel &env : p_.envs) {
      if (stop_ && stop_())
        return;
      checkCalls(env);
      checkWriters(env);
      if (stop_ && stop_())
        return;
      checkModels(env);
      checkPipelines(env);
      if (stop_ && stop_())
        return;
      checkCallCycles(env);
      checkEnvironmentDeps(env);
      checkOnCall(env);
      checkResources(env);
    }
  }

private:
  const Decl &decl(DeclId id) const { return p_.decls[id]; }
  bool live(const EnvModel &env, DeclId id) const {
    return !decl(id).fromStdlib && env.exists[id];
  }

  static std::vector<const Value *> refs(const Value *list) {
    std::vector<const Value *> out;
    if (!list)
      return out;
    if (list->kind == Value::Kind::Ref)
      return {list};
    for (const Value *v : list->items)
      if (v->kind == Value::Kind::Ref)
        out.push_back(v);
    return out;
  }

  void edgesFrom(EnvModel &env, DeclId from, const Value *list, EdgeKind kind) {
    for (const Value *v : refs(list))
      env.edges.push_back(Edge{from, v->ref, kind, v->span});
  }

  void buildEdges(EnvModel &env) {
    for (const Decl &d : p_.decls) {
      if (d.fromStdlib)
        continue;
      DeclId id = d.id;
      if (const Value *owner = env.get(id, fields::any::owner); owner && owner->kind == Value::Kind::Ref)
        env.edges.push_back(Edge{owner->ref, id, EdgeKind::Owns, owner->span});
      if (d.kindId == DeclKind::Service) {
        edgesFrom(env, id, env.get(id, fields::service::calls), EdgeKind::Calls);
        edgesFrom(env, id, env.get(id, fields::service::reads), EdgeKind::Reads);
        edgesFrom(env, id, env.get(id, fields::service::writes), EdgeKind::Writes);
      } else if (d.kindId == DeclKind::Model) {
        edgesFrom(env, id, env.get(id, fields::model::trained_on), EdgeKind::TrainedOn);
        if (const Value *train = env.get(id, fields::model::train))
          edgesFrom(env, id, train->field(records::training::retrain_on), EdgeKind::RetrainsOn);
      } else if (d.kindId == DeclKind::Pipeline) {
        if (const Value *tasks = env.get(id, fields::pipeline::task))
          for (const Value *task : tasks->items) {
            edgesFrom(env, id, task->field(records::task::reads), EdgeKind::Reads);
            edgesFrom(env, id, task->field(records::task::writes), EdgeKind::Writes);
          }
      } else if (d.kindId == DeclKind::Agent) {
        if (const Value *may = env.get(id, fields::agent::may)) {
          edgesFrom(env, id, may->field(records::agent_permissions::invoke), EdgeKind::Invokes);
          edgesFrom(env, id, may->field(records::agent_permissions::read), EdgeKind::AgentReads);
          edgesFrom(env, id, may->field(records::agent_permissions::write), EdgeKind::AgentWrites);
          edgesFrom(env, id, may->field(records::agent_permissions::trigger), EdgeKind::Triggers);
        }
      }
    }
    std::sort(env.edges.begin(), env.edges.end(), [](const Edge &a, const Edge &b) {
      return std::tie(a.from, a.kind, a.to, a.span.begin) < std::tie(b.from, b.kind, b.to, b.span.begin);
    });
    // The same dependency written twice (two tasks reading one dataset) is
    // one edge.
    env.edges.erase(std::unique(env.edges.begin(), env.edges.end(),
                                [](const Edge &a, const Edge &b) {
                                  return a.from == b.from && a.to == b.to && a.kind == b.kind;
                                }),
                    env.edges.end());
  }

  void checkCalls(const EnvModel &env) {
    for (const Edge &e : env.edges) {
      if (e.kind != EdgeKind::Calls || !live(env, e.from))
        continue;
      const Decl &target = decl(e.to);
      if (target.kindId == DeclKind::Model && !env.get(e.to, fields::model::serve)) {
        diags_
            .report(DiagId::BadCallTarget, e.span,
                    fmt::format("`{}` calls model `{}`, which is not served", decl(e.from).name,
                                target.name))
            .note(target.nameSpan, fmt::format("`{}` has no `serve` block", target.name))
            .withHelp(fmt::format("add `serve {{ instance = \"ml.c5.large\" }}` to `{}`, or call a "
                                  "service that wraps it",
                                  target.name));
      } else if (target.kindId == DeclKind::Service && !env.get(e.to, fields::service::port)) {
        diags_
            .report(DiagId::BadCallTarget, e.span,
                    fmt::format("`{}` calls service `{}`, which has no port", decl(e.from).name,
                                target.name))
            .note(target.nameSpan, fmt::format("`{}` declares no `port`", target.name))
            .withHelp(fmt::format("add `port = 8080` to `{}`", target.name));
      }
    }
  }

  void checkWriters(const EnvModel &env) {
    std::map<DeclId, std::vector<const Edge *>> writers;
    for (const Edge &e : env.edges)
      if (e.kind == EdgeKind::Writes && live(env, e.from))
        writers[e.to].push_back(&e);
    for (const auto &[dataset, list] : writers) {
      if (list.size() < 2)
        continue;
      Diagnostic &d = diags_.report(
          DiagId::MultipleWriters, list[1]->span,
          fmt::format("dataset `{}` has {} writers: `{}` and `{}`", decl(dataset).name, list.size(),
                      decl(list[0]->from).name, decl(list[1]->from).name));
      for (const Edge *e : list)
        d.note(e->span, fmt::format("`{}` writes it here", decl(e->from).name));
      d.withHelp("a dataset has one writer; have one pipeline write it and the others read it, "
                 "or split the dataset");
    }
  }

  // A dataset's columns by name (the first of a name), built at its first
  // lookup: models name columns of wide datasets many times.
  struct ColumnIndex {
    llvm::StringMap<const Column *> byName;
    std::optional<NameIndex> names; // for suggestions, built when needed
  };
  ColumnIndex &columnIndex(DeclId dataset) {
    if (columnIndex_.size() < p_.decls.size())
      columnIndex_.resize(p_.decls.size());
    std::unique_ptr<ColumnIndex> &slot = columnIndex_[dataset];
    if (!slot) {
      slot = std::make_unique<ColumnIndex>();
      for (const Column &c : decl(dataset).columns)
        slot->byName.try_emplace(c.name, &c);
    }
    return *slot;
  }
  std::vector<std::unique_ptr<ColumnIndex>> columnIndex_;

  const Column *column(DeclId dataset, llvm::StringRef name) {
    ColumnIndex &index = columnIndex(dataset);
    auto it = index.byName.find(name);
    return it == index.byName.end() ? nullptr : it->second;
  }

  // A `dataset.column` reference names a column the dataset declares.
  bool checkColumn(const Value *ref, const char *role) {
    if (column(ref->ref, ref->text))
      return true;
    ColumnIndex &index = columnIndex(ref->ref);
    const std::vector<Column> &columns = decl(ref->ref).columns;
    if (!index.names) {
      std::vector<std::string> names;
      for (const Column &c : columns)
        names.push_back(c.name);
      index.names.emplace(std::move(names));
    }
    Diagnostic &d = diags_.report(
        DiagId::UnknownColumn, ref->span,
        fmt::format("{} `{}.{}`: dataset `{}` has no column `{}`", role, decl(ref->ref).name,
                    ref->text, decl(ref->ref).name, ref->text));
    d.note(decl(ref->ref).nameSpan, fmt::format("`{}` is declared here", decl(ref->ref).name));
    if (auto s = index.names->closest(ref->text))
      d.withHelp(fmt::format("did you mean `{}.{}`?", decl(ref->ref).name, *s));
    else if (columns.empty())
      d.withHelp(fmt::format("`{}` declares no schema; add `schema {{ {} : type }}`",
                             decl(ref->ref).name, ref->text));
    else {
      // At most the first twenty: one diagnostic per unknown column must not
      // repeat a wide dataset's whole schema.
      constexpr size_t kListed = 20;
      std::vector<std::string> names;
      for (size_t i = 0; i < columns.size() && i < kListed; ++i)
        names.push_back(columns[i].name);
      std::string more = columns.size() > kListed
                             ? fmt::format(" and {} more", columns.size() - kListed)
                             : std::string();
      d.withHelp(fmt::format("its columns are {}{}", join(names), more));
    }
    return false;
  }

  static std::string join(const std::vector<std::string> &names) {
    std::string out;
    for (size_t i = 0; i < names.size(); ++i)
      out += (i ? ", `" : "`") + names[i] + "`";
    return out;
  }

  void checkModels(const EnvModel &env) {
    // Datasets some pipeline of this environment writes, computed once (not
    // a scan of every edge per `retrain_on` entry).
    std::vector<bool> writtenByPipeline(p_.decls.size(), false);
    for (const Edge &e : env.edges)
      if (e.kind == EdgeKind::Writes && decl(e.from).kindId == DeclKind::Pipeline && env.exists[e.from])
        writtenByPipeline[e.to] = true;
    for (DeclId id : p_.ofKind(DeclKind::Model)) {
      if (!live(env, id))
        continue;
      const Decl &m = decl(id);
      std::set<DeclId> trainedOn;
      for (const Value *v : refs(env.get(id, fields::model::trained_on)))
        trainedOn.insert(v->ref);
      const Value *framework = env.get(id, fields::model::framework);
      std::vector<std::string> accepted;
      if (framework && framework->kind == Value::Kind::Framework)
        if (const Value *types = env.get(framework->ref, fields::framework::feature_types))
          for (const Value *t : types->items)
            accepted.push_back(t->text);
      std::vector<const Value *> columns;
      if (const Value *features = env.get(id, fields::model::features))
        columns.insert(columns.end(), features->items.begin(), features->items.end());
      const Value *label = env.get(id, fields::model::label);
      if (label)
        columns.push_back(label);
      for (const Value *f : columns) {
        if (f->kind != Value::Kind::ColumnRef)
          continue;
        const char *role = f == label ? "label" : "feature";
        if (!trainedOn.count(f->ref)) {
          diags_
              .report(DiagId::UnknownColumn, f->span,
                      fmt::format("{} `{}.{}` comes from `{}`, which `{}` is not trained on", role,
                                  decl(f->ref).name, f->text, decl(f->ref).name, m.name))
              .withHelp(fmt::format("add `{}` to `trained_on`", decl(f->ref).name));
          continue;
        }
        if (!checkColumn(f, role))
          continue;
        const Column *c = column(f->ref, f->text);
        if (!accepted.empty() &&
            std::find(accepted.begin(), accepted.end(), c->type) == accepted.end())
          diags_
              .report(DiagId::UnsupportedFeatureType, f->span,
                      fmt::format("{} `{}.{}` is a `{}` column, which `{}` does not accept", role,
                                  decl(f->ref).name, f->text, c->type, framework->text))
              .note(c->span, fmt::format("`{}` is declared `{}` here", c->name, c->type))
              .withHelp(fmt::format("`{}` accepts {}; encode the column in a pipeline task first",
                                    framework->text, join(accepted)));
      }
      // Retraining triggers need a writer.
      if (const Value *train = env.get(id, fields::model::train)) {
        for (const Value *r : refs(train->field(records::training::retrain_on))) {
          if (!writtenByPipeline[r->ref])
            diags_
                .report(DiagId::RetrainNotWritten, r->span,
                        fmt::format("`{}` retrains on `{}`, but no pipeline writes `{}`", m.name,
                                    decl(r->ref).name, decl(r->ref).name))
                .note(decl(r->ref).nameSpan, fmt::format("`{}` is declared here", decl(r->ref).name))
                .withHelp("retrain on a dataset that a pipeline writes, or use `schedule` to "
                          "retrain on a clock");
        }
        checkInstance(env, id, train->field(records::training::instance), framework, "training");
      }
      if (const Value *serve = env.get(id, fields::model::serve)) {
        const Value *serverless = serve->field(records::serving::serverless);
        bool isServerless = serverless && serverless->boolean;
        const Value *instance = serve->field(records::serving::instance);
        if (!isServerless && !instance)
          diags_
              .report(DiagId::MissingField, serve->span,
                      fmt::format("`serve` of `{}` needs an `instance` unless it is serverless",
                                  m.name))
              .withHelp("add `instance = \"ml.c5.large\"`, or `serverless = true`");
        if (isServerless) {
          if (const Value *mem = serve->field(records::serving::memory)) {
            double gib = mem->number / (1024.0 * 1024 * 1024);
            if (gib < 1 || gib > 6 || gib != std::floor(gib))
              diags_
                  .report(DiagId::OutOfRange, mem->span,
                          fmt::format("serverless memory must be 1Gi to 6Gi in steps of 1Gi, "
                                      "found `{}`",
                                      mem->text))
                  .withHelp("use 1Gi, 2Gi, 3Gi, 4Gi, 5Gi or 6Gi");
          }
        } else {
          checkInstance(env, id, instance, framework, "serving");
        }
      }
    }
  }

  void checkInstance(const EnvModel &env, DeclId model, const Value *instance,
                     const Value *framework, const char *role) {
    if (!instance || instance->ref == kNoDecl)
      return;
    const Value *platform = env.get(instance->ref, fields::instance::platform);
    if (platform && platform->text != "sagemaker") {
      diags_
          .report(DiagId::UnknownInstanceType, instance->span,
                  fmt::format("`{}` is an EC2 node type; {} needs a SageMaker instance type",
                              instance->text, role))
          .withHelp(fmt::format("use `\"ml.{}\"`", instance->text));
      return;
    }
    if (!framework || framework->kind != Value::Kind::Framework)
      return;
    const Value *needsGpu = env.get(framework->ref, fields::framework::requires_gpu);
    const Value *gpus = env.get(instance->ref, fields::instance::gpus);
    if (needsGpu && needsGpu->boolean && gpus && gpus->integer == 0)
      diags_
          .report(DiagId::NoGpu, instance->span,
                  fmt::format("`{}` needs a GPU, but {} instance `{}` has none", framework->text,
                              role, instance->text))
          .note(decl(model).nameSpan, fmt::format("`{}` uses `{}`", decl(model).name, framework->text))
          .withHelp("use a GPU instance such as `\"ml.g5.xlarge\"` or `\"ml.g4dn.xlarge\"`");
    const Value *canUseGpu = env.get(framework->ref, fields::framework::supports_gpu);
    if (canUseGpu && !canUseGpu->boolean && gpus && gpus->integer > 0)
      idleGpu(env, model, instance, framework, role, gpus->integer);
  }

  // A framework whose containers are CPU-only (`supports_gpu = false` in
  // the catalogue) on a GPU instance: the GPU is paid for and never used.
  // Says what it costs and offers the cheapest SageMaker CPU instance with
  // at least the same vCPUs and memory.
  void idleGpu(const EnvModel &env, DeclId model, const Value *instance, const Value *framework,
               const char *role, int64_t gpus) {
    auto perHour = [&](DeclId i) {
      const Value *price = env.get(i, fields::instance::price);
      return price ? price->number * 3600 : 0.0;
    };
    auto number = [&](DeclId i, FieldKey field) {
      const Value *v = env.get(i, field);
      return v ? v->asNumber() : 0.0;
    };
    double price = perHour(instance->ref);
    DeclId best = kNoDecl;
    for (const Decl &candidate : p_.decls) {
      if (candidate.kindId != DeclKind::Instance)
        continue;
      DeclId i = candidate.id;
      const Value *platform = env.get(i, fields::instance::platform);
      const Value *g = env.get(i, fields::instance::gpus);
      if (!platform || platform->text != "sagemaker" || (g && g->integer > 0) || perHour(i) <= 0)
        continue;
      if (number(i, fields::instance::vcpu) < number(instance->ref, fields::instance::vcpu) ||
          number(i, fields::instance::memory) < number(instance->ref, fields::instance::memory))
        continue;
      if (best == kNoDecl || perHour(i) < perHour(best))
        best = i;
    }
    const Value *gpuModel = env.get(instance->ref, fields::instance::gpu_model);
    Diagnostic &d = diags_.report(
        DiagId::IdleGpu, instance->span,
        fmt::format("`{}` cannot use a GPU, but {} instance `{}` has {} {}GPU{}: ${:.2f}/hour for hardware "
                    "left idle",
                    framework->text, role, instance->text, gpus,
                    gpuModel && !gpuModel->text.empty() ? gpuModel->text + " " : "", gpus == 1 ? "" : "s",
                    price));
    d.note(decl(model).nameSpan, fmt::format("`{}` uses `{}`, whose containers run on CPU only "
                                            "(`supports_gpu = false` in the framework catalogue)",
                                            decl(model).name, framework->text));
    if (best == kNoDecl) {
      d.withHelp("use a CPU instance, or a framework that can use the GPU");
      return;
    }
    const Value *name = env.get(best, fields::instance::name);
    std::string bestName = name ? name->text : decl(best).name;
    double saved = price - perHour(best);
    d.withHelp(fmt::format("use `\"{}\"` ({} vCPU, {} GiB) at ${:.2f}/hour, ${:.2f}/hour (${:.0f} a month "
                           "per always-on instance) less",
                           bestName, number(best, fields::instance::vcpu), number(best, fields::instance::memory) / (1024.0 * 1024 * 1024),
                           perHour(best), saved, saved * 730))
        .fix(fmt::format("use `{}`", bestName), instance->span, fmt::format("\"{}\"", bestName));
  }

  void checkPipelines(const EnvModel &env) {
    for (DeclId id : p_.ofKind(DeclKind::Pipeline)) {
      if (!live(env, id))
        continue;
      const Value *tasks = env.get(id, fields::pipeline::task);
      if (!tasks)
        continue;
      std::map<std::string, const Value *> byName;
      for (const Value *t : tasks->items)
        byName[t->text] = t;
      std::vector<std::string> names;
      for (const auto &[name, t] : byName)
        names.push_back(name);
      std::optional<NameIndex> suggestions; // built at the first unknown task
      std::map<std::string, std::vector<std::string>> after;
      // The `after` entry behind each edge (task, dependency), for the report.
      std::map<std::pair<std::string, std::string>, const Value *> entryOf;
      for (const Value *t : tasks->items) {
        if (const Value *deps = t->field(records::task::after))
          for (const Value *dep : deps->items) {
            if (dep->kind != Value::Kind::TaskRef)
              continue;
            if (!byName.count(dep->text)) {
              Diagnostic &d = diags_.report(
                  DiagId::UnknownName, dep->span,
                  fmt::format("pipeline `{}` has no task `{}`", decl(id).name, dep->text));
              if (!suggestions)
                suggestions.emplace(names);
              if (auto s = suggestions->closest(dep->text))
                d.withHelp(fmt::format("did you mean `{}`?", *s))
                    .fix(fmt::format("use `{}`", *s), dep->span, *s);
              else
                d.withHelp(fmt::format("its tasks are {}", join(names)));
              continue;
            }
            after[t->text].push_back(dep->text);
            entryOf.try_emplace({t->text, dep->text}, dep);
          }
        if (const Value *cols = t->field(records::task::deidentifies))
          for (const Value *c : cols->items)
            if (c->kind == Value::Kind::ColumnRef)
              checkColumn(c, "de-identified column");
        if (!t->field(records::task::image) && !t->field(records::task::operator_) &&
            !env.get(id, fields::pipeline::image))
          diags_
              .report(DiagId::MissingField, t->span,
                      fmt::format("task `{}` of `{}` has no image", t->text, decl(id).name))
              .withHelp("set `image` on the task or on the pipeline, or name an `operator`");
      }
      // Depth-first search for a cycle in `after`, with an explicit stack
      // (a pipeline's tasks may be many; the call stack must not follow them).
      std::map<std::string, int> state; // 0 new, 1 on stack, 2 done
      std::vector<std::string> stack;
      struct Frame {
        const std::vector<std::string> *next;
        size_t i;
      };
      std::vector<Frame> frames;
      auto reportCycle = [&](const std::string &m) {
        // Long cycles are abbreviated, as call cycles are.
        constexpr size_t kShown = 8;
        auto from = std::find(stack.begin(), stack.end(), m);
        size_t length = static_cast<size_t>(stack.end() - from);
        // The edges of the cycle in order: from[i] waits for from[i + 1], and
        // the last task waits for `m`.
        auto edgeTo = [&](size_t i) -> const std::string & { return i + 1 < length ? from[i + 1] : m; };
        // The entry that closes the cycle: a task waiting for one declared
        // after it is the usual slip (the first such entry in the file), else
        // the search's back edge. The cycle is the same whichever is shown.
        auto declaredBefore = [&](const std::string &a, const std::string &b) {
          return byName[a]->span.begin < byName[b]->span.begin;
        };
        size_t closing = length - 1;
        bool forward = false;
        for (size_t i = 0; i < length; ++i) {
          if (!declaredBefore(from[i], edgeTo(i)))
            continue;
          if (!forward || entryOf.at({from[i], edgeTo(i)})->span.begin <
                              entryOf.at({from[closing], edgeTo(closing)})->span.begin)
            closing = i;
          forward = true;
        }
        // The path starts at the task whose entry closes the cycle.
        auto at = [&](size_t k) -> const std::string & { return from[(closing + k) % length]; };
        std::string path;
        for (size_t k = 0; k < length; ++k) {
          if (length > kShown && k == kShown - 1) {
            path += "… → ";
            k = length - 1;
          }
          path += at(k) + " → ";
        }
        path += at(0);
        if (length > kShown)
          path += fmt::format(" ({} tasks)", length);
        const std::string &closer = from[closing];
        const std::string &closed = edgeTo(closing);
        Diagnostic &d = diags_.report(
            DiagId::TaskCycle, entryOf.at({closer, closed})->span,
            fmt::format("the tasks of `{}` wait for each other in a cycle: {}", decl(id).name, path));
        // Each other edge of the cycle, at its `after` entry, starting after
        // the closing one so the notes read along the cycle.
        for (size_t k = 1; k < length && k < kShown; ++k) {
          size_t i = (closing + k) % length;
          d.note(entryOf.at({from[i], edgeTo(i)})->span,
                 fmt::format("task `{}` waits for `{}`", from[i], edgeTo(i)));
        }
        if (length > kShown)
          d.note(fmt::format("… and {} more tasks", length - kShown));
        d.withHelp(fmt::format("remove `{}` from the `after` of task `{}`, or another dependency of the cycle",
                               closed, closer));
      };
      bool found = false;
      for (const std::string &root : names) {
        if (found || state[root] != 0)
          continue;
        state[root] = 1;
        stack.push_back(root);
        frames.push_back({&after[root], 0});
        while (!frames.empty() && !found) {
          Frame &f = frames.back();
          if (f.i == f.next->size()) {
            state[stack.back()] = 2;
            stack.pop_back();
            frames.pop_back();
            continue;
          }
          const std::string &m = (*f.next)[f.i++];
          if (state[m] == 1) {
            reportCycle(m);
            found = true;
          } else if (state[m] == 0) {
            state[m] = 1;
            stack.push_back(m);
            frames.push_back({&after[m], 0}); // invalidates `f`
          }
        }
      }
    }
  }

  // Call cycles, one warning per strongly connected component of the call
  // graph (Tarjan's algorithm, iterative, so no recursion grows with the
  // input): it names the shortest cycle through the component's first
  // service (breadth-first search inside the component) and, when the
  // component is larger than that cycle, how many services it holds.
  // Linear in services + calls.
  void checkCallCycles(const EnvModel &env) {
    const size_t n = p_.decls.size();
    // The calls of each live service, in source order (CSR layout).
    std::vector<uint32_t> first(n + 1, 0);
    auto counts = [&](const Edge &e) {
      return e.kind == EdgeKind::Calls && decl(e.to).kindId == DeclKind::Service && live(env, e.from);
    };
    for (const Edge &e : env.edges)
      if (counts(e))
        ++first[e.from + 1];
    for (size_t i = 0; i < n; ++i)
      first[i + 1] += first[i];
    std::vector<const Edge *> calls(first[n]);
    {
      std::vector<uint32_t> fill(first.begin(), first.end() - 1);
      for (const Edge &e : env.edges)
        if (counts(e))
          calls[fill[e.from]++] = &e;
    }
    if (calls.empty())
      return;

    constexpr uint32_t kUnvisited = UINT32_MAX;
    std::vector<uint32_t> index(n, kUnvisited), low(n, 0), component(n, kUnvisited);
    std::vector<bool> onStack(n, false);
    std::vector<DeclId> stack;
    struct Frame {
      DeclId node;
      uint32_t next; // position in `calls` of the next edge to follow
    };
    std::vector<Frame> frames;
    std::vector<std::vector<DeclId>> components; // members in DeclId order
    uint32_t counter = 0;
    for (DeclId root = 0; root < n; ++root) {
      if (first[root] == first[root + 1] || index[root] != kUnvisited)
        continue;
      index[root] = low[root] = counter++;
      stack.push_back(root);
      onStack[root] = true;
      frames.push_back({root, first[root]});
      while (!frames.empty()) {
        Frame &f = frames.back();
        DeclId v = f.node;
        if (f.next < first[v + 1]) {
          DeclId w = calls[f.next++]->to;
          if (index[w] == kUnvisited) {
            index[w] = low[w] = counter++;
            stack.push_back(w);
            onStack[w] = true;
            frames.push_back({w, first[w]}); // invalidates `f`
          } else if (onStack[w]) {
            low[v] = std::min(low[v], index[w]);
          }
          continue;
        }
        frames.pop_back();
        if (!frames.empty())
          low[frames.back().node] = std::min(low[frames.back().node], low[v]);
        if (low[v] != index[v])
          continue;
        std::vector<DeclId> members;
        DeclId w;
        do {
          w = stack.back();
          stack.pop_back();
          onStack[w] = false;
          component[w] = static_cast<uint32_t>(components.size());
          members.push_back(w);
        } while (w != v);
        std::sort(members.begin(), members.end());
        components.push_back(std::move(members));
      }
    }

    std::vector<const Edge *> via(n, nullptr); // BFS tree edge into each node
    std::vector<DeclId> queue;
    for (uint32_t c = 0; c < components.size(); ++c) {
      const std::vector<DeclId> &members = components[c];
      DeclId start = members.front();
      bool selfLoop = false;
      for (uint32_t i = first[start]; i < first[start + 1]; ++i)
        selfLoop |= calls[i]->to == start;
      if (members.size() == 1 && !selfLoop)
        continue;
      // Shortest cycle through `start`: breadth-first inside the component
      // until an edge leads back to `start`.
      const Edge *closing = nullptr;
      queue.assign(1, start);
      for (size_t head = 0; head < queue.size() && !closing; ++head) {
        DeclId v = queue[head];
        for (uint32_t i = first[v]; i < first[v + 1]; ++i) {
          const Edge *e = calls[i];
          if (e->to == start) {
            closing = e;
            break;
          }
          if (component[e->to] == c && !via[e->to]) {
            via[e->to] = e;
            queue.push_back(e->to);
          }
        }
      }
      std::vector<const Edge *> cycle{closing};
      for (DeclId v = closing->from; v != start; v = via[v]->from)
        cycle.push_back(via[v]);
      std::reverse(cycle.begin(), cycle.end());
      for (DeclId v : queue)
        via[v] = nullptr;
      reportCallCycle(cycle, members);
    }
  }

  void reportCallCycle(const std::vector<const Edge *> &cycle, const std::vector<DeclId> &members) {
    // Long cycles are abbreviated: the first hops and the one that closes
    // the cycle, with a count.
    constexpr size_t kShown = 8;
    std::string text;
    for (size_t i = 0; i < cycle.size(); ++i) {
      if (cycle.size() > kShown && i == kShown - 1) {
        text += "… → ";
        i = cycle.size() - 1;
      }
      text += decl(cycle[i]->from).name + " → ";
    }
    text += decl(cycle.back()->to).name;
    if (cycle.size() > kShown)
      text += fmt::format(" ({} services)", cycle.size());
    if (members.size() > cycle.size())
      text += fmt::format(", one of the cycles among {} services that call each other",
                          members.size());
    Diagnostic &d = diags_.report(DiagId::CallCycle, cycle.back()->span,
                                  fmt::format("services call each other in a cycle: {}", text));
    for (size_t i = 0; i < cycle.size() && i < kShown; ++i)
      d.note(cycle[i]->span,
             fmt::format("`{}` calls `{}`", decl(cycle[i]->from).name, decl(cycle[i]->to).name));
    if (cycle.size() > kShown)
      d.note(fmt::format("… and {} more calls", cycle.size() - kShown));
    if (members.size() > cycle.size()) {
      std::set<DeclId> shown;
      for (const Edge *e : cycle)
        shown.insert(e->from);
      std::string list;
      size_t listed = 0;
      for (DeclId m : members) {
        if (shown.count(m))
          continue;
        if (listed < kShown)
          list += fmt::format("{}`{}`", listed ? ", " : "", decl(m).name);
        ++listed;
      }
      if (listed > kShown)
        list += fmt::format(" and {} more", listed - kShown);
      d.note(fmt::format("also in these cycles: {}", list));
    }
    d.withHelp("a request can loop forever through a call cycle; break it with a queue or "
               "remove one of the calls");
  }

  void checkEnvironmentDeps(const EnvModel &env) {
    if (p_.envs.size() < 2)
      return;
    for (const Edge &e : env.edges) {
      if (e.kind == EdgeKind::Owns) {
        if (live(env, e.to) && !env.exists[e.from])
          diags_
              .report(DiagId::MissingInEnvironment, e.span,
                      fmt::format("`{}` exists in `{}`, but its owner `{}` does not", decl(e.to).name,
                                  env.name, decl(e.from).name))
              .withHelp(fmt::format("add `{}` to the `environments` of `{}`", env.name,
                                    decl(e.from).name));
        continue;
      }
      if (!live(env, e.from) || env.exists[e.to])
        continue;
      diags_
          .report(DiagId::MissingInEnvironment, e.span,
                  fmt::format("`{}` exists in `{}` and {} `{}`, which does not exist in `{}`",
                              decl(e.from).name, env.name, edgeVerb(e.kind).data(), decl(e.to).name, env.name))
          .note(decl(e.to).nameSpan,
                fmt::format("`{}` is declared here, limited by its `environments`", decl(e.to).name))
          .withHelp(fmt::format("add `{}` to the `environments` of `{}`, or limit `{}` to the "
                                "environments `{}` exists in",
                                env.name, decl(e.to).name, decl(e.from).name, decl(e.to).name));
    }
  }


  // The workspace's region against the regions AWS has: the format check
  // accepts any region-shaped code, and `eu-wset-1` would name every ARN,
  // endpoint and image registry in a region that does not exist.
  void checkRegion() {
    if (p_.workspace == kNoDecl || p_.envs.empty())
      return;
    const Value *region = p_.envs.front().get(p_.workspace, fields::workspace::region);
    if (!region || region->kind != Value::Kind::String || region->text.empty() ||
        llvm::StringRef(region->text).contains("${"))
      return;
    llvm::ArrayRef<const char *> known = knownAwsRegions();
    if (std::binary_search(known.begin(), known.end(), region->text,
                           [](llvm::StringRef a, llvm::StringRef b) { return a < b; }))
      return;
    std::vector<std::string> names(known.begin(), known.end());
    Diagnostic &d = diags_.report(DiagId::UnknownRegion, region->span,
                                  fmt::format("`{}` is not an AWS region platc knows", region->text));
    if (auto m = closestMatch(region->text, names))
      d.withHelp(fmt::format("did you mean `{}`?", *m))
          .fix(fmt::format("use `{}`", *m), region->span, fmt::format("\"{}\"", *m));
    else
      d.withHelp("check the region code (such as `\"eu-west-1\"`); a region AWS opened after this "
                 "platc was built is fine, and this warning then goes away with an upgrade");
  }

  void checkOnCall(const EnvModel &env) {
    if (env.tier != "production")
      return;
    for (DeclId id : p_.ofKind(DeclKind::Service)) {
      if (!live(env, id))
        continue;
      DeclId team = p_.owner(env, id);
      if (team == kNoDecl || env.get(team, fields::team::on_call))
        continue;
      Diagnostic &d = diags_
          .report(DiagId::MissingOnCall, decl(id).nameSpan,
                  fmt::format("`{}` runs in production environment `{}`, but its owner `{}` names no "
                              "on-call",
                              decl(id).name, env.name, decl(team).name))
          .note(decl(team).nameSpan, fmt::format("`{}` is declared here", decl(team).name))
          .withHelp(fmt::format("add `on_call = \"pagerduty:{}\"` to team `{}`", decl(team).name,
                                decl(team).name));
      // The pager name is a guess: offered, not safe.
      if (const ast::Block *block = p_.block(decl(team)); block && block->close.valid())
        d.fix(fmt::format("add an on-call to team `{}`", decl(team).name),
              Span{block->close.file, block->close.begin, block->close.begin},
              fmt::format("  on_call = \"pagerduty:{}\"\n", decl(team).name));
    }
  }

  void checkLimits(const Value *resources, const std::string &owner) {
    if (!resources)
      return;
    for (auto [request, limit] : {std::pair{"cpu", "cpu_limit"}, std::pair{"memory", "memory_limit"}}) {
      const Value *r = resources->field(request);
      const Value *l = resources->field(limit);
      if (r && l && r->kind == Value::Kind::Quantity && l->kind == Value::Kind::Quantity &&
          l->number < r->number)
        diags_
            .report(DiagId::LimitBelowRequest, l->span,
                    fmt::format("the {} limit of `{}` ({}) is below its request ({})", request, owner,
                                l->text, r->text))
            .note(r->span, "the request is set here")
            .withHelp(fmt::format("raise `{}` to at least `{}`", limit, r->text));
    }
  }

  void checkResources(const EnvModel &env) {
    for (DeclId id : p_.ofKind(DeclKind::Service)) {
      if (!live(env, id))
        continue;
      checkLimits(env.get(id, fields::service::resources), decl(id).name);
      if (const Value *replicas = env.get(id, fields::service::replicas);
          replicas && replicas->items.size() == 2 && replicas->items[1]->kind == Value::Kind::Int &&
          replicas->items[1]->integer == 0)
        diags_
            .report(DiagId::ReplicasNeverRun, replicas->span,
                    fmt::format("`{}` allows at most 0 replicas in `{}`: it never runs", decl(id).name,
                                env.name))
            .withHelp("to remove a service from an environment, list the environments it exists "
                      "in with `environments = [...]`");
    }
    for (DeclId id : p_.ofKind(DeclKind::Pipeline)) {
      if (!live(env, id))
        continue;
      if (const Value *tasks = env.get(id, fields::pipeline::task))
        for (const Value *t : tasks->items)
          checkLimits(t->field(records::task::resources), decl(id).name + "." + t->text);
    }
  }

  Program &p_;
  Diagnostics &diags_;
  const std::function<bool()> &stop_;
};

} // namespace

void crossCheck(Program &program, Diagnostics &diags, const std::function<bool()> &stop) {
  CrossChecker(program, diags, stop).run();
}

} // namespace plat::sema
