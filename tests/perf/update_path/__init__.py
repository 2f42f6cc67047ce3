"""The update-path benchmark (``python -m tests.perf.bench_update_path``): its loopback Bot API
server, simulated members, bot processes, reference echo bots and profile summary."""
