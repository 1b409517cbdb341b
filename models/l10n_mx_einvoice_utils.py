"""Small bridges between Odoo and the engine: catalog selections, bilingual errors."""

from ..cfdi import catalogs


def catalog_selection(name, predicate=None):
    """``fields.Selection`` values of a SAT catalog: ``[(code, "code - description")]``."""
    return [
        (row["code"], f"{row['code']} - {row['description']}")
        for row in catalogs.rows(name)
        if predicate is None or predicate(row)
    ]


def engine_message(env, error):
    """The engine error's text in the user's language (Spanish for es_*, else English)."""
    lang = env.context.get("lang") or env.user.lang or ""
    return error.message_es if lang.startswith("es") else error.message_en
