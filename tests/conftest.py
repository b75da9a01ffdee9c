"""Test configuration: hypothesis profiles.

Locally, property tests draw new examples on every run and so keep exploring.
In CI (``CI`` set, as ``.ci/run`` is run) they are derandomized: the same
examples every run, so a result does not depend on the day's luck; a failure
found locally is kept in hypothesis' example database and replayed.
"""
import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
