"""Persistent dedup indexes: a later batch is checked against every earlier one, then added.

`SqliteIndex` (the default, one file): tables `params` (the parameters the index was built
with), `docs` (id, signature as raw uint32 bytes, what the keep policy needs, the cluster the
document was assigned) and `bands` (one row per document and band, indexed on `(band, hash)`).
Every batch is written in one transaction (journal in WAL mode, `synchronous=FULL`), so a
crash leaves the index as it was before the batch; rerunning a batch is safe, because a
document whose id is already indexed is reported with its stored cluster, not added twice.

`RedisIndex` (`redis://HOST:PORT/DB`): a shared index through datasketch's `MinHashLSH` with
Redis storage. Trust assumption: datasketch pickles keys for Redis by default and unpickles
what it reads back, which would let anyone who can write to that Redis database run code in
this process. We pass `prepickle=False` and bytes keys, and store signatures as raw bytes and
metadata as JSON, so nothing read from Redis is ever unpickled. Whoever can write to the
database can still corrupt the index (wrong clusters), so use a Redis you control.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from cleaner.dedup.bands import band_hashes, lsh_params
from cleaner.dedup.cluster import (
    Entry,
    UnionFind,
    keep_key,
    parse_date,
    pick_kept,
    verified_pairs,
)
from cleaner.dedup.config import DedupConfig
from cleaner.dedup.corpus import DedupResult, DuplicateGroup
from cleaner.dedup.signatures import SCHEME
from cleaner.errors import ConfigError, InputError

FORMAT_VERSION = 1


def index_params(config: DedupConfig) -> dict[str, Any]:
    """What must match for signatures and bands of two runs to be comparable."""
    bands, rows = lsh_params(config.threshold, config.num_perm)
    return {
        "format": FORMAT_VERSION,
        "scheme": SCHEME,
        "num_perm": config.num_perm,
        "seed": config.seed,
        "ngram": config.ngram,
        "threshold": config.threshold,
        "bands": bands,
        "rows": rows,
        "keep": config.keep,
    }


def _check_params(where: str, stored: dict[str, Any], wanted: dict[str, Any]) -> None:
    different = [key for key in wanted if stored.get(key) != wanted[key]]
    if different:
        built = ", ".join(f"{key}={stored.get(key)!r}" for key in different)
        asked = ", ".join(f"{key}={wanted[key]!r}" for key in different)
        raise ConfigError(
            f"{where}: index was built with {built}; this run uses {asked} "
            "(use the same parameters or a new index)"
        )


def open_index(location: str, config: DedupConfig):
    """The index at `location`: a `redis://` URL or a SQLite file path (created if missing)."""
    if location.startswith("redis://"):
        return RedisIndex(location, config)
    return SqliteIndex(Path(location), config)


class _Index:
    """The batch logic shared by the stores; a store implements the five storage methods."""

    def check_and_add(
        self, signatures: np.ndarray, entries: Sequence[Entry], config: DedupConfig
    ) -> DedupResult:
        """Cluster a batch (in canonical order) against itself and the index, then add it."""
        known = self._known([entry.id for entry in entries])
        fresh = [i for i, entry in enumerate(entries) if entry.id not in known]
        signatures = signatures[fresh]
        entries = [entries[i] for i in fresh]
        bands, rows = lsh_params(config.threshold, config.num_perm)
        band_values = band_hashes(signatures, bands, rows)
        old_ids = self._candidates(signatures, band_values)
        old = self._load(old_ids)
        # One index space: the batch first, then the indexed documents it may duplicate.
        all_entries = list(entries) + [old_entry for old_entry, _, _ in old]
        all_signatures = np.concatenate([signatures] + [row[None, :] for _, row, _ in old]).astype(
            np.uint32
        )
        stored_cluster = {len(entries) + k: cluster for k, (_, _, cluster) in enumerate(old)}
        pairs, _ = verified_pairs(all_signatures, threshold=config.threshold)
        pairs = pairs[(pairs[:, 0] < len(entries))]  # old-old pairs were settled earlier
        sets = UnionFind(len(all_entries))
        for i, j in pairs.tolist():
            sets.union(i, j)
        members_of: dict[int, list[int]] = {}
        for index in np.unique(pairs).tolist():
            members_of.setdefault(sets.find(index), []).append(index)
        id_of = {index: entry.id for index, entry in enumerate(all_entries)}
        groups, assignment = [], {}
        for members in members_of.values():
            members.sort(key=lambda m: id_of[m])
            old_members = [m for m in members if m >= len(entries)]
            if old_members:
                # Documents already indexed were already kept or dropped: new copies join the
                # cluster of the indexed document the policy prefers.
                kept_ids = sorted({stored_cluster[m] for m in old_members})
                kept_docs = {entry.id: (entry, row) for entry, row, _ in self._load(kept_ids)}
                # A kept document missing from the store (a Redis index written by a crashed
                # run) cannot lead: its cluster's indexed members here stand in for it.
                kept_docs = kept_docs or {
                    id_of[m]: (all_entries[m], all_signatures[m]) for m in old_members
                }
                kept_id = min(kept_docs, key=lambda k: keep_key(kept_docs[k][0], config.keep))
                kept_row = kept_docs[kept_id][1]
            else:
                kept = pick_kept(all_entries, members, config.keep)
                kept_id, kept_row = id_of[kept], all_signatures[kept]
            member_ids = [id_of[m] for m in members]
            rows_of_members = all_signatures[members]
            scores = (rows_of_members == kept_row[None, :]).mean(axis=1).tolist()
            similarity = dict(zip(member_ids, scores, strict=True))
            similarity[kept_id] = 1.0
            indexed = sorted({id_of[m] for m in old_members})
            if kept_id not in member_ids:
                member_ids = sorted([*member_ids, kept_id])
                indexed = sorted([*indexed, kept_id])
            groups.append(DuplicateGroup(kept_id, member_ids, similarity, indexed))
            for m in members:
                if m < len(entries):
                    assignment[m] = (kept_id, similarity[id_of[m]])
        self._add(signatures, band_values, entries, assignment)
        # Documents indexed by an earlier (maybe interrupted) run of this batch: stored result.
        for doc_id, (cluster, score) in sorted(known.items()):
            if cluster != doc_id:
                groups.append(
                    DuplicateGroup(
                        cluster, sorted([doc_id, cluster]), {doc_id: score, cluster: 1.0}, [cluster]
                    )
                )
        groups.sort(key=lambda group: group.kept)
        return DedupResult(_merged(groups), len(entries) + len(known), sorted(known))


def _merged(groups: list[DuplicateGroup]) -> list[DuplicateGroup]:
    """One group per kept id (a rerun batch may report several members of one cluster)."""
    merged: dict[str, DuplicateGroup] = {}
    for group in groups:
        if group.kept not in merged:
            merged[group.kept] = group
            continue
        target = merged[group.kept]
        target.members = sorted(set(target.members) | set(group.members))
        target.indexed = sorted(set(target.indexed) | set(group.indexed))
        target.similarity.update(group.similarity)
    return list(merged.values())


def _signed(values: np.ndarray) -> list[int]:
    return values.astype(np.uint64).view(np.int64).tolist()


class SqliteIndex(_Index):
    def __init__(self, path: Path, config: DedupConfig) -> None:
        self.path = path
        self.params = index_params(config)
        try:
            self.db = sqlite3.connect(path, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self._prepare()
        except sqlite3.DatabaseError as error:
            raise InputError(f"{path}: not a dedup index ({error})") from None

    def _prepare(self) -> None:
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute("CREATE TABLE IF NOT EXISTS params (key TEXT PRIMARY KEY, value TEXT)")
            self.db.execute(
                "CREATE TABLE IF NOT EXISTS docs (row INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL,"
                " signature BLOB NOT NULL, length INTEGER, changes INTEGER, date TEXT,"
                " cluster TEXT NOT NULL, similarity REAL NOT NULL)"
            )
            self.db.execute(
                "CREATE TABLE IF NOT EXISTS bands (band INTEGER, hash INTEGER, row INTEGER,"
                " PRIMARY KEY (band, hash, row)) WITHOUT ROWID"
            )
            stored = {
                key: json.loads(value)
                for key, value in self.db.execute("SELECT key, value FROM params")
            }
            if not stored:
                self.db.executemany(
                    "INSERT INTO params VALUES (?, ?)",
                    [(key, json.dumps(value)) for key, value in self.params.items()],
                )
            else:
                _check_params(str(self.path), stored, self.params)

    def close(self) -> None:
        self.db.close()

    def __len__(self) -> int:
        return self.db.execute("SELECT count(*) FROM docs").fetchone()[0]

    def _known(self, ids: Sequence[str]) -> dict[str, tuple[str, float]]:
        found = {}
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            for doc_id, cluster, score in self.db.execute(
                f"SELECT id, cluster, similarity FROM docs WHERE id IN ({marks})", chunk
            ):
                found[doc_id] = (cluster, score)
        return found

    def _candidates(self, signatures: np.ndarray, band_values: np.ndarray) -> list[str]:
        if not len(band_values):
            return []
        rows = [
            (band, value)
            for band in range(band_values.shape[1])
            for value in _signed(band_values[:, band])
        ]
        # One transaction: in autocommit mode every probe row would be a transaction of its own.
        with self.db:
            self.db.execute("BEGIN")
            self.db.execute("CREATE TEMP TABLE IF NOT EXISTS probe (band INTEGER, hash INTEGER)")
            self.db.execute("DELETE FROM probe")
            self.db.executemany("INSERT INTO probe VALUES (?, ?)", rows)
        found = self.db.execute(
            "SELECT DISTINCT docs.id FROM probe JOIN bands USING (band, hash)"
            " JOIN docs ON docs.row = bands.row ORDER BY docs.id"
        ).fetchall()
        return [doc_id for (doc_id,) in found]

    def _load(self, ids: Sequence[str]) -> list[tuple[Entry, np.ndarray, str]]:
        loaded = []
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            for doc_id, blob, length, changes, date, cluster in self.db.execute(
                "SELECT id, signature, length, changes, date, cluster FROM docs"
                f" WHERE id IN ({marks}) ORDER BY id",
                chunk,
            ):
                entry = Entry(doc_id, length, changes, parse_date(date))
                loaded.append((entry, np.frombuffer(blob, dtype=np.uint32), cluster))
        return loaded

    def _add(
        self,
        signatures: np.ndarray,
        band_values: np.ndarray,
        entries: Sequence[Entry],
        assignment: dict[int, tuple[str, float]],
    ) -> None:
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            first = self.db.execute("SELECT coalesce(max(row), 0) + 1 FROM docs").fetchone()[0]
            self.db.executemany(
                "INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        first + k,
                        entry.id,
                        signatures[k].astype(np.uint32).tobytes(),
                        entry.length,
                        entry.changes,
                        entry.date.isoformat() if entry.date else None,
                        *assignment.get(k, (entry.id, 1.0)),
                    )
                    for k, entry in enumerate(entries)
                ],
            )
            self.db.executemany(
                "INSERT INTO bands VALUES (?, ?, ?)",
                [
                    (band, value, first + k)
                    for band in range(band_values.shape[1])
                    for k, value in enumerate(_signed(band_values[:, band]))
                ],
            )


class RedisIndex(_Index):
    """A shared index in Redis through datasketch's `MinHashLSH` (see the module docstring for
    the trust assumption)."""

    def __init__(self, url: str, config: DedupConfig) -> None:
        try:
            import redis
        except ImportError:
            raise ConfigError(
                "a redis:// index needs the redis client: pip install 'cleaner[redis]'"
            ) from None
        from datasketch import MinHashLSH

        from cleaner.dedup.signatures import Signer

        self.url = url
        self.params = index_params(config)
        if self.params["bands"] < 2:
            raise ConfigError(
                f"{url}: datasketch's Redis LSH needs at least 2 bands; threshold "
                f"{config.threshold} with num_perm {config.num_perm} gives 1 "
                "(use a lower threshold, at most 0.98 with num_perm 128)"
            )
        self.signer = Signer(num_perm=config.num_perm, seed=config.seed, ngram=config.ngram)
        options = redis.connection.parse_url(url)
        self.client = redis.Redis(**options)
        name = "cleaner-dedup"
        self.prefix = f"{name}:"
        try:
            stored = self.client.get(self.prefix + "params")
        except redis.exceptions.ConnectionError as error:
            raise InputError(f"{url}: cannot connect to Redis ({error})") from None
        if stored is None:
            self.client.set(self.prefix + "params", json.dumps(self.params), nx=True)
            stored = self.client.get(self.prefix + "params")
        _check_params(url, json.loads(stored), self.params)
        self.lsh = MinHashLSH(
            num_perm=config.num_perm,
            params=(self.params["bands"], self.params["rows"]),
            storage_config={
                "type": "redis",
                "basename": name.encode(),
                "redis": {key: options[key] for key in ("host", "port", "db") if key in options},
            },
            prepickle=False,
        )

    def close(self) -> None:
        self.client.close()

    def __len__(self) -> int:
        return self.client.hlen(self.prefix + "docs")

    def _known(self, ids: Sequence[str]) -> dict[str, tuple[str, float]]:
        if not ids:
            return {}
        values = self.client.hmget(self.prefix + "docs", list(ids))
        found = {}
        for doc_id, value in zip(ids, values, strict=True):
            if value is not None:
                record = json.loads(value)
                found[doc_id] = (record["cluster"], record["similarity"])
        return found

    def _candidates(self, signatures: np.ndarray, band_values: np.ndarray) -> list[str]:
        # datasketch bands the MinHash itself; our band array is not used with Redis.
        found: set[str] = set()
        for row in signatures:
            found.update(key.decode() for key in self.lsh.query(self.signer.minhash(row)))
        return sorted(found)

    def _load(self, ids: Sequence[str]) -> list[tuple[Entry, np.ndarray, str]]:
        if not ids:
            return []
        ids = sorted(ids)
        records = self.client.hmget(self.prefix + "docs", ids)
        blobs = self.client.hmget(self.prefix + "signatures", ids)
        loaded = []
        for doc_id, record, blob in zip(ids, records, blobs, strict=True):
            if record is None or blob is None:
                continue
            data = json.loads(record)
            entry = Entry(doc_id, data["length"], data["changes"], parse_date(data["date"]))
            loaded.append((entry, np.frombuffer(blob, dtype=np.uint32), data["cluster"]))
        return loaded

    def _add(self, signatures, band_values, entries, assignment) -> None:
        # LSH first, records second: a crash in between leaves documents that a rerun adds
        # again (they are not yet "known"), never known documents missing from the LSH.
        with self.lsh.insertion_session() as session:
            for k, entry in enumerate(entries):
                session.insert(entry.id.encode(), self.signer.minhash(signatures[k]))
        pipe = self.client.pipeline(transaction=True)
        for k, entry in enumerate(entries):
            cluster, score = assignment.get(k, (entry.id, 1.0))
            record = {
                "length": entry.length,
                "changes": entry.changes,
                "date": entry.date.isoformat() if entry.date else None,
                "cluster": cluster,
                "similarity": score,
            }
            pipe.hset(
                self.prefix + "signatures", entry.id, signatures[k].astype(np.uint32).tobytes()
            )
            pipe.hset(self.prefix + "docs", entry.id, json.dumps(record))
        pipe.execute()
