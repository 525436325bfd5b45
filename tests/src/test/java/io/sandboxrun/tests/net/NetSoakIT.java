package io.sandboxrun.tests.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sandboxrun.core.host.Feature;
import io.sandboxrun.core.testing.Requires;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A thousand proxied connections in a row leave the launcher (this JVM, which runs the sandboxes
 * and the proxy) with no more open fds, threads or heap than before.
 */
@Requires({Feature.ROOT, Feature.USERNS, Feature.HELPER, Feature.SECCOMP_NOTIFY, Feature.PIDFD, Feature.PIDFD_GETFD})
class NetSoakIT {
    static final int CONNECTIONS = 1000;
    static final int FD_SLACK = 5, THREAD_SLACK = 2;
    static final long HEAP_SLACK = 16L << 20;
    static NetSandbox net;
    static OutsideServer echo;

    @BeforeAll
    static void setUp() throws IOException {
        net = new NetSandbox();
        echo = OutsideServer.tcp("127.0.0.2", OutsideServer.Kind.ECHO);
    }

    @AfterAll
    static void tearDown() {
        if (echo != null) echo.close();
        if (net != null) net.close();
    }

    record Figures(long fds, int threads, long heap) {
        static Figures now() {
            for (int i = 0; i < 3; i++) {
                System.gc();
                NetSandbox.sleep(50);
            }
            try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
                return new Figures(s.count(), ManagementFactory.getThreadMXBean().getThreadCount(),
                        ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        boolean within(Figures base) {
            return fds <= base.fds + FD_SLACK && threads <= base.threads + THREAD_SLACK && heap <= base.heap + HEAP_SLACK;
        }
    }

    @Test
    void thousandConnectionsLeaveNoFdsThreadsOrHeapBehind() {
        String rule = "tcp:127.0.0.2/32:" + echo.port();
        // Warm-up: the proxy's event loops, the notify path and the classes they load exist from here on.
        net.run("net-soak-warm", net.network(rule), "soak 50 " + echo.at()).ok(0);
        Figures before = Figures.now();

        long t0 = System.nanoTime();
        NetSandbox.Probe p = net.run("net-soak", net.network(rule), "soak " + CONNECTIONS + " " + echo.at());
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(CONNECTIONS, p.ok(0).get("connections").asInt(), p.toString());
        p.audit().await(CONNECTIONS, "close lines", j -> j.path("event").asText().equals("close"));

        // Connections close asynchronously on the proxy's side: give it a moment to settle.
        Figures after = Figures.now();
        for (int i = 0; i < 20 && !after.within(before); i++) {
            NetSandbox.sleep(250);
            after = Figures.now();
        }
        System.out.printf("soak: %d connections in %.2f s (%.0f/s incl. launch); fds %d -> %d, threads %d -> %d,"
                        + " heap after GC %.1f -> %.1f MiB%n", CONNECTIONS, seconds, CONNECTIONS / seconds,
                before.fds, after.fds, before.threads, after.threads, before.heap / 1048576.0, after.heap / 1048576.0);
        assertTrue(after.fds <= before.fds + FD_SLACK, "open fds grew: " + before.fds + " -> " + after.fds);
        assertTrue(after.threads <= before.threads + THREAD_SLACK, "threads grew: " + before.threads + " -> " + after.threads);
        assertTrue(after.heap <= before.heap + HEAP_SLACK, "heap after GC grew: " + before.heap + " -> " + after.heap);
    }
}
