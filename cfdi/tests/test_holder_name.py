"""The issuer's Nombre against the CSD holder's name (CFDI40138), used before sealing."""

import pytest

from cfdi.rules.certificate import name_without_legal_form, same_name


@pytest.mark.parametrize(
    ("legal_name", "expected"),
    [
        ("ESCUELA KEMPER URGATE SA DE CV", "ESCUELA KEMPER URGATE"),
        ("Grupo  Norte S.A. de C.V.", "GRUPO NORTE"),
        ("ROSA MARIA CALDERON URIEGAS", "ROSA MARIA CALDERON URIEGAS"),
    ],
)
def test_name_without_legal_form(legal_name: str, expected: str) -> None:
    assert name_without_legal_form(legal_name) == expected
    assert same_name(expected, legal_name)


def test_same_name_refuses_another_name() -> None:
    assert not same_name("ESCUELA KEMPER", "ESCUELA KEMPER URGATE SA DE CV")
    assert not same_name("MY COMPANY", "ESCUELA KEMPER URGATE SA DE CV")
