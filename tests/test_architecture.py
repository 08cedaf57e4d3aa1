"""Architecture rules for workflows/ (service and engine layer) and webapp/ (the Flask layer).

The import graph is read with ``ast``: nothing is imported or executed, so the rules hold for every import
statement in the source, including imports inside functions; relative imports are resolved. Module
resolution follows ``../shared/tools/import-graph``:

* a project module is any ``.py`` file under workflows/ or webapp/ (``pkg/__init__.py`` is ``pkg``);
* ``import a.b.c`` (or ``from a.b.c import x``) counts as importing the deepest of ``a.b.c.x``, ``a.b.c``,
  ``a.b``, ``a`` that is a project module, and ``from pkg import sub`` counts as importing ``pkg`` and,
  when ``sub`` is a module, ``pkg.sub`` too;
* a module importing itself or one of its own parent packages is not an edge.

Dynamic imports (``importlib.import_module(name)``, as in webapp/blueprints.py) are not seen.
``if TYPE_CHECKING:`` imports count like any other, as they do in the tool.
"""

from __future__ import annotations

import ast
import functools
import textwrap
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("workflows", "webapp")
EXTRA_FILES = ("config.py",)  # parsed for the SpiffWorkflow rule, not part of the graph
SERVICE = "workflows.service"
WEB_LIBRARIES = ("flask", "werkzeug", "webapp")  # and every flask_* extension
# Werkzeug's password hashing is a plain utility (no request, no app): the accounts area may use it.
WEB_UTILITIES = ("werkzeug.security",)
SPIFF = "SpiffWorkflow"
SPIFF_FREE = ("webapp/", "config.py")  # tests/ and bench/ may drive the engine directly
MAX_WORKFLOWS_MODULES = 20
# What webapp/ may import from workflows/: the door, and the few kernel names everything may import.
WEB_DOOR = ("workflows.service", "workflows.errors", "workflows.clock", "workflows.dto", "workflows.models",
            "workflows.db")


@dataclass(frozen=True)
class ImportStmt:
    """One ``import``/``from ... import`` statement (one per alias for plain ``import a, b``)."""

    importer: str  # dotted name of the importing module
    path: str  # its file, relative to the root, POSIX style
    lineno: int
    written: str  # the module as written: "flask.views", "..reports", "." (from . import x)
    module: str | None  # absolute module; None for a relative import beyond the top-level package
    names: tuple[str, ...]  # the names after `import` in a from-import; () for a plain import


@dataclass(frozen=True)
class Graph:
    """Every parsed import of a tree, and the module-level import edges between its project modules."""

    root: Path
    modules: dict[str, Path]  # project module -> file
    imports: dict[str, list[ImportStmt]]  # project modules plus EXTRA_FILES -> their import statements
    edges: dict[str, dict[str, list[int]]]  # importer -> imported project module -> line numbers


def _module_name(rel: Path) -> str:
    parts = rel.with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _absolute(importer: str, is_package: bool, level: int, module: str | None) -> str | None:
    """The absolute name a (possibly relative) ``from`` import refers to, as Python resolves it."""
    if not level:
        return module or ""
    parts = importer.split(".") if is_package else importer.split(".")[:-1]
    if level - 1 >= len(parts):
        return None  # "attempted relative import beyond top-level package"
    parts = parts[: len(parts) - (level - 1)]
    return ".".join([*parts, module] if module else parts)


