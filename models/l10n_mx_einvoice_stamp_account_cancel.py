"""The stamp account's connector, remembering the cancellation answers it gives
(``account_move_cancel_cfdi`` keeps SAT's acknowledgment from them)."""

from odoo import models

from .account_move_cancel_cfdi import ANSWERS_KEY


class CancelAnswerRecorder:
    """A connector that remembers the CancelResult it returns (SAT's acknowledgment)."""

    def __init__(self, connector, answers):
        self._connector = connector
        self._answers = answers

    def __getattr__(self, name):
        return getattr(self._connector, name)

    def cancel(self, *args, **kwargs):
        result = self._connector.cancel(*args, **kwargs)
        self._answers.append(result)
        return result


class L10nMxEinvoiceStampAccount(models.Model):
    _inherit = "l10n_mx_einvoice.stamp.account"

    def _get_connector(self):
        connector = super()._get_connector()
        answers = self.env.context.get(ANSWERS_KEY)
        return CancelAnswerRecorder(connector, answers) if answers is not None else connector
