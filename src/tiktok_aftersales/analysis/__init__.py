"""Analysis: histories, replay (object and bulk), figures, synthetic populations and simulation."""

from __future__ import annotations

from .._lazy import attach

TYPE_CHECKING = False  # typing is not imported at start-up
if TYPE_CHECKING:
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

_EXPORTS = {
    "LineError": "..errors",
    "MissingExtra": "..errors",
    "Table": "._shared",
    "FastPathUnsupported": ".fast",
    "FastTable": ".fast",
    "control_of": ".fast",
    "fast_table": ".fast",
    "replay_states": ".fast",
    "ExposureRow": ".figures",
    "Figures": ".figures",
    "OutcomeRow": ".figures",
    "SellerDeadlineRow": ".figures",
    "StateTimeRow": ".figures",
    "TabRow": ".figures",
    "TimeoutCount": ".figures",
    "figures": ".figures",
    "History": ".histories",
    "LoadResult": ".histories",
    "RecordedEvent": ".histories",
    "dump_jsonl": ".histories",
    "load_jsonl": ".histories",
    "load_platform_dump": ".histories",
    "ReplayResult": ".replay",
    "final_states": ".replay",
    "replay": ".replay",
    "SAMPLES": ".samples",
    "Sample": ".samples",
    "Step": ".samples",
    "build_sample": ".samples",
    "build_samples": ".samples",
    "Comparison": ".simulation",
    "ComparisonRow": ".simulation",
    "Population": ".simulation",
    "policy_from_spec": ".simulation",
    "population": ".simulation",
    "run_policy": ".simulation",
    "simulate": ".simulation",
    "DEFAULT_WINDOW": ".synthetic",
    "Behaviour": ".synthetic",
    "SyntheticCase": ".synthetic",
    "SyntheticEvent": ".synthetic",
    "continue_case": ".synthetic",
    "generate": ".synthetic",
}
"""Each re-exported name and the module it is imported from on first use."""

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

__getattr__, __dir__ = attach(__name__, _EXPORTS, __all__)