def _parse(root: Path, path: Path, name: str) -> list[ImportStmt]:
    rel = path.relative_to(root).as_posix()
    is_package = path.name == "__init__.py"
    found = []
    for node in ast.walk(ast.parse(path.read_bytes(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [ImportStmt(name, rel, node.lineno, a.name, a.name, ()) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            written = "." * node.level + (node.module or "")
            module = _absolute(name, is_package, node.level, node.module)
            found.append(ImportStmt(name, rel, node.lineno, written, module, tuple(a.name for a in node.names)))
    return sorted(found, key=lambda s: s.lineno)


def _deepest(name: str, modules: dict[str, Path]) -> str | None:
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def _targets(stmt: ImportStmt, modules: dict[str, Path]) -> set[str]:
    """The project modules one statement imports (the tool's rule: deepest existing module)."""
    if stmt.module is None:
        return set()
    candidates = [stmt.module, *(f"{stmt.module}.{n}" for n in stmt.names)]
    return {t for t in (_deepest(c, modules) for c in candidates) if t}


def build_graph(root: Path) -> Graph:
    """Parse every module of PACKAGES under ``root`` (and EXTRA_FILES) and build the import graph."""
    modules = {
        _module_name(f.relative_to(root)): f
        for package in PACKAGES
        for f in sorted((root / package).rglob("*.py"))
        if "__pycache__" not in f.parts
    }
    imports = {name: _parse(root, f, name) for name, f in modules.items()}
    for extra in EXTRA_FILES:
        if (root / extra).is_file():
            imports[_module_name(Path(extra))] = _parse(root, root / extra, _module_name(Path(extra)))
    edges: dict[str, dict[str, list[int]]] = {m: {} for m in modules}
    for m in modules:
        for stmt in imports[m]:
            for t in _targets(stmt, modules):
                if t != m and not m.startswith(t + "."):
                    lines = edges[m].setdefault(t, [])
                    if stmt.lineno not in lines:
                        lines.append(stmt.lineno)
    return Graph(root, modules, imports, edges)


@functools.cache
def project_graph() -> Graph:
    """The real tree's graph, built once per test process and shared by every test below."""
    return build_graph(ROOT)


# -- the rules: each returns its offenders (empty when the rule holds) ------------------------------------


def import_cycles(graph: Graph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for start in sorted(graph.edges):
        if start in index:
            continue
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        work = [(start, iter(sorted(graph.edges[start])))]
        while work:
            v, successors = work[-1]
            for w in successors:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph.edges[w]))))
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[v])
                if low[v] == index[v]:
                    group = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        group.append(w)
                        if w == v:
                            break
                    if len(group) > 1:
                        groups.append(sorted(group))
    return sorted(groups)


def _top_level(stmt: ImportStmt) -> str:
    return (stmt.module or "").partition(".")[0]


def _in(stmt: ImportStmt, *prefixes: str) -> bool:
    return any(stmt.path == p or (p.endswith("/") and stmt.path.startswith(p)) for p in prefixes)


def web_imports_in_workflows(graph: Graph) -> list[ImportStmt]:
    """Statements in workflows/ importing flask, flask_*, werkzeug or webapp."""
    return [
        stmt
        for stmts in graph.imports.values()
        for stmt in stmts
        if _in(stmt, "workflows/") and (_top_level(stmt) in WEB_LIBRARIES or _top_level(stmt).startswith("flask_"))
        and stmt.module not in WEB_UTILITIES
    ]


def spiff_imports_outside_workflows(graph: Graph) -> list[ImportStmt]:
    """Statements in webapp/ or config.py importing SpiffWorkflow."""
    return [
        stmt
        for stmts in graph.imports.values()
        for stmt in stmts
        if _in(stmt, *SPIFF_FREE) and _top_level(stmt) == SPIFF
    ]


def service_importers(graph: Graph) -> dict[str, list[int]]:
    """Modules inside workflows/ (its __init__ included; service itself aside) importing workflows.service."""
    found = {}
    for m, targets in graph.edges.items():
        if not (m == "workflows" or m.startswith("workflows.")) or m == SERVICE or m.startswith(SERVICE + "."):
            continue
        lines = sorted({n for t, ns in targets.items() if t == SERVICE or t.startswith(SERVICE + ".") for n in ns})
        if lines:
            found[m] = lines
    return found


def web_imports_past_the_door(graph: Graph) -> list[ImportStmt]:
    """Statements in webapp/ importing a module of workflows/ other than the door and the kernel names."""
    found = []
    for stmts in graph.imports.values():
        for stmt in stmts:
            if not _in(stmt, "webapp/"):
                continue
            targets = {t for t in _targets(stmt, graph.modules) if t.startswith("workflows")}
            if "workflows" in targets and stmt.names:  # `from workflows import x`: judge each x
                targets.discard("workflows")
            if any(not any(t == d or t.startswith(d + ".") for d in WEB_DOOR) for t in targets):
                found.append(stmt)
    return found


