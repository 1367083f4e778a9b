"""Archive (Lưu trữ).

Lưu trữ: the storage backends behind Django's STORAGES (the content-addressed filesystem store now;
S3/MinIO with the archive issue), fixity checks, and later work files (hồ sơ), retention, deposit,
legal hold, disposal, BagIt packages, backup and restore.
"""
