#!/usr/bin/env bash
# Install the Smart Kiosk as an appliance on Debian 12: users, folders, virtualenv, config, key
# permissions, systemd units. Idempotent: run it again after an update, or to repair permissions.
#
#   sudo systemd/install.sh                       # this machine (/), from this checkout, deps from PyPI
#   sudo systemd/install.sh --wheelhouse DIR      # offline, from a folder of wheels
#   sudo systemd/install.sh --prefix /tmp/root    # a throwaway root, for tests (see below)
#
# With --prefix ROOT nothing outside ROOT changes: users and groups are written into ROOT/etc/passwd
# and ROOT/etc/group (ids 900-999 not already used there) instead of calling useradd, files are owned
# by those numeric ids, apt and service restarts are skipped, and units are enabled with
# `systemctl --root=ROOT`. The venv's scripts then name ROOT/opt/... in their #! lines, as a venv must.
#
# Layout:
#   /opt/smart-kiosk/venv                 root, read-only for the services
#   /etc/smart-kiosk/kiosk.toml           root 0600; each unit gets a private copy (LoadCredential=)
#   /var/lib/smart-kiosk                  data folder (see smart-kiosk.tmpfiles for every mode)
#   /etc/systemd/system/kiosk-ui.service, kiosk-sync.service
#   /etc/tmpfiles.d/smart-kiosk.conf, /etc/systemd/journald.conf.d/smart-kiosk.conf, /etc/pam.d/smart-kiosk
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SOURCE="$(cd "$HERE/.." && pwd)"
PREFIX=""
PYTHON="/usr/bin/python3"
WHEELHOUSE=""
NO_DEPS=0
NO_APT=0
NO_START=0
PROFILE="hardware"
KIOSK_ID=""

UI_USER="kiosk"
SYNC_USER="kiosk-sync"
SHARED_GROUP="kiosk-data"
# Groups that own the kiosk's devices on Debian; the screen user joins those that exist.
UI_DEVICE_GROUPS="video render input audio dialout scanner lp"
# What the kiosk needs at run time (the development extras are in systemd/kiosk-dev.sh).
APT_RUNTIME="cage libpam-systemd python3-venv tesseract-ocr tesseract-ocr-vie tesseract-ocr-eng tesseract-ocr-osd \
libzbar0 sane-utils libsane1 cups cups-client printer-driver-cups-pdf opensc espeak-ng fonts-dejavu-core \
libgl1 libegl1 libglib2.0-0 libfontconfig1 libdbus-1-3 libxkbcommon0 libwayland-client0 libwayland-cursor0 libwayland-egl1"
# face_recognition pins a `dlib` that compiles for half an hour; dlib-bin (a dependency) provides it.
FACE_PACKAGES="face_recognition==1.3.0 face_recognition_models==0.3.0"

usage() {
    cat <<EOF
usage: $0 [options]
  --prefix ROOT        install into ROOT instead of / (tests; users simulated in ROOT/etc/passwd)
  --source DIR         the checkout to install (default: $SOURCE)
  --python PATH        interpreter for the venv (default: $PYTHON)
  --wheelhouse DIR     install from wheels in DIR, without the network
  --no-deps            install the kiosk package only, not its dependencies (tests)
  --profile NAME       profile of a new config: hardware (default) or simulated
  --kiosk-id ID        [kiosk] id of a new config (e.g. HN-001)
  --no-apt             do not apt-get install the runtime packages
  --no-start           do not (re)start the services
EOF
}

die() { echo "install.sh: $*" >&2; exit 2; }
say() { echo "install.sh: $*"; }

while [[ $# -gt 0 ]]; do
    case "$1" in
        --prefix) PREFIX="${2:?--prefix needs a folder}"; shift 2 ;;
        --prefix=*) PREFIX="${1#*=}"; shift ;;
        --source) SOURCE="${2:?--source needs a folder}"; shift 2 ;;
        --python) PYTHON="${2:?--python needs a path}"; shift 2 ;;
        --wheelhouse) WHEELHOUSE="${2:?--wheelhouse needs a folder}"; shift 2 ;;
        --no-deps) NO_DEPS=1; shift ;;
        --profile) PROFILE="${2:?--profile needs a name}"; shift 2 ;;
        --kiosk-id) KIOSK_ID="${2:?--kiosk-id needs an id}"; shift 2 ;;
        --no-apt) NO_APT=1; shift ;;
        --no-start) NO_START=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown option: $1" ;;
    esac
