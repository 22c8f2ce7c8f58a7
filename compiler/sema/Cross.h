// Cross-persona checks on the typed IR: the edges of the dependency graph
// and the rules that span declarations of different kinds (calls need a
// served model, features need existing columns, tasks must not form a
// cycle, prod must not depend on what is not in prod, ...).
#pragma once

#include "diag/Diagnostic.h"
#include "sema/Program.h"

namespace plat::sema {

// Fills each environment's edges and tier, then reports cross-declaration
// problems. Called by `check` once every declaration's fields are resolved.
void crossCheck(Program &program, Diagnostics &diags);

} // namespace plat::sema
