package io.sandboxrun.core.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sandboxrun.core.linux.Errno;
import io.sandboxrun.core.linux.Ids;
import io.sandboxrun.core.linux.Signals;
import io.sandboxrun.core.linux.Wait;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The notification loop against real seccomp listeners from src/test/c/notify-target.c. */
class NotificationLoopIT {
    private static final Duration EXIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @BeforeAll
    static void host() {
        NotifyTarget.requireHost();
    }

    @Test
    void valueAnswersEveryCall() {
        try (var targets = new NotifyTarget.Tracker(dir); var loop = new NotificationLoop()) {
            NotifyTarget t = targets.start("plain", 5);
            Registration r = loop.register(t.listener, (n, ctx) -> Response.value(4242), "test=value", null);
            assertEquals(0, t.awaitExit(EXIT).code(), t::stderr);
            assertEquals(Collections.nCopies(5, "4242"), t.lines());
            assertEquals(5, r.answered());
            assertEquals(5, loop.received());
            assertEquals(5, loop.answered());
            waitFor(() -> loop.registrations() == 0, "EPOLLHUP closes the registration of an exited target");
            assertFalse(r.isOpen());
        }
    }

    @Test
    void errorFailsTheCall() {
        try (var targets = new NotifyTarget.Tracker(dir); var loop = new NotificationLoop()) {
            NotifyTarget t = targets.start("plain", 3);
            loop.register(t.listener, (n, ctx) -> Response.error(Errno.EPERM));
            assertEquals(0, t.awaitExit(EXIT).code(), t::stderr);
            assertEquals(Collections.nCopies(3, "err " + Errno.EPERM), t.lines());
        }
    }

    @Test
    void continueRunsTheRealCall() {
        try (var targets = new NotifyTarget.Tracker(dir); var loop = new NotificationLoop()) {
            NotifyTarget t = targets.start("plain", 3);
            loop.register(t.listener, (n, ctx) -> {
                assertEquals(t.pid, ctx.pid());
                return Response.continueSyscall();
            });
            assertEquals(0, t.awaitExit(EXIT).code(), t::stderr);
            assertEquals(Collections.nCopies(3, Integer.toString(Ids.pid())), t.lines(), "getppid() is this JVM");
        }
    }

    @Test
    void throwingHandlerIsAnsweredWithEperm() {
        try (var targets = new NotifyTarget.Tracker(dir); var loop = new NotificationLoop()) {
            NotifyTarget t = targets.start("plain", 2);
            loop.register(t.listener, (n, ctx) -> {
                throw new IllegalStateException("handler bug (expected by the test)");
            }, "test=throwing", null);
            assertEquals(0, t.awaitExit(EXIT).code(), t::stderr);
            assertEquals(Collections.nCopies(2, "err " + Errno.EPERM), t.lines());
            assertEquals(2, loop.handlerFailed());
        }
    }

    @Test
    void handlerReadsTargetMemoryAndChecksValidity() {
        try (var targets = new NotifyTarget.Tracker(dir); var loop = new NotificationLoop()) {
            NotifyTarget t = targets.start("echo", 4);
            loop.register(t.listener, NotificationLoopIT::echo, "test=echo", "hello ");
            assertEquals(0, t.awaitExit(EXIT).code(), t::stderr);
            assertEquals(Collections.nCopies(4, "7777"), t.lines());
        }
    }

    /** Answers 7777 when the target passed "hello <its pid>" (read on our own copy, then ID_VALID). */
    private static Response echo(io.sandboxrun.core.linux.SeccompNotify.Notification n, NotifyContext ctx) {
        byte[] copy = ctx.readMemory(n.arg(0), (int) n.arg(1)).orElse(null);
        if (copy == null || !ctx.stillValid()) return Response.error(Errno.ESRCH);
        String expected = ctx.attachment(String.class) + ctx.pid();
        return expected.equals(new String(copy, StandardCharsets.US_ASCII)) ? Response.value(7777) : Response.error(Errno.EINVAL);
    }

    @Test
    void closingARegistrationAnswersTheRestWithEnosys() {
        try (var targets = new NotifyTarget.Tracker(dir); var loop = new NotificationLoop()) {
            NotifyTarget t = targets.start("plain", 3);
            AtomicReference<Registration> self = new AtomicReference<>();
            CountDownLatch registered = new CountDownLatch(1);
            self.set(loop.register(t.listener, (n, ctx) -> {
                await(registered);
                self.get().close(); // the listener stays open until this answer is sent
                return Response.value(4242);
            }));
            registered.countDown();
            assertEquals(0, t.awaitExit(EXIT).code(), t::stderr);
            assertEquals(List.of("4242", "err " + Errno.ENOSYS, "err " + Errno.ENOSYS), t.lines());
            assertEquals(0, loop.registrations());
        }
    }

    @Test
    void targetKilledMidNotificationLeavesNothingStuck() {
        try (var targets = new NotifyTarget.Tracker(dir); var loop = new NotificationLoop()) {
            CountDownLatch entered = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicBoolean validAfterKill = new AtomicBoolean(true);
            NotificationHandler handler = (n, ctx) -> {
                if ("victim".equals(ctx.attachment(String.class))) {
                    entered.countDown();
                    await(release);
                    validAfterKill.set(ctx.stillValid());
                }
                return Response.value(4242);
            };
            NotifyTarget victim = targets.start("plain", 1);
            Registration rv = loop.register(victim.listener, handler, "test=victim", "victim");
            await(entered);
            assertTrue(Signals.send(victim.pid, Signals.SIGKILL));
            Wait.Status s = victim.awaitExit(EXIT);
            assertEquals(Signals.SIGKILL, s.signal(), "killed while blocked in the notified getppid");
            release.countDown();

            waitFor(() -> loop.targetGone() == 1, "SEND reports the target gone");
            assertFalse(validAfterKill.get(), "ID_VALID is false once the target is dead");
            waitFor(() -> !rv.isOpen(), "the dead target's registration is closed (EPOLLHUP)");

            NotifyTarget other = targets.start("plain", 3);
            loop.register(other.listener, handler, "test=other", "other");
            assertEquals(0, other.awaitExit(EXIT).code(), other::stderr);
            assertEquals(Collections.nCopies(3, "4242"), other.lines(), "the loop's only thread still serves");
            assertEquals(1, loop.targetGone());
            assertEquals(0, rv.answered());
        }
    }