done

[[ "$(id -u)" == 0 ]] || die "run as root (it creates users and sets owners)"
case "$PROFILE" in hardware|simulated) ;; *) die "--profile must be hardware or simulated, not '$PROFILE'" ;; esac
if [[ -n "$KIOSK_ID" && ! "$KIOSK_ID" =~ ^[A-Z0-9][A-Z0-9-]{1,31}$ ]]; then
    die "--kiosk-id '$KIOSK_ID': use capital letters, digits and '-', e.g. HN-001"
fi
[[ -f "$SOURCE/pyproject.toml" ]] || die "--source $SOURCE: no pyproject.toml there"
[[ -x "$PYTHON" ]] || die "--python $PYTHON: not an executable"
[[ -z "$WHEELHOUSE" || -d "$WHEELHOUSE" ]] || die "--wheelhouse $WHEELHOUSE: not a folder"
if [[ -n "$PREFIX" ]]; then
    mkdir -p "$PREFIX"
    PREFIX="$(cd "$PREFIX" && pwd)"
    [[ "$PREFIX" != "/" ]] || PREFIX=""
fi
R="$PREFIX"
VENV="/opt/smart-kiosk/venv"
CONFIG="/etc/smart-kiosk/kiosk.toml"
DATA="/var/lib/smart-kiosk"

# -- packages -------------------------------------------------------------------------------------------
if [[ -z "$R" && "$NO_APT" == 0 ]]; then
    say "installing runtime packages"
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $APT_RUNTIME
fi

# -- users and groups -----------------------------------------------------------------------------------
free_id() {  # lowest unused id in 900..999 among ROOT/etc/passwd uids and ROOT/etc/group gids
    local id
    for ((id = 999; id >= 900; id--)); do
        if ! cut -d: -f3 "$R/etc/passwd" "$R/etc/group" | grep -qx "$id"; then echo "$id"; return; fi
    done
    die "no free system id in 900-999 under $R/etc"
}

ensure_group() {  # NAME
    if [[ -z "$R" ]]; then
        getent group "$1" >/dev/null || groupadd --system "$1"
    elif ! grep -q "^$1:" "$R/etc/group"; then
        echo "$1:x:$(free_id):" >>"$R/etc/group"
    fi
}

ensure_user() {  # NAME (its own group of the same name, no login, home = data folder)
    if [[ -z "$R" ]]; then
        ensure_group "$1"
        id -u "$1" >/dev/null 2>&1 || useradd --system --gid "$1" --home-dir "$DATA" --no-create-home \
            --shell /usr/sbin/nologin --comment "Smart Kiosk" "$1"
    elif ! grep -q "^$1:" "$R/etc/passwd"; then
        ensure_group "$1"
        local gid uid
        gid="$(grep "^$1:" "$R/etc/group" | cut -d: -f3)"
        uid="$gid"
        if cut -d: -f3 "$R/etc/passwd" | grep -qx "$uid"; then uid="$(free_id)"; fi
        echo "$1:x:$uid:$gid:Smart Kiosk:$DATA:/usr/sbin/nologin" >>"$R/etc/passwd"
        if [[ -f "$R/etc/shadow" ]] && ! grep -q "^$1:" "$R/etc/shadow"; then echo "$1:!*:::::::" >>"$R/etc/shadow"; fi
    fi
}

ensure_member() {  # USER GROUP (skipped when the group does not exist on this system)
    if [[ -z "$R" ]]; then
        getent group "$2" >/dev/null || return 0
        id -nG "$1" | tr ' ' '\n' | grep -qx "$2" || usermod -aG "$2" "$1"
    else
        grep -q "^$2:" "$R/etc/group" || return 0
        local members
        members="$(grep "^$2:" "$R/etc/group" | cut -d: -f4)"
        if ! tr ',' '\n' <<<"$members" | grep -qx "$1"; then
            local line
            line="$2:$(grep "^$2:" "$R/etc/group" | cut -d: -f2,3):${members:+$members,}$1"
            local tmp="$R/etc/group.kiosk-tmp"
            awk -F: -v g="$2" -v l="$line" '$1 == g { print l; next } { print }' "$R/etc/group" >"$tmp"
            cat "$tmp" >"$R/etc/group" && rm -f "$tmp"
        fi
    fi
}

