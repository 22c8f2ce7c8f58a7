// Checks of resolved values against what the generated outputs' targets
// accept: AWS API patterns and lengths (botocore's service models), IAM ARN
// rules, Airflow's dataset URIs, and the characters YAML, JSON and Python
// text can carry to Kubernetes, AWS and Airflow. A value that passes here is
// written by the backends exactly as declared; one that does not is reported
// at the value (and, when it comes from an `env` block or a template, with
// the environment or declaration it is used in) instead of producing output
// that fails at deploy time.
#pragma once

#include "diag/Diagnostic.h"
#include "sema/Program.h"

namespace plat::sema {

// Runs after every declaration's values are resolved, once per distinct
// value (values shared by environments are checked once).
void checkTargetLimits(const Program &program, Diagnostics &diags);

} // namespace plat::sema
