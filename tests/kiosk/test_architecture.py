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


def import_graph(sources: dict[str, tuple[str, bool]] | None = None) -> dict[str, set[str]]:
    """module -> the modules of the packages it imports at run time. `sources` (module -> (source, is a
    package)) stands in for the tree, for the tests of the graph itself."""
    if sources is None:
        sources = {
            name: (path.read_text(encoding="utf-8"), path.name == "__init__.py")
            for name, path in _modules().items()
        }
    known = set(sources)
    graph: dict[str, set[str]] = {}
    for name, (source, is_package) in sources.items():
        edges: set[str] = set()
        for node in _run_time_imports(ast.parse(source, name)):
            edges |= _targets(node, name, is_package, known)
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


def test_the_graph_sees_function_level_imports_and_leaves_out_type_only_ones() -> None:
    graph = import_graph(
        {
            "a": ("def later():\n    from b import thing\n", False),
            "b": ("if TYPE_CHECKING:\n    import a\nthing = 1\n", False),
            "p": ("from . import c\n", True),
            "p.c": ("", False),
        }
    )
    assert graph == {"a": {"b"}, "b": set(), "p": {"p.c"}, "p.c": set()}
    # In the tree: kiosk.flow.record names kiosk.pipeline.visit_pipeline for annotations only.
    assert "kiosk.pipeline.visit_pipeline" not in import_graph()["kiosk.flow.record"]


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
    assert choices is not None and {"run", "screenshots", "maintenance-pin"} <= set(choices)


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


# -- issue 21: imports at the top of each module ----------------------------------------------------------------

# The only libraries imported inside functions: heavy ones, loaded on first use behind a named provider, with a
# one-line reason at the import. Everything else, the project's own modules first, is imported at the top.
FIRST_USE_LIBRARIES_AND_WHY = {
    "pyhanko": "PDF signing, reading and validation: 0.3-0.7 s (signing._pyhanko)",
    "pyhanko_certvalidator": "the certificate validator that comes with pyHanko (signing._pyhanko)",
    "reportlab": "the copy's PDF renderer, ~40 ms (signing._reportlab, the technician's test page)",
    "pkcs11": "the token library, opened with a token (signing.pkcs11_keys.load_pkcs11)",
    "escpos": "the receipt printers' command sets (drivers.escpos.byte_builder_class)",
    "dlib": "the face models' native library (kiosk.identity.dlib_models)",
    "face_recognition": "dlib's 100 MB of face models (kiosk.identity.dlib_models.models)",
    "onnxruntime": "an optional model runtime, only when a config asks for it",
    "psycopg": "the PostgreSQL driver, only for a PostgreSQL URL (backoffice.storage.db)",
    "pyzbar": "libzbar: loading it runs ldconfig in a child process (ocr.barcodes.zbar)",
    "httpx": "with its extras ~160 ms, for the first request (offline_sync.client.load_httpx)",
    "smartcard": "libpcsclite, only for a PC/SC reader (drivers.chip_reader)",
}


