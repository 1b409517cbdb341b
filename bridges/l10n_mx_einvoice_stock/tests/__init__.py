from . import test_carta_porte
