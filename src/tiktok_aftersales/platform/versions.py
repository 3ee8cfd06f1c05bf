"""API versions as data: every endpoint's version is a value a host may set.

Each `Endpoint` has a path template with ``{version}`` and the
versions the sources have seen; the default is the newest documented one
(``platform-2026.md`` §4c, §5; ``platform-api.md`` §2a). A host that must
stay on an older version says so with `ApiVersions.with_version`;
nothing else in the library hard-codes a version.

>>> DEFAULT_VERSIONS.path(Endpoint.CANCEL_ORDER)
'/return_refund/202602/cancellations'
>>> DEFAULT_VERSIONS.with_version(Endpoint.CANCEL_ORDER, "202309").path(Endpoint.CANCEL_ORDER)
'/return_refund/202309/cancellations'
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

from ..errors import InvalidValue

__all__ = ["DEFAULT_VERSIONS", "ENDPOINTS", "ApiVersions", "Endpoint", "EndpointSpec"]


class Endpoint(enum.StrEnum):
    """The after-sales endpoints of the platform's Open API."""

    SEARCH_RETURNS = "search_returns"
    SEARCH_CANCELLATIONS = "search_cancellations"
    RETURN_RECORDS = "return_records"
    APPROVE_RETURN = "approve_return"
    REJECT_RETURN = "reject_return"
    APPROVE_CANCELLATION = "approve_cancellation"
    REJECT_CANCELLATION = "reject_cancellation"
    REJECT_REASONS = "reject_reasons"
    CREATE_RETURN = "create_return"
    CANCEL_ORDER = "cancel_order"
    CALCULATE_REFUND = "calculate_refund"
    AFTERSALE_ELIGIBILITY = "aftersale_eligibility"
    DECISION_ELIGIBILITY = "decision_eligibility"
    REVIEW_DECISIONS = "review_decisions"
    AFTERSALES_REVIEW = "aftersales_review"
    AFTERSALES_SEARCH = "aftersales_search"
    RMA_SEARCH = "rma_search"
    UPLOAD_SHIPPING_DOCUMENT = "upload_shipping_document"


@attrs.frozen
class EndpointSpec:
    """One endpoint: its method, path template and the versions seen.

    Attributes:
        method: ``GET`` or ``POST``.
        template: The path with ``{version}`` and any ids (``{return_id}``).
        versions: Every version the sources name, oldest first; the last is
            the default.
        source: Where the versions come from.

    """

    method: str
    template: str
    versions: tuple[str, ...]
    source: str

    @property
    def newest(self) -> str:
        """The newest documented version (the default)."""
        return self.versions[-1]


_NEW = "platform-2026 §4c"
_OLD = "platform-api.md §2a"
E = Endpoint