def flat_workflows_modules(graph: Graph) -> list[str]:
    """The .py files directly in workflows/ (not in subpackages), __init__.py not counted."""
    folder = graph.root / "workflows"
    return sorted(f.name for f in graph.modules.values() if f.parent == folder and f.name != "__init__.py")


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_imports(graph: Graph) -> list[tuple[ImportStmt, list[str]]]:
    """``from x import _name`` in workflows/ or webapp/, x another project module; dunders allowed."""
    return [
        (stmt, private)
        for m in graph.modules
        for stmt in graph.imports[m]
        if stmt.names and stmt.module in graph.modules and stmt.module != m
        if (private := [n for n in stmt.names if _is_private(n)])
    ]


# -- messages ---------------------------------------------------------------------------------------------


def _lines(path: Path, numbers: list[int]) -> str:
    return f"{path.as_posix()}:" + ",".join(map(str, sorted(numbers)))


def _shortest_loop(graph: Graph, members: list[str]) -> list[str]:
    """The shortest closed path inside one cycle (breadth-first from each member), as module names."""
    inside = set(members)
    best: list[str] = []
    for start in members:
        previous: dict[str, str] = {}
        queue = deque([start])
        while queue:
            u = queue.popleft()
            if start in graph.edges[u]:
                path = [u]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                path = [*reversed(path), start]
                if not best or len(path) < len(best):
                    best = path
                break
            for w in sorted(graph.edges[u]):
                if w in inside and w != start and w not in previous:
                    previous[w] = u
                    queue.append(w)
    return best


def describe_cycles(graph: Graph, cycles: list[list[str]]) -> str:
    out = [f"{len(cycles)} import cycle(s) among the modules of workflows/ and webapp/ "
           "(imports inside functions count):"]
    for members in cycles:
        out.append(f"\ncycle of {len(members)}: " + ", ".join(members))
        out.append("  shortest loop: " + " -> ".join(_shortest_loop(graph, members)))
        out.append("  imports inside the cycle:")
        for a in members:
            for b in sorted(set(graph.edges[a]) & set(members)):
                rel = graph.modules[a].relative_to(graph.root)
                out.append(f"    {a} -> {b}  ({_lines(rel, graph.edges[a][b])})")
    return "\n".join(out)


def _statement(stmt: ImportStmt, names: list[str] | None = None) -> str:
    names = list(stmt.names) if names is None else names
    text = f"from {stmt.written} import {', '.join(names)}" if stmt.names else f"import {stmt.written}"
    if stmt.module is not None and stmt.module != stmt.written:
        text += f"  (= {stmt.module})"
    return f"  {stmt.path}:{stmt.lineno}  {text}"


def _fail(message: str) -> None:
    pytest.fail(message, pytrace=False)


# -- the real tree ----------------------------------------------------------------------------------------


def test_no_import_cycles() -> None:
    """No group of modules in workflows/ and webapp/ imports itself in a loop, even through function-level
    imports: each cycle is printed with its members, its shortest loop and the imports that close it."""
    graph = project_graph()
    cycles = import_cycles(graph)
    if cycles:
        _fail(describe_cycles(graph, cycles))


def test_workflows_does_not_import_the_web_layer() -> None:
    """workflows/ knows nothing of the web: no flask, flask_* extension, werkzeug or webapp import in it."""
    found = web_imports_in_workflows(project_graph())
    if found:
        _fail("workflows/ must not import flask, flask_*, werkzeug or webapp (the web layer calls workflows, "
              f"never the reverse); {len(found)} import(s):\n" + "\n".join(map(_statement, found)))


def test_spiffworkflow_stays_inside_workflows() -> None:
    """Only workflows/ touches SpiffWorkflow: webapp/ and config.py never import it (tests/, bench/ may)."""
    found = spiff_imports_outside_workflows(project_graph())
    if found:
        _fail("SpiffWorkflow may be imported only inside workflows/ (and by tests/, bench/); "
              f"{len(found)} import(s) in webapp/ or config.py:\n" + "\n".join(map(_statement, found)))


