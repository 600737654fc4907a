"""The kiosk's one typed configuration.

A config file is TOML. Its `profile` key (default ``simulated``) picks a built-in base from
``kiosk/profiles/``; the file's own tables are laid over that base. Every table is a strict model that
rejects unknown keys, and every error names the file, the key and what is wrong.

Each leaf package owns the model of its own table, so it can be validated where it is used.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from drivers.config import DevicesConfig
from kiosk.config.audit import AuditConfig
from kiosk.config.payment import PaymentConfig
from kiosk.config.screen import UiConfig
from kiosk.errors import ConfigError
from kiosk.identity.config import IdentityConfig
from ocr.config import OcrConfig
from offline_sync.config import SyncConfig
from signing.config import SigningConfig

PROFILES_DIR = Path(__file__).resolve().parents[1] / "profiles"
DATA_DIR_ENV = "KIOSK_DATA_DIR"
CONFIG_ENV = "KIOSK_CONFIG"


def default_data_dir() -> Path:
    """Where a kiosk keeps its keys, database and copies when the config does not say."""
    if env := os.environ.get(DATA_DIR_ENV):
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "smart-kiosk"


class KioskSection(BaseModel):
    """Who this kiosk is and where it keeps its data."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(default="HN-001", pattern=r"^[A-Z0-9][A-Z0-9-]{1,31}$")
    # A short code that starts every identity code this kiosk issues (letters and digits).
    authority_code: str = Field(default="HN", pattern=r"^[A-Z0-9]{2,6}$")
    authority: str = "Trung tâm Phục vụ Hành chính công Thành phố Hà Nội"
    data_dir: str = ""
    fee_per_page_vnd: int = Field(default=2000, ge=0)
    # Issue 22: the city's verify address that a copy's QR opens (``{verify_base_url}/v/CODE?t=TOKEN``);
    # empty means sync.public_url, and no address in the QR when that is empty too.
    verify_base_url: str = Field(default="", pattern=r"^(https?://[^\s#?]+)?$")


class KioskConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    profile: Literal["simulated", "hardware"] = "simulated"
    kiosk: KioskSection = KioskSection()
    devices: DevicesConfig = DevicesConfig()
    ocr: OcrConfig = OcrConfig()
    identity: IdentityConfig = IdentityConfig()
    signing: SigningConfig = SigningConfig()
    sync: SyncConfig = SyncConfig()
    ui: UiConfig = UiConfig()
    audit: AuditConfig = AuditConfig()
    payment: PaymentConfig = PaymentConfig()
    # Where the config came from, for messages; not a key of the file.
    source: str = Field(default="<defaults>", exclude=True)

    @property
    def data_dir(self) -> Path:
        return Path(self.kiosk.data_dir).expanduser() if self.kiosk.data_dir else default_data_dir()

    def path(self, value: str) -> Path:
        """A path from the config: absolute as written, or relative to the data folder."""
        p = Path(value).expanduser()
        return p if p.is_absolute() else self.data_dir / p


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        # A section that picks another back-end replaces the profile's: its keys belong to the other one.
        switched = isinstance(value, dict) and isinstance(out.get(key), dict) and "type" in value
        if switched and value["type"] != out[key].get("type"):
            out[key] = value
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _config_path(loc: tuple[Any, ...], data: Any) -> list[str]:
    """The keys of an error's location as the file has them: without the union tags pydantic adds
    (`devices.receipt_printer.escpos_serial.port` is the file's `devices.receipt_printer.port`)."""
    keys = []
    for part in loc:
        if (
            isinstance(data, dict)
            and part not in data
            and isinstance(data.get("type"), str)
            and part == data["type"]
        ):
            continue  # the discriminated union's tag, not a key of the file
        keys.append(str(part))
        data = data.get(part) if isinstance(data, dict) else None
    return keys


def _describe(error: Mapping[str, Any], data: dict[str, Any]) -> str:
    path = _config_path(tuple(error["loc"]), data)
    key = ".".join(path) or "(top level)"
    kind = error["type"]
    if kind == "union_tag_invalid":
        expected = error.get("ctx", {}).get("expected_tags", "")
        return f"key '{key}.type': unknown type {error.get('ctx', {}).get('tag')!r} (one of {expected})"
    if kind == "union_tag_not_found":
        return f"missing key '{key}.type'"
    if kind == "extra_forbidden":
        return f"unknown key '{key}'"
    if kind == "missing":
        return f"missing key '{key}'"
    return f"key '{key}': {error['msg']} (got {error.get('input')!r})"


def parse_config(data: dict[str, Any], source: str = "<defaults>") -> KioskConfig:
    """Validate a config mapping laid over its profile; raise ConfigError naming source and key."""
    profile = data.get("profile", "simulated")
    profile_file = PROFILES_DIR / f"{profile}.toml"
    if not isinstance(profile, str) or not profile_file.is_file():
        raise ConfigError(f"{source}: key 'profile': unknown profile {profile!r} (simulated, hardware)")
    merged = _merge(tomllib.loads(profile_file.read_text(encoding="utf-8")), data)
    try:
        return KioskConfig.model_validate({**merged, "source": source})
    except ValidationError as exc:
        problems = "; ".join(_describe(e, merged) for e in exc.errors())
        raise ConfigError(f"{source}: {problems}", subject=source) from None


def load_config(path: str | os.PathLike[str] | None = None) -> KioskConfig:
    """Load the config file at `path`, or $KIOSK_CONFIG, or the defaults of the simulated profile."""
    chosen = path if path is not None else os.environ.get(CONFIG_ENV) or None
    if chosen is None:
        return parse_config({})
    file = Path(chosen)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{file}: config file not found", subject=str(file)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot read config file: {exc}", subject=str(file)) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: not valid TOML: {exc}", subject=str(file)) from None
    return parse_config(data, source=str(file))
