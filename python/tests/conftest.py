"""Shared fixtures for the reference tests.

Every randomized test draws a fresh seed per run (os.urandom) and reports it on
failure; set PHALANX_SEED=<seed> to reproduce a failing run.
"""

import os
import sys

import numpy as np
import pytest

_PY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if _PY not in sys.path:
    sys.path.insert(0, _PY)


def _draw_seed() -> int:
    env = os.environ.get("PHALANX_SEED")
    if env:
        return int(env, 0)
    return int.from_bytes(os.urandom(4), "little")


class Seeded:
    """A seed and its generator; ``msg`` is the reproduction hint for assertions."""

    def __init__(self, seed: int):
        self.seed = seed
        self.rng = np.random.default_rng(seed)

    @property
    def msg(self) -> str:
        return f"[seed {self.seed}: rerun with PHALANX_SEED={self.seed}]"


@pytest.fixture
def seeded(request):
    s = Seeded(_draw_seed())
    request.node.user_properties.append(("PHALANX_SEED", s.seed))
    return s


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.failed:
        for k, v in item.user_properties:
            if k == "PHALANX_SEED":
                rep.sections.append(("seed", f"rerun with PHALANX_SEED={v}"))
