#include <algorithm>

#include "report/Graph.h"

#include <deque>
#include <set>

#include "fmt/format.h"
#include "governance/Governance.h"
#include "nlohmann/json.hpp"

namespace plat::report {

namespace {

// Shapes by persona, so the picture reads at a glance.
const char *dotShape(sema::DeclKind kind) {
  switch (kind) {
  case sema::DeclKind::Service:
    return "box";
  case sema::DeclKind::Model:
    return "hexagon";
  case sema::DeclKind::Dataset:
    return "cylinder";
  case sema::DeclKind::Pipeline:
    return "cds";
  case sema::DeclKind::Agent:
    return "octagon";
  case sema::DeclKind::Team:
    return "house";
  case sema::DeclKind::Workspace:
  case sema::DeclKind::Environment:
  case sema::DeclKind::Policy:
  case sema::DeclKind::Instance:
  case sema::DeclKind::Framework:
  case sema::DeclKind::Region:
    return "ellipse";
  }
  return "ellipse";
}

// The effective classification after lineage (a model trained on pii data
// is pii), which is what reviewers need to see.
// A pipeline is labelled by the most sensitive data it handles: what it
// reads (its lineage classification) and also what it writes, so a
// pipeline that collects pii into a pii dataset from unclassified sources
// (an ingest job reading an API) is not shown as `public`.
std::string classificationOf(const sema::Program &p, const sema::EnvModel &env, sema::DeclId id) {
  if (id >= env.classification.size() || env.classification[id] < 0)
    return "";
  int level = env.classification[id];
  if (p.decl(id).kindId == sema::DeclKind::Pipeline)
    for (const sema::Edge &e : env.edgesFrom(id, sema::EdgeKind::Writes))
      if (e.to < env.classification.size())
        level = std::max(level, env.classification[e.to]);
  return governance::classificationName(level).str();
}

std::string dotEscape(const std::string &s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out;
}

std::string mermaidId(const std::string &qualified) {
  std::string out;
  for (char c : qualified)
    out += (std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
  return out;
}

} // namespace

std::optional<std::string> renderGraph(const sema::Program &p, const sema::EnvModel &env,
                                       const GraphOptions &options, std::string &error) {
  // Which declarations: all live user declarations, or the neighbourhood
  // of the focus up to `depth` edges away in either direction.
  std::set<sema::DeclId> nodes;
  for (const sema::Decl &d : p.decls)
    if (!d.fromStdlib && env.exists[d.id] && d.kindId != sema::DeclKind::Environment &&
        d.kindId != sema::DeclKind::Workspace && d.kindId != sema::DeclKind::Policy)
      nodes.insert(d.id);
  if (!options.focus.empty()) {
    sema::DeclId focus = sema::kNoDecl;
    for (const sema::Decl &d : p.decls)
      if (!d.fromStdlib && (d.qualifiedName == options.focus || d.name == options.focus))
        focus = d.id;
    if (focus == sema::kNoDecl) {
      error = fmt::format("no declaration named `{}`", options.focus);
      return std::nullopt;
    }
    // Neighbours in either direction, built once: the walk is then linear
    // in the edges, not edges times the nodes it visits.
    std::vector<std::vector<sema::DeclId>> neighbours(p.decls.size());
    for (const sema::Edge &e : env.edges)
      if (e.from < neighbours.size() && e.to < neighbours.size()) {
        neighbours[e.from].push_back(e.to);
        neighbours[e.to].push_back(e.from);
      }
    std::set<sema::DeclId> keep{focus};
    std::deque<std::pair<sema::DeclId, unsigned>> queue{{focus, 0}};
    while (!queue.empty()) {
      auto [id, dist] = queue.front();
      queue.pop_front();
      if (dist == options.depth)
        continue;
      for (sema::DeclId other : neighbours[id])
        if (nodes.count(other) && keep.insert(other).second)
          queue.emplace_back(other, dist + 1);
    }
    nodes = std::move(keep);
  }
  std::vector<const sema::Edge *> edges;
  for (const sema::Edge &e : env.edges)
    if (nodes.count(e.from) && nodes.count(e.to))
      edges.push_back(&e);

  std::string out;
  switch (options.format) {
  case GraphFormat::Dot: {
    out += fmt::format("digraph \"{}\" {{\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n",
                       dotEscape(env.name));
    for (sema::DeclId id : nodes) {
      const sema::Decl &d = p.decl(id);
      std::string cls = classificationOf(p, env, id);
      // `\n` is dot's line break inside a label, so the parts are escaped
      // one by one and joined after.
      std::string label = dotEscape(d.name) + "\\n" +
                          dotEscape(d.kind + (cls.empty() ? "" : " · " + cls));
      out += fmt::format("  \"{}\" [shape={}, label=\"{}\"{}];\n", dotEscape(d.qualifiedName),
                         dotShape(d.kindId), label, cls == "pii" ? ", color=red, fontcolor=red" : "");
    }
    for (const sema::Edge *e : edges)
      out += fmt::format("  \"{}\" -> \"{}\" [label=\"{}\"{}];\n",
                         dotEscape(p.decl(e->from).qualifiedName),
                         dotEscape(p.decl(e->to).qualifiedName), sema::edgeName(e->kind).str(),
                         e->kind == sema::EdgeKind::Owns ? ", style=dotted" : "");
    out += "}\n";
    break;
  }
  case GraphFormat::Mermaid: {
    out += "flowchart LR\n";
    for (sema::DeclId id : nodes) {
      const sema::Decl &d = p.decl(id);
      std::string cls = classificationOf(p, env, id);
      out += fmt::format("  {}[\"{} ({}{})\"]\n", mermaidId(d.qualifiedName), d.name, d.kind,
                         cls.empty() ? "" : ", " + cls);
    }
    for (const sema::Edge *e : edges)
      out += fmt::format("  {} -->|{}| {}\n", mermaidId(p.decl(e->from).qualifiedName),
                         sema::edgeName(e->kind).str(), mermaidId(p.decl(e->to).qualifiedName));
    break;
  }
  case GraphFormat::Json: {
    nlohmann::ordered_json j;
    j["environment"] = env.name;
    j["nodes"] = nlohmann::ordered_json::array();
    for (sema::DeclId id : nodes) {
      const sema::Decl &d = p.decl(id);
      nlohmann::ordered_json n;
      n["id"] = d.qualifiedName;
      n["kind"] = d.kind;
      n["name"] = d.name;
      std::string cls = classificationOf(p, env, id);
      n["classification"] = cls.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(cls);
      j["nodes"].push_back(n);
    }
    j["edges"] = nlohmann::ordered_json::array();
    for (const sema::Edge *e : edges)
      j["edges"].push_back({{"from", p.decl(e->from).qualifiedName},
                            {"to", p.decl(e->to).qualifiedName},
                            {"kind", sema::edgeName(e->kind).str()}});
    out = j.dump(2) + "\n";
    break;
  }
  }
  return out;
}

} // namespace plat::report
