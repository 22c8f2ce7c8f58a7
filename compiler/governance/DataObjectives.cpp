// Objectives of datasets and pipelines that the declarations cannot meet.
//
// A dataset's `freshness` says how old its newest data may be. Data lands
// when a pipeline that writes it runs, so between two runs the data ages by
// the schedule's interval (plus the time the run takes to land it): a
// pipeline that runs daily cannot keep a dataset fresher than a day. A
// pipeline's `max_duration` bounds a run; the tasks' expected `duration`s
// along the longest chain of `after` dependencies is the least a run takes.
//
// Every check is linear in the declarations, edges and tasks of one
// environment (a cron expression's longest interval is a constant amount of
// work: sema::cronLongestInterval).

#include <map>
#include <set>

#include "fmt/format.h"
#include "governance/Governance.h"
#include "llvm/ADT/StringMap.h"
#include "sema/Formats.h"

namespace plat::governance {

namespace fields = sema::fields;
namespace records = sema::records;

using sema::DeclId;
using sema::Value;

namespace {

// `6h`, `1d`, `90m`, `1h30m`: seconds in the largest units that divide them.
std::string durationText(double seconds) {
  if (seconds <= 0)
    return "0s";
  auto s = static_cast<int64_t>(seconds + 0.5);
  static const std::pair<int64_t, const char *> units[] = {{86400, "d"}, {3600, "h"}, {60, "m"}, {1, "s"}};
  std::string out;
  for (const auto &[size, suffix] : units)
    if (s >= size) {
      out += fmt::format("{}{}", s / size, suffix);
      s %= size;
    }
  return out;
}

// A cron expression that fires at least every `seconds`: every N hours or
// minutes where that divides evenly, else hourly.
std::string scheduleFor(double seconds) {
  auto s = static_cast<int64_t>(seconds);
  if (s >= 86400)
    return "@daily";
  if (s >= 3600) {
    int64_t h = s / 3600;
    while (24 % h)
      --h;
    return h == 1 ? "@hourly" : fmt::format("0 */{} * * *", h);
  }
  int64_t m = std::max<int64_t>(1, s / 60);
  while (60 % m)
    --m;
  return m == 1 ? "* * * * *" : fmt::format("*/{} * * * *", m);
}

enum Check { Writer = 0, Schedule = 1, MaxDuration = 2, Timeout = 3 };

// The longest chain of expected durations through `after`, ending at each
// task; a depth-first search with memo, so linear in tasks and `after`
// entries. Cycles (reported by sema) are cut where they close.
struct CriticalPath {
  const std::vector<const Value *> &tasks;
  llvm::StringMap<size_t> index;
  std::vector<double> longest;
  std::vector<size_t> via;     // the predecessor on the longest chain, or npos
  std::vector<uint8_t> state;  // 0 new, 1 on the stack, 2 done

  explicit CriticalPath(const std::vector<const Value *> &t)
      : tasks(t), longest(t.size(), 0), via(t.size(), SIZE_MAX), state(t.size(), 0) {
    for (size_t i = 0; i < t.size(); ++i)
      index.try_emplace(t[i]->text, i);
  }

  static double duration(const Value *task) {
    const Value *d = task->field(records::task::duration);
    return d ? d->number : 600;
  }

