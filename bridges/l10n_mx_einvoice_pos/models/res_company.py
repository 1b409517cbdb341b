import logging
from datetime import date, datetime, timedelta

from odoo import fields, models
from odoo.addons.l10n_mx_einvoice.cfdi import catalogs
from odoo.addons.l10n_mx_einvoice.models.l10n_mx_einvoice_utils import catalog_selection
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)

BIMESTERS = {1: "13", 3: "14", 5: "15", 7: "16", 9: "17", 11: "18"}  # c_Meses 13..18


def month_start(day):
    return day.replace(day=1)


def closed_period(periodicidad, today):
    """(date_from, date_to, meses) of the last period of ``periodicidad`` (SAT's
    c_Periodicidad) closed before ``today``."""
    if periodicidad == "01":  # daily
        day = today - timedelta(days=1)
        return day, day, f"{day.month:02d}"
    if periodicidad == "02":  # weekly, Monday to Sunday
        end = today - timedelta(days=today.weekday() + 1)
        return end - timedelta(days=6), end, f"{end.month:02d}"
    if periodicidad == "03":  # fortnightly: 1-15, 16-end of month
        if today.day > 15:
            start = month_start(today)
            return start, start.replace(day=15), f"{start.month:02d}"
        end = month_start(today) - timedelta(days=1)
        return end.replace(day=16), end, f"{end.month:02d}"
    if periodicidad == "05":  # two months: January-February, ...
        first_month = today.month - 2 - (today.month - 1) % 2
        year = today.year + (first_month - 1) // 12
        first_month = (first_month - 1) % 12 + 1
        start = date(year, first_month, 1)
        end = month_start(start + timedelta(days=62)) - timedelta(days=1)
        return start, end, BIMESTERS[first_month]
    end = month_start(today) - timedelta(days=1)  # monthly
    return month_start(end), end, f"{end.month:02d}"


class ResCompany(models.Model):
    _inherit = "res.company"

    l10n_mx_einvoice_pos_global_periodicity = fields.Selection(
        selection=lambda self: catalog_selection("c_Periodicidad"),
        string="Automatic global invoice of tickets",
        help="When set, a scheduled action issues the global invoice (público en general) of "
        "the tickets nobody invoiced once each period closes. Empty: issued by hand only.",
    )

    def _l10n_mx_einvoice_local_today(self):
        zone = catalogs.time_zone(self.partner_id.zip)
        return datetime.now(zone).date()

    def _l10n_mx_einvoice_issue_pos_global(self):
        """The global invoice of the last closed period, if anything in it is left."""
        self.ensure_one()
        periodicidad = self.l10n_mx_einvoice_pos_global_periodicity
        start, end, meses = closed_period(periodicidad, self._l10n_mx_einvoice_local_today())
        env = self.env(context=dict(self.env.context, allowed_company_ids=[self.id]))
        request = env["l10n_mx_einvoice.global.invoice"].create(
            {
                "company_id": self.id,
                "date_from": start,
                "date_to": end,
                "periodicidad": periodicidad,
                "meses": meses,
                "anio": start.year,
            }
        )
        if env["l10n_mx_einvoice.builder.global"]._is_empty(request):
            return env["l10n_mx_einvoice.document"]
        try:
            return env["l10n_mx_einvoice.document"]._stamp(request)
        except UserError as error:
            _logger.warning(
                "Global invoice of %s (%s to %s) not issued: %s", self.name, start, end, error
            )
            return env["l10n_mx_einvoice.document"]
