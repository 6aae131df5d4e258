import pickle
import random
from datetime import datetime

import numpy as np
import pytest
from datasketch import MinHash
from hypothesis import given, settings
from hypothesis import strategies as st
from texts import CITY_BUDGET_LONG, KYIV_DRONES_LONG

from cleaner.dedup import DedupConfig, deduplicate, flag_documents
from cleaner.dedup.bands import band_hashes, candidate_pairs, lsh_params
from cleaner.dedup.cluster import Entry, UnionFind, keep_key, parse_date
from cleaner.dedup.corpus import Sketch
from cleaner.dedup.shingles import normalized, shingle_hash, shingle_hashes, shingles_of, words_of
from cleaner.dedup.signatures import Signer
from cleaner.document import Change, Document
from cleaner.errors import ConfigError
from cleaner.pipeline import Pipeline
from cleaner.stages import REGISTRY

STORY = KYIV_DRONES_LONG
OTHER = CITY_BUDGET_LONG


@pytest.mark.parametrize(
    "text_in, words_out",
    [
        ("Kyiv's mayor, Vitali KLITSCHKO!", ["kyiv", "s", "mayor", "vitali", "klitschko"]),
        ("«Київ» — столиця України.", ["київ", "столиця", "україни"]),
        ("2024-03-01: 15 drones", ["2024", "03", "01", "15", "drones"]),
        ("नमस्ते दुनिया", ["नमस्ते", "दुनिया"]),  # combining vowel signs stay inside the word
        ("Andreï   Ĳssel", ["andreï", "ĳssel"]),
        ("", []),
        ("... — !!", []),
    ],
)
def test_words_are_lowercase_runs_of_letters_marks_and_digits(text_in, words_out):
    assert words_of(text_in) == words_out


def test_normalized_text_ignores_case_punctuation_and_spacing():
    assert normalized("Kyiv ,  the CAPITAL .\nOf Ukraine") == normalized(
        "kyiv, the capital. of ukraine"
    )
    assert normalized("Kyiv, the capital") != normalized("Kiev, the capital")


@pytest.mark.parametrize("ngram", [1, 2, 3, 5])
def test_batch_shingle_hashes_equal_the_per_shingle_hash(ngram):
    texts = [STORY, "", "one", "two words", OTHER, "Київ — столиця. İstanbul ß", "a b c d e f"]
    hashes, offsets = shingle_hashes(texts, ngram=ngram)
    for number, text in enumerate(texts):
        expected = [shingle_hash(shingle) for shingle in shingles_of(text, ngram=ngram)]
        assert hashes[offsets[number] : offsets[number + 1]].tolist() == expected


def test_signatures_equal_datasketch_minhash_with_the_same_seed():
    signer = Signer(num_perm=64, seed=42, ngram=3)
    texts = [STORY, OTHER, STORY.upper(), "", "short text", OTHER * 40]
    rows = signer.signatures(texts)
    default = MinHash(num_perm=64, seed=42)
    for number, text in enumerate(texts):
        reference = MinHash(num_perm=64, seed=42, hashfunc=shingle_hash)
        for shingle in shingles_of(text, ngram=3):
            reference.update(shingle)
        # The same permutation family as datasketch's default MinHash for this seed.
        assert np.array_equal(reference.permutations, default.permutations)
        assert np.array_equal(rows[number], reference.hashvalues)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from("ab cKд.\n-é1"), max_size=300), max_size=12))
def test_signatures_equal_datasketch_update_batch_for_any_text(texts):
    signer = Signer(num_perm=32, seed=3, ngram=2)
    rows = signer.signatures(texts)
    for number, text in enumerate(texts):
        reference = MinHash(num_perm=32, seed=3, hashfunc=shingle_hash)
        reference.update_batch(shingles_of(text, ngram=2))
        assert np.array_equal(rows[number], reference.hashvalues)


