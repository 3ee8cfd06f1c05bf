"""The reader of platform payloads: one JSON object, its path, the mode, what it could not map.

The scalar readers (ids, times, integers, flags, amounts) implement the
conventions described in [`tiktok_aftersales.platform`][tiktok_aftersales.platform].
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

from ..codes import Vocabulary
from ..domain.money import Money
from ..errors import (
    FloatAmount,
    InvalidValue,
)

_MAX_ID = 2**64
_MAX_UNIX = 32_503_680_000  # 3000-01-01T00:00:00Z
_AMOUNT = re.compile(r"^\d{1,20}(\.\d{1,10})?$")
_DIGITS = re.compile(r"^\d{1,20}$")
_TRUE = frozenset({"TRUE", "1"})
_FALSE = frozenset({"FALSE", "0"})
_MAX_TEXT = 1_000_000

E = TypeVar("E", bound=enum.Enum)
T = TypeVar("T")


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


class Reader:
    """Reads fields of one JSON object; collects the names of unmapped codes."""

    __slots__ = ("data", "path", "strict", "unmapped")

    def __init__(self, data: Any, path: str, strict: bool) -> None:
        if not isinstance(data, Mapping):
            raise InvalidValue(path or "payload", short_value(data), "a JSON object")
        self.data: Mapping[Any, Any] = data
        self.path = path
        self.strict = strict
        self.unmapped: set[str] = set()

    def field(self, name: str) -> str:
        """The full path of the field ``name`` (for error messages)."""
        return _join(self.path, name)

    def raw(self, name: str) -> Any:
        """The value of ``name`` as received (``None`` when absent)."""
        return self.data.get(name)

    def required(self, name: str) -> Any:
        """The value of ``name``; refused when missing or null."""
        value = self.data.get(name)
        if value is None:
            raise InvalidValue(self.field(name), None, "required field is missing or null")
        return value

    # ids and text

    def id(self, name: str) -> str:
        """A required id, as a string."""
        return parse_id(self.field(name), self.required(name))

    def opt_id(self, name: str) -> str | None:
        """An optional id (``None`` when absent or empty)."""
        value = self.data.get(name)
        if value is None or value == "":
            return None
        return parse_id(self.field(name), value)

    def text(self, name: str) -> str | None:
        """An optional string, refused when it is not one."""
        value = self.data.get(name)
        if value is None:
            return None
        if not isinstance(value, str) or len(value) > _MAX_TEXT:
            raise InvalidValue(self.field(name), short_value(value), "a string")
        return value

    def word(self, name: str) -> str | None:
        """An enum-like string the library keeps raw (stripped), e.g. ``return_method``."""
        value = self.text(name)
        if value is None:
            return None
        return value.strip() or None

    # times and flags

    def time(self, name: str) -> datetime:
        """A required unix time, as a UTC datetime."""
        return _unix(self.field(name), self.required(name))

    def opt_time(self, name: str) -> datetime | None:
        """An optional unix time, as a UTC datetime."""
        value = self.data.get(name)
        if value is None:
            return None
        return _unix(self.field(name), value)

    def integer(self, name: str) -> int | None:
        """An optional integer (or digit string)."""
        value = self.data.get(name)
        if value is None:
            return None
        return parse_int(self.field(name), value)

    def flag(self, name: str) -> bool | None:
        """An optional lenient boolean; tolerant mode marks an unreadable one unmapped."""
        value = self.data.get(name)
        if value is None:
            return None
        found = parse_bool(value)
        if found is None:
            if self.strict:
                raise InvalidValue(self.field(name), short_value(value), "true or false")
            self.unmapped.add(self.field(name))
        return found

    # codes

    def code(self, name: str, vocab: Vocabulary[Any, E], required: bool = True) -> E | str | int:
        """A platform code through ``vocab``: the member, or (tolerant mode) the raw value."""
        value = self.required(name) if required else self.data.get(name)
        return self._code(name, vocab, value)

    def opt_code(self, name: str, vocab: Vocabulary[Any, E]) -> E | str | int | None:
        """An optional platform code (``None`` when absent or empty)."""
        value = self.data.get(name)
        if value is None or value == "":
            return None
        return self._code(name, vocab, value)

    def _code(self, name: str, vocab: Vocabulary[Any, E], value: Any) -> E | str | int:
        field = self.field(name)
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise InvalidValue(
                field, short_value(value), f"a {vocab.name} code (string or integer)"
            )
        if isinstance(value, str) and len(value) > 200:
            raise InvalidValue(field, short_value(value), f"a {vocab.name} code")
        if isinstance(value, int) and abs(value) >= _MAX_ID:
            raise InvalidValue(field, short_value(value), f"a {vocab.name} code")
        found = vocab.lookup(value)
        if found is not None:
            return found
        if self.strict:
            vocab.parse(value, field)  # raises UnknownCode naming the field
        self.unmapped.add(field)
        return value.strip() if isinstance(value, str) else value

    # nested

    def child(self, name: str, required: bool = False) -> Reader | None:
        """A reader of the nested object ``name`` (``None`` when absent)."""
        value = self.required(name) if required else self.data.get(name)
        if value is None:
            return None
        return Reader(value, self.field(name), self.strict)

    def items(self, name: str, parse: Callable[[Reader], T]) -> tuple[T, ...]:
        """The list ``name``, each object read with ``parse``; unmapped fields are kept."""
        value = self.data.get(name)
        if value is None:
            return ()
        if not isinstance(value, list | tuple):
            raise InvalidValue(self.field(name), short_value(value), "a list")
        out = []
        for i, item in enumerate(value):
            reader = Reader(item, f"{self.field(name)}[{i}]", self.strict)
            out.append(parse(reader))
            self.unmapped |= reader.unmapped
        return tuple(out)

    def nested(self, name: str, parse: Callable[[Reader], T]) -> T | None:
        """The nested object ``name`` read with ``parse`` (``None`` when absent)."""
        reader = self.child(name)
        if reader is None:
            return None
        out = parse(reader)
        self.unmapped |= reader.unmapped
        return out

    def money(self, name: str, currency: str | None) -> Money | None:
        """An optional amount in ``currency``."""
        value = self.data.get(name)
        if value is None or value == "":
            return None
        return _money(self.field(name), value, currency, self.field("currency"))

    def currency(self, name: str = "currency", required: bool = True) -> str | None:
        """An ISO 4217 currency code, upper-cased."""
        value = self.data.get(name)
        if value is None:
            if required:
                raise InvalidValue(self.field(name), None, "required field is missing or null")
            return None
        if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z]{3}", value.strip()):
            raise InvalidValue(self.field(name), short_value(value), "an ISO 4217 currency code")
        return value.strip().upper()

    def extra(self, known: frozenset[str]) -> frozenset[str]:
        """The keys of the object that are not in ``known``."""
        return frozenset(str(k) for k in self.data if k not in known)


def short_value(value: Any) -> Any:
    """The value for an error message, cut short when it is big."""
    try:
        if isinstance(value, str) and len(value) > 120:
            return value[:117] + "..."
        if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
            return f"<int of {value.bit_length()} bits>"
        if isinstance(value, list | tuple | dict | set | frozenset | bytes | bytearray):
            text = repr(value)
            return text if len(text) <= 120 else f"<{type(value).__name__} of {len(value)}>"
    except RecursionError:  # pragma: no cover - pathological nesting
        return f"<{type(value).__name__}>"
    return value


def parse_id(field: str, value: Any) -> str:
    """An id: a string without spaces, or a non-negative 64-bit integer made a string."""
    if isinstance(value, bool | float):
        raise InvalidValue(field, value, "an id: a string of digits (not a number)")
    if isinstance(value, int):
        if not 0 <= value < _MAX_ID:
            raise InvalidValue(field, short_value(value), "an id: a non-negative 64-bit number")
        return str(value)
    if isinstance(value, str):
        text = value.strip()
        if text and len(text) <= 64 and text.isprintable() and " " not in text:
            return text
    raise InvalidValue(field, short_value(value), "an id: a non-empty string without spaces")


def parse_int(field: str, value: Any) -> int:
    """An integer (or digit string) below 2**64."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidValue(field, short_value(value), "an integer")
    if isinstance(value, str):
        if not _DIGITS.match(value.strip()):
            raise InvalidValue(field, short_value(value), "an integer")
        value = int(value.strip())
    number: int = value
    if abs(number) >= _MAX_ID:
        raise InvalidValue(field, short_value(number), "an integer below 2**64")
    return number


