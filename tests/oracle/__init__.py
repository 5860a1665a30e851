"""Adapters that run third-party IAM evaluators on our role snapshots (differential testing)."""
