"""Hypothesis runs derandomized by default, so that every run of the suite (and CI) draws the
same examples and a failure reproduces; ``HYPOTHESIS_PROFILE=explore`` searches new ones."""
from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("default", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
