"""Config and key files that other users could read or change are refused, with the fix in the message."""

from __future__ import annotations

import os
import pwd
from pathlib import Path

import pytest

from kiosk.errors import ConfigError
from kiosk.runtime.security import InsecureFileError, check_private_dir, check_private_file


def _file(tmp_path: Path, mode: int, name: str = "kiosk.toml") -> Path:
    path = tmp_path / name
    path.write_text('profile = "simulated"\n')
    path.chmod(mode)
    return path


def test_a_0600_file_of_the_running_user_passes(tmp_path):
    check_private_file(_file(tmp_path, 0o600))
    check_private_file(_file(tmp_path, 0o400, "seal.key"))


@pytest.mark.parametrize(
    ("mode", "says"),
    [
        (0o644, "permissions 0644 let the group and others read it"),
        (0o640, "permissions 0640 let the group read it"),
        (0o604, "permissions 0604 let others read it"),
        (0o620, "permissions 0620 let the group change it"),
        (0o602, "permissions 0602 let others change it"),
        (0o666, "let the group and others read it and let the group and others change it"),
        (0o610, "give the group or others execute rights"),
    ],
)
def test_loose_permissions_are_refused_with_the_fix(tmp_path, mode, says):
    path = _file(tmp_path, mode, "seal.key")
    with pytest.raises(InsecureFileError) as info:
        check_private_file(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ")
    assert says in message
    assert message.endswith(f"run: chmod 600 {path}")
    assert info.value.subject == str(path)
    # A config error: the CLI prints it on one line and exits 2.
    assert isinstance(info.value, ConfigError)
    assert info.value.exit_code == 2


def test_a_file_owned_by_another_user_is_refused(tmp_path):
    path = _file(tmp_path, 0o600)
    me = os.geteuid()
    other = 65534 if me != 65534 else 0
    if me == 0:
        os.chown(path, other, -1)
        expected_uid = None
    else:
        expected_uid = other  # cannot give a file away: ask the check to expect another owner instead
    with pytest.raises(InsecureFileError) as info:
        check_private_file(path, expected_uid=expected_uid)
    message = str(info.value)
    assert "owned by" in message
    runner = pwd.getpwuid(me if expected_uid is None else expected_uid).pw_name
    assert f"run: chown {runner} {path} && chmod 600 {path}" in message


def test_a_symlink_is_judged_by_the_file_it_names(tmp_path):
    target = _file(tmp_path, 0o644, "real.toml")
    link = tmp_path / "kiosk.toml"
    link.symlink_to(target)
    with pytest.raises(InsecureFileError, match="0644"):
        check_private_file(link)


def test_a_missing_file_is_left_to_the_loader(tmp_path):
    check_private_file(tmp_path / "absent.toml")


def test_a_folder_where_a_file_belongs_is_refused(tmp_path):
    folder = tmp_path / "kiosk.toml"
    folder.mkdir(mode=0o700)
    with pytest.raises(InsecureFileError, match="not a regular file"):
        check_private_file(folder)


def test_systemd_credentials_are_accepted(tmp_path, monkeypatch):
    # systemd's LoadCredential= copy: root-owned, 0440 through the ACL mask, in a private ramfs.
    creds = tmp_path / "credentials"
    creds.mkdir()
    path = _file(creds, 0o440)
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(creds))
    check_private_file(path)
    monkeypatch.delenv("CREDENTIALS_DIRECTORY")
    with pytest.raises(InsecureFileError):
        check_private_file(path)


def test_key_folders_must_be_0700(tmp_path):
    keys = tmp_path / "keys"
    keys.mkdir(mode=0o700)
    keys.chmod(0o700)
    check_private_dir(keys)
    keys.chmod(0o750)
    with pytest.raises(InsecureFileError, match=f"run: chmod 700 {keys}"):
        check_private_dir(keys)


def test_the_cli_prints_the_refusal_on_one_line(tmp_path, capsys):
    from kiosk.cli import _error_line

    path = _file(tmp_path, 0o644)
    with pytest.raises(InsecureFileError) as info:
        check_private_file(path)
    line = _error_line("run", info.value)
    assert (
        line == f"kiosk run: {path}: permissions 0644 let the group and others read it; run: chmod 600 {path}"
    )
    assert "\n" not in line
