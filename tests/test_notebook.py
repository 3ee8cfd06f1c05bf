"""The policy analysis notebook executes top to bottom and draws its plots."""

from __future__ import annotations

from pathlib import Path

import pytest

NEEDS = "needs the [notebook] extra (pandas, matplotlib, nbclient, ipykernel)"
NOTEBOOK = Path(__file__).parent.parent / "examples" / "policy_analysis.ipynb"


def test_policy_analysis_notebook_runs_and_plots() -> None:
    for name in ("pandas", "matplotlib", "ipykernel"):
        pytest.importorskip(name, reason=NEEDS)
    nbformat = pytest.importorskip("nbformat", reason=NEEDS)
    nbclient = pytest.importorskip("nbclient", reason=NEEDS)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not cell.get("outputs") for cell in nb.cells if cell.cell_type == "code")
    client = nbclient.NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 1
    printed = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "0 of them outside GB" in printed
