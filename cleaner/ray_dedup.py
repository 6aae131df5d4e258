"""Near-duplicate clusters computed on Ray (Ray Data), equal to `cleaner.dedup.deduplicate`.

The local engine's steps, each as Ray Data operations over blocks, so no step gathers the
corpus in one process (only the clusters, the result, come back to the caller):

1. Signatures and band hashes: `map_batches` over blocks of documents (the `Signer` of the
   local engine, built once per worker).
2. Candidate pairs: one row per (band, hash, document), `groupby(["band", "hash"])`; each
   bucket yields the local engine's pairs (all pairs of a bucket of up to 32 members, else
   a star around its first member plus a chain), members ordered as the local engine orders
   them (by id, length, text).
3. Verification: each pair meets the signatures of both its documents through two
   `groupby`s on document number (a join), and is kept when the estimated Jaccard similarity
   reaches the threshold, computed as the local engine computes it.
4. Connected components: min-label propagation over the verified edges, one `groupby` per
   round: every node takes the smallest label among itself and its neighbours and tells its
   neighbours; rounds stop when no label changes (about the diameter of the largest cluster).
   The label of a component is its smallest document number, the local union-find's root.
5. Clusters: a `groupby` on the label picks the kept member with the same keep policy key and
   computes each member's similarity to it.

So the clusters, their order, the kept members and the similarities are those of the local
engine. The persistent `--index` and `--exact` verification run only on the local engine.
"""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from cleaner.dedup.bands import ALL_PAIRS_LIMIT, band_hashes, lsh_params
from cleaner.dedup.cluster import keep_key
from cleaner.dedup.config import DedupConfig
from cleaner.dedup.corpus import DedupResult, DuplicateGroup, entry_of
from cleaner.dedup.signatures import Signer
from cleaner.document import Document
from cleaner.errors import ConfigError, EngineError
from cleaner.ray_engine import data_context, import_ray, ray_session

DOCUMENTS_PER_BLOCK = 1000
# Partitions of a shuffle (`groupby`): each costs a task or an aggregator, worth it only for
# tens of thousands of documents (band rows are `bands` times as many).
DOCUMENTS_PER_PARTITION = 20_000
BLOCK_BYTES = 8 << 20
# Rounds of label propagation are bounded by the number of documents in the largest cluster;
# this is a guard against a bug looping forever, far above any real cluster's diameter.
MAX_ROUNDS = 10_000
NONE = -1


def check_ray_dedup(config: DedupConfig) -> None:
    """Raise `ConfigError` unless Ray is installed and `config` can run on it."""
    import_ray()
    if config.index:
        raise ConfigError("a persistent --index is not supported with --engine ray")
    if config.exact:
        raise ConfigError("--exact verification is not supported with --engine ray")


def deduplicate_on_ray(
    docs: Sequence[Document],
    config: DedupConfig,
    *,
    address: str | None = None,
    workers: int = 1,
) -> DedupResult:
    """`cleaner.dedup.deduplicate(docs, config)`, computed on Ray (at `address`, else
    `RAY_ADDRESS`, else a local instance with `workers` CPUs)."""
    check_ray_dedup(config)
    # The local engine's canonical order: a document's number is its rank by (id, length,
    # text), so ties between buckets and union-find roots are broken the same way.
    order = sorted(range(len(docs)), key=lambda i: (docs[i].id, len(docs[i].text), docs[i].text))
    rows = [
        {
            "index": number,
            "id": docs[position].id,
            "keep": pickle.dumps(keep_key(entry_of(docs[position], position, config), config.keep)),
            "text": docs[position].text,
        }
        for number, position in enumerate(order)
    ]
    if len(rows) < 2:
        return DedupResult([], len(docs))
    with ray_session(address, workers=workers) as ray, data_context(BLOCK_BYTES, sort_shuffle=True):
        try:
            groups = _clusters(ray, rows, config)
        except ray.exceptions.RayError as error:
            raise EngineError(f"the Ray dedup failed: {_last_line(error)}") from None
    return DedupResult(groups, len(docs))


