// `platc mcp`: a Model Context Protocol server over stdio.
//
// The transport is MCP's stdio transport: JSON-RPC 2.0 messages, one per
// line (newline-delimited JSON, no embedded newlines), requests on stdin,
// responses on stdout; stderr is for logs. The tools give agents what the
// command line gives people, as structured JSON: check a workspace (or a
// proposed edit to one file, in memory), explain a code, apply fixes (a dry
// run by default), the dependency graph around a declaration, and the cost
// estimate. Diagnostics are the objects of `platc check --format json`.
//
// Like lsp/, this is a library on top of the compiler core; the core never
// includes it, and main.cpp dispatches `platc mcp` to it.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"

namespace plat::mcp {

// Handles one JSON-RPC message; returns the response, or null for a
// notification (no response is sent).
nlohmann::ordered_json handle(const nlohmann::ordered_json &message);

// Serves until stdin closes. Returns the exit status.
int run(std::istream &in, std::ostream &out);
int runStdio(const std::vector<std::string> &args);

} // namespace plat::mcp