if [[ -n "$R" ]]; then
    mkdir -p "$R/etc"
    [[ -f "$R/etc/passwd" ]] || echo "root:x:0:0:root:/root:/bin/bash" >"$R/etc/passwd"
    [[ -f "$R/etc/group" ]] || echo "root:x:0:" >"$R/etc/group"
fi
ensure_group "$SHARED_GROUP"
ensure_user "$UI_USER"
ensure_user "$SYNC_USER"
ensure_member "$UI_USER" "$SHARED_GROUP"
ensure_member "$SYNC_USER" "$SHARED_GROUP"
for group in $UI_DEVICE_GROUPS; do ensure_member "$UI_USER" "$group"; done

uid_of() { if [[ -z "$R" ]]; then id -u "$1"; else grep "^$1:" "$R/etc/passwd" | cut -d: -f3; fi; }
gid_of() { if [[ -z "$R" ]]; then getent group "$1" | cut -d: -f3; else grep "^$1:" "$R/etc/group" | cut -d: -f3; fi; }

fix_owners() {  # keys belong to the user that uses them, 0600, in 0700 folders; shared files 0660
    local ui_uid ui_gid sync_uid sync_gid shared_gid
    ui_uid="$(uid_of "$UI_USER")"
    ui_gid="$(gid_of "$UI_USER")"
    sync_uid="$(uid_of "$SYNC_USER")"
    sync_gid="$(gid_of "$SYNC_USER")"
    shared_gid="$(gid_of "$SHARED_GROUP")"
    if [[ -d "$R$DATA/keys" ]]; then
        find "$R$DATA/keys" -type f -exec chown "$ui_uid:$ui_gid" {} + -exec chmod 0600 {} +
        find "$R$DATA/keys" -type d -exec chown "$ui_uid:$ui_gid" {} + -exec chmod 0700 {} +
    fi
    if [[ -d "$R$DATA/sync" ]]; then
        find "$R$DATA/sync" -type f -exec chown "$sync_uid:$sync_gid" {} + -exec chmod 0600 {} +
    fi
    if [[ -d "$R$DATA/copies" ]]; then  # the screen's, readable by the sync worker for upload
        find "$R$DATA/copies" -type f -exec chown "$ui_uid:$shared_gid" {} + -exec chmod 0640 {} +
    fi
    local shared
    for shared in "$R$DATA/store" "$R$DATA/audit"; do
        [[ -d "$shared" ]] || continue
        # systemd-tmpfiles refuses to work below a folder whose files belong to someone else.
        find "$shared" -type f -exec chown "$ui_uid:$shared_gid" {} + -exec chmod u+rw,g+rw,o-rwx {} +
    done
}

# -- files of systemd -----------------------------------------------------------------------------------
install -d -m 0755 "$R/etc/systemd/system" "$R/etc/systemd/journald.conf.d" "$R/etc/tmpfiles.d" "$R/etc/pam.d"
install -m 0644 "$HERE/kiosk-ui.service" "$R/etc/systemd/system/kiosk-ui.service"
install -m 0644 "$HERE/kiosk-sync.service" "$R/etc/systemd/system/kiosk-sync.service"
install -m 0644 "$HERE/smart-kiosk.tmpfiles" "$R/etc/tmpfiles.d/smart-kiosk.conf"
install -m 0644 "$HERE/journald-smart-kiosk.conf" "$R/etc/systemd/journald.conf.d/smart-kiosk.conf"
install -m 0644 "$HERE/pam-smart-kiosk" "$R/etc/pam.d/smart-kiosk"

# -- folders (the tmpfiles rules are the one description of every mode and owner) ----------------------
apply_tmpfiles() {
    if [[ -z "$R" ]]; then
        systemd-tmpfiles --create /etc/tmpfiles.d/smart-kiosk.conf
    else
        systemd-tmpfiles --root="$R" --create "$R/etc/tmpfiles.d/smart-kiosk.conf"
    fi
}
fix_owners
apply_tmpfiles

# -- virtualenv -----------------------------------------------------------------------------------------
want_version="$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
have_version="$("$R$VENV/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true)"
if [[ "$have_version" != "$want_version" ]]; then
    say "creating the virtualenv $R$VENV (Python $want_version)"
    rm -rf "$R$VENV"
    install -d -m 0755 "$R/opt/smart-kiosk"
    "$PYTHON" -m venv "$R$VENV"
