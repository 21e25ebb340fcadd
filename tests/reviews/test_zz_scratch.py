import time
import pytest
from .test_state_machine import AppraisalWorkflow
import cProfile, pstats

pytestmark = pytest.mark.django_db

def test_scratch(organisation, other_organisation):
    t = time.perf_counter()
    m = AppraisalWorkflow()
    print("init", time.perf_counter() - t)
    t = time.perf_counter()
    pr = cProfile.Profile(); pr.enable()
    for _ in range(20):
        if not m._next_sensible_step():
            break
    pr.disable()
    print("to approval", time.perf_counter() - t, m._fresh().status)
    pstats.Stats(pr).sort_stats("cumulative").print_stats(40)
    t = time.perf_counter()
    m.someone_tries_every_kind_of_write(on_signed=True)
    print("try all on signed", time.perf_counter() - t)
    t = time.perf_counter()
    m.teardown()
    print("teardown", time.perf_counter() - t)
