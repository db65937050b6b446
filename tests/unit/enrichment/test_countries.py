"""Countries, regions and primary country, by the rules of TAXONOMY.md."""

from __future__ import annotations

import pytest

from boletin.enrichment import enrich
from boletin.enrichment.countries import find_countries


def countries(text: str, title: str = "Bulletin") -> list[str]:
    return enrich(title, text).countries


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Officials from the Dominican Republic met.", ["DO"]),
        ("Officials from Dominica met.", ["DM"]),
        ("Dominica and the Dominican Republic signed.", ["DM", "DO"]),
        ("Reunión en la República Dominicana.", ["DO"]),
        ("A delegation from Papua New Guinea arrived.", ["PG"]),
        ("A delegation from Guinea arrived.", ["GN"]),
        ("Shelters in Las Cruces, New Mexico, are full.", []),
        ("Albergues en Nuevo México.", []),
        ("Jordan Smith was appointed head of office.", []),
        ("Refugees in Jordan receive aid.", ["JO"]),
        ("Spanish classes for migrant children.", []),
        ("English-speaking and French-speaking communities.", []),
        ("Information in Spanish, English and French.", []),
        ("Calls are answered in Haitian Creole.", []),
        ("The Spanish government funds the project.", ["ES"]),
        ("La cooperación española financia el proyecto.", ["ES"]),
        ("The state of Georgia hires farm workers.", []),
        ("Guinea pigs and Panama hats are not countries.", []),
        ("She cooked a turkey with chile peppers.", []),
        ("Migrants from Chad and Niger.", ["NE", "TD"]),
        ("Officials in Turkey and China.", ["CN", "TR"]),
        ("Migrantes de China y de Chile.", ["CL", "CN"]),
        ("Latin American and Central American countries; the Caribbean.", []),
        ("The Organization of American States and the Pan American Health Organization.", []),
        ("Economists from latino-americano think tanks.", []),
    ],
)
def test_given_a_trap_when_enriched_then_only_real_countries_are_found(
    text: str, expected: list[str]
) -> None:
    assert countries(text) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Cuenta con salvadoreños en el exterior.", "SV"),
        ("Una joven nicaragüense.", "NI"),
        ("Une femme hondureña.", "HN"),
        ("Les Haïtiens rapatriés.", "HT"),
        ("Les haitiens rapatriés.", "HT"),
        ("Trabajadoras mexicanas.", "MX"),
        ("O trabalhador brasileiro.", "BR"),
        ("Mexican states share practices.", "MX"),
        ("Honduran government staff.", "HN"),
        ("Des migrants vénézuéliens.", "VE"),
        ("Migrantes venezuelanos em Roraima.", "VE"),
        ("Cameroonian and Senegalese migrants.", "CM"),
        ("Chinese and Indian nationals crossed.", "CN"),
        ("Afghan families arrived.", "AF"),
        ("Ukrainian refugees.", "UA"),
        ("La frontière haïtiano-dominicaine.", "DO"),
    ],
)
def test_given_a_demonym_in_any_language_when_enriched_then_its_country_is_found(
    text: str, code: str
) -> None:
    assert code in countries(text)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Meeting in Guatemala City.", "GT"),
        ("Reunión en Ciudad de México.", "MX"),
        ("Réunion à Port-au-Prince.", "HT"),
        ("Talks in Tegucigalpa.", "HN"),
        ("Encuentro en La Habana.", "CU"),
        ("Reunião em Brasília.", "BR"),
        ("Meeting in Washington, D.C.", "US"),
    ],
)
def test_given_a_capital_when_enriched_then_its_country_is_found(text: str, code: str) -> None:
    assert countries(text) == [code]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Haïti", "HT"),
        ("Haiti", "HT"),
        ("Haití", "HT"),
        ("Panamá", "PA"),
        ("Panama", "PA"),
        ("Belice", "BZ"),
        ("Brasil", "BR"),
        ("Brésil", "BR"),
        ("México", "MX"),
        ("Mexique", "MX"),
        ("Perú", "PE"),
        ("Peru", "PE"),
        ("États-Unis", "US"),
        ("Etats-Unis", "US"),
        ("Estados Unidos", "US"),
        ("EE.UU.", "US"),
        ("EE. UU.", "US"),
        ("U.S.", "US"),
        ("USA", "US"),
        ("EUA", "US"),
        ("la République dominicaine", "DO"),
        ("Republica Dominicana", "DO"),
        ("Côte d'Ivoire", "CI"),
        ("Alemania", "DE"),
        ("Japon", "JP"),
        ("Afeganistão", "AF"),
        ("Camerún", "CM"),
    ],
)
def test_given_a_name_with_or_without_accents_when_enriched_then_it_is_found(text: str, code: str) -> None:
    assert countries(f"Officials visited {text} last week.") == [code]


def test_given_the_word_us_in_lower_case_when_enriched_then_it_is_not_the_united_states() -> None:
    assert countries("Join us in welcoming the new team.") == []


def test_given_countries_in_title_and_body_when_enriched_then_primary_is_the_titles_first() -> None:
    result = enrich("Panama and Colombia meet", "Officials from Mexico, Colombia and Panama met.")
    assert result.primary_country == "PA"
    assert result.countries == ["CO", "MX", "PA"]


def test_given_no_country_in_title_when_enriched_then_primary_is_the_bodys_first() -> None:
    assert enrich("Officials meet", "Officials from Mexico and Belize met.").primary_country == "MX"


def test_given_no_country_when_enriched_then_primary_is_none() -> None:
    assert enrich("Officials meet", "Nothing named here.").primary_country is None


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("Nationals from the Caribbean.", "Caribbean"),
        ("Los países de Centroamérica.", "Central America"),
        ("Les pays d'Amérique latine.", "Latin America"),
        ("Países da América do Sul.", "South America"),
        ("Migrants from Africa and Asia.", "Africa"),
    ],
)
def test_given_a_region_name_in_any_language_when_enriched_then_the_english_region_is_listed(
    text: str, region: str
) -> None:
    assert region in enrich("Bulletin", text).regions


def test_given_the_european_union_when_enriched_then_europe_is_not_a_region() -> None:
    assert enrich("Bulletin", "Funded by the European Union.").regions == []


def test_la_antigua_guatemala_is_not_antigua_and_barbuda() -> None:
    # Given a workshop held in La Antigua (Guatemala); When countries are found; Then only Guatemala
    text = "Guatemala: un taller para expertos se realiza hoy en La Antigua, con la OIM."
    assert find_countries(text) == ["GT"]
    # while Antigua and Barbuda, named as such, still counts
    assert find_countries("Hurricane Irma hit Antigua and Barbuda.") == ["AG"]
