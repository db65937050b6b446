"""Registry organisations and other acronym definitions."""

from __future__ import annotations

import pytest

from boletin.enrichment import enrich
from boletin.enrichment.organizations import find_organizations


@pytest.mark.parametrize(
    ("text", "org"),
    [
        ("The International Organization for Migration said.", "IOM"),
        ("La Organización Internacional para las Migraciones dijo.", "IOM"),
        ("La OIM apoyó.", "IOM"),
        ("L'Organisation internationale pour les migrations a dit.", "IOM"),
        ("El ACNUR y la OIT.", "UNHCR"),
        ("The UN Refugee Agency said.", "UNHCR"),
        ("La Conferencia Regional sobre Migración (CRM).", "RCM"),
        ("El Sistema de la Integración Centroamericana.", "SICA"),
        ("La Organización Panamericana de la Salud.", "PAHO"),
        ("Le PAM et la CEPAL.", "ECLAC"),
        ("ONU Mujeres apoyó.", "UN Women"),
        ("The Organization of American States.", "OAS"),
        ("The Caribbean Community.", "CARICOM"),
        ("El Comité Internacional de la Cruz Roja.", "ICRC"),
        ("Funded by USAID.", "USAID"),
        ("Con fondos de la Unión Europea.", "EU"),
        ("With the European Union.", "EU"),
    ],
)
def test_given_a_registry_name_or_acronym_when_enriched_then_its_canonical_acronym_is_listed(
    text: str, org: str
) -> None:
    assert org in enrich("Bulletin", text).organizations


def test_given_an_acronym_spelled_in_lower_case_when_enriched_then_it_is_not_an_organisation() -> None:
    assert enrich("Bulletin", "The oim sound and the ops team.").organizations == []


def test_given_a_long_name_definition_when_enriched_then_it_is_an_acronym_not_an_organisation() -> None:
    result = enrich(
        "Bulletin",
        "The National Coordination of Migrant Attention Offices (CONOFAM) worked with the "
        "International Organization for Migration (IOM).",
    )
    assert result.acronyms == {"CONOFAM": "National Coordination of Migrant Attention Offices"}
    assert result.organizations == ["IOM"]


def test_given_a_spanish_definition_when_enriched_then_the_acronym_is_kept() -> None:
    result = enrich("Boletín", "La Coalición Nacional contra la Trata de Personas (CONATT) se reunió.")
    assert result.acronyms == {"CONATT": "Coalición Nacional contra la Trata de Personas"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("L'Organisation internationale pour les migrations (OIM) et le HCR", ["IOM", "UNHCR"]),
        (
            "A Organização Internacional para as Migrações e o Alto Comissariado das Nações Unidas para Refugiados",
            ["IOM", "UNHCR"],
        ),
        ("a OIT e a OPAS", ["ILO", "PAHO"]),
        ("le PAM, le FNUAP et ONU Femmes", ["UN Women", "UNFPA", "WFP"]),
        ("la FICR et le CICV, avec l'Union européenne", ["EU", "ICRC", "IFRC"]),
        ("ONU Mulheres e a União Europeia", ["EU", "UN Women"]),
        ("la CEPALC et la Conférence régionale sur les migrations", ["ECLAC", "RCM"]),
        ("a Conferência Regional sobre Migração", ["RCM"]),
    ],
)
def test_french_and_portuguese_names_and_acronyms_are_the_registry_s(text: str, expected: list[str]) -> None:
    # Given an organisation named in French or Portuguese; When found; Then its canonical acronym
    assert find_organizations(text) == expected
