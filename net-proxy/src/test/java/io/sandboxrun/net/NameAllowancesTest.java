package io.sandboxrun.net;

import static io.sandboxrun.net.AddressRangesTest.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sandboxrun.core.policy.NetRule;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class NameAllowancesTest {
    private static final long NOW = 1_700_000_000_000L;
    private static final NetRule.Host API = new NetRule.Host("api.example.com", 443, 443);
    private static final NetRule.Host ANY = new NetRule.Host("*.example.com", 1, 65535);

    @Test
    void recordsAndFinds() {
        NameAllowances n = new NameAllowances();
        n.record(API, "api.example.com", ip("203.0.113.7"), 42, NOW);
        assertEquals(new NameAllowances.Grant(API, "api.example.com", ip("203.0.113.7"), NOW + 42_000),
                n.find(ip("203.0.113.7"), 443, NOW).orElseThrow());
        assertTrue(n.find(ip("203.0.113.7"), 80, NOW).isEmpty());
        assertTrue(n.find(ip("203.0.113.8"), 443, NOW).isEmpty());
        assertTrue(n.find(ip("203.0.113.7"), 443, NOW + 42_000).isEmpty());
        assertEquals(42, n.find(ip("203.0.113.7"), 443, NOW).orElseThrow().secondsLeft(NOW));
    }

    @Test
    void clampsTtl() {
        NameAllowances n = new NameAllowances();
        n.record(API, "api.example.com", ip("203.0.113.1"), 0, NOW);
        n.record(API, "api.example.com", ip("203.0.113.2"), -5, NOW);
        n.record(API, "api.example.com", ip("203.0.113.3"), 7 * 86_400, NOW);
        assertEquals(NOW + 1000, n.find(ip("203.0.113.1"), 443, NOW).orElseThrow().expiresAt());
        assertEquals(NOW + 1000, n.find(ip("203.0.113.2"), 443, NOW).orElseThrow().expiresAt());
        assertEquals(NOW + 86_400_000, n.find(ip("203.0.113.3"), 443, NOW).orElseThrow().expiresAt());
    }

    @Test
    void onlyExtends() {
        NameAllowances n = new NameAllowances();
        n.record(API, "api.example.com", ip("203.0.113.7"), 300, NOW);
        n.record(API, "api.example.com", ip("203.0.113.7"), 5, NOW + 1000);
        assertEquals(NOW + 300_000, n.find(ip("203.0.113.7"), 443, NOW + 1000).orElseThrow().expiresAt());
        n.record(API, "api.example.com", ip("203.0.113.7"), 600, NOW + 1000);
        assertEquals(NOW + 601_000, n.find(ip("203.0.113.7"), 443, NOW + 1000).orElseThrow().expiresAt());
    }

    @Test
    void picksTheLongestCoveringGrant() {
        NameAllowances n = new NameAllowances();
        n.record(API, "api.example.com", ip("203.0.113.7"), 300, NOW);
        n.record(ANY, "cdn.example.com", ip("203.0.113.7"), 60, NOW);
        assertEquals(API, n.find(ip("203.0.113.7"), 443, NOW).orElseThrow().rule());
        assertEquals(ANY, n.find(ip("203.0.113.7"), 8080, NOW).orElseThrow().rule());
        assertEquals(2, n.grants(ip("203.0.113.7"), NOW).size());
    }

    @Test
    void unwrapsMappedAddresses() throws Exception {
        NameAllowances n = new NameAllowances();
        n.record(API, "api.example.com", AddressRangesTest.mapped("203.0.113.7"), 60, NOW);
        assertTrue(n.find(ip("203.0.113.7"), 443, NOW).isPresent());
        assertTrue(n.find(AddressRangesTest.mapped("203.0.113.7"), 443, NOW).isPresent());
    }

    @Test
    void prunesLazily() {
        NameAllowances n = new NameAllowances();
        n.record(API, "api.example.com", ip("203.0.113.7"), 1, NOW);
        n.record(API, "api.example.com", ip("203.0.113.8"), 3600, NOW);
        assertEquals(2, n.size());
        // Expired, but kept a while to explain denials.
        assertEquals(1, n.grants(ip("203.0.113.7"), NOW + 120_000).size());
        assertEquals(0, n.grants(ip("203.0.113.7"), NOW + 1000 + NameAllowances.EXPIRED_KEPT_MILLIS).size());
        assertEquals(1, n.size());
    }

    @Test
    void threadSafe() throws Exception {
        NameAllowances n = new NameAllowances();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int base = t;
            Thread th = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 500; i++) {
                    n.record(API, "api.example.com", ip("10." + base + "." + (i / 250) + "." + (i % 250)), 60, NOW);
                    n.find(ip("10." + base + ".0.1"), 443, NOW);
                }
            });
            th.start();
            threads.add(th);
        }
        start.countDown();
        for (Thread t : threads) t.join();
        assertEquals(8 * 500, n.size());
    }
}
