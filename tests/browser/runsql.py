#!/usr/bin/env python3
"""Runs the SQL script on stdin against the database argv[1], statement by
statement (each ends with ";" at the end of a line), the way another tool
writing the same database would.

SQLite answers SQLITE_BUSY without waiting for its busy timeout when a
transaction that has read must become a writer after another connection
committed (a deferred BEGIN; the scripts use BEGIN IMMEDIATE), and in a
few transient cases.  Then the transaction in progress is rolled back and
run again from its BEGIN (a statement outside a transaction is run again
by itself), up to 5 times.  Any other error, or the sixth BUSY, names the
statement and exits non-zero.
"""
import sqlite3
import sys
import time

db = sys.argv[1]
parts = [p for p in sys.stdin.read().split(";\n") if p.strip()]
c = sqlite3.connect(db, timeout=30, isolation_level=None)
k = 0
begin = None
busy = 0
t0 = time.time()
while k < len(parts):
    stmt = parts[k]
    try:
        if stmt.strip().upper().startswith("BEGIN"):
            begin = k
        c.execute(stmt)
        if not c.in_transaction:
            begin = None
        k += 1
    except sqlite3.Error as e:
        sys.stderr.write("%s (%s) at statement %d of %d [%s] after %.3f s\n" % (
            e, getattr(e, "sqlite_errorname", "?"), k + 1, len(parts),
            stmt.strip()[:60], time.time() - t0))
        if c.in_transaction:
            c.execute("ROLLBACK")
        busy += 1
        if not isinstance(e, sqlite3.OperationalError) or "locked" not in str(e) or busy > 5:
            sys.exit(1)
        if begin is not None:
            k = begin
        begin = None
        time.sleep(0.2 * busy)
c.close()
