"""Run a command under the seccomp part of a unit's sandbox, built from the unit file itself.

    python tests/systemd/unit_sandbox.py systemd/kiosk-sync.service -- kiosk sync run --drain ...

There is no systemd as PID 1 here, so the unit cannot be started; but most of what could break a Python
service under its hardening is seccomp, and that can be reproduced exactly with libseccomp, the library
systemd itself uses. From the unit this reads and applies, as separate filters like systemd does:

* ``SystemCallFilter=`` (allow-list, then ``~`` lines removing groups) with ``SystemCallErrorNumber=``,
  groups expanded by ``systemd-analyze syscall-filter`` of the installed systemd;
* ``MemoryDenyWriteExecute=yes``: no W+X mmap, no mprotect/pkey_mprotect to PROT_EXEC, no SHM_EXEC;
* ``RestrictAddressFamilies=``: socket() of any other family fails with EAFNOSUPPORT;
* ``NoNewPrivileges=yes`` (libseccomp sets it when loading a filter);
* ``UMask=``.

Not reproduced: the mount namespace (ProtectSystem=, ReadWritePaths=, PrivateTmp=...), users, devices,
capabilities, and the other namespace flags.
"""

from __future__ import annotations

import ctypes
import errno
import mmap
import os
import socket
import subprocess
import sys
from functools import cache
from pathlib import Path

SCMP_ACT_ALLOW = 0x7FFF0000
SCMP_CMP_EQ = 4
SCMP_CMP_MASKED_EQ = 7
SHM_EXEC = 0o100000
AF_MAX = 46


def scmp_act_errno(code: int) -> int:
    return 0x00050000 | (code & 0xFFFF)


class ArgCmp(ctypes.Structure):
    _fields_ = (
        ("arg", ctypes.c_uint),
        ("op", ctypes.c_int),
        ("datum_a", ctypes.c_uint64),
        ("datum_b", ctypes.c_uint64),
    )


def _lib() -> ctypes.CDLL:
    lib = ctypes.CDLL("libseccomp.so.2", use_errno=True)
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = [ctypes.c_uint32]
    lib.seccomp_rule_add_array.argtypes = [
        ctypes.c_void_p,
        ctypes.c_uint32,
        ctypes.c_int,
        ctypes.c_uint,
        ctypes.POINTER(ArgCmp),
    ]
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    lib.seccomp_load.argtypes = [ctypes.c_void_p]
    lib.seccomp_release.argtypes = [ctypes.c_void_p]
    return lib


@cache
def syscall_groups() -> dict[str, list[str]]:
    """Every @group of the installed systemd and its members (syscalls and nested @groups)."""
    out = subprocess.run(
        ["systemd-analyze", "syscall-filter", "--no-pager"], capture_output=True, text=True, check=True
    ).stdout
    groups: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in out.splitlines():
        if line.startswith("@"):
            current = groups.setdefault(line.strip(), [])
        elif not line.strip() or not line.startswith(" "):
            current = None if not line.strip() else current
        elif current is not None and not line.strip().startswith("#"):
            current.append(line.strip())
    return groups


def expand(names: list[str]) -> set[str]:
    groups = syscall_groups()
    out: set[str] = set()
    for name in names:
        if name.startswith("@"):
            out |= expand(groups[name])
        else:
            out.add(name)
    return out


def directives(unit: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for raw in unit.read_text().splitlines():
        line = raw.strip()
        if line and not line.startswith(("#", "[")) and "=" in line:
            key, _, value = line.partition("=")
            found.setdefault(key, []).append(value)
    return found


def allowed_syscalls(unit: Path) -> set[str]:
    lines = directives(unit).get("SystemCallFilter", [])
    if not lines or lines[0].startswith("~"):
        raise ValueError(f"{unit}: expected an allow-list SystemCallFilter= first")
    allowed: set[str] = set()
    for value in lines:
        if value.startswith("~"):
            allowed -= expand(value[1:].split())
        else:
            allowed |= expand(value.split())
    # Always permitted by systemd (systemd.exec(5)).
    return allowed | {"execve", "exit", "exit_group", "getrlimit", "rt_sigreturn", "sigreturn"}


def _check(rc: int, what: str) -> None:
    if rc < 0:
        raise OSError(-rc, f"libseccomp: {what}: {os.strerror(-rc)}")


def _filter(lib: ctypes.CDLL, default: int, rules: list[tuple[int, str, list[ArgCmp]]]) -> None:
    ctx = lib.seccomp_init(default)
    if not ctx:
        raise OSError("seccomp_init failed")
    try:
        for action, name, cmps in rules:
            nr = lib.seccomp_syscall_resolve_name(name.encode())
            if nr < 0:  # not a syscall of this architecture
                continue
            array = (ArgCmp * len(cmps))(*cmps) if cmps else None
            _check(lib.seccomp_rule_add_array(ctx, action, nr, len(cmps), array), name)
        _check(lib.seccomp_load(ctx), "load")
    finally:
        lib.seccomp_release(ctx)


def apply_unit_sandbox(unit: Path) -> None:
    d = directives(unit)
    lib = _lib()
    if d.get("MemoryDenyWriteExecute") == ["yes"]:
        deny = scmp_act_errno(errno.EPERM)
        wx = mmap.PROT_WRITE | mmap.PROT_EXEC
        _filter(
            lib,
            SCMP_ACT_ALLOW,
            [
                (deny, "mmap", [ArgCmp(2, SCMP_CMP_MASKED_EQ, wx, wx)]),
                (deny, "mprotect", [ArgCmp(2, SCMP_CMP_MASKED_EQ, mmap.PROT_EXEC, mmap.PROT_EXEC)]),
                (deny, "pkey_mprotect", [ArgCmp(2, SCMP_CMP_MASKED_EQ, mmap.PROT_EXEC, mmap.PROT_EXEC)]),
                (deny, "shmat", [ArgCmp(2, SCMP_CMP_MASKED_EQ, SHM_EXEC, SHM_EXEC)]),
            ],
        )
    if "RestrictAddressFamilies" in d:
        names = " ".join(d["RestrictAddressFamilies"]).split()
        families = {int(getattr(socket, n)) for n in names}
        deny = scmp_act_errno(errno.EAFNOSUPPORT)
        _filter(
            lib,
            SCMP_ACT_ALLOW,
            [(deny, "socket", [ArgCmp(0, SCMP_CMP_EQ, af, 0)]) for af in range(AF_MAX) if af not in families],
        )
    # Last, as systemd does: once it is loaded, seccomp() itself is no longer allowed.
    error = getattr(errno, d.get("SystemCallErrorNumber", ["EPERM"])[0])
    _filter(
        lib, scmp_act_errno(error), [(SCMP_ACT_ALLOW, name, []) for name in sorted(allowed_syscalls(unit))]
    )


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] != "--":
        sys.stderr.write("usage: unit_sandbox.py UNIT_FILE -- COMMAND [ARG...]\n")
        return 2
    unit = Path(argv[0])
    umask = directives(unit).get("UMask")
    if umask:
        os.umask(int(umask[0], 8))
    apply_unit_sandbox(unit)
    os.execvp(argv[2], argv[2:])
    return 127


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
