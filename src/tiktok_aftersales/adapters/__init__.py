"""Optional adapters that do I/O: the library's edges to the outside world.

Each subpackage is an optional extra, installed by name, and imported only
when used:

- `tiktok_aftersales.adapters.tiktok` (``[tiktok]``, httpx): a signed
  TikTok Shop API client, sync and async, with retries and paging;
- `tiktok_aftersales.adapters.fake_tiktok` (``[web]``): a fake TikTok
  Shop server for tests, served by uvicorn on loopback;
- `tiktok_aftersales.adapters.web` (``[web]``, Starlette): a webhook
  receiver;
- `tiktok_aftersales.adapters.postgres` (``[postgres]``, psycopg 3): a
  case store, outbox and notification log on PostgreSQL.

The core of the library (everything outside ``adapters/`` and ``cli/``)
stays free of I/O; these modules import it, never the other way round.
"""

from __future__ import annotations

__all__: list[str] = []
