import pytest

from cleaner import ConfigError, Document, Pipeline, clean_document, clean_documents, clean_text
from cleaner.config import parse_assignment
from cleaner.pipeline import PipelineSettings
from cleaner.stages import REGISTRY


def test_registry_order_starts_with_unicode_then_langid():
    assert list(REGISTRY)[:2] == ["unicode", "langid"]


def test_stage_selection_keeps_registry_order():
    settings = PipelineSettings.build(stages=["langid", "unicode"])
    assert settings.stages == ("unicode", "langid")
    assert "langid" not in PipelineSettings.build(skip=["langid"]).stages


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"stages": ["nope"]}, "unknown stage 'nope'"),
        ({"skip": ["nope"]}, "unknown stage 'nope'"),
        ({"options": {"langid": {"min_chars": "x"}}}, "langid.min_chars must be int"),
        ({"options": {"langid": {"bogus": 1}}}, "unknown option langid.bogus"),
        ({"options": {"langid": {"min_chars": 0}}}, "min_chars must be >= 1"),
    ],
)
def test_bad_settings_raise_config_error(arguments, message):
    with pytest.raises(ConfigError, match=message):
        Pipeline(**arguments)


def test_config_file_is_read_and_arguments_win(tmp_path):
    config = tmp_path / "cleaner.toml"
    config.write_text('skip = ["langid"]\n[unicode]\nstrip_leading_spaces = false\n')
    pipeline = Pipeline(config_file=config)
    assert [stage.name for stage in pipeline.stages] == [n for n in REGISTRY if n != "langid"]
    assert pipeline.clean_text("  indented") == "  indented"
    overridden = Pipeline(config_file=config, options={"unicode": {"strip_leading_spaces": True}})
    assert overridden.clean_text("  indented") == "indented"


def test_broken_config_file_names_the_file(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text("stages = [unclosed\n")
    with pytest.raises(ConfigError, match="bad.toml"):
        Pipeline(config_file=config)


@pytest.mark.parametrize(
    "assignment, parsed",
    [
        ("langid.min_chars=30", ("langid", "min_chars", 30)),
        ("unicode.fix_mojibake=false", ("unicode", "fix_mojibake", False)),
        ("x.y=some words", ("x", "y", "some words")),
    ],
)
def test_parse_assignment(assignment, parsed):
    assert parse_assignment(assignment) == parsed


def test_parse_assignment_rejects_garbage():
    with pytest.raises(ConfigError, match="STAGE.OPTION=VALUE"):
        parse_assignment("nodot")


def test_library_entry_points():
    assert clean_text("a  b \r\n") == "a b"
    doc = clean_document({"id": 7, "text": "caf\u00c3\u00a9 au lait", "source": "x"})
    assert doc.id == "7" and doc.text == "café au lait" and doc.metadata == {"source": "x"}
    assert [c.rule for c in doc.changes] == ["unicode.mojibake"]
    streamed = clean_documents(Document(id=str(i), text=f"doc  {i}") for i in range(3))
    assert [d.text for d in streamed] == ["doc 0", "doc 1", "doc 2"]


def test_a_batch_cleaned_stage_by_stage_equals_document_by_document():
    pipeline = Pipeline()
    texts = [f"Source link\n\nKiev , {n} Dec.  The the governor said" for n in range(5)]
    one_by_one = [pipeline(Document(id=str(n), text=text)) for n, text in enumerate(texts)]
    batch = pipeline.clean_batch([Document(id=str(n), text=text) for n, text in enumerate(texts)])
    assert [d.to_dict() | {"text": d.text} for d in batch] == [
        d.to_dict() | {"text": d.text} for d in one_by_one
    ]


def test_a_stage_failing_on_one_document_of_a_batch(monkeypatch):
    from cleaner.stages.unicode import UnicodeStage

    original = UnicodeStage.__call__

    def fragile(self, doc):
        if "BOOM" in doc.text:
            raise ValueError("stage bug")
        return original(self, doc)

    monkeypatch.setattr(UnicodeStage, "__call__", fragile)
    pipeline = Pipeline(stages=["unicode", "langid"])
    docs = [Document(id=str(n), text=text) for n, text in enumerate(["a  b", "BOOM", "c  d"])]
    results = pipeline.clean_batch(docs)
    assert isinstance(results[1], ValueError)
    assert [results[0].text, results[2].text] == ["a b", "c d"]
    streamed = pipeline.clean_documents(
        [Document(id=str(n), text=t) for n, t in enumerate(["a  b", "BOOM", "c  d"])]
    )
    assert next(streamed).text == "a b"
    with pytest.raises(ValueError, match="stage bug"):
        next(streamed)


def test_warm_up_loads_langdetect_profiles(monkeypatch):
    from cleaner.stages import langid

    monkeypatch.setattr(langid._Detector, "_factory", None)
    Pipeline(stages=["unicode"]).warm_up()
    assert langid._Detector._factory is None
    Pipeline(stages=["langid"]).warm_up()
    assert langid._Detector._factory is not None


def test_garbage_collection_is_spared_only_inside_the_block():
    import gc

    from cleaner.pipeline import garbage_collection_spared

    assert gc.get_freeze_count() == 0
    with garbage_collection_spared():
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0
    # Someone else's freeze is left as it was.
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with garbage_collection_spared():
            pass
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


def test_clean_batch_spares_garbage_collection_only_while_cleaning(monkeypatch):
    import gc

    pipeline = Pipeline(stages=["unicode"])
    stage_class = type(pipeline.stages[0])
    clean = stage_class.__call__
    frozen_while_cleaning = []

    def spying(stage, doc):
        frozen_while_cleaning.append(gc.get_freeze_count())
        return clean(stage, doc)

    monkeypatch.setattr(stage_class, "__call__", spying)
    assert [doc.text for doc in pipeline.clean_batch([Document(id="a", text="x  y")])] == ["x y"]
    assert frozen_while_cleaning[0] > 0
    assert gc.get_freeze_count() == 0
