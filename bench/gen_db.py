"""Database plumbing for the generator: create the database, COPY, drop and recreate the secondary
indexes and constraints of the bulk tables (read from the catalogue, so whatever a later migration
adds is handled the same way), analyse, and move the id sequences past the generated ids."""

from __future__ import annotations

import sys
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit, urlunsplit

import psycopg

SESSION = (
    "SET synchronous_commit = off",
    "SET TimeZone = 'UTC'",
    "SET maintenance_work_mem = '1GB'",
    "SET max_parallel_maintenance_workers = 0",  # the generator runs two builds side by side itself
    "SET work_mem = '256MB'",
)


def connect(url: str) -> psycopg.Connection:
    conn = psycopg.connect(url)
    with conn.cursor() as cur:
        for stmt in SESSION:
            cur.execute(stmt)
    conn.commit()
    return conn


def server_url(url: str, dbname: str = "postgres") -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + dbname))


def db_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def create_database(url: str, *, drop: bool) -> None:
    name = db_name(url)
    with psycopg.connect(server_url(url), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not drop:
            raise SystemExit(f"database {name} exists; pass --drop to recreate it")
        if exists:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    with psycopg.connect(server_url(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db_name(url)}" WITH (FORCE)')


def copy(conn: psycopg.Connection, table: str, columns: list[str], data: bytes) -> None:
    if not data:
        return
    cols = ", ".join(f'"{c}"' for c in columns)
    with conn.cursor() as cur, cur.copy(f'COPY "{table}" ({cols}) FROM STDIN') as cp:
        step = 8 << 20
        for i in range(0, len(data), step):
            cp.write(data[i : i + step])


class Schema:
    """The droppable parts of the bulk tables, saved as the statements that recreate them."""

    def __init__(self, conn: psycopg.Connection, tables: list[str]):
        self.tables = tables
        rows = conn.execute(
            """
            SELECT c.conname, c.conrelid::regclass::text, c.contype, pg_get_constraintdef(c.oid)
            FROM pg_constraint c
            WHERE c.contype IN ('p', 'u', 'f')
              AND (c.conrelid::regclass::text = ANY(%s) OR (c.contype = 'f' AND c.confrelid::regclass::text = ANY(%s)))
            """,
            [tables, tables],
        ).fetchall()
        self.keys = [(n, t, d) for n, t, k, d in rows if k in "pu"]
        self.fks = [(n, t, d) for n, t, k, d in rows if k == "f"]
        backing = {n for n, _t, _d in self.keys}
        self.indexes = [
            (name, table, sql)
            for name, table, sql in conn.execute(
                "SELECT indexname, tablename, indexdef FROM pg_indexes WHERE schemaname = 'public' "
                "AND tablename = ANY(%s)",
                [tables],
            ).fetchall()
            if name not in backing
        ]

    def drop(self, conn: psycopg.Connection) -> None:
        for name, table, _d in self.fks:
            conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, table, _d in self.keys:
            conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _t, _s in self.indexes:
            conn.execute(f'DROP INDEX "{name}"')
        conn.commit()

    def restore(self, url: str, sizes: dict[str, int], progress=None) -> None:
        """Keys and indexes first (two at a time, biggest tables first), then the foreign keys, which
        need the referenced keys."""
        first = [(t, f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}') for n, t, d in self.keys]
        first += [(t, sql) for _n, t, sql in self.indexes]
        fks = [(t, f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}') for n, t, d in self.fks]
        for batch in (first, fks):
            batch.sort(key=lambda ts: -sizes.get(ts[0].strip('"'), 0))
            run_parallel(url, [sql for _t, sql in batch], progress)


def run_parallel(url: str, statements: list[str], progress=None, workers: int = 2) -> None:
    if not statements:
        return
    queue = list(statements)

    def worker():
        with connect(url) as conn:
            conn.autocommit = True
            while queue:
                try:
                    sql = queue.pop(0)
                except IndexError:
                    return
                start = time.monotonic()
                conn.execute(sql)
                took = time.monotonic() - start
                if took > 20:  # the slow ones say where the time of this phase goes
                    print(f"  {took:6.1f} s  {sql[:110]}", file=sys.stderr, flush=True)
                if progress is not None:
                    progress.update(1)

    with ThreadPoolExecutor(workers) as pool:
        for f in [pool.submit(worker) for _ in range(workers)]:
            f.result()


def set_sequences(conn: psycopg.Connection, tables: list[str]) -> None:
    for table in tables:
        seq = conn.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table]).fetchone()[0]
        if seq:
            conn.execute(f"SELECT setval('{seq}', COALESCE((SELECT max(id) FROM \"{table}\"), 0) + 1, false)")
    conn.commit()
