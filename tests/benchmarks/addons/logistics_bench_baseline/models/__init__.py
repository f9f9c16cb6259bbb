from . import logistics_bench_row
