"""The grammar of assumption keys, written once (see ``data/assumptions/README.md``, "Assumption keys").

An assumption is named ``<scope>.<key>``: the scope is a delivery-model id (``mutual``) or
``project`` (shared by every option). When a project holds several services the service id comes
first, followed by a slash: ``libraries/mutual.pension_rate_change``. An outcome quantity of a
project's outcome model takes its outcome id in that place, with ``project`` for what every option
shares: ``repeat-victimisation/outsourcing.effect``, ``repeat-victimisation/project.deadweight``
(:func:`ddanalysis.public_value.outcome_key`). The same names are used in
scenarios, ``--set`` overrides, dashboard URLs, Monte Carlo draws and value-of-information results.
Excel defined names cannot hold ``.``, ``-`` or ``/``: there ``.`` becomes ``__`` and ``-`` or
``/`` become ``_`` (``charitable-trust.business_rates_relief`` ->
``charitable_trust__business_rates_relief``).

>>> parse_key("libraries/mutual.pension_rate_change")
AssumptionKey(scope='mutual', key='pension_rate_change', service='libraries')
>>> excel_name("charitable-trust.business_rates_relief")
'charitable_trust__business_rates_relief'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import DDAnalysisError

PROJECT_SCOPE = "project"
_ID = r"[a-z0-9]+(?:-[a-z0-9]+)*"  # kebab-case ids: services and delivery models
_NAME = r"[a-z][a-z0-9_]*"  # snake_case assumption names
_PATTERN = re.compile(rf"^(?:(?P<service>{_ID})/)?(?P<scope>{_ID})\.(?P<key>{_NAME})$")


@dataclass(frozen=True)
class AssumptionKey:
    """One assumption's full name: ``scope`` (model id or 'project'), ``key``, optional ``service``."""

    scope: str
    key: str
    service: str | None = None

    def __str__(self) -> str:
        return format_key(self.scope, self.key, self.service)

    @property
    def pair(self) -> tuple[str, str]:
        """(scope, key): how the assumption tables index a single-service project."""
        return (self.scope, self.key)


def parse_key(text: str) -> AssumptionKey:
    """Parse ``[service/]scope.key``; a malformed name raises :class:`DDAnalysisError` saying why.

    Does not check that the scope or key exist (the assumption book does that).
    """
    m = _PATTERN.match(str(text).strip())
    if m is None:
        raise DDAnalysisError(
            f"assumption key {text!r}: expected '<scope>.<key>' or '<service>/<scope>.<key>', where scope is a "
            "delivery-model id (kebab-case, e.g. 'mutual') or 'project' and key is snake_case "
            "(e.g. 'mutual.pension_rate_change', 'libraries/mutual.pension_rate_change')"
        )
    return AssumptionKey(scope=m["scope"], key=m["key"], service=m["service"])


def format_key(scope: str, key: str, service: str | None = None) -> str:
    """``[service/]scope.key`` from its parts (checked by parsing the result back)."""
    text = f"{service}/{scope}.{key}" if service else f"{scope}.{key}"
    parse_key(text)
    return text


def excel_name(key: "str | AssumptionKey") -> str:
    """The Excel defined name of an assumption: ``.`` -> ``__``, ``-`` and ``/`` -> ``_``."""
    text = str(parse_key(str(key)))
    return text.replace(".", "__").replace("-", "_").replace("/", "_")
