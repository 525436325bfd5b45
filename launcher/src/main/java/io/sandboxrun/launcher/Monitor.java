package io.sandboxrun.launcher;

import io.sandboxrun.core.linux.Eventfd;
import io.sandboxrun.core.linux.Fd;
import io.sandboxrun.core.linux.Poll;
import io.sandboxrun.core.linux.UnixSocket;
import io.sandboxrun.core.linux.Wait;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One thread that supervises every instance of a runtime: it polls each helper's pidfd (readable
 * when the helper exits) and log pipe (its JSON report lines), reaps the helper, and hands lines
 * and the exit status to the instance. The thread count does not grow with the instances.
 */
final class Monitor implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Monitor.class.getName());
    /** After the helper exits, how long to wait for the rest of its log before giving up on it. */
    private static final long LOG_GRACE_NANOS = 2_000_000_000L;
    private static final int MAX_LINE = 64 * 1024;

    /** Callbacks of one supervised helper; all run on the monitor thread and must not block. */
    interface Listener {
        void line(String line);

        /** A message on the control socket; the listener owns the received descriptors. */
        default void control(UnixSocket.Received message) {
            message.close();
        }

        void ended(Wait.Status status);
    }

    private final Fd wake = Eventfd.open();
    private final List<Watch> watches = new ArrayList<>();
    private final Thread thread;
    private volatile boolean closed;

    Monitor() {
        thread = new Thread(this::loop, "sandbox-run-monitor");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Starts supervising: takes ownership of {@code pidfd}, {@code log} and {@code control} (the
     * launcher's end of the helper's control socket, or null), made non-blocking.
     */
    void watch(int pid, Fd pidfd, Fd log, Fd control, Listener listener) {
        log.setNonBlocking(true);
        if (control != null) control.setNonBlocking(true);
        synchronized (watches) {
            watches.add(new Watch(pid, pidfd, log, control, listener));
        }
        Eventfd.signal(wake);
    }

    int watching() {
        synchronized (watches) {
            return watches.size();
        }
    }

    private void loop() {
        byte[] buf = new byte[8192];
        while (!closed) {
            List<Watch> snapshot;
            synchronized (watches) {
                snapshot = new ArrayList<>(watches);
            }
            int[] fds = new int[1 + 3 * snapshot.size()];
            fds[0] = wake.get();
            boolean lingering = false;
            for (int i = 0; i < snapshot.size(); i++) {
                Watch w = snapshot.get(i);
                fds[1 + 3 * i] = w.log.isOpen() ? w.log.get() : -1;   // poll ignores negative fds
                fds[2 + 3 * i] = w.status == null ? w.pidfd.get() : -1;
                fds[3 + 3 * i] = w.control != null && w.control.isOpen() ? w.control.get() : -1;
                lingering |= w.status != null;
            }
            short[] rev;
            try {
                rev = Poll.waitReadable(fds, lingering ? 100 : -1);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "monitor poll failed: " + e.getMessage());
                continue;
            }
            if (rev[0] != 0) Eventfd.drain(wake);
            for (int i = 0; i < snapshot.size(); i++) {
                Watch w = snapshot.get(i);
                try {
                    if (rev[3 + 3 * i] != 0) w.drainControl();
                    if (rev[1 + 3 * i] != 0) w.drainLog(buf);
                    if (rev[2 + 3 * i] != 0) w.reap();
                    if (w.status != null && w.log.isOpen() && System.nanoTime() - w.exitedAt > LOG_GRACE_NANOS) {
                        w.closeLog();
                    }
                    if (w.status != null && !w.log.isOpen()) finish(w);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "monitor: pid " + w.pid + ": " + e.getMessage());
                }
            }
        }
    }

    private void finish(Watch w) {
        synchronized (watches) {
            watches.remove(w);
        }
        w.pidfd.close();
        if (w.control != null) w.control.close();
        w.listener.ended(w.status);
    }

    @Override
    public void close() {
        closed = true;
        Eventfd.signal(wake);
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        wake.close();
    }

    private static final class Watch {
        final int pid;
        final Fd pidfd;
        final Fd log;
        final Fd control;
        final Listener listener;
        final ByteArrayOutputStream pending = new ByteArrayOutputStream();
        Wait.Status status;
        long exitedAt;

        Watch(int pid, Fd pidfd, Fd log, Fd control, Listener listener) {
            this.pid = pid;
            this.pidfd = pidfd;
            this.log = log;
            this.control = control;
            this.listener = listener;
        }

        void drainLog(byte[] buf) {
            while (log.isOpen()) {
                int n = log.read(buf);
                if (n < 0) return;          // nothing more for now
                if (n == 0) {               // every writer has closed it
                    closeLog();
                    return;
                }
                for (int i = 0; i < n; i++) {
                    if (buf[i] == '\n') {
                        emit();
                    } else if (pending.size() < MAX_LINE) {
                        pending.write(buf[i]);
                    }
                }
            }
        }

        void drainControl() {
            while (control.isOpen()) {
                var m = UnixSocket.receive(control);
                if (m.isEmpty()) return;                // nothing more for now
                if (m.get().endOfStream()) {            // the helper's end is closed (exec or exit)
                    control.close();
                    return;
                }
                listener.control(m.get());
            }
        }

        void closeLog() {
            if (pending.size() > 0) emit();
            log.close();
        }

        private void emit() {
            String line = pending.toString(StandardCharsets.UTF_8);
            pending.reset();
            if (!line.isBlank()) listener.line(line);
        }

        void reap() {
            Wait.poll(pid).ifPresent(s -> {
                status = s;
                exitedAt = System.nanoTime();
            });
        }
    }
}