  double of(size_t root) {
    // An explicit stack: a long chain of tasks must not overflow ours.
    std::vector<std::pair<size_t, size_t>> stack{{root, 0}};
    while (!stack.empty()) {
      auto &[i, next] = stack.back();
      if (state[i] == 2) {
        stack.pop_back();
        continue;
      }
      state[i] = 1;
      const Value *after = tasks[i]->field(records::task::after);
      size_t count = after ? after->items.size() : 0;
      if (next < count) {
        auto it = index.find(after->items[next++]->text);
        if (it != index.end() && state[it->second] == 0)
          stack.emplace_back(it->second, 0);
        continue;
      }
      double best = 0;
      for (size_t k = 0; k < count; ++k) {
        auto it = index.find(after->items[k]->text);
        if (it == index.end() || state[it->second] != 2)
          continue;
        if (longest[it->second] > best) {
          best = longest[it->second];
          via[i] = it->second;
        }
      }
      longest[i] = best + duration(tasks[i]);
      state[i] = 2;
      stack.pop_back();
    }
    return longest[root];
  }
};

void checkPipeline(const sema::Program &p, const sema::EnvModel &env, DeclId id,
                   std::set<std::pair<DeclId, int>> &reported, Diagnostics &diags) {
  const sema::Decl &decl = p.decl(id);
  const Value *tasksValue = env.get(id, fields::pipeline::task);
  const Value *maxDuration = env.get(id, fields::pipeline::max_duration);
  static const std::vector<const Value *> none;
  const std::vector<const Value *> &tasks = tasksValue ? tasksValue->items : none;

  for (const Value *task : tasks) {
    const Value *timeout = task->field(records::task::timeout);
    if (!timeout || reported.count({id, Timeout}))
      continue;
    double expected = CriticalPath::duration(task);
    if (timeout->number < expected) {
      reported.insert({id, Timeout});
      Diagnostic &d = diags.report(
          DiagId::TaskTimeoutBelowDuration, timeout->span,
          fmt::format("task `{}` of `{}` times out after {} but is expected to run for {}", task->text,
                      decl.name, durationText(timeout->number), durationText(expected)));
      if (const Value *dur = task->field(records::task::duration); dur && dur->span.valid())
        d.label(dur->span, "expected duration declared here");
      d.withHelp(fmt::format("raise the timeout above the expected run time (`timeout = {}`), or "
                             "correct the task's `duration`",
                             durationText(expected * 2)));
    } else if (maxDuration && timeout->number > maxDuration->number) {
      reported.insert({id, Timeout});
      diags
          .report(DiagId::TaskTimeoutBelowDuration, timeout->span,
                  fmt::format("task `{}` of `{}` may run for {}, longer than the pipeline's `max_duration` "
                              "of {}",
                              task->text, decl.name, durationText(timeout->number),
                              durationText(maxDuration->number)))
          .label(maxDuration->span, "the whole run is stopped after this")
          .withHelp(fmt::format("lower the task's timeout to at most {}, or raise `max_duration`",
                                durationText(maxDuration->number)))
          .fix("stop the task when the run is stopped", timeout->span, durationText(maxDuration->number));
    }
  }

  if (!maxDuration || tasks.empty() || reported.count({id, MaxDuration}))
    return;
  CriticalPath path(tasks);
  size_t worst = 0;
  double worstLength = -1;
  for (size_t i = 0; i < tasks.size(); ++i)
    if (double l = path.of(i); l > worstLength) {
      worstLength = l;
      worst = i;
    }
  if (worstLength <= maxDuration->number)
    return;
  reported.insert({id, MaxDuration});
  std::vector<size_t> chain;
  for (size_t i = worst; i != SIZE_MAX && chain.size() <= tasks.size(); i = path.via[i])
    chain.push_back(i);
  std::string names;
  for (size_t k = chain.size(); k-- > 0;)
    names += fmt::format("{}`{}` ({})", k + 1 == chain.size() ? "" : " → ", tasks[chain[k]]->text,
                         durationText(CriticalPath::duration(tasks[chain[k]])));
  Diagnostic &d = diags.report(
      DiagId::PipelineOverMaxDuration, maxDuration->span,
      fmt::format("the tasks of `{}` are expected to take {} on their longest path, beyond its "
                  "`max_duration` of {}",
                  decl.name, durationText(worstLength), durationText(maxDuration->number)));
  d.note(fmt::format("the longest path: {}", names));
  for (size_t k = chain.size(); k-- > 0;)
    if (const Value *dur = tasks[chain[k]]->field(records::task::duration); dur && dur->span.valid())
      d.label(dur->span, fmt::format("`{}` is expected to take {}", tasks[chain[k]]->text,
                                     durationText(dur->number)));
  d.withHelp(fmt::format("raise `max_duration` to at least {}, or shorten or parallelise the tasks on "
                         "that path",
                         durationText(worstLength)));
  if (maxDuration->span.valid() && maxDuration->span.file == decl.nameSpan.file)
    d.fix("allow the expected run time", maxDuration->span, durationText(worstLength));
}

} // namespace

void checkDataObjectives(const sema::Program &p, const sema::EnvModel &env,
                         std::set<std::pair<DeclId, int>> &reported, Diagnostics &diags) {
  // Writers of each dataset in this environment, in edge order.
  std::map<DeclId, std::vector<const sema::Edge *>> writers;
  for (const sema::Edge &e : env.edges)
    if (e.kind == sema::EdgeKind::Writes && e.to < env.exists.size() && env.exists[e.to] &&
        env.exists[e.from])
      writers[e.to].push_back(&e);

  for (DeclId id : p.ofKind(sema::DeclKind::Dataset)) {
    if (!env.exists[id])
      continue;
    const Value *freshness = env.get(id, fields::dataset::freshness);
    if (!freshness)
      continue;
    const sema::Decl &dataset = p.decl(id);
    auto it = writers.find(id);
    if (it == writers.end()) {
      if (reported.insert({id, Writer}).second)
        diags
            .report(DiagId::FreshnessWithoutWriter, freshness->span,
                    fmt::format("`{}` must be no older than {}, but nothing writes it in `{}`", dataset.name,
                                durationText(freshness->number), env.name))
            .note(dataset.nameSpan, fmt::format("`{}` is declared here", dataset.name))
            .withHelp(fmt::format("add `writes = [{}]` to the task of a pipeline that lands its data in "
                                  "`{}`, or remove `freshness`",
                                  dataset.name, env.name));
      continue;
    }
    for (const sema::Edge *w : it->second) {
      if (p.decl(w->from).kindId != sema::DeclKind::Pipeline || reported.count({w->from, Schedule}))
        continue;
      // A pipeline without a schedule runs when what it reads changes: its
      // interval is its upstream's, which this check does not follow.
      const Value *schedule = env.get(w->from, fields::pipeline::schedule);
      if (!schedule)
        continue;
      double interval = sema::cronLongestInterval(schedule->text);
      if (interval < 0 || interval < freshness->number)
        continue;
      reported.insert({w->from, Schedule});
      const sema::Decl &pipeline = p.decl(w->from);
      Diagnostic &d = diags.report(
          DiagId::ScheduleMissesFreshness, schedule->span,
          fmt::format("`{}` runs as rarely as every {}, so `{}`, which it writes, cannot be kept fresher "
                      "than {} as declared",
                      pipeline.name, durationText(interval), dataset.name, durationText(freshness->number)));
      if (freshness->span.valid())
        d.label(freshness->span, fmt::format("`{}` must be no older than {}", dataset.name,
                                             durationText(freshness->number)));
      d.note(fmt::format("between two runs the data ages by the interval, plus the time a run takes "
                         "to land it"));
      // Run at least twice per freshness window so a run has time to land.
      std::string suggested = scheduleFor(freshness->number / 2);
      d.withHelp(fmt::format("run `{}` more often (`schedule = \"{}\"`), or relax the freshness of `{}`",
                             pipeline.name, suggested, dataset.name));
      if (schedule->span.valid() && schedule->span.file == pipeline.nameSpan.file)
        d.fix(fmt::format("run every {}", durationText(sema::cronLongestInterval(suggested))), schedule->span,
              fmt::format("\"{}\"", suggested));
    }
  }

  for (DeclId id : p.ofKind(sema::DeclKind::Pipeline))
    if (env.exists[id])
      checkPipeline(p, env, id, reported, diags);
}

} // namespace plat::governance
