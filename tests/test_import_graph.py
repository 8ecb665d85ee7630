"""Imports point one way: errors / presets / encoding / decode-core -> vocab -> base -> families -> loader ->
export / generation -> cli. The graph is read from the source with `ast`, counting imports inside functions
too (only those under `if TYPE_CHECKING:` are left out, as they never run)."""

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "cpmtok"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported(name: str, path: Path, known: set[str]) -> set[str]:
    """The cpmtok modules `name` imports (a name imported from a package counts as its module if it is one)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    type_checking = {id(node) for branch in ast.walk(tree)
                     if isinstance(branch, ast.If) and "TYPE_CHECKING" in ast.unparse(branch.test)
                     for statement in branch.body for node in ast.walk(statement)}
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in type_checking:
            continue
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                out.add(target)
    return out


def graph() -> dict[str, set[str]]:
    """Module -> the cpmtok modules it imports; C extensions (`_jieba.c`) are modules that import nothing."""
    found = modules()
    extensions = {module_name(path) for path in PACKAGE.rglob("*.c")}
    edges = {name: imported(name, path, set(found) | extensions) for name, path in found.items()}
    return edges | {name: set() for name in extensions}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in edges:
        if node not in index:
            visit(node)
    return found


def test_the_graph_sees_imports_inside_functions():
    edges = graph()
    assert "cpmtok.loader" in edges["cpmtok.cli"]  # cli imports the loader inside a function
    assert "cpmtok.bert.tokenizer" in edges["cpmtok.loader"]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycle():
    found = cycles(graph())
    assert not found, "import cycles: " + "; ".join(" <-> ".join(cycle) for cycle in found)


# The layers, lowest first: a module imports its own layer and those below it. (A module no prefix names is
# left to the cycle test; add its layer here.)
LAYERS = [
    ("cpmtok.errors", "cpmtok.ids", "cpmtok.presets", "cpmtok.encoding", "cpmtok.decode", "cpmtok.gpt2",
     "cpmtok.compiled"),
    ("cpmtok.cache", "cpmtok.hub", "cpmtok.vocab", "cpmtok.batch", "cpmtok.inputs", "cpmtok.specials",
     "cpmtok.packing"),
    ("cpmtok.base",),
    ("cpmtok.bert", "cpmtok.cpm"),
    ("cpmtok.model_folder", "cpmtok.loader"),
    ("cpmtok.export", "cpmtok.generation", "cpmtok.corpus"),
    ("cpmtok.cli", "cpmtok"),
]


def layer(name: str):
    """The index of the layer whose longest prefix names the module, or None."""
    matches = [(len(prefix), index) for index, prefixes in enumerate(LAYERS) for prefix in prefixes
               if name == prefix or name.startswith(prefix + ".")]
    return max(matches)[1] if matches else None


def test_imports_point_down():
    upward = [(name, target) for name, targets in graph().items() for target in targets
              if layer(name) is not None and layer(target) is not None and layer(target) > layer(name)]
    assert not upward, "imports against the layer order: " + ", ".join(f"{a} -> {b}" for a, b in upward)


def test_decode_core_names_no_family():
    """cpmtok.decode is family-neutral: it imports no family, nothing above it, and branches on no family."""
    above = ("cpmtok.bert", "cpmtok.cpm", "cpmtok.base", "cpmtok.vocab", "cpmtok.loader", "cpmtok.export",
             "cpmtok.generation", "cpmtok.cli")
    for name, targets in graph().items():
        if name.startswith("cpmtok.decode"):
            assert not [t for t in targets if t.startswith(above)], (name, targets)
    for path in (PACKAGE / "decode").glob("*.py"):
        assert not re.search(r"family ==|dialect ==", path.read_text(encoding="utf-8")), path
