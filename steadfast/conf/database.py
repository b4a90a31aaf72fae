"""DATABASES from DATABASE_URL (PostgreSQL, or SQLite: a file in the data folder by default) and the optional read
replica (DATABASE_REPLICA_URL). Called from settings.py, which needs DATABASE_URL and DATA_DIR for later blocks."""

import dj_database_url

from steadfast.env import env_int, env_str, env_url

# WAL lets the web server and the Huey worker read while the other writes; a writer waits its turn (timeout).
SQLITE_OPTIONS = {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                  "transaction_mode": "IMMEDIATE", "timeout": 20}


def databases(url: str, data_dir) -> dict:
    if url:
        found = {"default": dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60, 0))}
        if url.startswith("sqlite"):
            found["default"]["OPTIONS"] = dict(SQLITE_OPTIONS)
    else:
        found = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": data_dir / "steadfast.sqlite3",
                             "OPTIONS": dict(SQLITE_OPTIONS)}}
    # Separate test database names let several test runs share one PostgreSQL server.
    if env_str("DATABASE_TEST_NAME"):
        found["default"]["TEST"] = {"NAME": env_str("DATABASE_TEST_NAME")}
    # Optional read replica: catalog and status pages read from it (steadfast/replica.py; docs/production.md).
    replica = env_url("DATABASE_REPLICA_URL", "", schemes=("postgres", "postgresql"))
    if replica:
        found["replica"] = dj_database_url.parse(replica, conn_max_age=60)
        found["replica"]["TEST"] = {"MIRROR": "default"}  # tests: the same database under the second alias
    return found
