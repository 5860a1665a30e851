"""vbaws-policy harness: collect IAM roles, evaluate them with the vbaws OPA bundle, report.

Run it as ``python -m harness <command> ...``; see ``harness.cli``.
"""

__version__ = "0.1.0"
