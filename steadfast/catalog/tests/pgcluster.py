"""A throwaway PostgreSQL cluster for one test, with logical replication between two of its databases.

The machine's own cluster runs with wal_level=replica and only admits `all` databases (no replication connections),
so a real primary → replica pair cannot be made there without changing its configuration. This starts a second,
private cluster (initdb into tmp_path, its own port, wal_level=logical) as the `postgres` user when run as root,
and subscribes one database to the other. Within one cluster the subscription must use a slot created beforehand
(CREATE SUBSCRIPTION would otherwise wait for itself), which is the documented way.
"""

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg

from steadfast.testing import WAIT_SECONDS, free_port, wait_until


def _bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    assert found, "PostgreSQL server binaries (initdb) not found under /usr/lib/postgresql/*/bin"
    return Path(found[-1]).parent


class PrivateCluster:
    def __init__(self):
        # Not under pytest's tmp_path: its folders are private to this user, and the server runs as `postgres`.
        self.dir = Path(tempfile.mkdtemp(prefix="steadfast-pg-"))
        self.port = free_port()
        self.bin = _bindir()
        self.as_owner = []
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            shutil.chown(self.dir, "postgres")
            self.as_owner = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args, timeout=2 * WAIT_SECONDS):
        done = subprocess.run([*self.as_owner, *args], capture_output=True, text=True, timeout=timeout)
        output = f"{done.stdout[-1500:]} {done.stderr[-1500:]}"
        assert done.returncode == 0, f"{args[0]} failed ({done.returncode}): {output}"
        return done.stdout

    def start(self):
        data = self.dir / "data"
        self._run(str(self.bin / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8")
        options = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c wal_level=logical "
                   "-c fsync=off -c synchronous_commit=off -c max_replication_slots=4 -c max_wal_senders=4")
        self._run(str(self.bin / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(self.dir / "server.log"),
                  "-w", "-t", str(2 * WAIT_SECONDS), "start")
        return self

    def stop(self):
        data = self.dir / "data"
        if data.exists():
            subprocess.run([*self.as_owner, str(self.bin / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                           capture_output=True, timeout=2 * WAIT_SECONDS)
        shutil.rmtree(self.dir, ignore_errors=True)  # a throwaway cluster: nothing in it is kept

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def sql(self, database: str, statement: str, params=()):
        with psycopg.connect(self.url(database), autocommit=True) as conn:
            cursor = conn.execute(statement, params)
            return cursor.fetchall() if cursor.description else None

    def log(self) -> str:
        path = self.dir / "server.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def create_databases(self, *names):
        for name in names:
            self.sql("postgres", f'CREATE DATABASE "{name}"')

    def copy_schema(self, source: str, target: str):
        """The subscriber needs the tables; logical replication carries rows, not schema."""
        schema = self._run(str(self.bin / "pg_dump"), "--schema-only", "--no-owner", "-h", "127.0.0.1",
                           "-p", str(self.port), "-U", "postgres", source)
        # pg_dump's psql meta-commands (\restrict …) are for psql; the SQL around them is all we need.
        schema = "\n".join(line for line in schema.splitlines() if not line.startswith("\\"))
        with psycopg.connect(self.url(target), autocommit=True) as conn:
            conn.execute(schema)

    def subscribe(self, primary: str, replica: str):
        self.sql(primary, "CREATE PUBLICATION shop FOR ALL TABLES")
        self.sql(primary, "SELECT pg_create_logical_replication_slot('shop', 'pgoutput')")
        self.sql(replica, "CREATE SUBSCRIPTION shop CONNECTION %s PUBLICATION shop "
                          "WITH (create_slot = false, slot_name = 'shop')".replace("%s", _quote(
                              f"host=127.0.0.1 port={self.port} dbname={primary} user=postgres")))
        wait_until(lambda: self.sql(replica, "SELECT count(*) FROM pg_subscription_rel WHERE srsubstate <> 'r'")
                   == [(0,)], describe="the replica to copy every table of the primary", timeout=2 * WAIT_SECONDS,
                   every=0.2)

    def pause(self, replica: str):
        self.sql(replica, "ALTER SUBSCRIPTION shop DISABLE")

    def resume(self, replica: str):
        self.sql(replica, "ALTER SUBSCRIPTION shop ENABLE")


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
