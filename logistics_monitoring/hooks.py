# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).


def post_init_hook(env):
    """Put the exceptions that existed before the install on the board."""
    exceptions = env["logistics.exception"].search([("stage_id", "=", False)])
    exceptions._sync_stage_from_state()
