from . import test_pos_cfdi, test_pos_global_egreso_race, test_pos_global_race
