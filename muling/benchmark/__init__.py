"""The framework's ceiling for bench/harness.py: one trivial write on the same server as the real
endpoints, so that intake ÷ ceiling shows what the case logic costs. Off (404) unless BENCH_CEILING."""
