// Agents as principals: an agent acts for its owner team and can never do
// more than that team can (no privilege escalation through an agent).
//
// A team's reach is what it owns plus what its own declarations already
// depend on: the services and models they call, the datasets they read or
// are trained on (for `invoke` and `read`), the datasets they write (for
// `write`), and the pipelines it owns (for `trigger`).

#include <set>

#include "fmt/format.h"
#include "governance/Governance.h"

namespace plat::governance {

namespace fields = sema::fields;
namespace records = sema::records;

using sema::DeclId;
using sema::EdgeKind;
using sema::Value;

// The edit P0512's help names: `action` added to the agent's
// `human_approval` list, or the field added to the agent's block. Only when
// the edit lands in the agent's own declaration (not a template's or an
// environment's value). Not safe: it changes what is deployed.
static void addApprovalFix(Diagnostic &d, const sema::Program &p, const sema::Decl &agent,
                           const Value *approval, llvm::StringRef action) {
  const ast::Block *block = p.block(agent);
  if (!block || !block->close.valid())
    return;
  auto inside = [&](Span s) {
    return s.valid() && s.file == block->span.file && s.begin >= block->open.end &&
           s.end <= block->close.begin;
  };
  std::string description = fmt::format("require human approval for `{}`", action.str());
  if (approval && approval->kind != Value::Kind::List)
    return;
  if (!approval || !inside(approval->span)) {
    // Not set in the agent itself (a default or a template's list): set it
    // here, keeping what the inherited list already holds.
    std::vector<std::string> actions;
    if (approval)
      for (const Value *a : approval->items)
        actions.push_back(a->text);
    actions.push_back(action.str());
    Span at{block->close.file, block->close.begin, block->close.begin};
    d.fix(description, at, fmt::format("  human_approval = [{}]\n", fmt::join(actions, ", ")));
    return;
  }
  if (approval->span.size() < 2)
    return;
  Span at{approval->span.file, approval->span.end - 1, approval->span.end - 1};
  d.fix(description, at, approval->items.empty() ? action.str() : ", " + action.str());
}

void checkAgents(const sema::Program &p, const sema::EnvModel &env, Diagnostics &diags) {
  std::vector<DeclId> agents = p.ofKind(sema::DeclKind::Agent);
  if (agents.empty())
    return;
  // Reach per team: (edge kind the team's declarations have) → targets.
  std::map<DeclId, std::set<DeclId>> owned, invokable, readable, writable;
  for (const sema::Edge &e : env.edges)
    if (e.kind == EdgeKind::Owns)
      owned[e.from].insert(e.to);
  for (const sema::Edge &e : env.edges) {
    if (p.decl(e.from).kindId == sema::DeclKind::Agent)
      continue; // an agent's grants are what is being checked, not reach
    DeclId team = p.owner(env, e.from);
    if (team == sema::kNoDecl)
      continue;
    switch (e.kind) {
    case EdgeKind::Calls:
      invokable[team].insert(e.to);
      break;
    case EdgeKind::Reads:
    case EdgeKind::TrainedOn:
      readable[team].insert(e.to);
      break;
    case EdgeKind::Writes:
      writable[team].insert(e.to);
      break;
    default:
      break;
    }
  }

  for (DeclId id : agents) {
    if (!env.exists[id])
      continue;
    const sema::Decl &agent = p.decl(id);
    DeclId team = p.owner(env, id);
    if (team == sema::kNoDecl)
      continue;
    const Value *may = env.get(id, fields::agent::may);
    const Value *approval = env.get(id, fields::agent::human_approval);
    auto needsApproval = [&](llvm::StringRef action) {
      if (approval)
        for (const Value *a : approval->items)
          if (a->text == action)
            return false;
      return true;
    };
    struct Grant {
      const char *action;
      std::map<DeclId, std::set<DeclId>> *reach;
      const char *teamVerb;
    };
    Grant grants[] = {{"invoke", &invokable, "calls"},
                      {"read", &readable, "reads"},
                      {"write", &writable, "writes"},
                      {"trigger", nullptr, "owns"}};
    for (const Grant &g : grants) {
      const Value *list = may ? may->field(g.action) : nullptr;
      if (!list)
        continue;
      for (const Value *target : list->items) {
        if (target->kind != Value::Kind::Ref)
          continue;
        bool allowed = owned[team].count(target->ref) ||
                       (g.reach && (*g.reach)[team].count(target->ref));
        if (!allowed)
          diags
              .report(DiagId::AgentEscalation, target->span,
                      fmt::format("agent `{}` may {} `{}`, but its owner `{}` neither owns nor {} it",
                                  agent.name, g.action, p.decl(target->ref).name,
                                  p.decl(team).name, g.teamVerb))
              .note(p.decl(target->ref).nameSpan,
                    fmt::format("`{}` is declared here", p.decl(target->ref).name))
              .withHelp(fmt::format("an agent can only act within its team's reach: remove `{}` "
                                    "from `may.{}`, or have a team that reaches it own the agent",
                                    p.decl(target->ref).name, g.action));
        // Writes to production data need a human in the loop.
        if (std::string(g.action) == "write" && env.tier == "production" && needsApproval("write"))
          addApprovalFix(diags
              .report(DiagId::AgentNeedsApproval, target->span,
                      fmt::format("agent `{}` may write `{}` in production environment `{}` "
                                  "without human approval",
                                  agent.name, p.decl(target->ref).name, env.name))
              .withHelp("add `human_approval = [write]`, or limit `may.write` to non-production "
                        "environments with an `env` override"),
              p, agent, approval, "write");
        // Reaching pii data needs a human in the loop for that action.
        std::string action = g.action;
        if ((action == "read" || action == "invoke") && target->ref < env.classification.size() &&
            env.classification[target->ref] == 3 && needsApproval(action)) {
          Diagnostic &d = diags.report(
              DiagId::AgentNeedsApproval, target->span,
              fmt::format("agent `{}` may {} `{}`, which reaches pii data, without human approval",
                          agent.name, action, p.decl(target->ref).name));
          addLineageNotes(d, p, env, target->ref);
          d.withHelp(fmt::format("add `human_approval = [{}]`", action));
          addApprovalFix(d, p, agent, approval, action);
        }
      }
    }
    // Quotas are bounded by the team's budget.
    const Value *quota = env.get(id, fields::agent::quota);
    const Value *spend = quota ? quota->field(records::agent_quota::spend) : nullptr;
    const Value *budget = env.get(team, fields::team::budget);
    if (spend && budget && spend->kind == Value::Kind::MoneyRate &&
        budget->kind == Value::Kind::MoneyRate && spend->text == budget->text &&
        spend->number > budget->number)
      diags
          .report(DiagId::AgentQuotaOverBudget, spend->span,
                  fmt::format("agent `{}` may spend {:.0f} {}/month, more than the {:.0f} {}/month "
                              "budget of its owner `{}`",
                              agent.name, spend->number * 2629800, spend->text,
                              budget->number * 2629800, budget->text, p.decl(team).name))
          .note(budget->span, "the budget is set here")
          .withHelp("lower `quota.spend`, or raise the team's budget");
  }
}

} // namespace plat::governance
