#!/usr/bin/env bash
# Run systemd/install.sh on this machine's real root (no --prefix: real useradd, groupadd, usermod,
# systemd-tmpfiles, systemctl enable), twice, with every change kept in throwaway overlays, and then
# check what two real service users can and cannot do. Prints key=value lines.
#
#   unshare -m --propagation private tests/systemd/overlay_root_install.sh WORKDIR WHEELHOUSE
#
# Must run in a private mount namespace: /etc, /var and /opt are overlaid (upper layers on a tmpfs in
# WORKDIR), so the host never sees the users, folders or units.
set -euo pipefail
WORK="$1"
WHEELS="$2"
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

mkdir -p "$WORK/layers"
mount -t tmpfs tmpfs "$WORK/layers"
for d in etc var opt; do
    mkdir -p "$WORK/layers/$d-up" "$WORK/layers/$d-work"
    mount -t overlay overlay -o "lowerdir=/$d,upperdir=$WORK/layers/$d-up,workdir=$WORK/layers/$d-work" "/$d"
done
cd /

install_kiosk() {
    "$REPO/systemd/install.sh" --wheelhouse "$WHEELS" --no-deps --no-apt --no-start --kiosk-id HN-043
}
snapshot() {
    find /etc/smart-kiosk /var/lib/smart-kiosk /etc/systemd/system /etc/tmpfiles.d/smart-kiosk.conf \
        /etc/pam.d/smart-kiosk /etc/systemd/journald.conf.d /opt/smart-kiosk/venv/bin/kiosk \
        -printf '%p %m %u %g %s %l\n' | sort
    getent passwd kiosk kiosk-sync
    getent group kiosk-data kiosk kiosk-sync
    id kiosk
    sha256sum /var/lib/smart-kiosk/keys/data.key /etc/smart-kiosk/kiosk.toml
}

install_kiosk >"$WORK/first.log" 2>&1 || { echo "first_install=failed"; cat "$WORK/first.log"; exit 1; }
snapshot >"$WORK/snap1"
install_kiosk >"$WORK/second.log" 2>&1 || { echo "second_install=failed"; cat "$WORK/second.log"; exit 1; }
snapshot >"$WORK/snap2"
cp "$WORK/snap2" "$WORK/snapshot.txt"
if cmp -s "$WORK/snap1" "$WORK/snap2"; then echo "idempotent=yes"; else echo "idempotent=no"; diff "$WORK/snap1" "$WORK/snap2" || true; fi
echo "kiosk_groups=$(id -nG kiosk | tr ' ' ',')"
echo "sync_groups=$(id -nG kiosk-sync | tr ' ' ',')"
echo "enabled=$(find /etc/systemd/system/multi-user.target.wants -name 'kiosk-*' -printf '%f,' | sort)"

PY=/usr/bin/python3
SITE="$(echo /opt/smart-kiosk/venv/lib/python3*/site-packages)"
as() { local who="$1"; shift; runuser -u "$who" -- env PYTHONPATH="$SITE" "$@"; }

# The store both services write, through SQLite's WAL: each user inserts a row.
DB=/var/lib/smart-kiosk/store/kiosk.db
SQL='import sqlite3, sys
c = sqlite3.connect(sys.argv[1]); c.execute("pragma journal_mode=wal"); c.execute("create table if not exists t(x)")
c.execute("insert into t values (?)", (sys.argv[2],)); c.commit(); print(c.execute("select count(*) from t").fetchone()[0])'
as kiosk "$PY" -c "$SQL" "$DB" ui >/dev/null
as kiosk-sync "$PY" -c "$SQL" "$DB" sync >/dev/null
echo "sqlite_rows=$(as kiosk "$PY" -c "$SQL" "$DB" ui-again)"
echo "store_files=$(find /var/lib/smart-kiosk/store -type f -printf '%f:%m:%g,' | sort)"

# A certified copy the screen writes (with its unit's UMask=0027) is readable, not writable, by the worker.
runuser -u kiosk -- sh -c 'umask 0027 && echo "%PDF-1.7" >/var/lib/smart-kiosk/copies/HN001-000001-B.pdf'
if runuser -u kiosk-sync -- cat /var/lib/smart-kiosk/copies/HN001-000001-B.pdf >/dev/null 2>&1; then echo "sync_reads_copies=yes"; else echo "sync_reads_copies=no"; fi
if runuser -u kiosk-sync -- sh -c 'echo x >>/var/lib/smart-kiosk/copies/HN001-000001-B.pdf' 2>/dev/null; then echo "sync_writes_copies=yes"; else echo "sync_writes_copies=no"; fi

# Separation: the sync worker never reads the seal or data keys; the screen never enters sync/.
if runuser -u kiosk-sync -- cat /var/lib/smart-kiosk/keys/data.key >/dev/null 2>&1; then echo "sync_reads_keys=yes"; else echo "sync_reads_keys=no"; fi
if runuser -u kiosk -- ls /var/lib/smart-kiosk/sync >/dev/null 2>&1; then echo "ui_lists_sync=yes"; else echo "ui_lists_sync=no"; fi
if runuser -u kiosk -- cat /etc/smart-kiosk/kiosk.toml >/dev/null 2>&1; then echo "ui_reads_config=yes"; else echo "ui_reads_config=no"; fi

# The kiosk's own checks as the service user: its key passes; the audit log takes both users' entries.
as kiosk "$PY" -c 'from kiosk.runtime.security import check_private_file; check_private_file("/var/lib/smart-kiosk/keys/data.key"); print("key_check=ok")'
AUDIT='import sys; from kiosk.audit import AuditLog
AuditLog("/var/lib/smart-kiosk/audit/audit.jsonl", actor=sys.argv[1]).record(sys.argv[2], count=1)'
as kiosk "$PY" -c "$AUDIT" ui maintenance.login
as kiosk-sync "$PY" -c "$AUDIT" sync records.purged
as kiosk "$PY" -c "$AUDIT" ui maintenance.logout
echo "audit=$(as kiosk-sync "$PY" -c 'from kiosk.audit import verify_log; r = verify_log("/var/lib/smart-kiosk/audit/audit.jsonl"); print(f"{r.ok}:{r.entries}:{r.checkpoints}")')"
echo "audit_files=$(find /var/lib/smart-kiosk/audit -type f -printf '%f:%m:%g,' | sort)"
echo "done=yes"
