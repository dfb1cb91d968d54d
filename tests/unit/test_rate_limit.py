from __future__ import annotations

from kbi_exchange.services.rate_limit import RateLimiter


class Klok:
    def __init__(self) -> None:
        self.nu = 0.0

    def __call__(self) -> float:
        return self.nu


def test_a_client_may_burst_up_to_the_peak_then_at_the_rate() -> None:
    klok = Klok()
    limiter = RateLimiter(per_second=10, burst=3, clock=klok)
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    klok.nu = 0.1  # one request's worth refilled
    assert limiter.allow("a")
    assert not limiter.allow("a")


def test_clients_have_their_own_buckets_and_a_batch_costs_per_question() -> None:
    limiter = RateLimiter(per_second=1, burst=5, clock=Klok())
    assert not limiter.allow("a", cost=6)
    assert limiter.allow("a", cost=5)
    assert limiter.allow("b")
