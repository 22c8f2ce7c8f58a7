#!/usr/bin/env python3
"""The layering of platc's sources, checked on every #include.

Each rule says which folder may not include from which. They are the
architecture's boundaries (docs/ARCHITECTURE.md, "Layers"): a stage never
reaches into a later one, the compiler core never into the programs built
on it, and backends are peers over shared layers.

It also holds the typed-field rule (docs/ARCHITECTURE.md, "Fields and
kinds"): backends, the reports and the governance passes read a declaration's
fields through the keys of compiler/sema/Fields.def and compare kinds as
DeclKind, never by a name in a string, so a renamed stdlib field fails the
build or tests/unit/fields_test.cpp rather than changing the output. Reads by
a name known only at run time (EnvModel::getByName) are allowed only in the
files listed in BY_NAME_ALLOWED.

And the syntax-reference rule (docs/ARCHITECTURE.md, "The IR and syntax"):
the checked IR (IR_HEADERS) holds no pointer into an AST; it names a node by
sema::SyntaxRef (file id, node id), resolved through the program or schema
that holds the file.

usage: tools/check_layering.py [SOURCE_DIR]     exit 0 when every rule holds
"""

import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)

# The compiler core: every stage below the driver and the pipeline.
CORE = ["compiler/base", "compiler/ast", "compiler/syntax", "compiler/workspace",
        "compiler/diag", "compiler/sema", "compiler/governance", "compiler/format",
        "compiler/report", "compiler/stdlib"]
# Programs and libraries built on the core.
ABOVE_CORE = ["backends", "compiler/driver", "lsp", "mcp", "compiler/review", "compiler/mcp"]
# The backends proper (peers); everything else under backends/ is shared.
PEERS = ["backends/k8s", "backends/iam", "backends/sagemaker", "backends/airflow"]

# (who, may not include, why)
RULES = [
    (["compiler/base"], [c for c in CORE if c != "compiler/base"] + ["compiler/pipeline"],
     "base is the bottom layer"),
    (["compiler/syntax", "compiler/ast"],
     ["compiler/sema", "compiler/governance", "compiler/workspace", "compiler/pipeline"],
     "syntax comes before names and types"),
    (["compiler/sema"], ["compiler/governance", "compiler/pipeline"],
     "sema comes before governance; the pipeline sequences them"),
    (["compiler/governance"], ["compiler/pipeline"], "the pipeline calls governance, not the reverse"),
    (CORE + ["compiler/pipeline"], ABOVE_CORE,
     "the compiler core never depends on what is built on it"),
    (["backends"], ["compiler/syntax", "compiler/ast", "compiler/format", "compiler/driver", "lsp"],
     "backends read only the checked model"),
]




# Where the typed-field rule applies, and the files that evaluate names a
# user wrote (policy rules name fields in the workspace's own text).
TYPED_FIELDS = ["backends", "compiler/report", "compiler/governance"]
BY_NAME_ALLOWED = {"compiler/governance/Policy.cpp": "policy rules name fields in user text"}
KIND_NAMES = ("workspace|environment|team|service|model|dataset|pipeline|agent|policy|"
              "instance|framework|region")
BY_NAME = [
    (re.compile(r"\b(getByName|originOfByName)\s*\("),
     "reads a field by a run-time name; name it with a key (sema::fields::KIND::FIELD)"),
    (re.compile(r"""\bget\s*\([^()"]*,\s*"[A-Za-z_]\w*"\s*\)"""),
     "reads a field by a string; name it with a key (sema::fields::KIND::FIELD)"),
    (re.compile(r"""\bfield\s*\(\s*"[A-Za-z_]\w*"\s*\)|\bfield\s*\([^()"]*,\s*"[A-Za-z_]\w*"\s*\)"""),
     "reads a record's field by a string; name it with a key (sema::records::TYPE::FIELD)"),
    (re.compile(r'\bkind\s*[!=]=\s*"(%s)"|"(%s)"\s*[!=]=\s*[\w.>()-]*\bkind\b|ofKind\s*\(\s*"'
                % (KIND_NAMES, KIND_NAMES)),
     "compares a declaration kind as a string; compare Decl::kindId with sema::DeclKind"),
]
COMMENT = re.compile(r"//.*$")

# The headers of the checked IR, and what in them would be a pointer into
# syntax held as data: a member or container element of type `ast::X *`.
# Lines with a `(` declare functions (accessors that resolve a reference).
IR_HEADERS = ["compiler/sema/Program.h", "compiler/sema/Schema.h"]
AST_POINTER = re.compile(r"\bast::\w+\s*(const\s*)?\*")
IR_MUST_REJECT = [
    "  const ast::Block *ast = nullptr;",
    "  std::set<const ast::Rule *> illTyped;",
    "  std::map<const ast::NumberExpr *, double> literals;",
    "  ast::Expr *defaultValue;",
    "  std::vector<const ast::Item*> items;",
]
IR_MUST_ACCEPT = [
    "  SyntaxRef<ast::Block> syntax;",
    "  std::map<SyntaxRef<ast::NameExpr>, const EnumDef *> enumMembers;",
    "  const ast::Block *block(const Decl &d) const { return syntax.get(d.syntax); }",
]


def ast_pointer(code):
    return "(" not in code and AST_POINTER.search(code) is not None