def test_signatures_do_not_depend_on_the_batch_they_are_computed_in():
    signer = Signer(num_perm=128, seed=1, ngram=3)
    texts = [STORY * k for k in range(1, 30)] + [OTHER] * 3
    together = signer.signatures(texts)
    alone = np.concatenate([signer.signatures([text]) for text in texts])
    assert np.array_equal(together, alone)


def test_lsh_params_are_datasketch_choice():
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=0.6, num_perm=128)
    assert lsh_params(0.6, 128) == (lsh.b, lsh.r)


def test_candidate_pairs_connect_every_collision():
    rng = np.random.default_rng(5)
    bands = rng.integers(0, 6, size=(300, 3)).astype(np.uint64)
    pairs = candidate_pairs(bands)
    assert (pairs[:, 0] < pairs[:, 1]).all()
    sets = UnionFind(len(bands))
    for i, j in pairs.tolist():
        sets.union(i, j)
    for i in range(0, 300, 7):
        for j in range(i + 1, 300, 11):
            if (bands[i] == bands[j]).any():
                assert sets.find(i) == sets.find(j)
    assert not any((bands[i] != bands[j]).all() for i, j in pairs.tolist())


def test_small_buckets_give_all_pairs():
    bands = np.array([[5], [9], [5], [5], [1]], dtype=np.uint64)
    assert candidate_pairs(bands).tolist() == [[0, 2], [0, 3], [2, 3]]


def test_small_buckets_of_different_sizes_give_all_their_pairs():
    bands = np.array([[7], [1], [7], [2], [1], [7], [1], [3], [1]], dtype=np.uint64)
    assert candidate_pairs(bands).tolist() == [
        [0, 2], [0, 5], [1, 4], [1, 6], [1, 8], [2, 5], [4, 6], [4, 8], [6, 8],
    ]  # fmt: skip


def test_band_hashes_differ_between_bands_of_equal_values():
    signatures = np.zeros((1, 8), dtype=np.uint32)
    values = band_hashes(signatures, 4, 2)
    assert len(set(values[0].tolist())) == 4


def docs_of(*texts, **metadata):
    return [Document(f"doc{k}", text, metadata=dict(metadata)) for k, text in enumerate(texts)]


def clusters(result):
    return [(group.kept, group.members) for group in result.clusters]


def test_near_duplicates_cluster_and_distinct_documents_do_not():
    docs = [
        Document("a", STORY),
        Document("b", STORY.replace("Tuesday", "Wednesday") + " Source link."),
        Document("c", OTHER),
        Document("d", STORY.upper()),
    ]
    result = deduplicate(docs, DedupConfig())
    assert clusters(result) == [("b", ["a", "b", "d"])]
    assert result.duplicates == {"a", "d"}


def test_threshold_decides_between_verified_and_rejected_pairs():
    half = STORY.split(". ")
    shared = ". ".join(half[:2])
    first = Document("x", shared + ". " + OTHER)
    second = Document("y", shared + ". Football results came late and nobody watched them at all.")
    assert deduplicate([first, second], DedupConfig(threshold=0.9)).clusters == []
    assert clusters(deduplicate([first, second], DedupConfig(threshold=0.2))) == [("x", ["x", "y"])]


def test_exact_verification_finds_the_same_clusters():
    docs = [Document("a", STORY), Document("b", STORY + " Read more."), Document("c", OTHER)]
    assert clusters(deduplicate(docs, DedupConfig(exact=True))) == [("b", ["a", "b"])]


def corpus(seed):
    rng = random.Random(seed)
    words = (STORY + " " + OTHER).split()
    docs = []
    for group in range(12):
        base = [rng.choice(words) for _ in range(120)]
        for copy in range(rng.randint(1, 4)):
            edited = list(base)
            for _ in range(copy * 3):
                edited[rng.randrange(len(edited))] = rng.choice(words)
            docs.append(
                Document(
                    f"g{group:02d}-{copy}",
                    " ".join(edited),
                    metadata={"published": f"2024-01-{10 + copy:02d}"},
                    changes=[Change("unicode", "x", 0, 0, "", "")] * copy,
                )
            )
    return docs


