package io.sandboxrun.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sandboxrun.core.launch.CgroupStats;
import io.sandboxrun.core.launch.Pressure;
import io.sandboxrun.core.launch.RunResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The usage and network parts of --result-json: figures as counted, unknown ones null, OOM only when it killed the app. */
class ResultJsonTest {
    private static final CgroupStats OOM = new CgroupStats(4096L, 67108864L, 1L, 2_000_000L, 1_500_000L, 500_000L,
            100L, 3L, 0L, null, 0L, Map.of("memory", new Pressure(1.5, 0.25, 1234L, 1.0, 99L)));

    private static RunResult result(Optional<Integer> signal, Optional<CgroupStats> usage) {
        return new RunResult("hello", "hello-1", signal.map(s -> 128 + s).orElse(0), signal.isPresent()
                ? Optional.empty() : Optional.of(0), signal, false, Duration.ofMillis(5), List.of(), List.of(), List.of(),
                usage, Optional.empty());
    }

    @Test
    void anOomKillOfTheAppIsSaidAsSuchWithEveryFigure() {
        JsonNode n = ResultJson.toJson(result(Optional.of(9), Optional.of(OOM)));

        assertTrue(n.get("oom_killed").asBoolean());
        JsonNode u = n.get("usage");
        assertEquals(67108864L, u.get("memory_peak_bytes").asLong());
        assertEquals(1, u.get("oom_kills").asInt());
        assertEquals(1_500_000L, u.get("cpu_user_usec").asLong());
        assertEquals(100L, u.get("cpu_throttled_usec").asLong());
        assertTrue(u.get("pids_peak").isNull(), "a figure the host does not report is null, not 0");
        assertEquals(1.5, u.get("pressure").get("memory").get("some_avg10").asDouble());
        assertEquals(99L, u.get("pressure").get("memory").get("full_total_usec").asLong());
    }

    @Test
    void aChildKilledForMemoryWhileTheAppExitedIsNotTheAppsOomKill() {
        JsonNode n = ResultJson.toJson(result(Optional.empty(), Optional.of(OOM)));

        assertEquals(false, n.get("oom_killed").asBoolean());
        assertEquals(1, n.get("usage").get("oom_kills").asInt());
    }

    @Test
    void withoutACgroupUsageIsNull() {
        JsonNode n = ResultJson.toJson(result(Optional.of(9), Optional.empty()));

        assertEquals(false, n.get("oom_killed").asBoolean());
        assertTrue(n.get("usage").isNull());
    }

    @Test
    void networkTotalsAreWrittenWhenThereAreSomeAndNullOtherwise() {
        JsonNode n = ResultJson.toJson(result(Optional.empty(), Optional.empty())
                .withNetwork(new io.sandboxrun.core.launch.NetworkTotals(3, 2, 1, 4096, 512)));

        JsonNode net = n.get("network");
        assertEquals(3, net.get("connections_allowed").asInt());
        assertEquals(2, net.get("connections_denied").asInt());
        assertEquals(1, net.get("connections_local").asInt());
        assertEquals(4096, net.get("bytes_in").asLong());
        assertEquals(512, net.get("bytes_out").asLong());
        assertTrue(ResultJson.toJson(result(Optional.empty(), Optional.empty())).get("network").isNull());
    }
}
