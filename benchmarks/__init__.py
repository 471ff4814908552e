"""jobclass benchmarks: ``python -m benchmarks.run`` (``make bench``); see benchmarks/README.md.

Benchmarks are not tests: they measure and report, and never fail because a machine is slow.
"""
