import os
import socket

import pytest

from cleaner.dedup import DedupConfig, deduplicate
from cleaner.dedup.index import SqliteIndex, open_index
from cleaner.document import Document
from cleaner.errors import ConfigError, InputError

STORY = (
    "Drones attacked the port of Odesa overnight, damaging grain silos and a cargo ship, the "
    "regional governor said on Thursday. Four port workers were injured, one of them seriously, "
    "and the crew of the ship was not harmed. The prosecutor opened a criminal case."
)
OTHER = (
    "The first underground school in Kharkiv opened on Monday for nine hundred children, who "
    "will study in two shifts six metres below ground, the mayor said at the ceremony."
)
THIRD = (
    "Grid operators announced rolling power cuts in three regions after strikes on substations, "
    "asking industry to limit consumption during the evening peak until repairs are done."
)


def run(location, docs, config=None):
    config = config or DedupConfig()
    index = open_index(str(location), config)
    try:
        return deduplicate(docs, config, index=index)
    finally:
        index.close()


def test_a_later_batch_is_checked_against_earlier_ones(tmp_path):
    path = tmp_path / "index.db"
    first = run(path, [Document("old/odesa.txt", STORY), Document("old/kharkiv.txt", OTHER)])
    assert first.clusters == []
    second = run(
        path,
        [Document("new/odesa-copy.txt", "Source: wire. " + STORY), Document("new/grid.txt", THIRD)],
    )
    [group] = second.clusters
    assert group.kept == "old/odesa.txt"
    assert group.members == ["new/odesa-copy.txt", "old/odesa.txt"]
    assert group.indexed == ["old/odesa.txt"]
    assert second.duplicates == {"new/odesa-copy.txt"}
    assert 0.5 <= group.similarity["new/odesa-copy.txt"] < 1.0
    index = SqliteIndex(path, DedupConfig())
    assert len(index) == 4
    index.close()


def test_duplicates_within_a_new_batch_are_found_too(tmp_path):
    path = tmp_path / "index.db"
    run(path, [Document("a", OTHER)])
    result = run(path, [Document("b", STORY), Document("c", STORY + " Read more.")])
    assert [(g.kept, g.members) for g in result.clusters] == [("c", ["b", "c"])]


def test_rerunning_a_batch_reports_the_same_and_adds_nothing(tmp_path):
    path = tmp_path / "index.db"
    run(path, [Document("a", STORY)])
    batch = [Document("b", STORY + " Read more."), Document("c", THIRD)]
    once = run(path, batch)
    again = run(path, batch)
    assert [(g.kept, g.members) for g in again.clusters] == [
        (g.kept, g.members) for g in once.clusters
    ]
    assert again.already_indexed == ["b", "c"]
    index = SqliteIndex(path, DedupConfig())
    assert len(index) == 3
    index.close()


def test_other_parameters_fail_with_a_clear_message(tmp_path):
    path = tmp_path / "index.db"
    run(path, [Document("a", STORY)])
    with pytest.raises(ConfigError, match=r"index was built with ngram=3; this run uses ngram=5"):
        run(path, [Document("b", STORY)], DedupConfig(ngram=5))
    with pytest.raises(ConfigError, match="num_perm=128.*num_perm=64"):
        open_index(str(path), DedupConfig(num_perm=64))


def test_a_file_that_is_not_an_index_is_an_input_error(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(InputError, match="notes.db: not a dedup index"):
        open_index(str(path), DedupConfig())
    assert path.read_text().startswith("these are my notes")


def test_a_crash_while_adding_leaves_the_index_as_it_was(tmp_path, monkeypatch):
    from cleaner.dedup import index as index_module

    path = tmp_path / "index.db"
    run(path, [Document("a", STORY)])
    bands = index_module.index_params(DedupConfig())["bands"]
    original = index_module._signed
    calls = []

    class Crash(Exception):
        pass

    def crash_while_writing_bands(values):
        # The first `bands` calls probe the index; the next ones write the batch's bands,
        # after its documents were inserted in the same transaction.
        calls.append(1)
        if len(calls) > bands:
            raise Crash("power cut")
        return original(values)

    monkeypatch.setattr(index_module, "_signed", crash_while_writing_bands)
    with pytest.raises(Crash):
        run(path, [Document("b", STORY + " More."), Document("c", THIRD)])
    monkeypatch.setattr(index_module, "_signed", original)
    reopened = SqliteIndex(path, DedupConfig())
    assert len(reopened) == 1  # the half-written batch was rolled back
    assert reopened.db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    reopened.close()
    result = run(path, [Document("b", STORY + " More."), Document("c", THIRD)])
    assert [(g.kept, g.members) for g in result.clusters] == [("a", ["a", "b"])]


def _redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


# CI sets CLEANER_REQUIRE_REDIS: there a missing server fails the tests instead of skipping them.
needs_redis = pytest.mark.skipif(
    not os.environ.get("CLEANER_REQUIRE_REDIS") and not _redis_reachable(),
    reason="no Redis server on 127.0.0.1:6379 (.ci/run installs and starts one)",
)


@pytest.fixture
def redis_url():
    if os.environ.get("CLEANER_REQUIRE_REDIS"):
        import redis
    else:
        redis = pytest.importorskip(
            "redis", reason="no redis client (pip install 'cleaner[redis]')"
        )
    client = redis.Redis(host="127.0.0.1", port=6379, db=15)
    client.flushdb()
    yield "redis://127.0.0.1:6379/15"
    client.flushdb()
    client.close()


@needs_redis
def test_redis_index_checks_later_batches(redis_url):
    assert run(redis_url, [Document("old", STORY), Document("other", OTHER)]).clusters == []
    second = run(redis_url, [Document("new", STORY + " Source link."), Document("grid", THIRD)])
    assert [(g.kept, g.members, g.indexed) for g in second.clusters] == [
        ("old", ["new", "old"], ["old"])
    ]
    again = run(redis_url, [Document("new", STORY + " Source link.")])
    assert again.already_indexed == ["new"]
    index = open_index(redis_url, DedupConfig())
    assert len(index) == 4
    index.close()


@needs_redis
def test_redis_index_rejects_other_parameters(redis_url):
    run(redis_url, [Document("old", STORY)])
    with pytest.raises(ConfigError, match="index was built with seed=1; this run uses seed=2"):
        run(redis_url, [Document("x", STORY)], DedupConfig(seed=2))


@needs_redis
def test_redis_index_never_stores_pickles(redis_url):
    import redis

    run(redis_url, [Document("old", STORY), Document("new", STORY + " Source link.")])
    client = redis.Redis(host="127.0.0.1", port=6379, db=15)
    for key in client.keys("*"):
        kind = client.type(key)
        values = []
        if kind == b"hash":
            values = list(client.hgetall(key).keys()) + list(client.hgetall(key).values())
        elif kind == b"list":
            values = client.lrange(key, 0, -1)
        elif kind == b"set":
            values = list(client.smembers(key))
        elif kind == b"string":
            values = [client.get(key)]
        assert not any(value.startswith(b"\x80") for value in values), key  # pickle protocol 2+
    client.close()


@needs_redis
def test_redis_index_explains_a_threshold_with_one_band(redis_url):
    with pytest.raises(ConfigError, match="needs at least 2 bands"):
        open_index(redis_url, DedupConfig(threshold=1.0))
