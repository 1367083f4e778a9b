"""The content-addressed blob store, on a real filesystem."""

import hashlib
import os
from pathlib import Path

import pytest
from django.core.files.base import ContentFile, File
from django.core.files.storage import storages
from django.core.management import CommandError, call_command

from archive.errors import BlobCorrupted, BlobMissing, InvalidBlobKey
from archive.storage import ContentAddressedFileSystemStorage

SEED = "Số: 960/SGDĐT-CNTTTBT — V/v thực hiện chương trình Vnedu".encode()


@pytest.fixture
def store(tmp_path):
    return ContentAddressedFileSystemStorage(location=tmp_path / "blobs")


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_save_returns_the_sha256_and_reads_back(store):
    key = store.save("cong-van-960.pdf", ContentFile(SEED))
    assert key == hashlib.sha256(SEED).hexdigest()
    with store.open(key) as handle:
        assert handle.read() == SEED
    assert store.exists(key) and store.size(key) == len(SEED)
    assert Path(store.path(key)) == store.location / "sha256" / key[:2] / key[2:4] / key


def test_the_suggested_name_is_ignored_and_same_bytes_are_stored_once(store):
    first = store.save("a.pdf", ContentFile(SEED))
    second = store.save("../../etc/passwd", ContentFile(SEED))
    assert first == second
    assert _files(store.location / "sha256") == [Path(store.path(first))]
    assert not list((store.location / "tmp").iterdir())


def test_stored_files_are_read_only_and_open_refuses_writing(store):
    key = store.save("x", ContentFile(b"bytes"))
    assert os.stat(store.path(key)).st_mode & 0o222 == 0
    with pytest.raises(ValueError, match="never edited in place"):
        store.open(key, "wb")


class _Generated(File):
    """20 MB made up on the fly: the store must take it chunk by chunk, never as one bytes object."""

    BLOCK = bytes(range(256)) * 4096  # 1 MiB

    def __init__(self, blocks: int):
        super().__init__(None, name="generated.bin")
        self.blocks = blocks

    @property
    def size(self):
        return self.blocks * len(self.BLOCK)

    def chunks(self, chunk_size=None):
        for n in range(self.blocks):
            yield n.to_bytes(4, "big") + self.BLOCK[4:]


def test_large_generated_content_is_streamed(store):
    expected = hashlib.sha256()
    for chunk in _Generated(20).chunks():
        expected.update(chunk)
    key = store.save("big.bin", _Generated(20))
    assert key == expected.hexdigest()
    assert store.size(key) == 20 * 1024 * 1024
    assert store.verify(key)


def test_large_file_content_is_streamed(store, tmp_path):
    source = tmp_path / "big.bin"
    block = os.urandom(1024 * 1024)
    with open(source, "wb") as out:
        for _ in range(20):
            out.write(block)
    expected = hashlib.sha256(source.read_bytes()).hexdigest()
    with open(source, "rb") as handle:
        key = store.save("big.bin", File(handle))
    assert key == expected
    assert store.size(key) == 20 * 1024 * 1024


class _Explodes(File):
    def chunks(self, chunk_size=None):
        yield b"half a document"
        raise OSError("disk went away")


def test_a_failure_mid_stream_leaves_nothing(store):
    with pytest.raises(OSError, match="disk went away"):
        store.save("x", _Explodes(None, name="x"))
    assert _files(store.location) == []


def test_a_tampered_blob_is_refused_on_open(store):
    key = store.save("x", ContentFile(SEED))
    path = Path(store.path(key))
    os.chmod(path, 0o644)
    path.write_bytes(SEED.replace(b"960", b"961"))
    with pytest.raises(BlobCorrupted) as error:
        store.open(key)
    assert error.value.key == key and error.value.http_status == 500
    assert "hư hỏng" in str(error.value)
    assert store.verify(key) is False


@pytest.mark.parametrize(
    "key", ["../x", "A" * 64, "a" * 63, "g" * 64, "/etc/passwd", "ab/cd/" + "a" * 58, "a" * 64 + "\n"]
)
def test_bad_keys_are_refused(store, key):
    for call in (store.open, store.exists, store.size, store.delete, store.path):
        with pytest.raises(InvalidBlobKey):
            call(key)


def test_a_missing_blob_is_a_not_found(store):
    with pytest.raises(BlobMissing) as error:
        store.open("a" * 64)
    assert error.value.http_status == 404


def test_blobs_have_no_public_url(store):
    with pytest.raises(NotImplementedError):
        store.url("a" * 64)


def test_iter_keys_and_listdir(store):
    keys = sorted(store.save("x", ContentFile(b"%d" % n)) for n in range(3))
    assert list(store.iter_keys()) == keys
    dirs, files = store.listdir("")
    assert sorted(dirs) == sorted({k[:2] for k in keys}) and files == []


def test_settings_route_blobs_through_the_content_addressed_store(settings):
    store = storages["blobs"]
    assert isinstance(store, ContentAddressedFileSystemStorage)
    assert store.location == settings.CONFIG.blob_location
    key = store.save("seed.txt", ContentFile(SEED))
    assert store.open(key).read() == SEED


@pytest.fixture
def sweep_store(settings, tmp_path):
    """``storages["blobs"]`` moved to a directory of this test's own, so a sweep sees only its blobs."""
    settings.STORAGES = {
        **settings.STORAGES,
        "blobs": {**settings.STORAGES["blobs"], "OPTIONS": {"location": tmp_path / "swept"}},
    }
    return storages["blobs"]


def test_archive_verify_passes_on_a_clean_store(sweep_store, capsys):
    keys = [sweep_store.save("x", ContentFile(b"%d" % n)) for n in range(3)]
    call_command("archive_verify", *keys)
    assert "store intact: 3 blobs, all 3 expected present" in capsys.readouterr().out


def test_archive_verify_names_a_damaged_and_a_missing_blob(sweep_store, capsys):
    good = sweep_store.save("a", ContentFile(b"good bytes"))
    bad = sweep_store.save("b", ContentFile(b"bytes that will rot"))
    gone = sweep_store.save("c", ContentFile(b"bytes that will vanish"))
    path = Path(sweep_store.path(bad))
    os.chmod(path, 0o644)
    path.write_bytes(b"rotten")
    sweep_store.delete(gone)
    with pytest.raises(CommandError, match="1 of 2 blobs damaged, 1 of 2 expected blobs missing") as error:
        call_command("archive_verify", good, gone)
    assert error.value.returncode == 1
    err = capsys.readouterr().err
    assert f"damaged: {bad}" in err and f"missing: {gone}" in err and good not in err


def test_archive_verify_reads_expected_keys_from_a_file(sweep_store, tmp_path):
    present = sweep_store.save("a", ContentFile(b"present"))
    listing = tmp_path / "keys.txt"
    listing.write_text(f"{present}\n\n{'0' * 64}\n")
    with pytest.raises(CommandError, match="1 of 2 expected blobs missing"):
        call_command("archive_verify", keys_from=str(listing))


def test_archive_verify_refuses_a_listed_path(sweep_store):
    with pytest.raises(CommandError, match="not a blob key"):
        call_command("archive_verify", "../etc/passwd")
