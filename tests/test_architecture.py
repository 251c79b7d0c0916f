"""glassbox's layers point one way, and the views read public structures only (DESIGN.md).

Read from the source with ``ast`` (no module is imported to check it):

- every module of the package belongs to a layer: core (validation, binning, losses, region
  statistics) <- model families (and their registry) <- distillation <- views; a module imports
  only from its own layer or below, at module level or inside a function. The one exception is
  ``glassbox/_inspect.py``, whose methods (``model.to_sql()``, ``model.plot()``...) are thin lazy
  entry points into the views' public packages;
- the views and distillation use the families' public names only: no import of a family's
  private module or name, no underscored attribute of another object (``model._describe``);
- the registry's adapters exist, in the layer they are named for, with that layer's functions;
- the kernels import nothing of glassbox but each other;
- ``import glassbox`` imports no part of InterpretML (it is needed only to build explanations).
"""

import ast
import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "glassbox"

# Module (or package) prefix -> layer. A new module must be placed here.
LAYERS = {
    "glassbox._ext": 0,
    "glassbox._version": 1,
    "glassbox._base": 1,
    "glassbox._dask": 1,
    "glassbox._inspect": 1,
    "glassbox.binning": 1,
    "glassbox._losses": 1,
    "glassbox._regions": 1,
    "glassbox._candidates": 1,
    "glassbox._progress": 1,
    "glassbox._dask_partitions": 1,
    "glassbox.gam": 2,
    "glassbox.rules": 2,
    "glassbox.tree": 2,
    "glassbox._families": 2,
    "glassbox.distill": 3,
    "glassbox.explain": 4,
    "glassbox.export": 4,
    "glassbox.report": 4,
    "glassbox.cli": 4,
    "glassbox.__main__": 4,
    "glassbox": 4,  # the package's __init__: the public API gathers every layer, beside the views
}
LAYER_NAMES = {0: "kernels", 1: "core", 2: "families", 3: "distillation", 4: "views"}
FAMILY_PACKAGES = ("glassbox.gam", "glassbox.rules", "glassbox.tree", "glassbox.distill")
# Lazy entry points from the estimators into the views (the way pandas' DataFrame.plot is).
ENTRY_POINTS = {"glassbox._inspect": {"glassbox.explain", "glassbox.export"}}
# Functions each adapter layer requires of a family's adapter module (glassbox._families).
ADAPTER_FUNCTIONS = {
    "explain": ("text", "frame", "global_parts", "local_parts", "local_frame", "reason_gaps"),
    "export": ("structure_to_dict", "training_to_dict", "restore", "plan"),
    "distill": (),
}


