"""`kiosk keys init-dev` and `kiosk keys show`: the development CA, the seal certificate and its expiry."""

from __future__ import annotations

import argparse

from kiosk.commands._common import CommandContext, add_common_options
from signing import certificate_status, init_dev_keys, load_trust_store


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
