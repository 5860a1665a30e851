"""Hypothesis profiles for the property and differential tests.

- ``ci`` (the default): bounded examples, so the property files run in a couple of minutes on two
  cores; no per-example deadline, because each example is an HTTP round trip to a real OPA whose
  latency depends on the machine's load, not on the code under test.
- ``thorough``: many more examples for long local runs:
  ``pytest tests/test_properties.py tests/test_oracle_differential.py
  --hypothesis-profile=thorough``.

Imported once from tests/conftest.py; ``--hypothesis-profile`` (Hypothesis's pytest plugin) or
``HYPOTHESIS_PROFILE`` picks another profile.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# Generating a role snapshot draws many values; that is the point, not a health problem.
_SLOW_IS_FINE = [HealthCheck.too_slow, HealthCheck.data_too_large]

settings.register_profile(
    "ci",
    max_examples=100,
    deadline=None,
    suppress_health_check=_SLOW_IS_FINE,
    print_blob=True,
)
settings.register_profile(
    "thorough",
    max_examples=2000,
    deadline=None,
    suppress_health_check=_SLOW_IS_FINE,
    print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
