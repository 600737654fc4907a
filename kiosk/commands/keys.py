"""`kiosk keys init-dev | show | renew`: the development CA, the seal certificate, its expiry and its renewal."""

from __future__ import annotations

import argparse
import datetime as dt
import logging

from kiosk.commands._common import CommandContext, add_common_options
from kiosk.pipeline.store import data_key_path
from kiosk.runtime.seal_renewal import RenewalOutcome, record_outcome, renew, renewal_status
from offline_sync.protocol.errors import StoreError, SyncError
from offline_sync.runner import open_client, open_store
from signing.errors import SigningError
from signing.keys import certificate_status, init_dev_keys, load_seal_signer
from signing.trust import load_trust_store

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("keys", help="seal keys and certificates")
    nested = parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)

    init = nested.add_parser(
        "init-dev",
        help="make a development city root CA and this kiosk's seal certificate (keeps existing ones)",
    )
    add_common_options(init)
    init.set_defaults(handler=init_dev)

    show = nested.add_parser("show", help="the seal certificate, its expiry and the trust store")
    add_common_options(show)
    show.set_defaults(handler=show_keys)

    renew_cmd = nested.add_parser(
        "renew", help="renew the seal certificate now, over the kiosk's mTLS link to the city ([sync])"
    )
    add_common_options(renew_cmd)
    renew_cmd.set_defaults(handler=renew_keys)


def init_dev(args: argparse.Namespace, ctx: CommandContext) -> int:
    config = ctx.config
    paths = init_dev_keys(
        config.signing, config.data_dir, authority=config.kiosk.authority, kiosk_id=config.kiosk.id
    )
    payload = {
        "created": paths.created,
        "keys_dir": str(paths.keys_dir),
        "root_cert": str(paths.root_cert),
        "seal_cert": str(paths.seal_cert),
        "seal_key": str(paths.seal_key) if paths.seal_key else None,
        "passphrase_file": str(paths.passphrase_file) if paths.passphrase_file else None,
        "key_backend": config.signing.key_backend,
    }
    verb = "created" if paths.created else "already present, kept"
    human = [
        f"development keys {verb} in {paths.keys_dir}",
        f"  city root CA:     {paths.root_cert}",
        f"  seal certificate: {paths.seal_cert}",
        f"  seal key:         {paths.seal_key or 'on the PKCS#11 token ' + config.signing.pkcs11_token_label}",
    ]
    if paths.passphrase_file:
        human.append(f"  passphrase file:  {paths.passphrase_file} (mode 0600)")
    else:
        human.append(f"  passphrase from:  ${config.signing.passphrase_env}")
    ctx.emit(payload, "\n".join(human))
    return 0


def show_keys(args: argparse.Namespace, ctx: CommandContext) -> int:
    config = ctx.config
    status = certificate_status(config.signing, config.data_dir)
    trust = load_trust_store(config.signing, config.data_dir)
    payload = {
        **status.to_json(),
        "key_backend": config.signing.key_backend,
        "timestamp_authority": config.signing.tsa_url or None,
        "trust_roots": [r.subject.rfc4514_string() for r in trust.roots],
        "known_seal_certificates": len(trust.known),
        "renew_before_days": config.signing.renew_before_days,
        # The sync worker renews from this many days before expiry (issue 22); `kiosk keys renew` at once.
        "renewal_due": status.not_after - dt.datetime.now(dt.UTC)
        <= dt.timedelta(days=config.signing.renew_before_days),
    }
    human = [
        f"seal certificate: {status.subject}",
        f"  issuer:    {status.issuer}",
        f"  valid:     {status.not_before:%Y-%m-%d} .. {status.not_after:%Y-%m-%d} ({status.days_left} days left)",
        f"  key id:    {status.kid}",
        f"  backend:   {config.signing.key_backend}",
        f"  timestamp: {config.signing.tsa_url or 'none (PAdES B-B)'}",
        f"trust roots: {len(trust.roots)}; known seal certificates: {len(trust.known)}",
    ]
    if status.warning:
        human.insert(0, f"WARNING: {status.warning}")
    ctx.emit(payload, "\n".join(human))
    return 0


def _record(ctx: CommandContext, outcome: RenewalOutcome) -> None:
    """Keep the technician's renewal in the store, where maintenance and the sync worker read it."""
    try:
        store = open_store(ctx.config.sync, ctx.config.path, data_key_path(ctx.config))
    except (StoreError, OSError) as exc:
        log.warning("the renewal could not be recorded in the store: %s", exc)
        return
    try:
        record_outcome(store, outcome)
    finally:
        store.close()


def renew_keys(args: argparse.Namespace, ctx: CommandContext) -> int:
    """A technician's renewal: ask the city for a new seal certificate over this kiosk's key, now."""
    config = ctx.config
    before = certificate_status(config.signing, config.data_dir)  # no certificate: one line, exit 3
    trust = load_trust_store(config.signing, config.data_dir)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    try:
        with (
            open_client(config.sync, config.path) as client,
            load_seal_signer(config.signing, config.data_dir) as signer,
        ):
            cert = renew(signer, client, trust, config.signing, config.data_dir, kiosk_id=config.kiosk.id)
    except (SigningError, SyncError) as exc:
        _record(ctx, RenewalOutcome("failed", now, f"kiosk keys renew: {exc}"[:500], before.not_after))
        raise
    status = renewal_status(cert, config.signing)
    detail = f"kiosk keys renew: new certificate serial {cert.serial_number:x}"
    _record(ctx, RenewalOutcome("renewed", now, detail, cert.not_valid_after_utc))
    payload = {
        "renewed": True,
        "serial": format(cert.serial_number, "x"),
        "previous_not_after": before.not_after.isoformat(),
        **status.to_json(),
    }
    human = (
        f"seal certificate renewed: serial {cert.serial_number:x}\n"
        f"  valid until {cert.not_valid_after_utc:%Y-%m-%d %H:%M} UTC ({status.days_left} days left;"
        f" was {before.not_after:%Y-%m-%d})\n"
        "  the screen (kiosk run) takes it up between visits within 10 minutes, without a restart"
    )
    ctx.emit(payload, human)
    return 0
