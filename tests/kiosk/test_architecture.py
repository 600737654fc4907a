"""The code base's shape: no run-time import cycle, no module over 800 lines, no side door around the layers,
the kiosk's rooms and the city's house where docs/ARCHITECTURE.md says, and import contracts that bite.

The import graph is built from the source of every module of the seven packages, with the imports made
inside functions (they run too, only later), and without those under `if TYPE_CHECKING:` (they never run).
"""

from __future__ import annotations

import argparse
import ast
import configparser
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("kiosk", "drivers", "ocr", "signing", "offline_sync", "ui", "backoffice")
MAX_LINES = 800


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _run_time_imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement that can run: at module level, in functions, in classes; not type-only."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def _targets(node: ast.Import | ast.ImportFrom, module: str, is_package: bool, known: set[str]) -> set[str]:
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name in known}
    base = node.module or ""
    if node.level:
        anchor = module.split(".") if is_package else module.split(".")[:-1]
        anchor = anchor[: len(anchor) - (node.level - 1)]
        base = ".".join([*anchor, *([base] if base else [])])
    found = set()
    for alias in node.names:
        submodule = f"{base}.{alias.name}"
        if submodule in known:
            found.add(submodule)  # `from package import module`
        elif base in known:
            found.add(base)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        edges: set[str] = set()
        for node in _run_time_imports(tree):
            edges |= _targets(node, name, path.name == "__init__.py", known)
        edges.discard(name)
        graph[name] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
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
    return found


def test_the_graph_sees_function_level_imports() -> None:
    graph = import_graph()
    # kiosk.pipeline.visit_pipeline imports the signing package inside `certify()` only.
    assert "signing" in graph["kiosk.pipeline.visit_pipeline"]
    # ...and type-only imports are left out: kiosk.flow.record names kiosk.pipeline.visit_pipeline for annotations only.
    assert "kiosk.pipeline.visit_pipeline" not in graph["kiosk.flow.record"]


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_run_time_import_cycle() -> None:
    found = cycles(import_graph())
    assert not found, "run-time import cycles:\n" + "\n".join(" <-> ".join(c) for c in found)


