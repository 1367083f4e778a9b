"""Signatures (Chữ ký số).

PAdES signing and verification over bytes with pyHanko: the signer's and the organisation's
signatures, visible stamps laid out per Decree 30, key sources (PKCS#12, PKCS#11, remote signing
services) and trust roots. Filled by the signatures issue.
"""
