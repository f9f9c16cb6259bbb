# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Fixtures for the adapter-layer unit tests (plain pytest, no database).

The adapters and the simulators are plain Python packages (``pylib/``): they
import nothing of Odoo, so these tests import them directly.
"""

import pytest

import logistics_carriers as adapters
from logistics_simulators import generic as simulator

SimulatorServer = simulator.SimulatorServer

CLIENT_ID = "unit-client"
CLIENT_SECRET = "s3cr3t-Client-Value-42"

# Personal data used in requests; none of it may appear in a log entry.
SHIPPER = adapters.Address(
    name="Ottilie Versandhaus",
    street="Lagerstrasse 7",
    city="Hamburg",
    zip="20095",
    country_code="DE",
    company_name="Versand Ottilie GmbH",
    phone="+4940555012345",
    email="ottilie.versand@example.org",
)
RECIPIENT = adapters.Address(
    name="Jakob Empfaenger",
    street="Birkenweg 12",
    street2="Hinterhaus",
    city="Berlin",
    zip="10115",
    country_code="DE",
    phone="+4930555098765",
    email="jakob.empfaenger@example.net",
)
PERSONAL_VALUES = [
    value
    for address in (SHIPPER, RECIPIENT)
    for value in (
        address.name,
        address.street,
        address.company_name,
        address.phone,
        address.phone[3:],
        address.email,
        address.street2,
    )
    if value
]


@pytest.fixture
def personal_values():
    """Personal data of the default request; none may be logged."""
    return list(PERSONAL_VALUES)


@pytest.fixture(scope="session")
def sim_server():
    server = SimulatorServer().start()
    yield server
    server.stop()


@pytest.fixture
def sim(sim_server):
    """The shared simulator, cleared before each test."""
    sim_server.reset()
    yield sim_server
    sim_server.reset()


@pytest.fixture
def log_entries():
    return []


@pytest.fixture
def make_adapter(sim, log_entries):
    """Build a SimulatorAdapter for ``sim`` (or another server) with overrides."""
    made = []

    def make(server=None, *, token_store=None, **overrides):
        values = {
            "carrier_code": "sim",
            "base_url": (server or sim).url,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "connect_timeout": 2.0,
            "read_timeout": 5.0,
            "account_ref": "logistics.carrier.account(1)",
        }
        values.update(overrides)
        adapter = adapters.SimulatorAdapter(
            adapters.AccountConfig(**values),
            token_store=token_store,
            log_sink=log_entries.append,
        )
        made.append(adapter)
        return adapter

    yield make
    for adapter in made:
        adapter.close()


@pytest.fixture
def adapter(make_adapter):
    return make_adapter()


@pytest.fixture
def make_request():
    """Build a ShipmentRequest with sane defaults."""

    def make(**overrides):
        values = {
            "reference": "WH/OUT/00012",
            "idempotency_key": "outbound:WH/OUT/00012:1",
            "service_code": "SIM_STD",
            "shipper": SHIPPER,
            "recipient": RECIPIENT,
            "parcels": [
                adapters.Parcel(
                    weight_kg=2.5,
                    length_cm=30,
                    width_cm=20,
                    height_cm=10,
                    reference="PACK1",
                )
            ],
        }
        values.update(overrides)
        return adapters.ShipmentRequest(**values)

    return make
