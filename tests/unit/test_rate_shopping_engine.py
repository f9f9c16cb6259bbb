# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Parallel quoting (adapters/rate_shopping.py) against real simulators."""

import pytest

from .conftest import CLIENT_ID, CLIENT_SECRET, SimulatorServer, adapters

engine = adapters.rate_shopping


@pytest.fixture
def slow_sim():
    server = SimulatorServer().start()
    yield server
    server.stop()


def job(server, key, service, limit=2.0, **config):
    values = {
        "carrier_code": "sim",
        "base_url": server.url,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "connect_timeout": 1.0,
        "read_timeout": 5.0,
    }
    values.update(config)
    return values, key, service, limit


def make_jobs(make_request, specs):
    return [
        engine.QuoteJob(
            key=key,
            adapter_cls=adapters.SimulatorAdapter,
            config=adapters.AccountConfig(**values),
            request=make_request(service_code=service),
            time_limit=limit,
        )
        for values, key, service, limit in specs
    ]


def test_all_quote_in_order(sim, make_request):
    outcomes = engine.quote_in_parallel(
        make_jobs(
            make_request,
            [job(sim, "eco", "SIM_ECO"), job(sim, "exp", "SIM_EXP")],
        )
    )
    assert [o.key for o in outcomes] == ["eco", "exp"]
    assert [o.status for o in outcomes] == ["ok", "ok"]
    eco = outcomes[0].quotes[0]
    assert (eco.service_code, eco.amount, eco.transit_days) == ("SIM_ECO", 5.45, 5)
    # each thread fetched its token and logged its calls without a database
    assert all(o.new_token for o in outcomes)
    assert {e["operation"] for e in outcomes[0].log_entries} == {"token", "rates"}


def test_a_slow_carrier_is_cut_off_at_its_limit(sim, slow_sim, make_request):
    slow_sim.add_fault("rates", status=None, delay=3.0, times=None)
    outcomes = engine.quote_in_parallel(
        make_jobs(
            make_request,
            [job(slow_sim, "slow", "SIM_STD", limit=0.8), job(sim, "ok", "SIM_STD")],
        )
    )
    slow, fast = outcomes
    assert slow.status == engine.TOO_SLOW
    assert "0.8 s" in slow.message
    assert slow.elapsed < 3.0  # nobody waited for the slow answer
    assert fast.status == engine.OK


def test_errors_are_reported_with_the_reason(sim, make_request):
    sim.add_fault(
        "rates",
        status=422,
        body={"errors": [{"field": "recipient.zip", "code": "x", "message": "Bad"}]},
    )
    (outcome,) = engine.quote_in_parallel(make_jobs(make_request, [job(sim, 1, "X")]))
    assert outcome.status == engine.ERROR
    assert "Bad" in outcome.message


def test_no_rating_api_is_not_offered(make_request):
    class NoRates(adapters.SimulatorAdapter):
        def get_rates(self, request):
            raise self._not_supported("rates")

    (outcome,) = engine.quote_in_parallel(
        [
            engine.QuoteJob(
                key=1,
                adapter_cls=NoRates,
                config=adapters.AccountConfig(
                    carrier_code="sim", base_url="http://127.0.0.1:9"
                ),
                request=make_request(),
                time_limit=1.0,
            )
        ]
    )
    assert outcome.status == engine.NOT_OFFERED


def test_nothing_to_do():
    assert engine.quote_in_parallel([]) == []
