# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""``python -m logistics_simulators.ups --port N``: run the simulator."""

from .server import main

if __name__ == "__main__":
    main()
