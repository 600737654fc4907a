"""Signing settings: the `[signing]` table. Relative paths are resolved against the kiosk data folder."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class SigningConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # "file": an encrypted PKCS#8 key in keys_dir. "pkcs11": the key lives on a PKCS#11 token.
    key_backend: Literal["file", "pkcs11"] = "file"
    keys_dir: str = "keys"
    # The key passphrase never sits in config text: it is read from this variable, else this file.
    passphrase_file: str = "keys/passphrase"  # noqa: S105 - a name, not a secret
    passphrase_env: str = "KIOSK_KEY_PASSPHRASE"  # noqa: S105 - a name, not a secret
    watermark_text: str = "TTPVHCC"
    # Empty: PAdES B-B. An RFC 3161 timestamp authority URL: PAdES B-T.
    tsa_url: str = ""
    tsa_timeout_s: float = Field(default=10.0, gt=0)
    # Extra PEM files or folders whose certificates verification accepts: self-signed CA certificates
    # become trust roots; others are kiosk seal certificates, needed to check a printed seal offline.
    trust_paths: tuple[str, ...] = ()
    # Days before the seal certificate's expiry at which `kiosk keys show` and maintenance mode warn.
    expiry_warning_days: int = Field(default=30, ge=0)
    # Validity of the certificates that `kiosk keys init-dev` makes. Seal certificates are short-lived
    # (issue 22): the kiosk renews its own over the sync link (`renew_before_days`).
    dev_root_days: int = Field(default=3650, gt=0)
    dev_seal_days: int = Field(default=90, gt=0)
    # Renew the seal certificate over the kiosk's mTLS link once it has this many days left or fewer.
    renew_before_days: int = Field(default=45, ge=1)
    # The city's signed list of revoked kiosk seal certificates (a CRL file, PEM or DER, made by
    # `kiosk-backend revoke-kiosk`): `kiosk verify` uses it offline and fetches the current one online.
    revocation_list: str = ""
    # When the fleet stopped issuing older (VNC1) seals (signing.seal_v1): a VNC1 seal that says it was
    # issued at or after this time is refused. Unset: the VNC2 cutover (2026-12-06 19:57:31 UTC).
    vnc1_seals_until: dt.datetime | None = None
    # PKCS#11: the module, the token, the key and certificate label; the PIN comes from the variable,
    # else the file, never from config text.
    pkcs11_module: str = "/usr/lib/softhsm/libsofthsm2.so"
    pkcs11_token_label: str = "kiosk"  # noqa: S105 - a name, not a secret
    pkcs11_key_label: str = "kiosk-seal"
    pkcs11_pin_env: str = "KIOSK_PKCS11_PIN"
    pkcs11_pin_file: str = "keys/pkcs11-pin"
    # JPEG quality of photo-like page images; text-like pages are kept lossless when that is smaller.
    jpeg_quality: int = Field(default=85, ge=30, le=100)
