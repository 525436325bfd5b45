package io.sandboxrun.core.notify;

import io.sandboxrun.core.linux.Epoll;
import io.sandboxrun.core.linux.Errno;
import io.sandboxrun.core.linux.Eventfd;
import io.sandboxrun.core.linux.Fd;
import io.sandboxrun.core.linux.ProcessVm;
import io.sandboxrun.core.linux.SeccompNotify;
import io.sandboxrun.core.linux.SeccompNotify.Notification;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Serves the seccomp listeners of every instance with a fixed number of threads: epoll over all
 * listeners, then RECV, the registration's handler, SEND. No thread per instance.
 *
 * <p><b>Threads and epoll mode.</b> RECV blocks when nothing is pending (the listener ignores
 * O_NONBLOCK), so two threads must never both RECV on one readiness report. With one thread
 * (the default) listeners are level-triggered: one RECV per report, and a listener with more
 * pending notifications is simply reported again. With more threads every listener is
 * EPOLLONESHOT: exactly one thread gets the report, RECVs one notification and re-arms the
 * listener <em>before</em> running the handler, so another thread can take the same instance's
 * next notification meanwhile (each re-arm reports only a notification nobody has received:
 * the kernel's pending count is never below the number of unreceived notifications). Threads
 * then take one event per epoll_wait so that a slow handler does not hold a batch of ready
 * listeners. EPOLLEXCLUSIVE would not do: it limits wake-ups, not the number of threads that see
 * one readiness. Handlers still run on these threads: a handler that waits (DNS, a proxy)
 * delays every instance behind it unless the loop has threads to spare.
 *
 * <p><b>Targets that die.</b> A target killed between the wake-up and RECV makes RECV fail with
 * ENOENT; one killed while its handler runs makes SEND fail with ENOENT. Both are counted in
 * {@link #targetGone()}, never thrown. A handler that throws is logged with the registration's
 * label and answered with EPERM. Closing a registration with a notification pending makes the
 * kernel answer it (and any later one) with ENOSYS. A target is therefore never left blocked.
 */
public final class NotificationLoop implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(NotificationLoop.class.getName());
    private static final long WAKE_KEY = 0;
    private static final int BATCH = 64;

    private final Fd epoll;
    private final Fd wake = Eventfd.open();
    private final boolean oneShot;
    private final int interest;
    private final List<Thread> threads = new ArrayList<>();
    private final ConcurrentHashMap<Long, Registration> registrations = new ConcurrentHashMap<>();
    private final AtomicLong nextKey = new AtomicLong(WAKE_KEY + 1);
    private final LongAdder received = new LongAdder(), answered = new LongAdder(), targetGone = new LongAdder(),
            handlerFailed = new LongAdder();
    private volatile boolean closed;

    /** One thread. */
    public NotificationLoop() {
        this(1);
    }

    /**
     * Starts {@code threads} daemon threads named {@code sandbox-run-notify-N}.
     *
     * @throws IllegalStateException when the kernel has no usable user notification
     */
    public NotificationLoop(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads " + threads);
        SeccompNotify.checkSizes();
        this.oneShot = threads > 1;
        this.interest = Epoll.EPOLLIN | (oneShot ? Epoll.EPOLLONESHOT : 0);
        this.epoll = Epoll.create();
        try {
            Epoll.add(epoll, wake, Epoll.EPOLLIN, WAKE_KEY); // level-triggered and never drained: wakes every thread on close
        } catch (RuntimeException e) {
            epoll.close();
            wake.close();
            throw e;
        }
        int batch = oneShot ? 1 : BATCH;
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> run(batch), "sandbox-run-notify-" + i);
            t.setDaemon(true);
            this.threads.add(t);
            t.start();
        }
    }

    /** {@link #register(Fd, NotificationHandler, String, Object)} without attachment, labelled by the descriptor. */
    public Registration register(Fd listener, NotificationHandler handler) {
        return register(listener, handler, "listener " + listener, null);
    }

    /**
     * Serves {@code listener} with {@code handler} from now on. Takes ownership of the listener
     * (closed on failure too). {@code label} prefixes every log line about it; {@code attachment}
     * is handed to the handler through {@link NotifyContext#attachment}.
     */
    public Registration register(Fd listener, NotificationHandler handler, String label, Object attachment) {
        if (closed) {
            listener.close();
            throw new IllegalStateException("notification loop is closed");
        }
        SeccompNotify.setSyncWakeUp(listener);   // best effort: Linux 6.6+
        Registration r = new Registration(this, nextKey.getAndIncrement(), listener, handler, label, attachment);
        registrations.put(r.key, r);
        try {
            Epoll.add(epoll, listener, interest, r.key);
        } catch (RuntimeException e) {
            registrations.remove(r.key);
            listener.close();
            throw e;
        }
        LOG.log(Level.DEBUG, () -> label + " notify: registered fd=" + listener);
        return r;
    }

    void unregister(Registration r) {
        if (!r.beginClose()) return;
        try {
            registrations.remove(r.key);
            if (!closed) Epoll.delete(epoll, r.listener);
        } catch (RuntimeException e) {
            // The epoll set may be closing with the loop; closing the listener removes it anyway.
            LOG.log(Level.DEBUG, () -> r.label + " notify: epoll delete: " + e.getMessage());
        } finally {
            r.release();
        }
    }

    private void run(int batch) {
        Epoll.Events events = new Epoll.Events(batch);
        while (!closed) {
            try {
                Epoll.wait(epoll, events, -1);
            } catch (RuntimeException e) {
                if (closed) return;
                LOG.log(Level.ERROR, "notify: epoll_wait failed: " + e.getMessage());
                pause();
                continue;
            }
            for (int i = 0; i < events.count(); i++) {
                long key = events.data(i);
                if (key == WAKE_KEY) continue;
                Registration r = registrations.get(key);
                if (r != null) serve(r, events.events(i));
            }
        }
    }

    /** One readiness report of one listener: a notification to answer, or the filter's end. */
    private void serve(Registration r, int ready) {
        if (!r.acquire()) return;
        try {
            if ((ready & Epoll.EPOLLIN) != 0) {
                Optional<Notification> n = receive(r);
                if (oneShot && r.isOpen() && !closed) Epoll.modify(epoll, r.listener, interest, r.key);
                n.ifPresent(x -> answer(r, x));
            } else if ((ready & (Epoll.EPOLLHUP | Epoll.EPOLLERR)) != 0) {
                // Every task of the filter has exited: nothing can be notified on it again.
                LOG.log(Level.DEBUG, () -> r.label + " notify: filter has no tasks left, closing listener");
                r.close();
            }
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, r.label + " notify: listener failed, closing it (its targets get ENOSYS): " + e.getMessage(), e);
            r.close();
        } finally {
            r.release();
        }
    }

    private Optional<Notification> receive(Registration r) {
        Optional<Notification> n = SeccompNotify.receive(r.listener);
        if (n.isPresent()) {
            received.increment();
        } else {
            targetGone.increment();
            LOG.log(Level.TRACE, () -> r.label + " notify: target gone before receive");
        }
        return n;
    }

    private void answer(Registration r, Notification n) {
        Context ctx = new Context(r, n);
        Response response;
        try {
            response = r.handler.handle(n, ctx);
            if (response == null) throw new NullPointerException("handler returned null");
        } catch (Throwable t) { // any failure of a handler: the target must still get an answer
            handlerFailed.increment();
            LOG.log(Level.ERROR, r.label + " notify: handler failed, answering EPERM: pid=" + n.pid() + " nr=" + n.nr()
                    + " id=" + Long.toUnsignedString(n.id()) + ": " + t, t);
            response = Response.error(Errno.EPERM);
        }
        Response sent = response;
        if (SeccompNotify.send(r.listener, reply(n.id(), response))) {
            answered.increment();
            r.answered.increment();
            LOG.log(Level.TRACE, () -> r.label + " notify: pid=" + n.pid() + " nr=" + n.nr() + " -> " + sent);
        } else {
            targetGone.increment();
            LOG.log(Level.DEBUG, () -> r.label + " notify: target gone before the answer: pid=" + n.pid() + " nr=" + n.nr());
        }
    }

    /** The struct seccomp_notif_resp for {@code response} (the kernel wants a negative errno). */
    static SeccompNotify.Reply reply(long id, Response response) {
        if (response instanceof Response.Continue) {
            return new SeccompNotify.Reply(id, 0, 0, SeccompNotify.USER_NOTIF_FLAG_CONTINUE);
        }
        if (response instanceof Response.Error) {
            return new SeccompNotify.Reply(id, 0, -((Response.Error) response).errno(), 0);
        }
        return new SeccompNotify.Reply(id, ((Response.Value) response).value(), 0, 0);
    }

    /** Notifications received (RECV succeeded). */
    public long received() { return received.sum(); }

    /** Notifications answered (SEND succeeded). */
    public long answered() { return answered.sum(); }

    /** Targets that were gone at RECV or at SEND (ENOENT). */
    public long targetGone() { return targetGone.sum(); }

    /** Handlers that threw or returned null (answered EPERM). */
    public long handlerFailed() { return handlerFailed.sum(); }

    /** Listeners registered and not yet closed. */
    public int registrations() { return registrations.size(); }

    /** The loop's threads (fixed at construction). */
    public int threadCount() { return threads.size(); }

    /**
     * Stops the threads (waiting up to 2 s for running handlers) and closes every registration;
     * their targets get ENOSYS from then on.
     */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        Eventfd.signal(wake);
        for (Thread t : threads) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            if (t.isAlive()) LOG.log(Level.WARNING, "notify: " + t.getName() + " still in a handler after 2 s; leaving it");
        }
        new ArrayList<>(registrations.values()).forEach(Registration::close);
        epoll.close();
        wake.close();
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The per-notification view a handler gets. */
    private static final class Context implements NotifyContext {
        private final Registration r;
        private final Notification n;

        Context(Registration r, Notification n) {
            this.r = r;
            this.n = n;
        }

        @Override public int pid() { return n.pid(); }

        @Override public long id() { return n.id(); }

        @Override public boolean stillValid() { return SeccompNotify.idValid(r.listener, n.id()); }

        @Override public Optional<byte[]> readMemory(long address, int length) { return ProcessVm.read(n.pid(), address, length); }

        @Override public <T> T attachment(Class<T> type) { return type.cast(r.attachment); }

        @Override public String label() { return r.label; }
    }
}