def check_ir_syntax(root):
    """Pointers into syntax held by the IR headers."""
    problems = []
    for line in IR_MUST_REJECT:
        if not ast_pointer(line):
            problems.append(f"the syntax-reference pattern does not reject: {line.strip()}")
    for line in IR_MUST_ACCEPT:
        if ast_pointer(line):
            problems.append(f"the syntax-reference pattern rejects: {line.strip()}")
    for rel in IR_HEADERS:
        with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
            lines = f.read().split("\n")
        for i, line in enumerate(lines, 1):
            if ast_pointer(COMMENT.sub("", line)):
                problems.append(f"{rel}:{i}: the IR holds a pointer into syntax; hold a "
                                f"sema::SyntaxRef (file id, node id) and resolve it through the "
                                f"Program or Schema: {line.strip()}")
    return problems

# Lines the typed-field rule must reject and lines it must accept: checked on
# every run, so that a pattern that stops matching fails here.
MUST_REJECT = [
    'const Value *slo = ctx.env.get(id, "slo");',
    'if (!get(decl.id, "patch")) {',
    'const Value *v = env_.getByName(id, field);',
    'const Value *cpu = res ? res->field("cpu") : nullptr;',
    'const Value *i = field(serve, "instance");',
    'if (d.kind == "service")',
    'if ("dataset" != p.decl(id).kind)',
    'for (DeclId id : p.ofKind("model")) {',
]
MUST_ACCEPT = [
    'const Value *slo = ctx.env.get(id, fields::service::slo);',
    'const Value *cpu = res ? res->field(records::resources::cpu) : nullptr;',
    'const Value *registry = field(ctx.env.get(fw->ref, fields::framework::registries), regionKey);',
    'if (d.kindId == sema::DeclKind::Service)',
    'bool isNamespace = o.kind == "Namespace";',
    'std::string name = fmt::format("{}-{}", decl.kind, decl.name);',
]


def self_test():
    wrong = []
    for line in MUST_REJECT:
        if not any(p.search(line) for p, _ in BY_NAME):
            wrong.append(f"not rejected: {line}")
    for line in MUST_ACCEPT:
        if any(p.search(line) for p, _ in BY_NAME):
            wrong.append(f"rejected: {line}")
    return wrong


def check_typed_fields(root):
    """Lines in TYPED_FIELDS that read a field or compare a kind by a string."""
    problems = []
    typed = 0
    for top in TYPED_FIELDS:
        for dirpath, _, names in os.walk(os.path.join(root, top)):
            for n in sorted(names):
                if not n.endswith((".h", ".cpp", ".inc")):
                    continue
                rel = os.path.relpath(os.path.join(dirpath, n), root)
                with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
                    lines = f.read().split("\n")
                for i, line in enumerate(lines, 1):
                    code = COMMENT.sub("", line)
                    typed += code.count("fields::") + code.count("records::")
                    for pattern, why in BY_NAME:
                        if pattern.search(code) and not (rel in BY_NAME_ALLOWED and "ByName" in pattern.pattern):
                            problems.append(f"{rel}:{i}: {why}: {line.strip()}")
    return problems, typed


def check(root):
    problems = []
    files = []
    for top in ("compiler", "backends", "lsp", "mcp"):
        for dirpath, _, names in os.walk(os.path.join(root, top)):
            for n in names:
                if n.endswith((".h", ".cpp", ".def", ".inc")):
                    files.append(os.path.relpath(os.path.join(dirpath, n), root))
    files.sort()
    includes = 0
    for rel in files:
        with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
            text = f.read()
        for m in INCLUDE.finditer(text):
            inc = m.group(1)
            line = text.count("\n", 0, m.start()) + 1
            # Includes are relative to compiler/ or to the repository root;
            # anything else (llvm/, fmt/, generated files) is not ours.
            if os.path.exists(os.path.join(root, "compiler", inc)):
                target = "compiler/" + inc
            elif os.path.exists(os.path.join(root, inc)):
                target = inc
            else:
                continue
            includes += 1
            for who, banned, why in RULES:
                if not any(rel.startswith(w + "/") for w in who):
                    continue
                for b in banned:
                    if target.startswith(b if b.endswith("/") else b + "/"):
                        problems.append(f"{rel}:{line}: includes {inc}: {why}")
            # Backends are peers: one never includes another.
            mine = next((p for p in PEERS if rel.startswith(p + "/")), None)
            theirs = next((p for p in PEERS if target.startswith(p + "/")), None)
            if mine and theirs and mine != theirs:
                problems.append(f"{rel}:{line}: includes {inc}: backends are peers; "
                                f"move what both need to a shared layer (backends/aws, backends/*.h)")
    return problems, len(files), includes


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    problems, nfiles, nincludes = check(root)
    if nincludes == 0:
        print("no include was read: is the pattern out of date?")
        return 1
    if problems:
        print("layering violations (docs/ARCHITECTURE.md, \"Layers\"):")
        print("\n".join(problems))
        return 1
    wrong = self_test()
    if wrong:
        print("the typed-field patterns are out of date:")
        print("\n".join(wrong))
        return 1
    ir = check_ir_syntax(root)
    if ir:
        print("syntax held by pointer in the IR (docs/ARCHITECTURE.md, \"The IR and syntax\"):")
        print("\n".join(ir))
        return 1
    by_name, typed = check_typed_fields(root)
    if typed == 0:
        # The rule would pass vacuously if the typed keys were renamed.
        print("no typed field read (fields::, records::) was found: is the check out of date?")
        return 1
    if by_name:
        print("fields or kinds named by a string (docs/ARCHITECTURE.md, \"Fields and kinds\"):")
        print("\n".join(by_name))
        return 1
    print(f"ok: {nincludes} includes in {nfiles} files follow the layering rules; "
          f"{typed} typed field reads and no read by name in {', '.join(TYPED_FIELDS)}; "
          f"no pointer into syntax in {', '.join(IR_HEADERS)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