def _unix(field: str, value: Any) -> datetime:
    if isinstance(value, float):
        raise InvalidValue(field, value, "unix seconds as an integer, not a float")
    seconds = parse_int(field, value)
    if seconds < 0 or seconds > _MAX_UNIX:
        raise InvalidValue(field, seconds, "unix seconds between 1970 and 3000 (not milliseconds)")
    return datetime.fromtimestamp(seconds, UTC)


def parse_bool(value: Any) -> bool | None:
    """A lenient boolean (``true``/``false`` in any case, ``0``/``1``); ``None`` if not one."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().upper()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    return None


def _amount(field: str, value: Any) -> Decimal:
    if isinstance(value, float):
        raise FloatAmount(field, value)
    if isinstance(value, bool):
        raise InvalidValue(field, value, "a decimal string")
    if isinstance(value, int):
        if not 0 <= value < 10**20:
            raise InvalidValue(field, short_value(value), "a non-negative amount below 10**20")
        return Decimal(value)
    if isinstance(value, str) and _AMOUNT.match(value.strip()):
        return Decimal(value.strip())
    raise InvalidValue(field, short_value(value), "a non-negative decimal string such as '19.99'")


def _money(field: str, value: Any, currency: str | None, currency_field: str) -> Money:
    amount = _amount(field, value)
    if currency is None:
        raise InvalidValue(currency_field, None, f"a currency is required with {field}")
    return Money(amount, currency)


def typed_code(value: E | str | int, kind: type[E]) -> E | str:
    """The vocabulary member, or the raw value as a string."""
    return value if isinstance(value, kind) else str(value)


def int_code(value: E | str | int, kind: type[E], field: str) -> E | int:
    """A numeric code: the enum member, or (tolerant mode) the raw integer."""
    if isinstance(value, kind):
        return value
    return value if isinstance(value, int) else parse_int(field, value)
