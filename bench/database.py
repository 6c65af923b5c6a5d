"""A fresh, migrated database for an in-process benchmark, removed afterwards: a SQLite file in
a temporary folder, or with a PostgreSQL maintenance database URL a new database on that
server (the DATABASE_URL of the environment is replaced by it)."""

import secrets
import tempfile
from contextlib import contextmanager
from pathlib import Path


def use_sqlite_file(path: Path) -> None:
    """Point Django at a fresh SQLite file before anything opens a connection."""
    from django.conf import settings

    settings.DATABASES["default"] = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }


def use_postgres(url: str, name: str) -> None:
    """Point Django at database ``name`` on the server of ``url``, configured as the settings
    configure PostgreSQL (the settings must not have been read yet)."""
    import os

    os.environ["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + name
    from django.conf import settings

    if settings.DATABASES["default"]["NAME"] != name:
        raise RuntimeError("The settings were read before the bench chose its database.")


@contextmanager
def fresh_database(database_url: str | None, prefix: str):
    """Set Django up on a new database, migrate it, yield "SQLite" or "PostgreSQL", and drop
    it afterwards whatever happens."""
    name = f"{prefix}_{secrets.token_hex(3)}"
    with tempfile.TemporaryDirectory() as tmp:
        if database_url:
            import psycopg

            with psycopg.connect(database_url, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            use_postgres(database_url, name)
        else:
            use_sqlite_file(Path(tmp) / f"{prefix}.sqlite3")

        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections

        try:
            call_command("migrate", verbosity=0)
            yield "PostgreSQL" if database_url else "SQLite"
        finally:
            connections.close_all()
            if database_url:
                with psycopg.connect(database_url, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
