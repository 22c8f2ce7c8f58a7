// Typing of policy rules: `for KIND x where COND require COND else "..."`.
//
// Runs in the pipeline after resolve and before governance. Every field path
// resolves against the kind's schema, every comparison's operands have
// compatible types (units and currencies included), conditions are
// booleans, `in` and quantifiers range over lists. Errors are P0502 (unknown
// kind, field or function), P0530 (incomparable operands), P0531 (unknown
// bare name) and P0532 (not a boolean, not a list, no order); a rule with an
// error is not evaluated. What the evaluator needs (literal values in the
// base unit, how each comparison compares, which names are enum members) is
// stored in Program::policyTyping.
#pragma once

#include "diag/Diagnostic.h"
#include "sema/Program.h"

namespace plat::sema {

void typePolicies(Program &program, Diagnostics &diags);

} // namespace plat::sema
