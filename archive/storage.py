"""The content-addressed blob store behind ``STORAGES["blobs"]`` (kho tệp).

A blob's key is the SHA-256 of its bytes, so the same bytes are stored once and a key can never name
other bytes. Writes stream to a temporary file beside the store while hashing, are fsynced, and are
linked into place atomically, never over an existing blob: a reader sees the whole blob or none, and
a failure mid-stream leaves nothing behind. Stored files are read-only and never rewritten: a
changed document (a signed PDF, a new version) is a new blob with a new key. Every open re-hashes
the file and refuses bytes that no longer match their key, so silent corruption surfaces as an error
instead of a wrong document.

The name a caller suggests to ``save()`` is ignored: the original file name belongs to the row that
points at the blob, not to the bytes.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.core.files import File
from django.core.files.storage import Storage
from django.utils.deconstruct import deconstructible

from archive.errors import BlobCorrupted, BlobMissing, InvalidBlobKey

_KEY = re.compile(r"\A[0-9a-f]{64}\Z")
_CHUNK = 1024 * 1024


def check_key(key: str) -> str:
    """``key`` if it is a blob key (64 lowercase hex digits); anything else, a path included, is refused."""
    if not isinstance(key, str) or not _KEY.match(key):
        raise InvalidBlobKey(key)
    return key


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@deconstructible(path="archive.storage.ContentAddressedFileSystemStorage")
class ContentAddressedFileSystemStorage(Storage):
    """Blobs under ``<location>/sha256/ab/cd/<key>`` on a local (or mounted) filesystem."""

    def __init__(self, location: str | os.PathLike | None = None) -> None:
        if location is None:
            raise ValueError("ContentAddressedFileSystemStorage needs a location")
        self.location = Path(location)

    # -- paths -------------------------------------------------------------------------------
    def _blob_path(self, key: str) -> Path:
        check_key(key)
        return self.location / "sha256" / key[:2] / key[2:4] / key

    def path(self, name: str) -> str:
        """The file behind a key, for code that streams it (read-only; never write to it)."""
        return str(self._blob_path(name))

    # -- writing -----------------------------------------------------------------------------
    def save(self, name: str | None, content, max_length: int | None = None) -> str:
        """Store ``content``'s bytes; returns their key. Same bytes, same key, one file."""
        if not hasattr(content, "chunks"):
            content = File(content, name)
        return self._save(name or "", content)

    def _save(self, name: str, content) -> str:
        tmp_dir = self.location / "tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        fd, tmp_name = tempfile.mkstemp(dir=tmp_dir, prefix="incoming-")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                if hasattr(content, "seek") and getattr(content, "seekable", lambda: True)():
                    content.seek(0)
                for chunk in content.chunks(_CHUNK):
                    if isinstance(chunk, str):
                        chunk = chunk.encode()
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            key = digest.hexdigest()
            final = self._blob_path(key)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(tmp, 0o444)
            try:
                # link(), unlike rename(), refuses an existing target: a blob written by a concurrent
                # save of the same bytes is kept as it is, never replaced.
                os.link(tmp, final)
            except FileExistsError:
                return key
            _fsync_dir(final.parent)
            return key
        finally:
            tmp.unlink(missing_ok=True)

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        return name

    def delete(self, name: str) -> None:
        """Remove a blob (disposal under the archive's rules); a missing blob is already gone."""
        self._blob_path(name).unlink(missing_ok=True)

    # -- reading -----------------------------------------------------------------------------
    def _open(self, name: str, mode: str = "rb") -> File:
        if mode not in {"r", "rb"}:
            raise ValueError("blobs are never edited in place: open them for reading only")
        path = self._blob_path(name)
        try:
            handle = open(path, "rb")  # noqa: SIM115 - handed to the caller inside a File
        except FileNotFoundError:
            raise BlobMissing(name) from None
        digest = hashlib.sha256()
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
        if digest.hexdigest() != name:
            handle.close()
            raise BlobCorrupted(name)
        handle.seek(0)
        return File(handle, name=name)

    def exists(self, name: str) -> bool:
        return self._blob_path(name).exists()

    def size(self, name: str) -> int:
        try:
            return self._blob_path(name).stat().st_size
        except FileNotFoundError:
            raise BlobMissing(name) from None

    def url(self, name: str | None) -> str:
        raise NotImplementedError("blobs have no public URL: views serve them after checking who may see them")

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        """Shards as directories and keys as files, for the storage API's walkers."""
        base = self.location / "sha256" / path if path else self.location / "sha256"
        if not base.is_dir():
            return [], []
        dirs, files = [], []
        for entry in sorted(base.iterdir()):
            (dirs if entry.is_dir() else files).append(entry.name)
        return dirs, files

    # -- fixity ------------------------------------------------------------------------------
    def iter_keys(self) -> Iterator[str]:
        """Every stored key, in key order."""
        root = self.location / "sha256"
        if not root.is_dir():
            return
        for path in sorted(root.glob("*/*/*")):
            if _KEY.match(path.name):
                yield path.name

    def verify(self, key: str) -> bool:
        """Whether the blob exists and its bytes still hash to its key."""
        try:
            self._open(key).close()
        except (BlobMissing, BlobCorrupted):
            return False
        return True