def function_level_import_statements(source: str) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement made inside a function (not under `if TYPE_CHECKING:`)."""
    found: dict[int, ast.Import | ast.ImportFrom] = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for inner in node.body:
                found.update((id(statement), statement) for statement in _run_time_imports(inner))
    return sorted(found.values(), key=lambda statement: statement.lineno)


def imported_module(statement: ast.Import | ast.ImportFrom) -> list[str]:
    """The modules a statement imports; a relative import is its dots and module."""
    if isinstance(statement, ast.Import):
        return [alias.name for alias in statement.names]
    return ["." * statement.level + (statement.module or "")]


def function_level_imports(source: str) -> list[tuple[int, str]]:
    """(line, module) of every import made inside a function."""
    return sorted(
        {
            (s.lineno, module)
            for s in function_level_import_statements(source)
            for module in imported_module(s)
        }
    )


def test_the_finder_sees_every_function_level_import() -> None:
    source = (
        "import signing\n"
        "def f():\n    import numpy\n    from kiosk.app import KioskApp\n"
        "    def g():\n        from . import sibling\n        import ocr.images\n"
        "class C:\n    async def h(self):\n        from backoffice.cli import main\n"
        "        if TYPE_CHECKING:\n            import PySide6\n"
    )
    assert function_level_imports(source) == [
        (3, "numpy"),
        (4, "kiosk.app"),
        (6, "."),
        (7, "ocr.images"),
        (10, "backoffice.cli"),
    ]


def test_imports_are_at_the_top_but_for_heavy_libraries_loaded_on_first_use() -> None:
    """A reader sees a module's dependencies at its top. A function-level import is left only for a heavy
    third-party library (FIRST_USE_LIBRARIES_AND_WHY), and the line says why."""
    offenders = []
    for path in _modules().values():
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for statement in function_level_import_statements(source):
            said = "#" in "".join(lines[statement.lineno - 1 : statement.end_lineno])
            for module in imported_module(statement):
                where = f"{path.relative_to(ROOT)}:{statement.lineno} {module}"
                if module.split(".")[0] not in FIRST_USE_LIBRARIES_AND_WHY:
                    offenders.append(f"{where} (import it at the top)")
                elif not said:
                    offenders.append(f"{where} (say why in a comment on the line)")
    assert not offenders, f"imports inside functions: {offenders}"


def loads_by_name(name: str, source: str) -> list[str]:
    """Where a module loads modules by name: a module `__getattr__` (a lazy re-export), importlib.import_module,
    pkgutil.resolve_name or __import__. The `kiosk` command line may load its commands so."""
    found = []
    tree = ast.parse(source)
    for statement in tree.body:
        if isinstance(statement, ast.FunctionDef) and statement.name == "__getattr__":
            found.append(f"{name}:{statement.lineno} module __getattr__")
    by_name = ("import_module", "resolve_name", "__import__")
    for call in (node for node in ast.walk(tree) if isinstance(node, ast.Call)):
        called = call.func
        what = called.attr if isinstance(called, ast.Attribute) else getattr(called, "id", "")
        if what in by_name and name != "kiosk.cli":
            found.append(f"{name}:{call.lineno} {what}")
    return found


def test_the_by_name_finder_sees_lazy_re_exports_and_importlib() -> None:
    source = (
        "import importlib, pkgutil\n"
        "def __getattr__(name):\n    return getattr(importlib.import_module('p.' + name), name)\n"
        "def f():\n    return pkgutil.resolve_name('p.q:r'), __import__('x')\n"
    )
    assert loads_by_name("p", source) == [
        "p:2 module __getattr__",
        "p:3 import_module",
        "p:5 resolve_name",
        "p:5 __import__",
    ]
    assert (
        loads_by_name("kiosk.cli", "import importlib\nimportlib.import_module('kiosk.commands.verify')\n")
        == []
    )


def test_no_package_loads_its_modules_by_name() -> None:
    """What a module uses is named at its top: no lazy re-export, no importlib. The one exception is the
    `kiosk` command line, which loads a command's module (kiosk.commands.COMMANDS) or a plug-in's handler
    once that command is chosen, so that `kiosk --help` loads none."""
    offenders = [
        where
        for name, path in _modules().items()
        for where in loads_by_name(name, path.read_text(encoding="utf-8"))
    ]
    assert not offenders, offenders


# Third-party libraries that load on first use, behind a named provider (signing._pyhanko,
# signing.pkcs11_keys.load_pkcs11, drivers.escpos.byte_builder_class): importing these modules must not load them.
FIRST_USE_LIBRARIES = ("pyhanko", "pkcs11", "escpos", "reportlab", "pyzbar")
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
    # the modules that drive pyHanko and reportlab take them from signing._pyhanko and signing._reportlab
    "signing.certify",
    "signing.pades",
    "signing.render",
    "signing.countersign",
    "signing.ingest_check",
)


def probe_output(probe: str) -> str:
    """What the Python code `probe` prints, run in a fresh interpreter in the tree."""
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", probe],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    return done.stdout


def loaded_by(module: str) -> list[str]:
    """The FIRST_USE_LIBRARIES that importing `module` loads, in a fresh interpreter."""
    probe = (
        f"import sys\nimport {module}\n"
        f"print(' '.join(sorted({{m.split('.')[0] for m in sys.modules}} & set({FIRST_USE_LIBRARIES!r}))))"
    )
    return probe_output(probe).split()


@pytest.mark.parametrize("module", CHEAP_TO_IMPORT)
def test_the_kiosk_modules_load_pyhanko_pkcs11_escpos_and_reportlab_on_first_use_only(module: str) -> None:
    """Issue 21: with the project's own imports at the top, `kiosk run` reaches its attract screen without
    pyHanko, reportlab, python-pkcs11 or python-escpos; they load with the first PDF, token or receipt."""
    assert loaded_by(module) == []


def test_kiosk_verify_loads_pyhanko_only_when_it_reads_a_pdf() -> None:
    """`kiosk verify` reads the PDF through signing._pyhanko (whose providers load pyHanko, tested below);
    importing it loads neither pyHanko nor the token library nor the receipt printers."""
    assert loaded_by("kiosk.commands.verify") == []


def test_kiosk_verify_checks_a_copy_without_composing_the_kiosk() -> None:
    """`kiosk verify` takes the trust store from kiosk.runtime.kiosk_keys and the OCR from ocr: it never
    loads the composition root, the devices, the chip, the sync store or the visit's pipeline."""
    probe = (
        "import sys\nimport kiosk.commands.verify\n"
        "print(' '.join(sorted(m for m in sys.modules if m in ('kiosk.app', 'drivers.build', "
        "'kiosk.identity.chip.kiosk_chip', 'offline_sync.store', 'kiosk.pipeline.visit_pipeline', "
        "'kiosk.audit'))))"
    )
    assert probe_output(probe).split() == []


