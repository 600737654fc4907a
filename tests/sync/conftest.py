from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sync.helpers import Backend, Pki, make_pki


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def backend(pki: Pki, tmp_path: Path) -> Iterator[Backend]:
    b = Backend(pki, tmp_path / "backend").start()
    yield b
    b.stop()


# ------------------------------------------------------------------------------------- PostgreSQL

PG_BIN = Path("/usr/lib/postgresql/15/bin")


class PostgresServer:
    """A private PostgreSQL in a temp dir on a free loopback port, run as the `postgres` user."""

    def __init__(self, root: Path) -> None:
        import shutil
        import subprocess

        from tests.sync.helpers import free_port

        self.root = root
        self.port = free_port()
        self.data = root / "pgdata"
        root.mkdir(parents=True, exist_ok=True)
        shutil.chown(root, "postgres", "postgres")
        self._as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run(
            [
                *self._as_postgres,
                str(PG_BIN / "initdb"),
                "-D",
                str(self.data),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
                "-E",
                "UTF8",
            ],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [
                *self._as_postgres,
                str(PG_BIN / "pg_ctl"),
                "-D",
                str(self.data),
                "-w",
                "-l",
                str(root / "pg.log"),
                "-o",
                f"-p {self.port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off",
                "start",
            ],
            check=True,
            capture_output=True,
        )
        self._n = 0

    def new_database(self) -> str:
        import psycopg

        self._n += 1
        name = f"kiosk_{os.getpid()}_{self._n}"
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def url(self, db: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{db}"

    def stop(self) -> None:
        import subprocess

        subprocess.run(
            [*self._as_postgres, str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"],
            check=False,
            capture_output=True,
        )


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    import shutil
    import tempfile

    if not (PG_BIN / "initdb").exists():
        pytest.skip("PostgreSQL 15 server binaries not installed (/usr/lib/postgresql/15/bin)")
    root = Path(tempfile.mkdtemp(prefix="kiosk-pg-"))
    server = PostgresServer(root)
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def any_backend(request: pytest.FixtureRequest, pki: Pki, tmp_path: Path) -> Iterator[Backend]:
    db_url = request.getfixturevalue("postgres").new_database() if request.param == "postgresql" else ""
    b = Backend(pki, tmp_path / "backend", db_url=db_url).start()
    yield b
    b.stop()
