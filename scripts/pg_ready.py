"""Exit 0 when the PostgreSQL URL given accepts connections, 1 otherwise."""

import sys

from sqlalchemy import create_engine, text

try:
    engine = create_engine(sys.argv[1], connect_args={"connect_timeout": 3})
    with engine.connect() as conn:
        conn.execute(text("select 1"))
except Exception as exc:  # any failure means: not usable for the test run
    print(f"PostgreSQL check failed: {exc.__class__.__name__}", file=sys.stderr)
    sys.exit(1)
sys.exit(0)
