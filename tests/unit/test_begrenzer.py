from __future__ import annotations

from kbi_exchange.entrypoints.api.begrenzer import Begrenzer


class Klok:
    def __init__(self) -> None:
        self.nu = 0.0

    def __call__(self) -> float:
        return self.nu


def test_a_client_may_burst_up_to_the_peak_then_at_the_rate() -> None:
    klok = Klok()
    begrenzer = Begrenzer(per_seconde=10, piek=3, klok=klok)
    assert [begrenzer.mag("a") for _ in range(4)] == [True, True, True, False]
    klok.nu = 0.1  # one request's worth refilled
    assert begrenzer.mag("a")
    assert not begrenzer.mag("a")


def test_clients_have_their_own_buckets_and_a_batch_costs_per_question() -> None:
    begrenzer = Begrenzer(per_seconde=1, piek=5, klok=Klok())
    assert not begrenzer.mag("a", kosten=6)
    assert begrenzer.mag("a", kosten=5)
    assert begrenzer.mag("b")
