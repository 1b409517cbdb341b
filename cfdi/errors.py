"""Base error of the engine: a code plus a message in Spanish and English."""

from __future__ import annotations


def in_language(lang: str | None, es: str, en: str) -> str:
    """The text for a user language code: Spanish for ``es*`` (es_MX, es_419), else English."""
    return es if (lang or "").lower().startswith("es") else en


class CfdiError(Exception):
    """Every engine error says what is wrong and how to fix it, in both languages.

    ``code`` is SAT's code (CFDI40xxx) where SAT has one, else the engine's own;
    ``message(lang)`` gives the text in the user's language. Messages never contain
    passwords, keys or tokens.
    """

    code = "CFDI"

    def __init__(self, message_es: str, message_en: str, code: str | None = None):
        self.message_es = message_es
        self.message_en = message_en
        if code:
            self.code = code
        super().__init__(f"[{self.code}] {message_es} / {message_en}")

    def message(self, lang: str | None) -> str:
        """The message in one language (see ``in_language``)."""
        return in_language(lang, self.message_es, self.message_en)
