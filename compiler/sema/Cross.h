// Cross-persona checks on the typed IR: the edges of the dependency graph
// and the rules that span declarations of different kinds (calls need a
// served model, features need existing columns, tasks must not form a
// cycle, prod must not depend on what is not in prod, ...).
#pragma once

#include <functional>

#include "diag/Diagnostic.h"
#include "sema/Program.h"

namespace plat::sema {

// Fills each environment's edges and tier, then reports cross-declaration
// problems. Called by `check` once every declaration's fields are resolved.
// `stop`, when given, is asked between checks whether to go on; once it
// says no, crossCheck returns with its work unfinished (pipeline::edit then
// discards the program).
void crossCheck(Program &program, Diagnostics &diags, const std::function<bool()> &stop = {});

} // namespace plat::sema
