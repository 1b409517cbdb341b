from odoo.modules.module import get_module_resource
from odoo.tests import tagged
from odoo.tools.translate import PoFileReader, TranslationModuleReader

from .common import L10nMxEinvoiceCommon, load_spanish

MODULE = "l10n_mx_einvoice"
LANG = "es_419"


def po_translations(lang=LANG):
    """msgid -> msgstr of the addon's .po file."""
    path = get_module_resource(MODULE, "i18n", f"{lang}.po")
    with open(path, "rb") as po_file:
        return {entry["src"]: entry["value"] for entry in PoFileReader(po_file)}


def untranslated_terms(env, lang=LANG):
    """Every translatable term of the addon (Odoo's own extraction: fields, selections, views,
    menus, actions, reports, Python and JS strings) a user in ``lang`` would read in English:
    ``[(type, where, term)]``. A record's term counts as the user sees it (the database, once
    the .po is loaded: a .po entry missing the record's reference is not applied); a code term
    as the .po holds it (Odoo reads code translations from the .po by msgid)."""
    po = po_translations(lang)
    missing = set()
    for module, kind, name, _res_id, source, value, _comments in TranslationModuleReader(
        env.cr, modules=[MODULE], lang=lang
    ):
        if module != MODULE:
            continue
        translated = po.get(source)
        if kind == "code":
            ok = bool(translated)
        else:
            # the reader gives a record's term an empty value when the user would read the
            # source: right only when the .po says the term reads the same in Spanish
            ok = bool(value) or translated == source
        if not ok:
            missing.add((kind, name, source))
    return sorted(missing)


@tagged("post_install", "-at_install")
class TestTranslations(L10nMxEinvoiceCommon):
    def test_every_term_of_the_addon_reads_in_spanish(self):
        load_spanish(self.env)
        missing = untranslated_terms(self.env)
        self.assertFalse(
            missing,
            f"{len(missing)} terms without an {LANG} translation in i18n/{LANG}.po:\n"
            + "\n".join(f"{kind} {where}: {term!r}" for kind, where, term in missing),
        )
