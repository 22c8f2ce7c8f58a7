// Python literals from Plat values.
//
// Every value from a .plat file that lands in generated Python source goes
// through these functions and nothing else: the generators never paste user
// text between quotes themselves. Each function returns a complete Python
// expression whose value (`ast.literal_eval`) equals the input, whatever the
// input holds: quotes, triple quotes, backslashes, newlines, NUL and other
// control characters, `{{ }}`, non-ASCII, invalid UTF-8.
#pragma once

#include <cstdint>
#include <string>

#include "llvm/ADT/StringRef.h"
#include "nlohmann/json.hpp"

namespace plat::backends::python {

// A single-quoted Python `str` literal equal to the UTF-8 text `s`, escaped
// like `repr()`: `\\`, `\'`, `\n`, `\r`, `\t`, other control characters and
// DEL as `\xNN`. Non-ASCII code points are written as `\xNN`, `\uNNNN` or
// `\UNNNNNNNN` escapes (repr would keep printable ones raw), so generated
// files are pure ASCII: no bidirectional-override or look-alike characters
// can hide in them, and no editor or encoding can change their meaning.
// Bytes that are not valid UTF-8 become U+FFFD, as Python's own
// `bytes.decode(errors="replace")` does, since a Python `str` cannot hold them.
std::string str(llvm::StringRef s);
// The same appended to `out`.
void appendStr(std::string &out, llvm::StringRef s);

// Text that Jinja renders back to exactly `s`, for the places where Airflow
// renders a string we cannot hand over as `literal()` (`DAG(doc_md=...)`,
// which Airflow 2 passes to an unsandboxed `jinja2.Template`). Every `{`
// that would open a Jinja tag (`{{`, `{%`, `{#`) becomes the expression
// `{{ '{' }}`; carriage returns (which Jinja turns into newlines) and a
// final newline (which it drops) become expressions too, and a result that
// would end in `.md` (which Airflow loads as a template file) ends with an
// expression instead. Nothing else changes, so the text stays readable.
std::string jinjaInert(llvm::StringRef s);

// `True` / `False`.
std::string boolean(bool b);

// A decimal integer literal (negative numbers are a unary minus, which
// `ast.literal_eval` accepts).
std::string integer(int64_t i);

// A float literal with the shortest digits that read back to the same double
// (`0.2`, `1e+300`, `5.0`); non-finite values become `float('inf')` and the
// like, which are calls rather than literals and are documented as such.
std::string floating(double d);

// A Python expression equal to a JSON value: dicts keep the key order,
// strings go through `str`, `null` is `None`. `indent` spaces per level
// starting at `level`; an empty container prints as `{}` / `[]`.
std::string fromJson(const nlohmann::ordered_json &j, int level = 0, int indent = 4);
// The same appended to `out`.
void appendJson(std::string &out, const nlohmann::ordered_json &j, int level = 0,
                int indent = 4);

} // namespace plat::backends::python
