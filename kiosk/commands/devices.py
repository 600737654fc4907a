"""`kiosk devices`: each configured device's state (ok, warning, error, absent).

Exit status 0 when every device can work (ok or warning), 3 when one is in error or absent; the JSON
(``devices`` [{``name``, ``kind``, ``state``, ``detail``, ``reason``}]) is printed either way.
"""

from __future__ import annotations

import argparse

from drivers.build import build_devices
from drivers.health import DeviceState
from kiosk.commands._common import CommandContext, add_common_options

EXIT_OK, EXIT_UNAVAILABLE = 0, 3


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("devices", help="show each device's state (scanner, camera, printers)")
    add_common_options(parser)
    parser.set_defaults(handler=show_devices)


def show_devices(args: argparse.Namespace, ctx: CommandContext) -> int:
    config = ctx.config
    with build_devices(config.devices, config.data_dir) as devices:
        statuses = devices.statuses(observe=False)
    payload = {"devices": [status.to_json() for status in statuses]}
    width = max(len(s.name) for s in statuses)
    human = "\n".join(f"{s.name:<{width}}  {s.state:<7}  {s.kind:<13}  {s.detail}" for s in statuses)
    ctx.emit(payload, human)
    failing = any(s.state in (DeviceState.error, DeviceState.absent) for s in statuses)
    return EXIT_UNAVAILABLE if failing else EXIT_OK