def test_nothing_inside_workflows_imports_the_service() -> None:
    """workflows.service is the web layer's only door into workflows/; no module inside workflows/ imports it."""
    graph = project_graph()
    found = service_importers(graph)
    if found:
        _fail(f"{SERVICE} is the web's only door into workflows/: nothing inside workflows/ may import it, but "
              f"{len(found)} module(s) do:\n"
              + "\n".join(f"  {m}  ({_lines(graph.modules[m].relative_to(graph.root), lines)})"
                          for m, lines in sorted(found.items())))


def test_the_web_enters_workflows_only_through_the_service() -> None:
    """webapp/ calls workflows/ through workflows.service alone (plus errors, clock, dto, models, db)."""
    found = web_imports_past_the_door(project_graph())
    if found:
        _fail("webapp/ may import from workflows/ only " + ", ".join(WEB_DOOR) + f"; {len(found)} import(s) "
              "go past the door (add the name to workflows/service.py):\n" + "\n".join(map(_statement, found)))


ENGINE_MOVES = {"complete", "send_message", "fire_timers", "start", "save", "create_instance", "lock_instance",
                "script_services"}
ENGINE_LAYER = ("workflows/cases.py", "workflows/store.py", "workflows/runner.py", "workflows/engine.py")


def engine_moves_outside_the_kernel(root: Path = ROOT) -> list[str]:
    """Calls of runner/store/engine functions that move or lock a workflow, outside the one locked step."""
    found = []
    for path in sorted((root / "workflows").rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if rel in ENGINE_LAYER:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name) and node.func.value.id in ("runner", "store", "engine")
                    and node.func.attr in ENGINE_MOVES):
                found.append(f"  {rel}:{node.lineno}  {node.func.value.id}.{node.func.attr}(...)")
            elif isinstance(node, ast.ImportFrom) and node.module in ("workflows.runner", "workflows.store",
                                                                        "workflows.engine"):
                names = sorted({a.name for a in node.names} & ENGINE_MOVES)
                if names:
                    found.append(f"  {rel}:{node.lineno}  from {node.module} import {', '.join(names)}")
    return found


def test_every_engine_move_goes_through_the_locked_step() -> None:
    """Starting, completing, messaging, firing timers and saving a workflow happen only in workflows.cases
    (``start``, ``step`` and the helpers built on it), which bind the script helpers, save and audit."""
    found = engine_moves_outside_the_kernel()
    if found:
        _fail("engine moves must go through workflows.cases (start / step / advance / deliver / tick); "
              f"{len(found)} found elsewhere:\n" + "\n".join(found))


def test_workflows_is_not_a_flat_heap_of_modules() -> None:
    """At most MAX_WORKFLOWS_MODULES .py files sit directly in workflows/ (__init__.py and subpackages aside)."""
    names = flat_workflows_modules(project_graph())
    if len(names) > MAX_WORKFLOWS_MODULES:
        _fail(f"workflows/ holds {len(names)} modules directly (limit {MAX_WORKFLOWS_MODULES}, __init__.py not "
              "counted); group related ones into subpackages such as workflows/models/:\n"
              + textwrap.fill(", ".join(names), 110, initial_indent="  ", subsequent_indent="  "))


def test_no_private_names_imported_across_modules() -> None:
    """No ``from x import _name`` in workflows/ or webapp/ where x is another module of theirs
    (``__dunder__`` names are fine): make the name public or move the code that needs it."""
    found = private_imports(project_graph())
    if found:
        _fail(f"private names imported from another module of workflows/ or webapp/; {len(found)} import(s):\n"
              + "\n".join(_statement(stmt, names) for stmt, names in found))


# -- the checker itself, on planted trees -----------------------------------------------------------------


def _plant(root: Path, files: dict[str, str]) -> Graph:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(textwrap.dedent(text), encoding="utf-8")
    return build_graph(root)


