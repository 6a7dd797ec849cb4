"""The emulator's own source stays clean: every module imports only what it uses (closing note of
session 7: auth.py imported hashlib and urlsplit and used neither)."""
import ast
import os

from conftest import ROOT

EMULATOR = os.path.join(ROOT, "scripts", "emulator", "emulator")


def unused_imports(path):
    """The names a module imports and never reads (a package's __init__ may re-export: skipped)."""
    with open(path) as f:
        tree = ast.parse(f.read(), path)
    imported = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name != "*":
                    imported[(alias.asname or alias.name).split(".")[0]] = node.lineno
    read = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    return sorted("%s:%d %s" % (os.path.relpath(path, ROOT), line, name) for name, line in imported.items() if name not in read)


def test_no_emulator_module_imports_what_it_does_not_use():
    modules = [os.path.join(folder, name) for folder, _, names in os.walk(EMULATOR) for name in names
               if name.endswith(".py") and name != "__init__.py"]
    assert len(modules) > 30, "the emulator's modules were not found under %s" % EMULATOR
    assert [found for module in sorted(modules) for found in unused_imports(module)] == []
