"""The allowed arrows between the kernel and the capabilities, checked on the import graph of
the source (every module under src/samen except tests and migrations; see
docs/architecture.md):

(a) core imports no capability (every package under src/samen except core is one);
(b) activities, partners, outreach and volunteering do not import concerns (what someone
    worries about never leaks into the hub, engagement, e-mail or matching);
(c) a capability uses another capability only through its `services` and `selectors` (and
    its `apps`, to be found as an installed app) — never its models, views, forms, api,
    demo or tasks.
Core's own modules may be imported by anyone."""

import ast
import re
from pathlib import Path

import samen

ROOT = Path(samen.__file__).parent
KERNEL = "core"
# Every package under src/samen except the kernel is a capability (a future app too).
CAPABILITIES = sorted(
    p.name for p in ROOT.iterdir() if (p / "__init__.py").exists() and p.name != KERNEL
)
CONCERNS_FREE = {"activities", "partners", "outreach", "volunteering"}
PUBLIC_MODULES = {"services", "selectors", "apps"}
DOTTED = re.compile(r"samen(\.[A-Za-z_]\w*)+")


def _modules(root: Path):
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if "tests" in parts or "migrations" in parts or parts[-1] == "conftest":
            continue
        yield path, parts


def _imports(path: Path, parts: tuple[str, ...]):
    """(line, imported dotted name) for every import in the module, relative ones resolved;
    `from samen.x import y` yields samen.x.y, so that importing a module by name counts."""
    package = ["samen", *parts[:-1]]  # a module's package; an __init__'s is itself
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            for alias in node.names:
                yield node.lineno, f"{module}.{alias.name}"
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            # A dotted path in a string (import_string, a list of providers) is an import too.
            if DOTTED.fullmatch(node.value):
                yield node.lineno, node.value
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get_model"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            label = str(node.args[0].value).split(".")[0]
            yield node.lineno, f"samen.{label}.models"


def violations(root: Path = ROOT) -> list[str]:
    """`file:line: importer -> imported (why)` for every import that crosses a boundary."""
    found = []
    for path, parts in _modules(root):
        importer = parts[0] if len(parts) > 1 else None  # None: settings, urls, api (the root)
        for line, name in sorted(_imports(path, parts)):
            dotted = name.split(".")
            if dotted[0] != "samen" or len(dotted) < 2 or dotted[1] not in CAPABILITIES:
                continue
            app, module = dotted[1], (dotted[2] if len(dotted) > 2 else "")
            if importer is None or app == importer:
                continue
            where = f"{path.relative_to(root)}:{line}: {importer} -> {name}"
            if importer == KERNEL:
                found.append(f"{where} (the core imports a capability: register it instead)")
            elif importer in CONCERNS_FREE and app == "concerns":
                found.append(
                    f"{where} (activities, partners, outreach and volunteering never see concerns)"
                )
            elif module not in PUBLIC_MODULES:
                found.append(f"{where} (use its services or selectors)")
    return found


def test_the_import_graph_keeps_the_boundaries():
    assert violations() == []


def test_the_check_sees_each_kind_of_violation(tmp_path):
    assert {"concerns", "impact"} <= set(CAPABILITIES) and KERNEL not in CAPABILITIES
    modules = {
        "core/x.py": "from samen.concerns.selectors import staff_summary\nfrom . import kpi\n",
        "core/y.py": 'CARDS = ["samen.impact.selectors.staff_card"]\napps.get_model("concerns", "Case")\n',
        "activities/x.py": "from samen.concerns import services\nfrom samen.partners import selectors\n",
        "impact/x.py": "from samen.partners.models import Contribution\n",
        "partners/x.py": "from ..volunteering import selectors, views\nfrom ..core import kpi\n",
        "partners/tests/test_x.py": "from samen.volunteering.models import Need\n",
        "urls.py": "from samen.concerns import views\n",
    }
    for name, source in modules.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(source)
    assert violations(tmp_path) == [
        "activities/x.py:1: activities -> samen.concerns.services"
        " (activities, partners, outreach and volunteering never see concerns)",
        "core/x.py:1: core -> samen.concerns.selectors.staff_summary"
        " (the core imports a capability: register it instead)",
        "core/y.py:1: core -> samen.impact.selectors.staff_card"
        " (the core imports a capability: register it instead)",
        "core/y.py:2: core -> samen.concerns.models"
        " (the core imports a capability: register it instead)",
        "impact/x.py:1: impact -> samen.partners.models.Contribution"
        " (use its services or selectors)",
        "partners/x.py:1: partners -> samen.volunteering.views (use its services or selectors)",
    ]


def test_the_kernels_templates_name_no_capabilitys_pages():
    """Core's pages show what the capabilities registered (menu, cards, links): a core
    template that names a capability's URL would break when that app is left out."""
    names = re.compile(r"""\{%\s*url\s+['"](\w+):""")
    found = [
        f"{path.relative_to(ROOT)}: {app}"
        for path in (ROOT / KERNEL / "templates").rglob("*.html")
        for app in names.findall(path.read_text())
        if app in CAPABILITIES
    ]
    assert found == []
