"""Secrets at rest (the CSD key's password, PAC passwords and tokens): encrypted with
Fernet keys held outside the database, so that a dump alone gives no usable CSD.

The keys: the option ``l10n_mx_einvoice_secret_key`` of Odoo's configuration file, or
else the environment variable ``L10N_MX_EINVOICE_SECRET_KEY``; one or more urlsafe-base64
Fernet keys separated by commas. The first encrypts; every one decrypts (``MultiFernet``),
so a key is rotated by putting the new one first, re-encrypting (``rotate``) and then
removing the old one (README, "Secret key").
"""

import os
from urllib.parse import urlsplit

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from odoo.exceptions import UserError
from odoo.tools import SQL, config

SETTING = "l10n_mx_einvoice_secret_key"
ENVIRONMENT_VARIABLE = "L10N_MX_EINVOICE_SECRET_KEY"


def _keys_text():
    return (config.get(SETTING) or os.environ.get(ENVIRONMENT_VARIABLE) or "").strip()


def has_key():
    return bool(_keys_text())


def _fernet(env):
    text = _keys_text()
    if not text:
        raise UserError(
            env._(
                "No secret key for CFDI passwords: set %(setting)s in Odoo's configuration file "
                "(or the environment variable %(variable)s) to a key made with "
                "\"python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'\", then restart Odoo. Passwords of "
                "certificates and stamp accounts cannot be saved or used without it.",
                setting=SETTING,
                variable=ENVIRONMENT_VARIABLE,
            )
        )
    try:
        return MultiFernet([Fernet(key.strip()) for key in text.split(",") if key.strip()])
    except ValueError:
        raise UserError(
            env._(
                "The setting %(setting)s holds something that is not a Fernet key (32 bytes, "
                "urlsafe base64; several keys are separated by commas).",
                setting=SETTING,
            )
        ) from None


def encrypt(env, value):
    """The stored form of ``value`` (False stays False)."""
    if not value:
        return False
    return _fernet(env).encrypt(value.encode()).decode()


def decrypt(env, token):
    """The clear value of a stored ``token``; a clear UserError when no key opens it."""
    if not token:
        return False
    try:
        return _fernet(env).decrypt(token.encode()).decode()
    except InvalidToken:
        raise UserError(
            env._(
                "A CFDI password was encrypted with a key that %(setting)s no longer holds: put "
                "the old key back after the new one (keys separated by commas), or type the "
                "password again.",
                setting=SETTING,
            )
        ) from None


def shown(env, token):
    """What a form shows of a stored ``token``: its clear value, or nothing when no key
    opens it (the form still opens; using the secret says why it cannot)."""
    if not token or not has_key():
        return False
    try:
        return decrypt(env, token)
    except UserError:
        return False


def rotate(env, token):
    """``token`` encrypted again with the first key (after a rotation)."""
    return _fernet(env).rotate(token.encode()).decode() if token else False


def rotate_records(records, field_names):
    """Re-encrypt ``field_names`` (stored tokens) of ``records`` with the first key."""
    for record in records.sudo().with_context(active_test=False):
        values = {name: rotate(records.env, record[name]) for name in field_names if record[name]}
        if values:
            record.write(values)


LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def safe_url(url):
    """HTTPS, or plain HTTP to this machine only (the local sandbox)."""
    parts = urlsplit(url.strip())
    if parts.scheme == "https" and parts.hostname:
        return True
    return parts.scheme == "http" and parts.hostname in LOCAL_HOSTS


def encrypt_clear_columns(env, table, columns):
    """Encrypt what an earlier version stored in clear (``columns``: clear column → its
    encrypted field) and drop the clear column; run on every install/update (``init``)."""
    for clear, encrypted in columns.items():
        env.cr.execute(
            "SELECT 1 FROM information_schema.columns WHERE table_name = %s AND column_name = %s",
            [table, clear],
        )
        if not env.cr.fetchone():
            continue
        env.cr.execute(
            SQL(
                "SELECT id, %s FROM %s WHERE %s IS NOT NULL AND %s != ''",
                SQL.identifier(clear),
                SQL.identifier(table),
                SQL.identifier(clear),
                SQL.identifier(clear),
            )
        )
        for record_id, value in env.cr.fetchall():
            env.cr.execute(
                SQL(
                    "UPDATE %s SET %s = %s WHERE id = %s",
                    SQL.identifier(table),
                    SQL.identifier(encrypted),
                    encrypt(env, value),
                    record_id,
                )
            )
        env.cr.execute(
            SQL("ALTER TABLE %s DROP COLUMN %s", SQL.identifier(table), SQL.identifier(clear))
        )