@pytest.mark.parametrize("package", PACKAGES)
def test_no_module_over_the_size_limit(package: str) -> None:
    too_long = {
        str(path.relative_to(ROOT)): n
        for path in sorted((ROOT / package).rglob("*.py"))
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not too_long, f"modules over {MAX_LINES} lines: {too_long}"


def test_nothing_below_ui_loads_it_by_name() -> None:
    """The layer contract is checked on import statements; an importlib call naming `ui` would dodge it."""
    offenders = []
    for name, path in _modules().items():
        if name.split(".")[0] == "ui":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
                value = node.args[0].value
                if isinstance(value, str) and (value == "ui" or value.startswith("ui.")):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, f"modules below ui that load it by name: {offenders}"


def test_the_screen_commands_come_from_the_ui_plug_in() -> None:
    from kiosk.cli import build_parser, plugin_commands
    from ui.commands import register

    assert register in plugin_commands()
    choices = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert {"run", "screenshots", "maintenance-pin"} <= set(choices)


# -- the layout of issue 21: the city's own house, and the kiosk's rooms --------------------------------------

KIOSK_TOP_MODULES = {"__init__.py", "app.py", "cli.py", "errors.py"}
KIOSK_ROOMS = {
    "audit",
    "commands",
    "config",
    "copy_check",
    "flow",
    "identity",
    "pipeline",
    "profiles",
    "runtime",
    "samples",
    "services",
}
CITY_ROOMS = {"api", "web", "services", "storage"}


def test_the_kiosk_top_level_holds_only_the_composition_root_the_cli_and_its_errors() -> None:
    top = {p.name for p in (ROOT / "kiosk").glob("*.py")}
    assert top == KIOSK_TOP_MODULES, f"group new kiosk modules into a room: {sorted(top - KIOSK_TOP_MODULES)}"
    rooms = {p.name for p in (ROOT / "kiosk").iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert rooms == KIOSK_ROOMS


def test_the_city_has_its_own_package_and_offline_sync_keeps_only_the_kiosks_side() -> None:
    rooms = {p.name for p in (ROOT / "backoffice").iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert rooms >= CITY_ROOMS
    assert not (ROOT / "offline_sync" / "backend").exists()
    tracked = subprocess.run(
        ["git", "grep", "-l", "offline_sync[.]backend"], check=False, cwd=ROOT, capture_output=True, text=True
    ).stdout.split()
    assert tracked == [], f"references to the old back-office package: {tracked}"


def _city_contract() -> configparser.SectionProxy:
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter")
    return config["importlinter:contract:city-imports-signing-and-protocol"]


def test_the_city_contract_forbids_every_kiosk_side_module_of_offline_sync() -> None:
    """The contract lists offline_sync's modules by name; a new kiosk-side module must join the list."""
    forbidden = set(_city_contract()["forbidden_modules"].split())
    kiosk_side = {
        f"offline_sync.{p.stem}" for p in (ROOT / "offline_sync").glob("*.py") if p.stem != "__init__"
    } | {f"offline_sync.{p.name}" for p in (ROOT / "offline_sync").iterdir() if (p / "__init__.py").exists()}
    kiosk_side.discard("offline_sync.protocol")
    assert kiosk_side <= forbidden, f"not forbidden to the city's side: {sorted(kiosk_side - forbidden)}"
    # and the package's own __init__ imports nothing, so importing the protocol loads no kiosk-side module
    tree = ast.parse((ROOT / "offline_sync" / "__init__.py").read_text(encoding="utf-8"))
    assert not [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]


WRONG_WAY_IMPORTS = {
    # file to append to, the import, the contract that must break
    "kiosk/errors.py": ("import backoffice.storage.db", "nothing of the kiosk imports the city's side"),
    "backoffice/pki.py": (
        "import kiosk.config",
        "the city's side imports only signing and the sync protocol",
    ),
    "backoffice/web/i18n.py": (
        "import offline_sync.store",
        "the city's side imports only signing and the sync protocol",
    ),
    "signing/__init__.py": ("import kiosk.errors", "ui above kiosk above the leaf packages"),
    "ocr/__init__.py": ("import PySide6", "only ui imports PySide6"),
}


@pytest.mark.slow
def test_the_import_contracts_fail_on_a_wrong_way_import(tmp_path: Path) -> None:
    """A copy of the packages with one deliberate wrong-way import per contract: lint-imports must refuse each."""
    lint_imports = Path(sys.executable).with_name("lint-imports")
    if not lint_imports.exists():
        lint_imports = Path(shutil.which("lint-imports") or "lint-imports")
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}

    clean = subprocess.run(
        [str(lint_imports)], check=False, cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert clean.returncode == 0, clean.stdout[-2000:]

    for relative, (statement, _) in WRONG_WAY_IMPORTS.items():
        with (tmp_path / relative).open("a", encoding="utf-8") as fh:
            fh.write(f"\n{statement}  # a deliberate wrong-way import\n")
    broken = subprocess.run(
        [str(lint_imports)], check=False, cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert broken.returncode != 0
    for relative, (statement, contract) in WRONG_WAY_IMPORTS.items():
        summary = " ".join(broken.stdout.split())
        assert re.search(re.escape(contract) + r"( \([^)]*\))? BROKEN", summary), (relative, summary[-3000:])
        importer = relative.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
        assert importer in broken.stdout, (importer, statement)


# -- issue 21: the project's own modules are imported at the top of each module ---------------------------------

# Folders whose owners are still moving their own function-level imports to the top. Shrink it as they finish.
FUNCTION_IMPORTS_PENDING_FOLDERS: set[str] = set()
# Modules that still import the project's own modules inside functions, and why. The test also fails on an
# entry that has none left, so this only shrinks.
FUNCTION_IMPORTS_REMAINING = {
    "kiosk/commands/_common.py": "CommandContext.app: `kiosk --help` loads this module and must not load "
    "the composition root (kiosk.app imports the whole kiosk at its top)",
}


# Third-party libraries that load on first use, behind a named provider (signing._pyhanko,
# signing.pkcs11_keys.load_pkcs11, drivers.escpos.byte_builder_class): importing these modules must not load them.
FIRST_USE_LIBRARIES = ("pyhanko", "pkcs11", "escpos", "reportlab")
CHEAP_TO_IMPORT = (
    "kiosk.app",
    "kiosk.flow.adapter",
    "kiosk.pipeline.visit_pipeline",
    "drivers.build",
    "signing.keys",
    "signing.trust",
    "signing.verify",
    "kiosk.copy_check.verify",
    "kiosk.copy_check.online_compare",
)


def loaded_by(module: str) -> list[str]:
    """The FIRST_USE_LIBRARIES that importing `module` loads, in a fresh interpreter."""
    probe = (
        f"import sys\nimport {module}\n"
        f"print(' '.join(sorted({{m.split('.')[0] for m in sys.modules}} & set({FIRST_USE_LIBRARIES!r}))))"
    )
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", probe],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    return done.stdout.split()


@pytest.mark.parametrize("module", CHEAP_TO_IMPORT)
def test_the_kiosk_modules_load_pyhanko_pkcs11_escpos_and_reportlab_on_first_use_only(module: str) -> None:
    """Issue 21: with the project's own imports at the top, `kiosk run` reaches its attract screen without
    pyHanko, reportlab, python-pkcs11 or python-escpos; they load with the first PDF, token or receipt."""
    assert loaded_by(module) == []


def test_the_officers_countersignature_loads_pyhanko_but_not_pkcs11() -> None:
    """signing.countersign signs with pyHanko at its top; the token library loads when a token is opened."""
    assert loaded_by("signing.countersign") == ["pyhanko"]


def test_kiosk_verify_loads_pyhanko_only_when_it_reads_a_pdf() -> None:
    """`kiosk verify` reads the PDF through signing._pyhanko (whose providers load pyHanko, tested below);
    importing it loads neither pyHanko nor the token library nor the receipt printers."""
    assert loaded_by("kiosk.commands.verify") == []


def test_the_first_use_providers_load_their_library() -> None:
    """The providers are the only way in: each one, called, loads what it names."""
    probe = (
        "import sys\n"
        "from drivers.escpos import byte_builder_class\n"
        "from signing import _pyhanko\n"
        "from signing._pyhanko import pdf_reader_class, pkcs11_signer_class, simple_signer_class\n"
        "from signing.pkcs11_keys import load_pkcs11\n"
        "assert 'pyhanko' not in sys.modules and 'escpos' not in sys.modules and 'pkcs11' not in sys.modules\n"
        "names = [simple_signer_class().__name__, pkcs11_signer_class().__name__, pdf_reader_class().__name__]\n"
        "names += [p().__name__ for p in (_pyhanko.mdp_perm_class, _pyhanko.coverage_level_class, "
        "_pyhanko.validation_context_class, _pyhanko.pdf_read_error_class)]\n"
        "names += [p().__name__ for p in (_pyhanko.pdf_objects, _pyhanko.signature_validation, "
        "_pyhanko.diff_analysis)]\n"
        "builder = byte_builder_class()('TM-T20II')\n"
        "builder._raw(b'x')\n"
        "print(' '.join(names), load_pkcs11().__name__, bytes(builder.buffer).decode(), "
        "byte_builder_class() is byte_builder_class())\n"
    )
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", probe],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.stdout.split() == [
        "SimpleSigner", "PKCS11Signer", "PdfFileReader",
        "MDPPerm", "SignatureCoverageLevel", "ValidationContext", "PdfReadError",
        "pyhanko.pdf_utils.generic", "pyhanko.sign.validation", "pyhanko.sign.diff_analysis",
        "pkcs11", "x", "True",
    ]  # fmt: skip


def function_level_own_imports(source: str) -> list[tuple[int, str]]:
    """(line, module) of every import of the seven packages made inside a function, relative ones too."""
    found: set[tuple[int, str]] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import):
                    found.update(
                        (inner.lineno, a.name) for a in inner.names if a.name.split(".")[0] in PACKAGES
                    )
                elif isinstance(inner, ast.ImportFrom):
                    module = "." * inner.level + (inner.module or "")
                    if inner.level or module.split(".")[0] in PACKAGES:
                        found.add((inner.lineno, module))
    return sorted(found)


def test_the_finder_sees_function_level_imports_of_our_packages_only() -> None:
    source = (
        "import signing\n"
        "def f():\n    import numpy\n    from kiosk.app import KioskApp\n"
        "    def g():\n        from . import sibling\n        import ocr.images\n"
        "class C:\n    async def h(self):\n        from backoffice.cli import main\n"
    )
    assert function_level_own_imports(source) == [
        (4, "kiosk.app"),
        (6, "."),
        (7, "ocr.images"),
        (10, "backoffice.cli"),
    ]


def test_our_packages_are_imported_at_the_top_of_each_module() -> None:
    """A reader sees a module's dependencies at its top. A function-level import is left only for a heavy
    third-party library loaded on first use (behind a named provider)."""
    offenders, still = [], set()
    for path in _modules().values():
        relative = path.relative_to(ROOT).as_posix()
        if any(relative.startswith(folder) for folder in FUNCTION_IMPORTS_PENDING_FOLDERS):
            continue
        found = function_level_own_imports(path.read_text(encoding="utf-8"))
        if found and relative in FUNCTION_IMPORTS_REMAINING:
            still.add(relative)
        elif found:
            offenders += [f"{relative}:{line} {module}" for line, module in found]
    assert not offenders, f"imports of our own packages inside functions (move them to the top): {offenders}"
    assert still == set(FUNCTION_IMPORTS_REMAINING), (
        f"no function-level import left in {set(FUNCTION_IMPORTS_REMAINING) - still}: "
        "remove it from FUNCTION_IMPORTS_REMAINING"
    )


def test_kiosk_help_loads_no_command_module_no_app_and_no_qt() -> None:
    """`kiosk --help` lists every command from kiosk.commands.COMMANDS; a command's module (and what it
    imports at its top) loads only when that command is chosen."""
    probe = (
        "import sys\nfrom kiosk.cli import build_parser\nbuild_parser(load=set())\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith(('kiosk.commands.', 'kiosk.app', "
        "'ui.app', 'ui.command_handlers', 'PySide6', 'pyhanko')))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert done.stdout.split() == ["kiosk.commands._common"]


def test_the_command_table_says_what_each_module_registers() -> None:
    from kiosk.cli import build_parser
    from kiosk.commands import COMMANDS

    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    registered = {choice.dest: choice.help for choice in sub._choices_actions}
    assert {name: registered.get(name) for name in COMMANDS} == {n: i.help for n, i in COMMANDS.items()}
