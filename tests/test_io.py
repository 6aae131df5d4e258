"""Reading and writing without cleaning gives back the input: the I/O layer loses nothing."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.io import Source, encode_record, read_records

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
records = st.dictionaries(st.text(max_size=8), json_values, max_size=5).flatmap(
    lambda other: st.builds(lambda text: {**other, "text": text}, st.text())
)


def round_trip(tmp_path, name, data: bytes, file_format) -> bytes:
    path = tmp_path / name
    path.write_bytes(data)
    source = Source(path, name, file_format)
    return b"".join(encode_record(record, file_format) for record in read_records(source))


@settings(max_examples=40, deadline=None)
@given(lines=st.lists(records, max_size=5))
def test_jsonl_fields_survive_in_order(tmp_path_factory, lines):
    data = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    written = round_trip(
        tmp_path_factory.mktemp("io"), "x.jsonl", data.encode("utf-8", "surrogatepass"), "jsonl"
    )
    lines_out = written.decode("utf-8", "surrogatepass").split("\n")[:-1]
    parsed = [json.loads(line) for line in lines_out]
    assert parsed == lines
    assert [list(line) for line in parsed] == [list(line) for line in lines]


@settings(max_examples=40, deadline=None)
@given(
    text=st.text(alphabet=st.characters(blacklist_characters="\x00", blacklist_categories=["Cs"]))
)
def test_a_text_file_ending_in_one_newline_comes_back_unchanged(tmp_path_factory, text):
    body = text.rstrip("\n").removesuffix("\r")
    data = (body + "\n").encode("utf-8") if body else b""
    assert round_trip(tmp_path_factory.mktemp("io"), "x.txt", data, "text") == data