@pytest.mark.parametrize("keep", ["longest", "earliest", "cleanest"])
def test_clusters_and_kept_members_do_not_depend_on_order_or_workers(keep):
    config = DedupConfig(keep=keep)
    docs = corpus(1)
    expected = clusters(deduplicate(docs, config))
    assert expected
    for seed in range(4):
        shuffled = list(docs)
        random.Random(seed).shuffle(shuffled)
        assert clusters(deduplicate(shuffled, config, workers=1 + seed % 2)) == expected


def test_keep_policies():
    dated = [
        Document("late", STORY + " More.", metadata={"published": "2024-05-02T10:00:00Z"}),
        Document("early", STORY, metadata={"published": "2024-05-01"}),
        Document("undated", STORY + " More words here."),
    ]
    dated[0].changes.append(Change("unicode", "unicode.nfc", 0, 1, "A", "A"))
    kept = {
        policy: deduplicate(dated, DedupConfig(keep=policy)).clusters[0].kept
        for policy in ("longest", "earliest", "cleanest", "first")
    }
    assert kept == {
        "longest": "undated",
        "earliest": "early",
        "cleanest": "undated",
        "first": "late",
    }


def test_earliest_without_any_date_falls_back_to_longest():
    docs = [Document("short", STORY), Document("long", STORY + " Source link.")]
    assert deduplicate(docs, DedupConfig(keep="earliest")).clusters[0].kept == "long"


def test_keep_key_ties_end_on_the_id():
    first, second = Entry("b", 10), Entry("a", 10)
    assert min([first, second], key=lambda e: keep_key(e, "longest")).id == "a"


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2024-03-01", "2024-03-01T00:00:00+00:00"),
        ("2024-03-01T12:00:00+01:00", "2024-03-01T11:00:00+00:00"),
        ("soon", None),
        (None, None),
        (20240301, None),
    ],
)
def test_parse_date(value, expected):
    parsed = parse_date(value)
    assert (parsed.isoformat() if parsed else None) == expected


@pytest.mark.parametrize(
    "options, message",
    [
        ({"threshold": 0.0}, "dedup.threshold must be in (0.0, 1.0]"),
        ({"threshold": 1.2}, "dedup.threshold must be in (0.0, 1.0]"),
        ({"num_perm": 8}, "dedup.num_perm must be in [16, 1024]"),
        ({"ngram": 0}, "dedup.ngram must be in [1, 10]"),
        ({"seed": -1}, "dedup.seed must be in [0, 2**32 - 1]"),
        ({"keep": "newest"}, "dedup.keep must be one of longest, earliest, first, cleanest"),
    ],
)
def test_config_is_validated_eagerly(options, message):
    with pytest.raises(
        ConfigError, match=message.replace("(", r"\(").replace("[", r"\[").replace("*", r"\*")
    ):
        DedupConfig(**options)


def test_config_from_pipeline_options_is_validated():
    with pytest.raises(ConfigError, match="dedup.ngram"):
        Pipeline(options={"dedup": {"ngram": 40}})


def test_dedup_is_the_last_stage_and_changes_nothing_per_document():
    assert list(REGISTRY)[-1] == "dedup"
    doc = Pipeline(stages=["dedup"])(Document("a", "Kyiv ,  text"))
    assert doc.text == "Kyiv ,  text" and doc.changes == [] and doc.flags == []


def test_corpus_pass_flags_cluster_id_and_similarity():
    stage = REGISTRY["dedup"](DedupConfig(), None)
    docs = [Document("a", STORY), Document("b", STORY + " Source link."), Document("c", OTHER)]
    stage.corpus_pass(docs)
    kept, duplicate, alone = docs[1], docs[0], docs[2]
    assert [flag.rule for flag in kept.flags] == ["dedup.kept"]
    assert [flag.rule for flag in duplicate.flags] == ["dedup.duplicate"]
    assert alone.flags == []
    data = duplicate.flags[0].data
    assert data["cluster"] == "b" and data["kept"] == "b" and data["size"] == 2
    assert 0.5 <= data["similarity"] < 1.0
    assert duplicate.to_dict()["flags"][0]["data"]["cluster"] == "b"


