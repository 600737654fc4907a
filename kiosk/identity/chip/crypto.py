"""The symmetric cryptography of BAC and 3DES secure messaging (ICAO 9303 part 11, sections 4.3 and 9.7).

* key derivation: ``SHA-1(seed || counter)``, the first 16 bytes, as a two-key 3DES key;
* encryption: 3DES in CBC mode with a zero IV;
* MAC: ISO/IEC 9797-1 MAC algorithm 3 (the "retail MAC") with DES, padding method 2.

``cryptography`` does the DES; this module only arranges the blocks.
"""

from __future__ import annotations

import hashlib
import hmac

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives import cmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

ENC, MAC = 1, 2
_ZERO_IV = bytes(8)


def derive_key(seed: bytes, counter: int) -> bytes:
    """K_enc (counter 1) or K_mac (counter 2) from a 16-byte key seed."""
    return hashlib.sha1(seed + counter.to_bytes(4, "big")).digest()[:16]


def pad(data: bytes, block: int = 8) -> bytes:
    """ISO/IEC 9797-1 padding method 2: 0x80, then zeros up to a multiple of the block size."""
    data = data + b"\x80"
    return data + bytes(-len(data) % block)


def unpad(data: bytes) -> bytes:
    stripped = data.rstrip(b"\x00")
    if not stripped.endswith(b"\x80"):
        raise ValueError("bad padding")
    return stripped[:-1]


def _des3(key16: bytes) -> TripleDES:
    return TripleDES(key16 + key16[:8])


def encrypt(key16: bytes, data: bytes) -> bytes:
    """3DES-CBC with a zero IV over data that is already a multiple of 8 bytes."""
    encryptor = Cipher(_des3(key16), modes.CBC(_ZERO_IV)).encryptor()
    return encryptor.update(data) + encryptor.finalize()


def decrypt(key16: bytes, data: bytes) -> bytes:
    if len(data) % 8:
        raise ValueError("ciphertext is not a multiple of the block size")
    decryptor = Cipher(_des3(key16), modes.CBC(_ZERO_IV)).decryptor()
    return decryptor.update(data) + decryptor.finalize()


def retail_mac(key16: bytes, data: bytes, *, padded: bool = False) -> bytes:
    """ISO/IEC 9797-1 MAC algorithm 3: single-DES CBC with K_a over all blocks, then the last block is
    decrypted with K_b and encrypted again with K_a. Pads with method 2 unless ``padded``."""
    message = data if padded else pad(data)
    key_a, key_b = key16[:8], key16[8:16]
    cbc = Cipher(TripleDES(key_a * 3), modes.CBC(_ZERO_IV)).encryptor()
    last = (cbc.update(message) + cbc.finalize())[-8:]
    # One block each: ISO/IEC 9797-1 alg. 3 is defined on single DES block operations.
    step_b = Cipher(TripleDES(key_b * 3), modes.ECB()).decryptor()  # noqa: S305
    last = step_b.update(last) + step_b.finalize()
    step_a = Cipher(TripleDES(key_a * 3), modes.ECB()).encryptor()  # noqa: S305
    return step_a.update(last) + step_a.finalize()


def kdf_sha1(secret: bytes, counter: int) -> bytes:
    """PACE's key derivation for 3DES and AES-128: the first 16 bytes of SHA-1(secret || counter)."""
    return hashlib.sha1(secret + counter.to_bytes(4, "big")).digest()[:16]


def aes_encrypt(key: bytes, iv: bytes, data: bytes) -> bytes:
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return encryptor.update(data) + encryptor.finalize()


def aes_decrypt(key: bytes, iv: bytes, data: bytes) -> bytes:
    if len(data) % 16:
        raise ValueError("ciphertext is not a multiple of the block size")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    return decryptor.update(data) + decryptor.finalize()


def aes_iv(key: bytes, ssc: bytes) -> bytes:
    """AES secure messaging's IV: the send sequence counter encrypted with K_enc (one block, ECB)."""
    encryptor = Cipher(algorithms.AES(key), modes.ECB()).encryptor()  # noqa: S305
    return encryptor.update(ssc) + encryptor.finalize()


def aes_cmac(key: bytes, data: bytes) -> bytes:
    """AES-CMAC truncated to 8 bytes, the MAC of PACE's authentication tokens and AES secure messaging."""
    mac = cmac.CMAC(algorithms.AES(key))
    mac.update(data)
    return mac.finalize()[:8]


def mac_equal(a: bytes, b: bytes) -> bool:
    return hmac.compare_digest(a, b)