ENDPOINTS: Mapping[Endpoint, EndpointSpec] = MappingProxyType(
    {
        E.SEARCH_RETURNS: EndpointSpec(
            "POST", "/return_refund/{version}/returns/search", ("202309", "202602"), _NEW
        ),
        E.SEARCH_CANCELLATIONS: EndpointSpec(
            "POST", "/return_refund/{version}/cancellations/search", ("202309", "202602"), _NEW
        ),
        E.RETURN_RECORDS: EndpointSpec(
            "GET", "/return_refund/{version}/returns/{return_id}/records", ("202309",), _NEW
        ),
        E.APPROVE_RETURN: EndpointSpec(
            "POST", "/return_refund/{version}/returns/{return_id}/approve", ("202309",), _NEW
        ),
        E.REJECT_RETURN: EndpointSpec(
            "POST",
            "/return_refund/{version}/returns/{return_id}/reject",
            ("202309", "202606"),
            _NEW,
        ),
        E.APPROVE_CANCELLATION: EndpointSpec(
            "POST",
            "/return_refund/{version}/cancellations/{cancel_id}/approve",
            ("202309",),
            _NEW,
        ),
        E.REJECT_CANCELLATION: EndpointSpec(
            "POST",
            "/return_refund/{version}/cancellations/{cancel_id}/reject",
            ("202309",),
            _NEW,
        ),
        E.REJECT_REASONS: EndpointSpec(
            "GET", "/return_refund/{version}/reject_reasons", ("202309",), _NEW
        ),
        E.CREATE_RETURN: EndpointSpec(
            "POST", "/return_refund/{version}/returns", ("202309", "202602"), _NEW
        ),
        E.CANCEL_ORDER: EndpointSpec(
            "POST", "/return_refund/{version}/cancellations", ("202309", "202602"), _NEW
        ),
        E.CALCULATE_REFUND: EndpointSpec(
            "POST", "/return_refund/{version}/refunds/calculate", ("202309", "202602"), _NEW
        ),
        E.AFTERSALE_ELIGIBILITY: EndpointSpec(
            "GET",
            "/return_refund/{version}/orders/{order_id}/aftersale_eligibility",
            ("202309", "202512", "202602"),
            f"{_NEW}; §5 (202512); live capture 202602",
        ),
        E.DECISION_ELIGIBILITY: EndpointSpec(
            "GET", "/return_refund/{version}/decision_eligibility", ("202601",), _NEW
        ),
        E.REVIEW_DECISIONS: EndpointSpec(
            "GET", "/return_refund/{version}/review_decision", ("202606",), "platform-2026 §4b"
        ),
        E.AFTERSALES_REVIEW: EndpointSpec(
            "POST",
            "/return_refund/{version}/aftersales/review",
            ("202603", "202609"),
            f"{_OLD} (202603); platform-2026 §4b (202609)",
        ),
        E.AFTERSALES_SEARCH: EndpointSpec(
            "POST", "/return_refund/{version}/aftersales/search", ("202603",), "platform-2026 §4b"
        ),
        E.RMA_SEARCH: EndpointSpec(
            "POST", "/return_refund/{version}/rma/search", ("202604",), "platform-2026 §4b"
        ),
        E.UPLOAD_SHIPPING_DOCUMENT: EndpointSpec(
            "POST", "/return_refund/{version}/returns/shipping_documents", ("202405",), _NEW
        ),
    }
)
"""Every endpoint's method, path template and known versions."""

_VERSION = re.compile(r"^\d{6}$")


def _overrides(value: Any) -> Mapping[Endpoint, str]:
    items = value.items() if isinstance(value, Mapping) else value
    out: dict[Endpoint, str] = {}
    for name, version in items:
        try:
            endpoint = Endpoint(name)
        except ValueError:
            known = ", ".join(e.value for e in Endpoint)
            raise InvalidValue("versions", name, f"an endpoint: {known}") from None
        if not isinstance(version, str) or not _VERSION.match(version):
            raise InvalidValue(f"versions.{endpoint.value}", version, "a version such as 202602")
        out[endpoint] = version
    return MappingProxyType(out)


@attrs.frozen
class ApiVersions:
    """The version a host calls each endpoint with (default: the newest documented).

    Attributes:
        overrides: Endpoint to version, for the endpoints the host pins.

    """

    overrides: Mapping[Endpoint, str] = attrs.field(factory=dict, converter=_overrides)

    def version(self, endpoint: Endpoint | str) -> str:
        """The version used for ``endpoint``."""
        which = Endpoint(endpoint)
        return self.overrides.get(which) or ENDPOINTS[which].newest

    def method(self, endpoint: Endpoint | str) -> str:
        """The HTTP method of ``endpoint``."""
        return ENDPOINTS[Endpoint(endpoint)].method

    def path(self, endpoint: Endpoint | str, **ids: str) -> str:
        """The versioned path of ``endpoint`` with its ids filled in.

        Raises:
            InvalidValue: An id the path needs is missing or empty.

        """
        which = Endpoint(endpoint)
        template = ENDPOINTS[which].template
        for name in re.findall(r"{(\w+)}", template):
            if name == "version":
                continue
            value = ids.get(name)
            if not isinstance(value, str) or not value.strip():
                raise InvalidValue(name, value, f"needed in the path of {which.value}")
            template = template.replace("{" + name + "}", value.strip())
        return template.replace("{version}", self.version(which))

    def with_version(self, endpoint: Endpoint | str, version: str) -> ApiVersions:
        """Return versions where ``endpoint`` is called with ``version``.

        Raises:
            InvalidValue: The endpoint or version is malformed.

        """
        return ApiVersions({**{k.value: v for k, v in self.overrides.items()}, endpoint: version})


DEFAULT_VERSIONS = ApiVersions()
"""Every endpoint at its newest documented version."""
