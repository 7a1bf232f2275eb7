"""A Hub answer's Content-Encoding undone within the size cap (facts/encoding.py)."""

import gzip
import zlib

import pytest

from automodel_lint.facts.encoding import BodyError, Decoder


def chunks(data: bytes, size: int = 1000):
    return [data[i:i + size] for i in range(0, len(data), size)]


@pytest.mark.parametrize("encoding, pack", [
    ("", lambda b: b), ("identity", lambda b: b), ("gzip", gzip.compress), ("x-gzip", gzip.compress),
    ("deflate", zlib.compress), (" GZIP ", gzip.compress),
])
def test_a_body_of_exactly_the_limit_is_read_whole(encoding, pack):
    body = bytes(range(256)) * 40  # 10,240 bytes
    decoder = Decoder(encoding, len(body))
    assert b"".join(decoder.decode(c) for c in chunks(pack(body))) == body


@pytest.mark.parametrize("encoding, pack", [("", lambda b: b), ("gzip", gzip.compress), ("deflate", zlib.compress)])
def test_one_byte_past_the_limit_is_refused(encoding, pack):
    decoder = Decoder(encoding, 9_999)
    with pytest.raises(BodyError, match="larger than"):
        for c in chunks(pack(bytes(10_000))):
            decoder.decode(c)


def test_one_small_chunk_of_a_bomb_never_expands_past_the_limit():
    bomb = gzip.compress(bytes(50_000_000))  # about 50 KB
    decoder = Decoder("gzip", 2_000_000)
    with pytest.raises(BodyError, match="larger than 2 MB"):
        decoder.decode(bomb)  # the whole bomb in one chunk
    assert decoder.size <= 2_000_001


@pytest.mark.parametrize("encoding", ["br", "zstd", "gzip, br", "compress"])
def test_an_encoding_not_offered_is_named(encoding):
    with pytest.raises(BodyError, match="not asked for"):
        Decoder(encoding, 100)


def test_a_corrupt_body_is_an_error_not_a_crash():
    with pytest.raises(BodyError, match="could not be decompressed"):
        Decoder("gzip", 100).decode(b"not gzip at all")


def test_a_hostile_encoding_name_is_shown_printable():
    with pytest.raises(BodyError) as caught:
        Decoder("\x1b[31mred\x07", 100)
    assert "\x1b" not in str(caught.value) and "\x07" not in str(caught.value)
