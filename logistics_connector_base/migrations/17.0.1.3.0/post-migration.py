# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Inbound messages stored by the webhook before 17.0.1.3.0 lack their
account's company and carrier (stored related fields the intake's INSERT
did not fill): without a company, the multi-company rule showed them to
every company."""


def migrate(cr, version):
    cr.execute(
        """
        UPDATE logistics_inbound_message m
           SET company_id = a.company_id, carrier_code = a.carrier_code
          FROM logistics_carrier_account a
         WHERE a.id = m.account_id
           AND (m.carrier_code IS NULL
                OR m.company_id IS DISTINCT FROM a.company_id)
        """
    )