def module_name(path):
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer(name):
    """The layer of module ``name`` (its longest prefix in LAYERS), or None for a foreign module."""
    best = None
    for prefix in LAYERS:
        if (name == prefix or name.startswith(prefix + ".")) and (best is None or len(prefix) > len(best)):
            best = prefix
    return None if best is None else LAYERS[best]


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports(name, path):
    """``(imported module, imported names, lineno, inside a function)`` for every import of a
    glassbox module in the file (relative imports resolved)."""
    tree = ast.parse(path.read_text(), str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = []

    def visit(node, nested):
        for child in ast.iter_child_nodes(node):
            inner = nested or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                out.extend((alias.name, (), child.lineno, inner) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                target = child.module or ""
                if child.level:
                    base = package.split(".")[: len(package.split(".")) - (child.level - 1)]
                    target = ".".join(base + ([child.module] if child.module else []))
                names = tuple(alias.name for alias in child.names)
                # "from glassbox.explain import _plots" imports a module: check it as one.
                out.append((target, names, child.lineno, inner))
            visit(child, inner)

    visit(tree, False)
    return [(t, names, line, inner) for t, names, line, inner in out if t == "glassbox" or t.startswith("glassbox.")]


def resolved(target, names):
    """Each (module, name) imported: ``from a import b`` where a.b is a module counts as module a.b."""
    if not names:
        return [(target, None)]
    out = []
    for n in names:
        sub = f"{target}.{n}"
        out.append((sub, None) if sub in MODULES or (PACKAGE.parent / sub.replace(".", "/")).is_dir() else (target, n))
    return out


def test_every_module_has_a_layer():
    assert [name for name in MODULES if layer(name) is None] == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_point_down_the_layers(name):
    own = layer(name)
    wrong = []
    for target, names, line, nested in imports(name, MODULES[name]):
        for module, _ in resolved(target, names):
            if layer(module) is None or layer(module) <= own:
                continue
            if nested and any(module == entry for entry in ENTRY_POINTS.get(name, ())):
                continue
            wrong.append(f"line {line}: {module} ({LAYER_NAMES[layer(module)]}) from {LAYER_NAMES[own]}")
    assert wrong == [], f"{name} imports against the layer order"


def _private(part):
    return part.startswith("_") and not (part.startswith("__") and part.endswith("__"))


@pytest.mark.parametrize("name", sorted(n for n in MODULES if layer(n) in (3, 4)))
def test_views_and_distillation_use_public_family_names(name):
    """No private module or name of a family is imported, and no underscored attribute of another
    object (a model, a structure) is read: only self's own, and modules of the view's own package."""
    own_package = name.split(".")[1] if "." in name else name
    wrong = []
    for target, names, line, _ in imports(name, MODULES[name]):
        for module, imported in resolved(target, names):
            family = next((p for p in FAMILY_PACKAGES if module == p or module.startswith(p + ".")), None)
            if family is None or module.startswith(f"glassbox.{own_package}"):
                continue
            if module != family or (imported is not None and _private(imported)):
                wrong.append(f"line {line}: imports {module}{'.' + imported if imported else ''}")
    tree = ast.parse(MODULES[name].read_text())
    own_modules = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                   and node.module and node.module.startswith(f"glassbox.{own_package}") for alias in node.names}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            base = node.value
            if isinstance(base, ast.Name) and (base.id in ("self", "cls") or base.id in own_modules):
                continue
            wrong.append(f"line {node.lineno}: reads {ast.unparse(node)}")
    assert wrong == []


def test_registry_adapters_exist_in_their_layers():
    from glassbox._families import ADAPTER_LAYERS, FAMILIES

    for family in FAMILIES:
        assert set(family.adapters) == set(ADAPTER_LAYERS), family.name
        for layer_name, module in family.adapters.items():
            assert module.startswith(ADAPTER_LAYERS[layer_name] + "."), (family.name, module)
            adapter = importlib.import_module(module)
            missing = [f for f in ADAPTER_FUNCTIONS[layer_name] if not callable(getattr(adapter, f, None))]
            assert missing == [], (family.name, module)
        assert family.estimators and all(hasattr(cls, "fit") for cls in family.estimators)


def test_kernels_import_only_kernels():
    wrong = []
    for source in sorted((PACKAGE / "_ext").glob("*.p*")):
        if source.suffix not in (".pyx", ".pxd"):
            continue
        for match in re.finditer(r"^\s*(?:from|c?import)\s+(glassbox\.[\w.]+)", source.read_text(), re.M):
            if not match.group(1).startswith("glassbox._ext"):
                wrong.append(f"{source.name}: {match.group(1)}")
    assert wrong == []


def test_importing_glassbox_imports_no_interpret():
    # Every public name is touched: the package imports each on first use.
    code = ("import sys, glassbox; [getattr(glassbox, n) for n in glassbox.__all__]; "
            "loaded = [m for m in sys.modules if m == 'interpret' or m.startswith('interpret.')]; "
            "print(len(loaded)); assert not loaded, loaded[:5]")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_a_family_imports_without_the_other_families_and_the_views():
    """The package imports its public names on first use: a process that unpickles a GAM (a
    joblib worker of a search) loads the GAM's modules and the core, not the rule lists, trees,
    distillation or views."""
    others = ("glassbox.rules", "glassbox.tree", "glassbox.distill", "glassbox.export", "glassbox.explain",
              "glassbox.report", "glassbox.cli")
    code = ("import pickle, sys; import glassbox.gam; model = pickle.loads(pickle.dumps(glassbox.gam.GAMClassifier())); "
            f"print([m for m in sys.modules if m.startswith({others!r})])")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_every_public_name_resolves_to_its_module_s_object():
    import importlib

    import glassbox

    for name in glassbox.__all__:
        value = getattr(glassbox, name)
        if name != "__version__":
            assert value is getattr(importlib.import_module(glassbox._PUBLIC[name]), name)
    namespace = {}
    exec("from glassbox import *", namespace)
    assert set(glassbox.__all__) <= set(namespace)
    assert set(glassbox.__all__) <= set(dir(glassbox))
    with pytest.raises(AttributeError, match="module 'glassbox' has no attribute 'GAM'"):
        glassbox.GAM
    # The imports for type checkers name exactly the public names, from the same modules.
    import ast
    tree = ast.parse((PACKAGE / "__init__.py").read_text())
    typed = {alias.name: node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
             and node.module != "glassbox._version" and node.module.startswith("glassbox") for alias in node.names}
    assert typed == glassbox._PUBLIC
    # Subpackages and modules are reached as attributes too, as when the package imported them all.
    assert glassbox.binning.Binner.__module__ == "glassbox.binning"
    assert glassbox.gam._gam.GAMClassifier is glassbox.GAMClassifier


def test_distill_stays_the_function_after_its_subpackage_is_imported():
    """``glassbox.distill`` names the function and the subpackage: importing the subpackage
    first (as saving a model does) must not turn ``glassbox.distill`` into a module, in a fresh
    interpreter where nothing touched it before; a monkeypatch of it still takes."""
    code = ("import glassbox, glassbox.export, glassbox.distill, glassbox.distill._tree; "
            "import glassbox.distill as d; from glassbox.distill._distill import distill; "
            "assert glassbox.distill is distill and d is distill, glassbox.distill; "
            "glassbox.distill = 1; assert glassbox.distill == 1; del glassbox.distill; "
            "assert glassbox.distill is distill; from glassbox import distill as f; assert f is distill")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
