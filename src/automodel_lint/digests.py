"""Content digests, with CPython's own BLAKE2: importing hashlib loads the OpenSSL library (~3 ms of a pre-commit
run)."""

try:
    from _blake2 import blake2b
except ImportError:  # an interpreter without CPython's module
    from hashlib import blake2b

__all__ = ["blake2b", "digest"]


def digest(data: bytes) -> str:
    return blake2b(data, digest_size=16).hexdigest()
