"""Refuse secrets that other users could read or change.

The config names the keys and the backend; the key files sign certified copies. If a file is readable or
writable by the group or by everyone, or belongs to another user, another account on the kiosk could steal
the seal key or point the kiosk at a fake backend. The kiosk refuses to start and says how to fix it:

    kiosk run: /etc/smart-kiosk/kiosk.toml: permissions 0644 let the group and others read it; \
run: chmod 600 /etc/smart-kiosk/kiosk.toml

A file inside ``$CREDENTIALS_DIRECTORY`` is systemd's private copy made by ``LoadCredential=`` (a ramfs
only the service can reach, owned by root with a read ACL for the service user), so it is accepted as is.
"""

from __future__ import annotations

import os
import pwd
import stat
from pathlib import Path

from kiosk.errors import ConfigError

CREDENTIALS_ENV = "CREDENTIALS_DIRECTORY"


class InsecureFileError(ConfigError):
    """A config or key file other users could read or change; the message names the file and the fix."""

    default_key = "error.insecure_file"


def _user_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def _inside_credentials_dir(path: Path) -> bool:
    cred = os.environ.get(CREDENTIALS_ENV, "")
    if not cred:
        return False
    try:
        return path.resolve().is_relative_to(Path(cred).resolve())
    except OSError:
        return False


def _who(mode: int, read_bit_group: int, read_bit_other: int) -> list[str]:
    parts = []
    if mode & read_bit_group:
        parts.append("the group")
    if mode & read_bit_other:
        parts.append("others")
    return parts


def check_private_file(path: str | os.PathLike[str], *, expected_uid: int | None = None) -> None:
    """Raise InsecureFileError unless `path` is readable and writable by its owner only, and that owner
    is the user running the kiosk (`expected_uid`, default the effective uid).

    A missing file is not this check's business (the loader reports it), so it passes. The check follows
    a symlink to the file it names, which is the file that will be read.
    """
    file = Path(path)
    if _inside_credentials_dir(file):
        return
    try:
        st = file.stat()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise InsecureFileError(f"{file}: cannot check its permissions: {exc}", subject=str(file)) from None
    if not stat.S_ISREG(st.st_mode):
        raise InsecureFileError(f"{file}: not a regular file", subject=str(file))
    mode = stat.S_IMODE(st.st_mode)
    problems = []
    readers = _who(mode, stat.S_IRGRP, stat.S_IROTH)
    writers = _who(mode, stat.S_IWGRP, stat.S_IWOTH)
    if readers:
        problems.append(f"let {' and '.join(readers)} read it")
    if writers:
        problems.append(f"let {' and '.join(writers)} change it")
    if mode & (stat.S_IXGRP | stat.S_IXOTH):
        problems.append("give the group or others execute rights")
    owner = os.geteuid() if expected_uid is None else expected_uid
    if problems:
        raise InsecureFileError(
            f"{file}: permissions {mode:04o} {' and '.join(problems)}; run: chmod 600 {file}",
            subject=str(file),
        )
    if st.st_uid != owner:
        raise InsecureFileError(
            f"{file}: owned by {_user_name(st.st_uid)}, not by {_user_name(owner)} who runs the kiosk; "
            f"run: chown {_user_name(owner)} {file} && chmod 600 {file}",
            subject=str(file),
        )


def check_private_dir(path: str | os.PathLike[str], *, expected_uid: int | None = None) -> None:
    """Raise InsecureFileError if a key folder lets the group or others in (it should be mode 0700)."""
    folder = Path(path)
    try:
        st = folder.stat()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise InsecureFileError(
            f"{folder}: cannot check its permissions: {exc}", subject=str(folder)
        ) from None
    if not stat.S_ISDIR(st.st_mode):
        raise InsecureFileError(f"{folder}: not a folder", subject=str(folder))
    mode = stat.S_IMODE(st.st_mode)
    owner = os.geteuid() if expected_uid is None else expected_uid
    if mode & 0o077:
        raise InsecureFileError(
            f"{folder}: permissions {mode:04o} let other users into the key folder; run: chmod 700 {folder}",
            subject=str(folder),
        )
    if st.st_uid != owner:
        raise InsecureFileError(
            f"{folder}: owned by {_user_name(st.st_uid)}, not by {_user_name(owner)} who runs the kiosk; "
            f"run: chown {_user_name(owner)} {folder} && chmod 700 {folder}",
            subject=str(folder),
        )
