"""Running a batch on Ray (Ray Data): the same stages, the same outputs, on a cluster.

What runs where:

- The driver (the process calling `run_batch`) walks the inputs, checks the output folder,
  and writes every output and report line, in input order, through the same writers as the
  local engine: the results stream back to it block by block, never all at once.
- Ray workers read the inputs (with `cleaner.io`, the reader of the local engine) into blocks
  of about `chunk_bytes`, then clean each block with `map_batches` (`clean_items`, as the local
  engine's workers do: what comes back is the same `Cleaned` items). A worker builds the
  pipeline once from the hashable `PipelineSettings` and keeps it for every later block.

Ray Data keeps the order of blocks (`preserve_order`), so the items reach the writer in the
order the local engine produces them and the outputs are byte-identical. Items travel between
Ray tasks pickled, in one binary column: Arrow would change JSON metadata (key order, mixed
types), pickle keeps every `Record` exactly.

Ray is optional (`pip install 'cleaner[ray]'`); this module imports it only when it runs.
Without an address (argument or `RAY_ADDRESS`) a local Ray instance is started with one CPU
per worker, no dashboard and no usage reporting, and shut down at the end; a Ray instance
already initialised in this process (a test session, a notebook) is used as it is.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from cleaner.batch import BatchOptions, CleanedItem, chunk_items, clean_items, read_items
from cleaner.errors import ConfigError, EngineError
from cleaner.io import Source
from cleaner.pipeline import Pipeline, PipelineSettings, cached_pipeline

INSTALL_HINT = "pip install 'cleaner[ray]'"
# Reading is mostly waiting for the disk: a reading task takes half a CPU, so reading keeps
# ahead of cleaning, and Ray does not fuse it with the cleaning tasks (which would tie a
# large JSONL file to one task).
READ_CPUS = 0.5
MAX_SOURCE_BLOCKS = 1000
CONNECT_SECONDS = 10


def import_ray() -> Any:
    """The `ray` module, or a `ConfigError` saying how to install it."""
    try:
        import ray
        import ray.data  # noqa: F401  (the extra installs both; a bare `ray` lacks Ray Data)
    except ImportError:
        raise ConfigError(
            f"the Ray engine needs Ray Data, which is not installed: {INSTALL_HINT}"
        ) from None
    return ray


@contextlib.contextmanager
def ray_session(address: str | None = None, *, workers: int = 1) -> Iterator[Any]:
    """Ray, connected: to `address` (else `RAY_ADDRESS`), else to a new local instance with
    `workers` CPUs, shut down on leaving. An instance already running in this process is kept."""
    ray = import_ray()
    if ray.is_initialized():
        yield ray
        return
    target = address or os.environ.get("RAY_ADDRESS") or None
    if target:
        _check_reachable(target)
    # Ray's own notices (token setup, worker logs) would mix with the command's messages.
    quiet = {"logging_level": logging.ERROR, "log_to_driver": False}
    try:
        if target:
            ray.init(address=target, **quiet)
        else:
            # Offline at run time: a local instance must not report usage statistics.
            os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
            ray.init(address="local", num_cpus=workers, include_dashboard=False, **quiet)
    except (ConnectionError, RuntimeError, ValueError, TimeoutError) as error:
        where = f" at {target}" if target else ""
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ConfigError(f"cannot start or reach Ray{where}: {reason}") from None
    try:
        yield ray
    finally:
        ray.shutdown()


def _check_reachable(address: str) -> None:
    """Fail in seconds with one line when nothing listens at a `HOST:PORT` address: Ray itself
    retries an unreachable head for minutes, printing warnings all the while."""
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        return  # `auto`, `local` and other forms: Ray resolves them
    try:
        socket.create_connection((host, int(port)), timeout=CONNECT_SECONDS).close()
    except OSError as error:
        reason = error.strerror or str(error) or type(error).__name__
        raise ConfigError(f"cannot reach Ray at {address}: {reason}") from None


@contextlib.contextmanager
def data_context(block_bytes: int, *, sort_shuffle: bool = False) -> Iterator[None]:
    """Ray Data settings for one run (ordered, quiet, small blocks), restored afterwards.
    `sort_shuffle`: `groupby` by a pull-based sort shuffle in plain tasks, rather than the
    default hash shuffle, which starts a pool of aggregator actors for every `groupby`
    (measured: a small dedup took 137 s that way, 23 s cold and 5 s warm with tasks)."""
    from ray.data import DataContext
    from ray.data.context import ShuffleStrategy

    context = DataContext.get_current()
    saved = {
        "target_max_block_size": context.target_max_block_size,
        "enable_progress_bars": context.enable_progress_bars,
        "print_on_execution_start": context.print_on_execution_start,
        "shuffle_strategy": context.shuffle_strategy,
        "preserve_order": context.execution_options.preserve_order,
    }
    if sort_shuffle:
        context.shuffle_strategy = ShuffleStrategy.SORT_SHUFFLE_PULL_BASED
    logger = logging.getLogger("ray.data")
    saved_level = logger.level
    logger.setLevel(logging.ERROR)  # progress notices: the caller reports progress itself
    context.target_max_block_size = block_bytes
    context.enable_progress_bars = False
    context.print_on_execution_start = False
    context.execution_options.preserve_order = True
    try:
        yield
    finally:
        logger.setLevel(saved_level)
        context.execution_options.preserve_order = saved.pop("preserve_order")
        for name, value in saved.items():
            setattr(context, name, value)


def pack(items: list[Any]) -> Any:
    """A Ray Data batch (an Arrow table) holding pickled objects, one per row."""
    import pyarrow

    blobs = [pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL) for item in items]
    return pyarrow.table({"item": pyarrow.array(blobs, type=pyarrow.large_binary())})


def unpack(batch: Any) -> list[Any]:
    # Only this engine's own tasks write these columns: the pickles come from our workers.
    return [pickle.loads(blob) for blob in batch.column("item").to_pylist()]


def _read_sources(batch: Any, options: BatchOptions) -> Iterator[Any]:
    for chunk in chunk_items(read_items(unpack(batch), options, None), options):
        yield pack(chunk)


def _clean_block(
    batch: Any, settings: PipelineSettings, text_field: str, keep_records: bool
) -> Any:
    pipeline = cached_pipeline(settings)
    items = unpack(batch)
    return pack(clean_items(pipeline, items, text_field=text_field, keep_records=keep_records))


@dataclass(frozen=True)
class RayEngine:
    """Reads and cleans on Ray; `address` as `ray.init` takes it (`ray://HOST:10001`,
    `HOST:6379`, `auto`), else `RAY_ADDRESS`, else a local instance with `options.workers`
    CPUs. On a cluster, inputs, outputs and `--rules` must be on a filesystem every node sees
    under the same path, and every node needs the same version of cleaner installed."""

    address: str | None = None

    def __post_init__(self) -> None:
        import_ray()
        target = self.address or os.environ.get("RAY_ADDRESS")
        if target:
            _check_reachable(target)  # before run_batch writes anything

    def clean(
        self,
        sources: list[Source],
        pipeline: Pipeline,
        settings: PipelineSettings,
        options: BatchOptions,
        stdin: BinaryIO | None,
        *,
        keep_records: bool = False,
    ) -> Iterator[CleanedItem]:
        if any(source.path is None for source in sources):
            raise ConfigError(
                "the Ray engine reads files that every node can see, not standard input: "
                "use --engine local for -"
            )
        if not sources:
            return iter(())
        return self._run(sources, settings, options, keep_records)

    def _run(
        self,
        sources: list[Source],
        settings: PipelineSettings,
        options: BatchOptions,
        keep_records: bool,
    ) -> Iterator[CleanedItem]:
        with (
            ray_session(self.address, workers=options.worker_count) as ray,
            data_context(options.chunk_bytes),
        ):
            dataset = ray.data.from_items(
                [{"item": pickle.dumps(source)} for source in sources],
                override_num_blocks=min(len(sources), MAX_SOURCE_BLOCKS),
            )
            dataset = dataset.map_batches(
                _read_sources,
                batch_size=1,
                batch_format="pyarrow",
                fn_kwargs={"options": options},
                num_cpus=READ_CPUS,
            )
            dataset = dataset.map_batches(
                _clean_block,
                batch_size=None,
                batch_format="pyarrow",
                fn_kwargs={
                    "settings": settings,
                    "text_field": options.text_field,
                    "keep_records": keep_records,
                },
                compute=ray.data.TaskPoolStrategy(size=options.workers),
            )
            try:
                for batch in dataset.iter_batches(batch_size=None, batch_format="pyarrow"):
                    yield from unpack(batch)
            except ray.exceptions.RayError as error:
                raise EngineError(f"the Ray run failed: {_first_line(error)}") from None


def _first_line(error: BaseException) -> str:
    lines = [line for line in str(error).splitlines() if line.strip()]
    return lines[-1].strip() if lines else type(error).__name__
