"""The assumption-key grammar (ddanalysis.keys): parse, format, Excel defined names."""

from __future__ import annotations

import pytest

from ddanalysis.errors import DDAnalysisError
from ddanalysis.keys import AssumptionKey, excel_name, format_key, parse_key


def test_parse_model_and_project_scopes() -> None:
    """'mutual.pension_rate_change' is scope 'mutual', key 'pension_rate_change', no service;
    'project.optimism_bias_mitigation' is the project scope."""
    assert parse_key("mutual.pension_rate_change") == AssumptionKey("mutual", "pension_rate_change", None)
    assert parse_key("project.optimism_bias_mitigation").pair == ("project", "optimism_bias_mitigation")


def test_parse_service_prefix() -> None:
    """The service id comes first, then '/': 'libraries/mutual.pension_rate_change'."""
    k = parse_key("libraries/mutual.pension_rate_change")
    assert (k.service, k.scope, k.key) == ("libraries", "mutual", "pension_rate_change")
    assert str(k) == "libraries/mutual.pension_rate_change"


def test_format_round_trips() -> None:
    """format_key joins the parts with '/' and '.', and parsing gives them back."""
    assert format_key("charitable-trust", "business_rates_relief") == "charitable-trust.business_rates_relief"
    text = format_key("community-led", "volunteer_substitution", "day-opportunities")
    assert text == "day-opportunities/community-led.volunteer_substitution"
    assert str(parse_key(text)) == text


def test_excel_names() -> None:
    """'.' -> '__', '-' -> '_', '/' -> '_' (the issue's example and a service-scoped one, by hand)."""
    assert excel_name("charitable-trust.business_rates_relief") == "charitable_trust__business_rates_relief"
    assert excel_name("libraries/mutual.pension_rate_change") == "libraries_mutual__pension_rate_change"
    assert excel_name("project.optimism_bias_mitigation") == "project__optimism_bias_mitigation"


@pytest.mark.parametrize(
    "bad",
    [
        "mutual",
        "mutual.",
        ".key",
        "Mutual.key",
        "mutual.Key",
        "a/b/c.key",
        "mutual.pension-rate",
        "charitable_trust.key",
        "",
    ],
)
def test_malformed_keys_raise(bad: str) -> None:
    with pytest.raises(DDAnalysisError, match="expected '<scope>.<key>'"):
        parse_key(bad)


def test_scenarios_use_the_grammar(tmp_path) -> None:
    """A malformed key in scenarios.yaml is reported with the grammar's message."""
    from ddanalysis import assumptions
    from ddanalysis.errors import DataFileError

    book = assumptions.load_book()
    path = tmp_path / "scenarios.yaml"
    path.write_text(
        "scenarios:\n  central: {}\n  low: {pick: unfavourable}\n  high: {pick: favourable}\n"
        "  odd:\n    set:\n      Mutual.pension_rate_change: 0.01\n",
        encoding="utf-8",
    )
    with pytest.raises(DataFileError, match="expected '<scope>.<key>'"):
        assumptions._load_scenarios(path, book.table)