fi
pip_args=(--disable-pip-version-check --quiet)
[[ "$NO_DEPS" == 0 ]] || pip_args+=(--no-deps)
if [[ -n "$WHEELHOUSE" ]]; then
    say "installing smart-kiosk from $WHEELHOUSE"
    pip_args+=(--no-index --find-links "$WHEELHOUSE")
    "$R$VENV/bin/pip" install "${pip_args[@]}" smart-kiosk
else
    say "installing smart-kiosk from $SOURCE"
    # setuptools < 81: face_recognition_models still imports pkg_resources.
    "$R$VENV/bin/pip" install "${pip_args[@]}" --upgrade pip "setuptools>=68,<81" wheel
    "$R$VENV/bin/pip" install "${pip_args[@]}" "$SOURCE"
fi
if [[ "$NO_DEPS" == 0 ]]; then
    # shellcheck disable=SC2086
    "$R$VENV/bin/pip" install "${pip_args[@]}" --no-deps $FACE_PACKAGES
fi
[[ -f "$SOURCE/README.md" ]] && install -m 0644 "$SOURCE/README.md" "$R/opt/smart-kiosk/README.md"
chown -R 0:0 "$R/opt/smart-kiosk"
chmod -R go-w "$R/opt/smart-kiosk"

# -- config ---------------------------------------------------------------------------------------------
if [[ ! -e "$R$CONFIG" ]]; then
    say "writing a new config $R$CONFIG (profile $PROFILE)"
    umask 077
    {
        echo "# Smart Kiosk config, written by systemd/install.sh. Root's alone (0600): each service"
        echo "# reads a private copy that systemd hands it (LoadCredential=)."
        echo "profile = \"$PROFILE\""
        echo
        echo "[kiosk]"
        [[ -z "$KIOSK_ID" ]] || echo "id = \"$KIOSK_ID\""
        echo "data_dir = \"$DATA\""
        echo
        echo "[sync]"
        echo "# In the folder the screen and the sync worker share (see smart-kiosk.tmpfiles)."
        echo "database = \"store/kiosk.db\""
        echo "sync_log = \"sync/sync.jsonl\""
        echo
        echo "[audit]"
        echo "log_file = \"audit/audit.jsonl\""
    } >"$R$CONFIG.new"
    mv "$R$CONFIG.new" "$R$CONFIG"
    umask 022
fi
chown 0:0 "$R$CONFIG"
chmod 0600 "$R$CONFIG"

# -- keys and shared files ------------------------------------------------------------------------------
if [[ ! -s "$R$DATA/keys/data.key" ]]; then
    # The key that encrypts personal fields at rest: the screen creates records, the sync worker reads
    # them, so it must exist before either starts (32 random bytes, as offline_sync expects).
    say "creating the data key $R$DATA/keys/data.key"
    (umask 077 && head -c 32 /dev/urandom >"$R$DATA/keys/data.key.new" && mv "$R$DATA/keys/data.key.new" "$R$DATA/keys/data.key")
fi
fix_owners
if [[ ! -e "$R$DATA/store/kiosk.db" ]]; then
    # The store both services write: SQLite gives its -wal and -shm files the mode and group of the
    # database file, so the database is created here 0660 in the setgid folder (an empty file is an
    # empty SQLite database).
    install -m 0660 -o "$(uid_of "$UI_USER")" -g "$(gid_of "$SHARED_GROUP")" /dev/null "$R$DATA/store/kiosk.db"
fi
apply_tmpfiles

# -- units ----------------------------------------------------------------------------------------------
if [[ -z "$R" ]]; then
    if [[ -d /run/systemd/system ]]; then
        systemctl daemon-reload
        systemctl enable kiosk-ui.service kiosk-sync.service
        if [[ "$NO_START" == 0 ]]; then
            systemctl restart systemd-journald.service
            systemctl restart kiosk-sync.service kiosk-ui.service
        fi
    else
        systemctl enable kiosk-ui.service kiosk-sync.service
        say "systemd is not running here: units enabled, not started"
    fi
else
    systemctl --root="$R" enable kiosk-ui.service kiosk-sync.service >/dev/null 2>&1 \
        || systemctl --root="$R" enable kiosk-ui.service kiosk-sync.service
fi

if [[ "$NO_DEPS" == 0 && -z "$R" ]]; then
    "$VENV/bin/kiosk" config check --config "$CONFIG" >/dev/null || die "the config $CONFIG does not validate"
fi
say "done: $R/etc/systemd/system/kiosk-{ui,sync}.service, config $R$CONFIG, data $R$DATA"
