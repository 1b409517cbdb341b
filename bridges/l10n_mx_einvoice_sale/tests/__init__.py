from . import test_anticipos