def test_the_first_use_providers_load_their_library() -> None:
    """The providers are the only way in: each one, called, loads what it names."""
    probe = (
        "import sys\n"
        "from drivers.escpos import byte_builder_class\n"
        "from signing import _pyhanko\n"
        "from signing._pyhanko import pdf_reader_class, pkcs11_signer_class, simple_signer_class\n"
        "from signing.pkcs11_keys import load_pkcs11\n"
        "from signing._reportlab import reportlab_canvas, ttfont_class\n"
        "assert 'reportlab' not in sys.modules\n"
        "assert 'pyhanko' not in sys.modules and 'escpos' not in sys.modules and 'pkcs11' not in sys.modules\n"
        "names = [simple_signer_class().__name__, pkcs11_signer_class().__name__, pdf_reader_class().__name__]\n"
        "names += [p().__name__ for p in (_pyhanko.mdp_perm_class, _pyhanko.coverage_level_class, "
        "_pyhanko.validation_context_class, _pyhanko.pdf_read_error_class)]\n"
        "names += [p().__name__ for p in (_pyhanko.pdf_objects, _pyhanko.signature_validation, "
        "_pyhanko.diff_analysis)]\n"
        "builder = byte_builder_class()('TM-T20II')\n"
        "builder._raw(b'x')\n"
        "names += [reportlab_canvas().__name__, ttfont_class().__name__]\n"
        "print(' '.join(names), load_pkcs11().__name__, bytes(builder.buffer).decode(), "
        "byte_builder_class() is byte_builder_class())\n"
    )
    assert probe_output(probe).split() == [
        "SimpleSigner", "PKCS11Signer", "PdfFileReader",
        "MDPPerm", "SignatureCoverageLevel", "ValidationContext", "PdfReadError",
        "pyhanko.pdf_utils.generic", "pyhanko.sign.validation", "pyhanko.sign.diff_analysis",
        "reportlab.pdfgen.canvas", "TTFont",
        "pkcs11", "x", "True",
    ]  # fmt: skip


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
