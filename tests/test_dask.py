"""Dask on a two-worker LocalCluster: replay, figures and simulation equal the local ones."""

from __future__ import annotations

import hashlib

import pytest

pytest.importorskip("pyarrow", reason="needs the dask extra (dask[dataframe,distributed], pyarrow)")
dd = pytest.importorskip("dask.dataframe", reason="needs the dask extra")
distributed = pytest.importorskip("distributed", reason="needs the dask extra")
pq = pytest.importorskip("pyarrow.parquet", reason="needs the dask extra (pyarrow)")

from tiktok_aftersales.analysis import policy_from_spec, population  # noqa: E402
from tiktok_aftersales.analysis.columnar import (  # noqa: E402
    encode_histories,
    replay_columns,
    to_arrow,
)
from tiktok_aftersales.analysis.distributed import (  # noqa: E402
    figures_dask,
    replay_dask,
    simulate_dask,
)
from tiktok_aftersales.analysis.scale import simulate_columns  # noqa: E402
from tiktok_aftersales.analysis.windows import column_figures  # noqa: E402


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    """A Parquet dataset partitioned by order: every case of an order in one file."""
    histories = population(21, 1200).histories()
    root = tmp_path_factory.mktemp("events")
    buckets: dict[int, list] = {}
    for h in histories:
        bucket = int(hashlib.sha1(h.order_id.encode()).hexdigest(), 16) % 4
        buckets.setdefault(bucket, []).append(h)
    for bucket, items in sorted(buckets.items()):
        pq.write_table(to_arrow(items), root / f"part-{bucket}.parquet")
    return histories, root


def test_replay_on_dask_equals_the_single_process_replay(client, dataset):
    histories, root = dataset
    rows = replay_dask(dd.read_parquet(str(root))).compute()
    local = replay_columns(encode_histories(histories))
    expected = dict(
        zip((h.case_id for h in histories), (s.value for s in local.states()), strict=True)
    )
    assert dict(zip(rows["case_id"], rows["state"], strict=True)) == expected
    assert (rows["failed_at"] < 0).all()


def test_figures_on_dask_equal_the_single_process_figures(client, dataset):
    histories, root = dataset
    remote = figures_dask(dd.read_parquet(str(root)))
    assert remote == column_figures(replay_columns(encode_histories(histories)))


def test_simulation_on_dask_equals_the_streaming_simulation(client):
    a = policy_from_spec("default")
    b = policy_from_spec("default,seller_response=24h")
    remote = simulate_dask(3, 4000, a, b, chunk=1000)
    local = simulate_columns(3, 4000, a, b, chunk=1000)
    assert remote.a == local.a and remote.b == local.b
    assert [r.b for r in remote.rows] == [r.b for r in local.rows]
