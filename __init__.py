"""Odoo addon l10n_mx_einvoice: CFDI 4.0 for Odoo 18 Community.

The engine in ``cfdi/`` never imports odoo and uses absolute imports
(``from cfdi.errors import CfdiError``). So that every exception class and
dataclass exists once, the engine is registered as the top-level package
``cfdi`` and ``odoo.addons.l10n_mx_einvoice.cfdi[.x]`` is an alias of the
same module objects.
"""
import importlib
import importlib.abc
import importlib.util
import sys
from pathlib import Path

_ENGINE_DIR = Path(__file__).resolve().parent / "cfdi"


class _EngineAlias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Resolve ``<this addon>.cfdi[.x]`` to the already registered ``cfdi[.x]``."""

    def __init__(self, prefix):
        self.prefix = prefix
        self._specs = {}

    def find_spec(self, fullname, path=None, target=None):
        if fullname == self.prefix or fullname.startswith(self.prefix + "."):
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec):
        module = importlib.import_module("cfdi" + spec.name[len(self.prefix):])
        self._specs[spec.name] = module.__spec__
        return module

    def exec_module(self, module):
        # the import system replaced __spec__ with the alias's; give the real one back
        for alias, real_spec in list(self._specs.items()):
            if real_spec.name == module.__name__:
                module.__spec__ = self._specs.pop(alias)


def _register_engine():
    current = sys.modules.get("cfdi")
    if current is None:
        spec = importlib.util.spec_from_file_location(
            "cfdi", _ENGINE_DIR / "__init__.py", submodule_search_locations=[str(_ENGINE_DIR)]
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules["cfdi"] = module
        spec.loader.exec_module(module)
    elif Path(current.__file__).resolve().parent != _ENGINE_DIR:
        raise ImportError(
            f"Another package named 'cfdi' ({current.__file__}) is already imported; "
            "l10n_mx_einvoice needs its own engine package of that name."
        )
    prefix = __name__ + ".cfdi"
    if not any(isinstance(f, _EngineAlias) and f.prefix == prefix for f in sys.meta_path):
        sys.meta_path.insert(0, _EngineAlias(prefix))


_register_engine()

from . import models, wizards  # noqa: E402
