from . import test_import_jobs, test_queue, test_two_workers
