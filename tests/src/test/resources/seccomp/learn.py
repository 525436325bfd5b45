"""A small worker for learning mode: the same run learnt, then enforced.

With the argument "extra" it also makes one syscall the learnt run never made (getpriority) and
reports how that went. Stdlib only; prints the same lines on every run.
"""
import hashlib
import json
import os
import sqlite3
import sys
import threading

home = os.environ["HOME"]
db = sqlite3.connect(os.path.join(home, "learn.db"))
db.execute("create table t (v text)")
db.execute("insert into t values (?)", (json.dumps({"n": 1}),))
db.commit()
rows = db.execute("select count(*) from t").fetchone()[0]
db.close()
done = []
t = threading.Thread(target=lambda: done.append(hashlib.sha256(b"x").hexdigest()[:8]))
t.start()
t.join()
print("rows", rows, done, sorted(os.listdir(home)), flush=True)
if sys.argv[1:] == ["extra"]:
    try:
        os.getpriority(os.PRIO_PROCESS, 0)
        print("getpriority allowed", flush=True)
    except PermissionError as e:
        print("getpriority refused", e.errno, flush=True)
