// Values as Plat source text: what the IR dump, hover and reports print.
#pragma once

#include <string>

#include "sema/Program.h"

namespace plat::sema {

std::string valueText(const Program &program, const Value &value);
// A number without a trailing `.0`: 2, 0.5, 1e+21.
std::string numberText(double value);

} // namespace plat::sema
