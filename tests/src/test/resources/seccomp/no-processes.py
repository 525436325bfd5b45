"""Under strict: os.fork, subprocess and a second exec each fail with EPERM while threads keep working.

Prints one line per attempt ("fork EPERM"), then what the threads computed. Stdlib only.
"""
import errno
import os
import subprocess
import threading

stop = threading.Event()
counted = []


def count():
    n = 0
    while not stop.is_set():
        n += 1
    counted.append(n)


worker = threading.Thread(target=count)
worker.start()

for name, attempt in (("fork", os.fork),
                      ("subprocess", lambda: subprocess.run(["/bin/true"])),
                      ("execv", lambda: os.execv("/bin/true", ["true"]))):
    try:
        pid = attempt()
        if pid == 0:
            os._exit(0)
        print(name, "succeeded", flush=True)
    except PermissionError as e:
        print(name, errno.errorcode[e.errno], flush=True)

print("worker alive", worker.is_alive(), flush=True)
stop.set()
worker.join()
# A thread started after the refusals: clone with CLONE_THREAD is still allowed.
later = []
t = threading.Thread(target=lambda: later.append(sum(range(100))))
t.start()
t.join()
print("threads", counted[0] > 0, later, flush=True)