def _clusters(ray: Any, rows: list[dict[str, Any]], config: DedupConfig) -> list[DuplicateGroup]:
    partitions = -(-len(rows) // DOCUMENTS_PER_PARTITION)
    documents = ray.data.from_items(rows, override_num_blocks=-(-len(rows) // DOCUMENTS_PER_BLOCK))
    signed = documents.map_batches(
        _sign, batch_format="pyarrow", fn_kwargs={"config": config}
    ).materialize()
    candidates = (
        signed.map_batches(_band_rows, batch_format="pyarrow")
        .groupby(["band", "hash"], num_partitions=partitions)
        .map_groups(_bucket_pairs, batch_format="numpy")
    )
    signatures = signed.map_batches(_signature_rows, batch_format="pyarrow")
    with_left = (
        candidates.union(signatures)
        .groupby("key", num_partitions=partitions)
        .map_groups(_attach_left, batch_format="numpy")
    )
    verified = (
        with_left.union(signatures)
        .groupby("key", num_partitions=partitions)
        .map_groups(_verify, batch_format="numpy", fn_kwargs={"threshold": config.threshold})
    )
    verified = verified.materialize()
    if not verified.count():
        return []
    labels = _components(verified.map_batches(_first_edges, batch_format="numpy"), partitions)
    members = (
        labels.union(signed.map_batches(_member_rows, batch_format="pyarrow"))
        .groupby("key", num_partitions=partitions)
        .map_groups(_labelled_members, batch_format="numpy")
    )
    clusters = members.groupby("label", num_partitions=partitions).map_groups(
        _cluster, batch_format="numpy"
    )
    found = sorted(clusters.take_all(), key=lambda row: (row["kept"], row["root"]))
    return [
        DuplicateGroup(
            kept=row["kept"],
            members=list(row["members"]),
            similarity=dict(zip(row["members"], map(float, row["similarities"]), strict=True)),
        )
        for row in found
    ]


def _components(edges: Any, partitions: int) -> Any:
    """(key = node, label) rows: the smallest node of each node's connected component."""
    edges = edges.materialize()
    for _ in range(MAX_ROUNDS):
        edges = (
            edges.groupby("dst", num_partitions=partitions)
            .map_groups(_propagate, batch_format="numpy")
            .materialize()
        )
        if not edges.sum("changed"):
            break
    else:
        raise EngineError(f"connected components did not converge in {MAX_ROUNDS} rounds")
    return edges.map_batches(_label_rows, batch_format="pyarrow")


@lru_cache(maxsize=4)
def _signer(config: DedupConfig) -> Signer:
    return Signer(num_perm=config.num_perm, seed=config.seed, ngram=config.ngram)


def _table(**columns: Any) -> Any:
    import pyarrow

    types = {
        "index": pyarrow.int64(),
        "key": pyarrow.int64(),
        "other": pyarrow.int64(),
        "label": pyarrow.int64(),
        "band": pyarrow.int64(),
        "hash": pyarrow.uint64(),
        "src": pyarrow.int64(),
        "dst": pyarrow.int64(),
        "changed": pyarrow.int64(),
        "id": pyarrow.large_string(),
        "keep": pyarrow.large_binary(),
        "signature": pyarrow.large_binary(),
        "bands": pyarrow.large_binary(),
    }
    return pyarrow.table(
        {name: pyarrow.array(values, type=types[name]) for name, values in columns.items()}
    )


def _sign(batch: Any, config: DedupConfig) -> Any:
    signer = _signer(config)
    signatures = signer.signatures(batch.column("text").to_pylist())
    bands, rows = lsh_params(config.threshold, config.num_perm)
    hashes = band_hashes(signatures, bands, rows)
    return _table(
        index=batch.column("index").to_pylist(),
        id=batch.column("id").to_pylist(),
        keep=batch.column("keep").to_pylist(),
        signature=[row.tobytes() for row in signatures],
        bands=[row.tobytes() for row in hashes],
    )


def _band_rows(batch: Any) -> Any:
    indexes = np.asarray(batch.column("index").to_pylist(), dtype=np.int64)
    hashes = np.stack(
        [np.frombuffer(blob, dtype=np.uint64) for blob in batch.column("bands").to_pylist()]
    )
    count, bands = hashes.shape
    return _table(
        band=np.tile(np.arange(bands, dtype=np.int64), count),
        hash=hashes.reshape(-1),
        index=np.repeat(indexes, bands),
    )


def _bucket_pairs(group: dict[str, np.ndarray]) -> Any:
    """The local engine's pairs for one bucket (`cleaner.dedup.bands._colliding_pairs`)."""
    members = np.sort(group["index"])
    lefts: list[int] = []
    rights: list[int] = []
    if len(members) <= ALL_PAIRS_LIMIT:
        left, right = np.triu_indices(len(members), k=1)
        lefts, rights = members[left].tolist(), members[right].tolist()
    else:
        for position in range(1, len(members)):
            lefts.append(int(members[0]))
            rights.append(int(members[position]))
            if position > 1:
                lefts.append(int(members[position - 1]))
                rights.append(int(members[position]))
    return _pair_rows(lefts, rights)


def _pair_rows(lefts: Sequence[int], rights: Sequence[int]) -> Any:
    return _table(key=lefts, other=rights, index=[NONE] * len(lefts), signature=[b""] * len(lefts))


def _signature_rows(batch: Any) -> Any:
    count = batch.num_rows
    return _table(
        key=batch.column("index").to_pylist(),
        other=[NONE] * count,
        index=[NONE] * count,
        signature=batch.column("signature").to_pylist(),
    )


def _own_signature(group: dict[str, np.ndarray]) -> tuple[bytes, np.ndarray]:
    own = group["other"] == NONE
    return group["signature"][own][0], ~own


def _attach_left(group: dict[str, np.ndarray]) -> Any:
    """Group of one document: its signature row and the pairs where it is on the left; each
    pair goes on to its right document with the left's number and signature."""
    signature, pairs = _own_signature(group)
    rights = np.unique(group["other"][pairs]).tolist()  # a pair found in several bands once
    left = int(group["key"][0])
    return _table(
        key=rights,
        other=[NONE] * len(rights),
        index=[left] * len(rights),
        signature=[signature] * len(rights),
    )


def _verify(group: dict[str, np.ndarray], threshold: float) -> Any:
    """Group of one document: its signature and the (left number, left signature) of its
    pairs; the pairs whose estimated similarity reaches the threshold."""
    own = group["index"] == NONE
    signature = np.frombuffer(group["signature"][own][0], dtype=np.uint32)
    lefts, rights = [], []
    right = int(group["key"][0])
    for left, blob in zip(group["index"][~own].tolist(), group["signature"][~own], strict=True):
        similarity = (np.frombuffer(blob, dtype=np.uint32) == signature).mean()
        if similarity >= threshold:
            lefts.append(left)
            rights.append(right)
    return {"left": np.array(lefts, dtype=np.int64), "right": np.array(rights, dtype=np.int64)}


def _first_edges(batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Every edge both ways and a loop on every node, each carrying its source's label (at
    first, its own number)."""
    left, right = batch["left"], batch["right"]
    src = np.concatenate((left, right, left, right))
    dst = np.concatenate((right, left, left, right))
    return {"src": src, "dst": dst, "label": src.copy(), "changed": np.zeros(len(src), np.int64)}


def _propagate(group: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Group of one node: its own label (on its loop) and its neighbours' labels. It takes
    the smallest and sends it to every neighbour (and itself), counting a change on the loop."""
    node = int(group["dst"][0])
    own = group["src"] == node
    before = int(group["label"][own].min())
    label = int(group["label"].min())
    neighbours = np.unique(group["src"])
    changed = np.zeros(len(neighbours), dtype=np.int64)
    changed[neighbours == node] = int(label < before)
    return {
        "src": np.full(len(neighbours), node, dtype=np.int64),
        "dst": neighbours,
        "label": np.full(len(neighbours), label, dtype=np.int64),
        "changed": changed,
    }


def _label_rows(batch: Any) -> Any:
    """Each node's label, from its loop (the edge from itself to itself)."""
    import pyarrow.compute

    loops = batch.filter(pyarrow.compute.equal(batch.column("src"), batch.column("dst")))
    count = loops.num_rows
    return _table(
        key=loops.column("src").to_pylist(),
        label=loops.column("label").to_pylist(),
        id=[""] * count,
        keep=[b""] * count,
        signature=[b""] * count,
    )


def _member_rows(batch: Any) -> Any:
    return _table(
        key=batch.column("index").to_pylist(),
        label=[NONE] * batch.num_rows,
        id=batch.column("id").to_pylist(),
        keep=batch.column("keep").to_pylist(),
        signature=batch.column("signature").to_pylist(),
    )


def _labelled_members(group: dict[str, np.ndarray]) -> Any:
    """Group of one document: its row, and its component's label if it is in a cluster."""
    labelled = group["label"] != NONE
    document = ~labelled
    if not labelled.any():
        return _no_rows()
    return _table(
        key=[int(group["key"][0])],
        label=[int(group["label"][labelled][0])],
        id=[group["id"][document][0]],
        keep=[group["keep"][document][0]],
        signature=[group["signature"][document][0]],
    )


def _no_rows() -> Any:
    return _table(key=[], label=[], id=[], keep=[], signature=[])


def _cluster(group: dict[str, np.ndarray]) -> Any:
    """Group of one component: members by id (then number), the kept member by the keep
    policy's key, and each member's similarity to it, as `cleaner.dedup.cluster.group`."""
    members = sorted(
        zip(group["id"].tolist(), group["key"].tolist(), range(len(group["key"])), strict=True)
    )
    keys = [pickle.loads(group["keep"][position]) for _, _, position in members]
    kept = min(range(len(members)), key=lambda rank: keys[rank])
    kept_signature = np.frombuffer(group["signature"][members[kept][2]], dtype=np.uint32)
    similarities = [
        1.0
        if rank == kept
        else float(
            (np.frombuffer(group["signature"][position], np.uint32) == kept_signature).mean()
        )
        for rank, (_, _, position) in enumerate(members)
    ]
    import pyarrow

    return pyarrow.table(
        {
            "kept": [members[kept][0]],
            "root": [min(number for _, number, _ in members)],
            "members": [[doc_id for doc_id, _, _ in members]],
            "similarities": [similarities],
        }
    )


def _last_line(error: BaseException) -> str:
    lines = [line for line in str(error).splitlines() if line.strip()]
    return lines[-1].strip() if lines else type(error).__name__
