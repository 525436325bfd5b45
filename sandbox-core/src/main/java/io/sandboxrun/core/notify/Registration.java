package io.sandboxrun.core.notify;

import io.sandboxrun.core.linux.Fd;
import java.util.concurrent.atomic.LongAdder;

/**
 * One seccomp listener served by a {@link NotificationLoop}. Closing it unregisters the listener
 * and closes it; the kernel then fails every pending and later notified syscall of that filter
 * with ENOSYS, so no target stays blocked. The loop closes it by itself when the filter's last
 * task has exited (EPOLLHUP).
 */
public final class Registration implements AutoCloseable {
    private final NotificationLoop loop;
    final long key;
    final Fd listener;
    final NotificationHandler handler;
    final String label;
    final Object attachment;
    final LongAdder answered = new LongAdder();
    /** Loop threads using {@link #listener} now, plus one for a close in progress. */
    private int users;
    private boolean closed;

    Registration(NotificationLoop loop, long key, Fd listener, NotificationHandler handler, String label, Object attachment) {
        this.loop = loop;
        this.key = key;
        this.listener = listener;
        this.handler = handler;
        this.label = label;
        this.attachment = attachment;
    }

    /** True until closed (by the caller, by the loop on EPOLLHUP, or with the loop). */
    public synchronized boolean isOpen() { return !closed; }

    /** Notifications of this listener answered so far. */
    public long answered() { return answered.sum(); }

    /** The log context given at registration. */
    public String label() { return label; }

    /** Unregisters and closes the listener (at once, or when a loop thread finishes with it). Idempotent. */
    @Override
    public void close() {
        loop.unregister(this);
    }

    /** A loop thread takes the listener for one event; false once closed. */
    synchronized boolean acquire() {
        if (closed) return false;
        users++;
        return true;
    }

    /** Starts closing: true for the first caller, who must {@link #release()} when done. */
    synchronized boolean beginClose() {
        if (closed) return false;
        closed = true;
        users++;
        return true;
    }

    /** The last user of a closed registration closes the descriptor, so no thread ever uses a reused number. */
    void release() {
        boolean last;
        synchronized (this) {
            last = --users == 0 && closed;
        }
        if (last) listener.close();
    }

    @Override
    public String toString() { return "Registration[" + label + "]"; }
}