    @Test
    void listenerOfATargetThatDiedUnservedIsClosed() {
        try (var targets = new NotifyTarget.Tracker(dir); var loop = new NotificationLoop()) {
            NotifyTarget t = targets.start("plain", 1);
            t.kill();
            Registration r = loop.register(t.listener, (n, ctx) -> Response.value(1));
            waitFor(() -> !r.isOpen(), "EPOLLHUP closes the listener");
            assertEquals(0, loop.received());
        }
    }

    @Test
    void hundredTargetsOneThread() {
        int targetsCount = 100;
        int k = 20;
        try (var targets = new NotifyTarget.Tracker(dir); var loop = new NotificationLoop(1)) {
            warmUp(targets, loop);
            int threadsBefore = Thread.activeCount();
            List<NotifyTarget> all = new ArrayList<>();
            int maxThreads = threadsBefore;
            for (int i = 0; i < targetsCount; i++) {
                NotifyTarget t = targets.start("plain", k);
                loop.register(t.listener, (n, ctx) -> Response.value(4242), "test=many target=" + i, null);
                all.add(t);
                maxThreads = Math.max(maxThreads, Thread.activeCount());
            }
            for (NotifyTarget t : all) {
                assertEquals(0, t.awaitExit(EXIT).code(), t::stderr);
                assertEquals(Collections.nCopies(k, "4242"), t.lines());
                maxThreads = Math.max(maxThreads, Thread.activeCount());
            }
            // A target can exit on its last answer before the loop thread counts that SEND as done.
            long expected = 1 + (long) targetsCount * k;
            waitFor(() -> loop.answered() == expected, "answered() reaches " + expected + ", is " + loop.answered());
            assertEquals(expected, loop.answered());
            assertEquals(1, loop.threadCount());
            assertEquals(1, notifyThreads(), "threads named sandbox-run-notify-*");
            assertTrue(maxThreads - threadsBefore <= 2,
                    "thread count grew from " + threadsBefore + " to " + maxThreads + " with " + targetsCount + " targets");
            waitFor(() -> loop.registrations() == 0, "all registrations closed by EPOLLHUP");
        }
    }

    @Test
    void severalThreadsShareListenersWithOneShot() {
        int targetsCount = 20;
        int k = 200;
        try (var targets = new NotifyTarget.Tracker(dir); var loop = new NotificationLoop(4)) {
            List<NotifyTarget> all = new ArrayList<>();
            for (int i = 0; i < targetsCount; i++) {
                NotifyTarget t = targets.start("echo", k);
                loop.register(t.listener, NotificationLoopIT::echo, "test=threads target=" + i, "hello ");
                all.add(t);
            }
            for (NotifyTarget t : all) {
                assertEquals(0, t.awaitExit(EXIT).code(), t::stderr);
                assertEquals(Collections.nCopies(k, "7777"), t.lines());
            }
            // A target can exit on its last answer before the loop thread counts that SEND as done.
            long expected = (long) targetsCount * k;
            waitFor(() -> loop.answered() == expected, "answered() reaches " + expected + ", is " + loop.answered());
            assertEquals(expected, loop.answered());
            assertEquals(loop.received(), loop.answered());
            assertEquals(4, notifyThreads());
        }
    }

    /** Prints the cost of a notified getppid, answered by value; measures, never judges. */
    @Test
    void roundTripMeasurement() {
        int k = 20_000;
        for (int threads : new int[] {1, 2}) {
            try (var targets = new NotifyTarget.Tracker(dir); var loop = new NotificationLoop(threads)) {
                warmUp(targets, loop);
                NotifyTarget t = targets.start("bench", k);
                loop.register(t.listener, (n, ctx) -> Response.value(1), "test=bench", null);
                assertEquals(0, t.awaitExit(Duration.ofSeconds(120)).code(), t::stderr);
                List<String> lines = t.lines();
                double bare = Double.parseDouble(lines.get(0).split(" ")[1]);
                double notified = Double.parseDouble(lines.get(1).split(" ")[1]);
                System.out.printf("notify round trip (%d loop thread%s, %s): %.1f µs per notified getppid;"
                                + " bare getppid %.0f ns; ratio %.0fx (%d calls)%n",
                        threads, threads == 1 ? "" : "s", threads == 1 ? "level-triggered" : "EPOLLONESHOT",
                        notified / 1000, bare, notified / bare, k);
            }
        }
    }

    private void warmUp(NotifyTarget.Tracker targets, NotificationLoop loop) {
        NotifyTarget t = targets.start("plain", 1);
        loop.register(t.listener, (n, ctx) -> Response.value(4242));
        assertEquals(0, t.awaitExit(EXIT).code(), t::stderr);
    }

    private static long notifyThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("sandbox-run-notify-")).count();
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) throw new AssertionError("latch not released in 30 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static void waitFor(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within 10 s: " + what);
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }
}
