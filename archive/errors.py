"""What the blob store refuses, as domain errors so pages and the API say it in Vietnamese and English."""

from __future__ import annotations

from journal.errors import DomainError, NotFound


class InvalidBlobKey(NotFound):
    """A key that is not 64 lowercase hex digits (a path, a guess): no such blob, and nothing is read."""

    default_code = "invalid_blob_key"

    def __init__(self, key: object) -> None:
        super().__init__(
            "Mã tệp không hợp lệ.",
            message_en="Invalid file key.",
            details={"key": str(key)[:100]},
        )


class BlobMissing(NotFound):
    """The key is well formed but no file is stored under it."""

    default_code = "blob_missing"

    def __init__(self, key: str) -> None:
        super().__init__(
            "Không tìm thấy tệp trong kho lưu trữ.",
            message_en="The file is not in the store.",
            details={"key": key},
        )


class BlobCorrupted(DomainError):
    """The stored bytes no longer hash to their key: the copy is damaged and must not be served."""

    http_status = 500
    default_code = "blob_corrupted"

    def __init__(self, key: str) -> None:
        super().__init__(
            f"Tệp {key[:12]}… trong kho đã bị hư hỏng (mã băm không khớp); không thể cung cấp bản này.",
            message_en=f"Stored file {key} is damaged (its hash does not match); it cannot be served.",
            details={"key": key},
        )
        self.key = key
