from . import ups_oauth
