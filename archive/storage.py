"""Placeholder replaced by the archive work: the content-addressed blob store."""

from django.core.files.storage import FileSystemStorage


class ContentAddressedFileSystemStorage(FileSystemStorage):
    pass
