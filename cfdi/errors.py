"""Base error of the engine: a code plus a message in Spanish and English."""

from __future__ import annotations


class CfdiError(Exception):
    """Every engine error says what is wrong and how to fix it, in both languages.

    ``code`` is SAT's code (CFDI40xxx) where SAT has one, else the engine's own.
    Messages never contain passwords, keys or tokens.
    """

    code = "CFDI"

    def __init__(self, message_es: str, message_en: str, code: str | None = None):
        self.message_es = message_es
        self.message_en = message_en
        if code:
            self.code = code
        super().__init__(f"[{self.code}] {message_es} / {message_en}")
