"""multiprocessing inside the sandbox: a Pool, a Lock and a Queue shared by processes, a
ProcessPoolExecutor and a SharedMemory block; each lives on /dev/shm (named semaphores, the shared
heap, shm_open).

    python3 multiprocessing-parts.py [START_METHOD]      fork (the default), forkserver or spawn

Prints one line per part, then what is left in /dev/shm. A part that fails with an OSError (a
profile that refuses new processes) prints "PART refused ERRNO" and the script exits 1. Stdlib only.
"""
import concurrent.futures
import errno
import multiprocessing
import os
import sys
from multiprocessing import shared_memory


def square(x):
    return x * x


def add_under_lock(lock, total, queue, n):
    for _ in range(1000):
        with lock:
            total.value += 1
    queue.put((n, os.getpid()))


def write_hello(name):
    block = shared_memory.SharedMemory(name=name)
    block.buf[:5] = b"hello"
    block.close()


def pool():
    with multiprocessing.Pool(2) as p:
        return p.map(square, range(6))


def lock_and_queue():
    lock = multiprocessing.Lock()
    total = multiprocessing.Value("i", 0, lock=False)
    queue = multiprocessing.Queue()
    workers = [multiprocessing.Process(target=add_under_lock, args=(lock, total, queue, n)) for n in range(3)]
    for w in workers:
        w.start()
    got = [queue.get(timeout=30) for _ in workers]   # before join: a worker exits once its item is flushed
    for w in workers:
        w.join()
    return "total %d, items %s from %d processes" % (total.value, sorted(n for n, _ in got),
                                                     len({pid for _, pid in got}))


def executor():
    with concurrent.futures.ProcessPoolExecutor(2) as ex:
        return list(ex.map(square, range(4)))


def shared_block():
    block = shared_memory.SharedMemory(create=True, size=4096)
    try:
        p = multiprocessing.Process(target=write_hello, args=(block.name,))
        p.start()
        p.join()
        return bytes(block.buf[:5])
    finally:
        block.close()
        block.unlink()


if __name__ == "__main__":
    if len(sys.argv) > 1:
        multiprocessing.set_start_method(sys.argv[1])
    for name, part in (("pool", pool), ("lock+queue", lock_and_queue), ("executor", executor),
                       ("shared_memory", shared_block)):
        try:
            print(name, part(), flush=True)
        except OSError as e:
            print(name, "refused", errno.errorcode.get(e.errno, e.errno), flush=True)
            sys.exit(1)
    print("/dev/shm left", sorted(os.listdir("/dev/shm")), flush=True)
