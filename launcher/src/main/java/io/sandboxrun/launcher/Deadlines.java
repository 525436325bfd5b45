package io.sandboxrun.launcher;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The runtime's one timer thread, for every instance: time limits, CPU-time checks and the SIGKILL
 * that follows a stop timeout. Tasks must not block; the thread count does not grow with instances.
 */
final class Deadlines implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Deadlines.class.getName());
    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "sandbox-run-timer");
        t.setDaemon(true);
        return t;
    });

    Deadlines() {
        timer.setRemoveOnCancelPolicy(true);
    }

    /** Runs {@code task} once after {@code delay}; the returned future cancels it. */
    ScheduledFuture<?> after(Duration delay, Runnable task) {
        return timer.schedule(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "timer task failed: " + e);
            }
        }, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