def test_flags_are_added_once_per_cluster_member():
    docs = [Document("a", STORY), Document("b", STORY)]
    result = deduplicate(docs, DedupConfig())
    flag_documents(docs, result)
    assert [len(doc.flags) for doc in docs] == [1, 1]
    assert docs[1].flags[0].data["similarity"] == 1.0


def test_candidate_pairs_equal_datasketch_minhash_lsh_query_results():
    from datasketch import MinHashLSH

    rng = random.Random(9)
    words = (STORY + " " + OTHER).split()
    texts = []
    for _ in range(60):
        base = [rng.choice(words) for _ in range(80)]
        texts.append(" ".join(base))
        for copy in range(rng.randint(0, 2)):
            edited = list(base)
            for _ in range(4 + copy * 8):
                edited[rng.randrange(len(edited))] = rng.choice(words)
            texts.append(" ".join(edited))
    signer = Signer(num_perm=128, seed=1, ngram=3)
    rows = signer.signatures(texts)
    bands, band_rows = lsh_params(0.5, 128)
    ours = {tuple(pair) for pair in candidate_pairs(band_hashes(rows, bands, band_rows)).tolist()}
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    for number, row in enumerate(rows):
        lsh.insert(number, signer.minhash(row))
    theirs = {
        (min(number, other), max(number, other))
        for number, row in enumerate(rows)
        for other in lsh.query(signer.minhash(row))
        if other != number
    }
    assert ours == theirs
    assert len(ours) > 20


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(), max_size=6))
def test_any_text_gets_a_signature_equal_to_the_reference(texts):
    # Lone surrogates (from JSON "\ud800" escapes) included.
    signer = Signer(num_perm=16, seed=0, ngram=3)
    rows = signer.signatures([*texts, "\ud800 lone surrogate"])
    for number, text in enumerate(texts):
        expected = signer.reference_minhash(shingles_of(text, ngram=3)).hashvalues
        assert np.array_equal(rows[number], expected)


def test_threshold_one_groups_exact_copies_only():
    docs = [Document("a", STORY), Document("b", STORY.upper()), Document("c", STORY + " More.")]
    # One extra shingle in fifty rarely moves any of 128 minima: only exact sets tell c apart.
    assert clusters(deduplicate(docs, DedupConfig(threshold=1.0, exact=True))) == [
        ("a", ["a", "b"])
    ]


def test_signatures_on_disk_give_the_same_clusters(tmp_path):
    from cleaner.dedup.corpus import deduplicate_signatures, entry_of, signatures_of

    docs = corpus(2)
    config = DedupConfig()
    docs.sort(key=lambda doc: doc.id)
    rows = signatures_of([doc.text for doc in docs], config)
    on_disk = np.lib.format.open_memmap(
        tmp_path / "signatures.npy", mode="w+", dtype=np.uint32, shape=rows.shape
    )
    on_disk[:] = rows
    entries = [entry_of(doc, number, config) for number, doc in enumerate(docs)]
    expected = clusters(deduplicate(docs, config))
    assert expected and clusters(deduplicate_signatures(on_disk, entries, config)) == expected


def test_a_sketch_survives_pickling_whole():
    row = np.arange(128, dtype=np.uint32) * 7919
    sketch = Sketch("en/1", 3040, 12, datetime(2024, 3, 1), row)
    back = pickle.loads(pickle.dumps(sketch, protocol=pickle.HIGHEST_PROTOCOL))
    assert (back.id, back.length, back.changes, back.date) == ("en/1", 3040, 12, sketch.date)
    assert back.signature.dtype == np.uint32
    assert back.signature.tolist() == row.tolist()
