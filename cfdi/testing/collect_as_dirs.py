"""pytest: the repo root is an Odoo addon package whose __init__ imports odoo.

The engine tests must not import it, so folders are collected as plain
directories, never as Python packages (no parent __init__.py is executed).
"""

import pytest


def pytest_collect_directory(path, parent):
    if path.joinpath("__init__.py").is_file():
        return pytest.Dir.from_parent(parent, path=path)
    return None