def test_checker_resolves_imports_and_catches_a_planted_cycle(tmp_path: Path) -> None:
    """A synthetic tree: a loop closed by relative, function-level and ``from pkg import sub`` imports is
    found; ``import a.b.c.name`` counts as the deepest module; importing one's own parent package, and a
    package importing its own submodule, are not mistaken for cycles."""
    graph = _plant(tmp_path, {
        "workflows/__init__.py": "",
        "workflows/a.py": """
            def later():
                from . import b  # relative, inside a function, `from pkg import sub`
            """,
        "workflows/b.py": "import workflows.sub.c.some_name\nimport workflows\n",
        "workflows/sub/__init__.py": "from . import c\n",
        "workflows/sub/c.py": "from .. import a\nfrom workflows.sub import something\nfrom ...outside import x\n",
        "workflows/leaf.py": "from workflows.a import later\n",
        "webapp/__init__.py": "",
        "webapp/x.py": "from webapp.y import helper\n",
        "webapp/y.py": "def helper():\n    import webapp.x\n",
    })
    assert graph.edges == {
        "workflows": {},
        "workflows.a": {"workflows.b": [3]},
        "workflows.b": {"workflows.sub.c": [1]},
        "workflows.sub": {"workflows.sub.c": [1]},
        "workflows.sub.c": {"workflows.a": [1]},
        "workflows.leaf": {"workflows.a": [1]},
        "webapp": {},
        "webapp.x": {"webapp.y": [1]},
        "webapp.y": {"webapp.x": [2]},
    }
    cycles = import_cycles(graph)
    assert cycles == [["webapp.x", "webapp.y"], ["workflows.a", "workflows.b", "workflows.sub.c"]]
    message = describe_cycles(graph, cycles)
    assert "cycle of 3: workflows.a, workflows.b, workflows.sub.c" in message
    assert "shortest loop: workflows.a -> workflows.b -> workflows.sub.c -> workflows.a" in message
    assert "workflows.sub.c -> workflows.a  (workflows/sub/c.py:1)" in message

    (tmp_path / "workflows/sub/c.py").write_text("from workflows.sub import something\n", encoding="utf-8")
    (tmp_path / "webapp/y.py").write_text("import webapp\n", encoding="utf-8")
    assert import_cycles(build_graph(tmp_path)) == []


def test_checker_catches_planted_layer_breaks_and_private_imports(tmp_path: Path) -> None:
    """A synthetic tree with one of each violation (and near misses that must pass): every rule reports
    exactly the planted offenders."""
    graph = _plant(tmp_path, {
        "config.py": "import os\nimport SpiffWorkflow.bpmn\n",
        "tests/test_engine.py": "import SpiffWorkflow\nfrom workflows.service import _door\n",
        "bench/bench_x.py": "from SpiffWorkflow.bpmn import BpmnWorkflow\n",
        "workflows/__init__.py": '"""import flask  (only words in a docstring)"""\n',
        "workflows/service.py": "def _door():\n    from workflows.service import _door  # itself: fine\n",
        "workflows/leaky.py": """
            import os, flask_login
            from SpiffWorkflow.bpmn import BpmnWorkflow
            def f():
                from werkzeug.wrappers import Response
                from werkzeug.security import check_password_hash
                from workflows.service import _door, __version__
            """,
        "workflows/models/__init__.py": "from .. import service\n",
        "workflows/models/plan.py": "from ..leaky import _hidden as hidden, public\n",
        "webapp/__init__.py": "",
        "webapp/views.py": "def g():\n    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow\nimport flask\n",
        "webapp/helpers.py": "from workflows import service\nfrom webapp.views import __all__\n",
        **{f"workflows/m{i:02}.py": "" for i in range(MAX_WORKFLOWS_MODULES - 1)},
    })
    assert [(s.path, s.lineno) for s in web_imports_in_workflows(graph)] == [
        ("workflows/leaky.py", 2), ("workflows/leaky.py", 5)]
    assert [(s.path, s.lineno) for s in spiff_imports_outside_workflows(graph)] == [
        ("webapp/views.py", 2), ("config.py", 2)]
    assert service_importers(graph) == {"workflows.leaky": [7], "workflows.models": [1]}
    assert len(flat_workflows_modules(graph)) == MAX_WORKFLOWS_MODULES + 1  # m00..m18, leaky, service
    found = private_imports(graph)
    assert [(s.path, s.lineno, names) for s, names in found] == [
        ("workflows/leaky.py", 7, ["_door"]), ("workflows/models/plan.py", 1, ["_hidden"])]
    assert _statement(*found[1]) == "  workflows/models/plan.py:1  from ..leaky import _hidden  (= workflows.leaky)"
