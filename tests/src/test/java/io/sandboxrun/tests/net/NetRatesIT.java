package io.sandboxrun.tests.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sandboxrun.core.host.Feature;
import io.sandboxrun.core.launch.NetworkTotals;
import io.sandboxrun.core.policy.NetValues;
import io.sandboxrun.core.policy.NetworkPolicy;
import io.sandboxrun.core.testing.Requires;
import java.io.IOException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The per-app limits on the wire: new connections per second, open connections, bytes per second each way. */
@Requires({Feature.ROOT, Feature.USERNS, Feature.HELPER, Feature.SECCOMP_NOTIFY, Feature.PIDFD, Feature.PIDFD_GETFD})
class NetRatesIT {
    static final int MB6 = 6 << 20;
    static NetSandbox net;
    static OutsideServer echo, sha256, source;

    @BeforeAll
    static void setUp() throws IOException {
        net = new NetSandbox();
        echo = OutsideServer.tcp("127.0.0.2", OutsideServer.Kind.ECHO);
        sha256 = OutsideServer.tcp("127.0.0.2", OutsideServer.Kind.SHA256);
        source = OutsideServer.tcp("127.0.0.2", OutsideServer.Kind.SOURCE);
    }

    @AfterAll
    static void tearDown() {
        for (OutsideServer s : new OutsideServer[] {echo, sha256, source}) {
            if (s != null) s.close();
        }
        if (net != null) net.close();
    }

    private static NetworkPolicy network(NetworkPolicy.Rates rates) {
        return net.network("tcp:127.0.0.2/32").withRates(rates);
    }

    private static NetworkPolicy.Rates rate(int perSecond, int burst, NetworkPolicy.OverLimit over) {
        return new NetworkPolicy.Rates(perSecond, burst, over, 4096, 0L, 0L);
    }

    /** burst's per-connection [errno, seconds]: from the step's detail (a list, or its JSON text when a connect failed). */
    private static JsonNode attempts(JsonNode step) throws IOException {
        JsonNode d = step.get("detail");
        return d.isTextual() ? NetSandbox.JSON.readTree(d.asText()) : d;
    }

    @Test
    void sixthConnectInASecondIsRefused() throws IOException {
        NetSandbox.Probe p = net.run("net-rate", network(rate(5, 5, NetworkPolicy.OverLimit.REFUSE)),
                "burst 6 " + echo.at());
        JsonNode a = attempts(p.step(0));
        double total = 0;
        for (int i = 0; i < 6; i++) total += a.get(i).get(1).asDouble();
        // The premise: all six inside one refill interval (a token every 200 ms).
        assertTrue(total < 0.19, "the six connects took " + total + " s: too slow for this test's premise; " + p);
        for (int i = 0; i < 5; i++) assertTrue(a.get(i).get(0).isNull(), "connect " + i + ": " + a + "\n" + p);
        assertEquals("ECONNREFUSED", a.get(5).get(0).asText(), a + "\n" + p);
        JsonNode deny = p.audit().await(1, "the refused connect", j -> j.path("decision").asText().equals("deny")).get(0);
        assertTrue(deny.path("reason").asText().contains("rate"), "reason does not name the rate: " + deny);
        NetworkTotals t = p.run().result().network().orElseThrow();
        assertEquals(5, t.allowed(), t.toString());
        assertEquals(1, t.denied(), t.toString());
    }

    /**
     * The wait is the proxy's, before it dials out (the connect() itself returns at once, see
     * ConnectRedirect): the app sees it as a slower first answer, so each attempt here is a
     * connect and an echo.
     */
    @Test
    void sixthConnectInASecondWaitsWithDelay() throws IOException {
        NetSandbox.Probe p = net.run("net-delay", network(rate(5, 5, NetworkPolicy.OverLimit.DELAY)),
                "burst 6 " + echo.at() + " echo");
        p.ok(0);
        JsonNode a = attempts(p.step(0));
        double slowestOfFive = 0;
        for (int i = 0; i < 5; i++) slowestOfFive = Math.max(slowestOfFive, a.get(i).get(1).asDouble());
        double sixth = a.get(5).get(1).asDouble();
        System.out.printf("delay: slowest of the first five %.3f s, the sixth %.3f s%n", slowestOfFive, sixth);
        assertTrue(sixth - slowestOfFive >= 0.15, "the sixth connect was not held back: " + a);
        assertTrue(sixth < 1.0, "the sixth connect waited more than a second: " + a);
    }

    @Test
    void bandwidthInShapesADownload() {
        long rate = NetValues.bandwidth("--bandwidth-in", "2M");
        NetSandbox.Probe p = net.run("net-bw-in", network(new NetworkPolicy.Rates(NetValues.RATE_MAX,
                NetValues.RATE_MAX, NetworkPolicy.OverLimit.REFUSE, 4096, rate, 0L)), "download " + source.at() + " " + MB6);
        JsonNode d = p.ok(0);
        assertEquals(MB6, d.get("received").asInt(), p.toString());
        assertAbout(3.0, d.get("transfer").asDouble(), "6 MiB in at 2 MiB/s");
    }

    @Test
    void bandwidthOutShapesAnUpload() {
        long rate = NetValues.bandwidth("--bandwidth-out", "2M");
        NetSandbox.Probe p = net.run("net-bw-out", network(new NetworkPolicy.Rates(NetValues.RATE_MAX,
                NetValues.RATE_MAX, NetworkPolicy.OverLimit.REFUSE, 4096, 0L, rate)), "upload " + sha256.at() + " " + MB6);
        JsonNode d = p.ok(0);
        assertEquals(String.valueOf(MB6), d.get("reply").get(1).asText(), p.toString());
        assertAbout(3.0, d.get("transfer").asDouble(), "6 MiB out at 2 MiB/s");
    }

    private static void assertAbout(double expected, double seconds, String what) {
        System.out.printf("%s: %.2f s (expected %.1f s +-15%%)%n", what, seconds, expected);
        assertTrue(seconds >= expected * 0.85 && seconds <= expected * 1.15,
                what + " took " + seconds + " s, expected " + expected + " s +-15%");
    }

    @Test
    void fourthOpenConnectionIsRefusedUntilOneCloses() {
        NetSandbox.Probe p = net.run("net-conc", network(new NetworkPolicy.Rates(NetValues.RATE_MAX,
                NetValues.RATE_MAX, NetworkPolicy.OverLimit.REFUSE, 3, 0L, 0L)), "concurrent 3 " + echo.at());
        JsonNode d = p.ok(0);
        assertEquals(3, d.get("held").asInt(), p.toString());
        assertEquals("ECONNREFUSED", d.get("extra").asText(), p.toString());
        assertEquals("echoed", d.get("after_close").asText(), p.toString());
        assertFalse(p.audit().matching(j -> j.path("decision").asText().equals("deny")).isEmpty(),
                "no deny line for the fourth connection:\n" + p.audit().text());
    }
}
