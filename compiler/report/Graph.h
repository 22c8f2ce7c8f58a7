// `platc graph`: the cross-persona dependency graph of one environment as
// Graphviz dot, Mermaid or JSON.
#pragma once

#include <optional>
#include <string>

#include "sema/Program.h"

namespace plat::report {

enum class GraphFormat { Dot, Mermaid, Json };

struct GraphOptions {
  GraphFormat format = GraphFormat::Dot;
  std::string focus; // a declaration name (qualified or not); empty: everything
  unsigned depth = 1;
};

// Returns the rendered graph, or nullopt with `error` set when `focus`
// names nothing.
std::optional<std::string> renderGraph(const sema::Program &program, const sema::EnvModel &env,
                                       const GraphOptions &options, std::string &error);

} // namespace plat::report
