"""The contract change feed: one row per change, in commit order.

A client polls `GET /api/v1/contracts/changes/?cursor=N` and must never miss or repeat
a change, even while writes are happening. Ids from a sequence are handed out at insert
time but become visible at commit time, so a transaction that got id 7 may commit after
one that got id 8; a reader that saw 8 and moved its cursor past 7 would miss it. We
close that gap by serialising the *feed insert to commit* stretch with a transaction
advisory lock taken just before the insert: a writer holding id 7 keeps the lock until
it commits, so no later id can be assigned before 7 is visible. Every service writes its
feed row last, so the lock is held only for the final moments of a transaction.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone

from .models import Contract, ContractFeedEntry

# An arbitrary, fixed key for pg_advisory_xact_lock (the feed's own lock).
FEED_LOCK_KEY = 7_402_115


def _lock_feed() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [FEED_LOCK_KEY])
    # SQLite serialises writers on its own database lock.


def contract_touch(contract: Contract, action: str) -> ContractFeedEntry:
    """Record that `contract` (or something on it) changed: a feed row, and the
    contract's `updated_at` and `feed_seq` (its ETag) moved on. Call it last in the
    service's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("contract_touch must run inside the service's transaction")
    _lock_feed()
    entry = ContractFeedEntry.objects.create(
        contract=contract,
        action=action,
        status=contract.status,
        version=contract.version,
    )
    now = timezone.now()
    Contract.objects.filter(pk=contract.pk).update(feed_seq=entry.pk, updated_at=now)
    contract.feed_seq = entry.pk
    contract.updated_at = now
    return entry


def feed_after(cursor: int, *, contract_ids_q=None, limit: int = 100):
    """Feed rows after `cursor`, oldest first (visibility is the caller's filter)."""
    qs = ContractFeedEntry.objects.filter(id__gt=cursor).order_by("id")
    if contract_ids_q is not None:
        qs = qs.filter(contract__in=contract_ids_q)
    return list(qs.select_related("contract")[:limit])
