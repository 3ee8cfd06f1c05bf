"""Command-line commands about the declaration: ``explain`` and ``diagram``."""

from __future__ import annotations
