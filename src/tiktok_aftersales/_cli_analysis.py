"""Command-line commands for analysts: ``replay`` and ``simulate``."""

from __future__ import annotations
