from . import test_exception_board
