# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Caller checks for the public methods of the suite's models.

In Odoo 17 ``/web/dataset/call_kw`` lets any logged-in user (portal users
included) call any public method of any model on any record id. A public
method of the suite therefore starts with :func:`check_caller`: the caller
must be in the method's group and may read (or write) the records it acts
on, record rules (companies) included. Only then may the method use
``sudo()``. Code of the suite that already runs as superuser passes.
"""

from odoo import _
from odoo.exceptions import AccessError

GROUPS = {
    "user": "logistics_connector_base.group_logistics_user",
    "supervisor": "logistics_connector_base.group_logistics_supervisor",
    "finance": "logistics_connector_base.group_logistics_finance",
    "admin": "logistics_connector_base.group_logistics_admin",
}


def check_caller(records, group="user", mode="read"):
    """Refuse the caller unless in ``group`` and allowed to ``mode`` ``records``.

    ``group`` is a key of :data:`GROUPS` or a full XML id. ``mode`` is checked
    with the access rights of the model and the record rules of the records
    (``read`` for buttons whose writes the suite makes itself after this check).
    Returns ``records`` for chaining.
    """
    env = records.env
    context = env.context  # noqa: F841 (language of the messages below)
    if env.su:
        return records
    xmlid = GROUPS.get(group, group)
    if not env.user.has_group(xmlid):
        who = {
            "user": _("logistics users"),
            "supervisor": _("logistics supervisors"),
            "finance": _("logistics finance"),
            "admin": _("logistics administrators"),
        }.get(group) or _("the group %s", env.ref(xmlid).sudo().full_name)
        raise AccessError(
            _(
                "%(user)s may not do this on %(model)s: it is reserved to %(who)s.",
                user=env.user.name,
                model=records._description,
                who=who,
            )
        )
    records.check_access_rights(mode)
    records.check_access_rule(mode)
    return records


def check_companies(records, company):
    """Refuse when ``company`` is not one of the caller's allowed companies."""
    env = records.env
    context = env.context  # noqa: F841
    if env.su or not company:
        return records
    if company not in env.user.company_ids:
        raise AccessError(
            _(
                "%(user)s does not work for %(company)s.",
                user=env.user.name,
                company=company.display_name,
            )
        )
    return records
