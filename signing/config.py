"""Signing settings: the `[signing]` table. Relative paths are resolved against the kiosk data folder."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict


class SigningConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    key_backend: Literal["file", "pkcs11"] = "file"
    keys_dir: str = "keys"
    # The key passphrase never sits in config text: it is read from this file or this variable.
    passphrase_file: str = "keys/passphrase"
    passphrase_env: str = "KIOSK_KEY_PASSPHRASE"
    watermark_text: str = "TTPVHCC"
    tsa_url: str = ""
