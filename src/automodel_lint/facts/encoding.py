"""A Hub answer's body as it came over the wire, and its Content-Encoding undone within the size cap.

The HTTP clients under huggingface_hub (httpx, requests) decode a compressed body a network read at a time, with no
limit on what one read expands to: 64 KB of gzip can be 64 MB, and a brotli or zstd body (offered when those
packages are installed) far more, before a cap that counts decoded bytes sees any of it. So the raw bytes are read
here, counted against the cap too, and decoded with zlib's own output limit; only the encodings the request offers
(gzip, deflate) are read, and anything else is a failure that names the encoding.
"""

from __future__ import annotations

import zlib

from automodel_lint.report.printable import printable

# What a request offers: the encodings `Decoder` reads. Sent explicitly, since httpx offers br and zstd as well
# when their packages are installed.
ACCEPT_ENCODING = "gzip, deflate"


class BodyError(Exception):
    """The body cannot be read: too large once decoded, in an encoding not offered, or corrupt."""


def too_large(limit: int) -> str:
    return f"the Hub's answer is larger than {limit // 1_000_000} MB"


class Decoder:
    """One body's Content-Encoding undone, chunk by chunk: neither the bytes read nor those yielded may pass `limit`
    in all."""

    def __init__(self, content_encoding: str, limit: int) -> None:
        name = content_encoding.strip().lower()
        self.limit, self.size, self.read = limit, 0, 0
        if name in ("", "identity"):
            self._inflate = None
        elif name in ("gzip", "x-gzip"):
            self._inflate = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        elif name == "deflate":  # RFC 9110's deflate is the zlib format
            self._inflate = zlib.decompressobj()
        else:
            raise BodyError(f"the Hub answered in an encoding that was not asked for ({printable(name[:40])})")

    def decode(self, chunk: bytes) -> bytes:
        self.read += len(chunk)
        if self.read > self.limit:
            raise BodyError(too_large(self.limit))
        if self._inflate is None:
            out = chunk
        else:
            try:
                # At most one byte past what is left: a body that reaches it is over the limit, and zlib keeps the
                # rest of the chunk unread in `unconsumed_tail` instead of expanding it.
                out = self._inflate.decompress(chunk, self.limit - self.size + 1)
            except zlib.error as exc:
                raise BodyError(f"the Hub's answer could not be decompressed ({exc})") from None
        self.size += len(out)
        if self.size > self.limit:
            raise BodyError(too_large(self.limit))
        return out


def raw_chunks(resp):
    """The body as it arrives, still encoded: httpx's `iter_raw`, urllib3's `stream` under requests."""
    if hasattr(resp, "iter_raw"):
        return resp.iter_raw()
    return resp.raw.stream(65536, decode_content=False)
