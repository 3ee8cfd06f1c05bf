"""Analysis: histories, replay (object and bulk), figures, synthetic populations and simulation."""

from __future__ import annotations

from ..errors import LineError, MissingExtra
from ._shared import Table
from .fast import (
    FastPathUnsupported,
    FastTable,
    control_of,
    fast_table,
    replay_states,
)
from .figures import (
    ExposureRow,
    Figures,
    OutcomeRow,
    SellerDeadlineRow,
    StateTimeRow,
    TabRow,
    TimeoutCount,
    figures,
)
from .histories import (
    History,
    LoadResult,
    RecordedEvent,
    dump_jsonl,
    load_jsonl,
    load_platform_dump,
)
from .replay import ReplayResult, final_states, replay
from .samples import (
    SAMPLES,
    Sample,
    Step,
    build_sample,
    build_samples,
)
from .simulation import (
    Comparison,
    ComparisonRow,
    Population,
    policy_from_spec,
    population,
    run_policy,
    simulate,
)
from .synthetic import (
    DEFAULT_WINDOW,
    Behaviour,
    SyntheticCase,
    SyntheticEvent,
    continue_case,
    generate,
)

__all__ = [
    "DEFAULT_WINDOW",
    "SAMPLES",
    "Behaviour",
    "Comparison",
    "ComparisonRow",
    "ExposureRow",
    "FastPathUnsupported",
    "FastTable",
    "Figures",
    "History",
    "LineError",
    "LoadResult",
    "MissingExtra",
    "OutcomeRow",
    "Population",
    "RecordedEvent",
    "ReplayResult",
    "Sample",
    "SellerDeadlineRow",
    "StateTimeRow",
    "Step",
    "SyntheticCase",
    "SyntheticEvent",
    "TabRow",
    "Table",
    "TimeoutCount",
    "build_sample",
    "build_samples",
    "continue_case",
    "control_of",
    "dump_jsonl",
    "fast_table",
    "figures",
    "final_states",
    "generate",
    "load_jsonl",
    "load_platform_dump",
    "policy_from_spec",
    "population",
    "replay",
    "replay_states",
    "run_policy",
    "simulate",
]
