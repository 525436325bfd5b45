package io.sandboxrun.core.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A policy as JSON (the service's launch request) and back. */
class PolicyJsonTest {
    private static final Path GOOD = PolicyFiles.dir("good");

    @Test
    void aLaunchSpecificationRoundTrips() {
        // Every kind of setting (hello.yaml sets them all), with a command, env and listen addresses.
        // (Its uid 1001 needs more than its id-count of 1000 to resolve.)
        PolicyLayer ids = PolicyLayer.builder("test").set("user.id-count", 65536, PolicyOrigin.option("--id-count")).build();
        Policy p = PolicyResolver.resolve(PolicyDefaults.embedded(GOOD),
                List.of(PolicyFiles.load(GOOD.resolve("hello.yaml")), ids));

        String json = PolicyJson.write(p);
        Policy back = PolicyResolver.resolve(PolicyDefaults.embedded(Path.of("/")), List.of(read(json)));

        assertEquals(p, back, json);
        assertEquals(List.of("python3", "serve.py"), back.command());
        assertEquals(Map.of("DEBUG", "1", "GREETING", "hello, world", "FEATURE", "on"), back.env());
        assertEquals(3, back.listen().size());
    }

    @Test
    void valuesAreWrittenAsAPolicyFileWritesThem() {
        Policy p = PolicyDefaults.embedded(GOOD).withCommand(List.of("true")).with("tmp-size", 128L << 20)
                .with("limits.memory", Limits.UNLIMITED).with("limits.cpus", 500);

        String json = PolicyJson.write(p);

        assertTrue(json.contains("\"tmp-size\":\"128M\""), json);
        assertTrue(json.contains("\"memory\":\"max\""), json);
        assertTrue(json.contains("\"cpus\":\"0.5\""), json);
        assertTrue(json.contains("\"uid\":1000"), json);
        assertTrue(json.contains("\"rlimits\":{"), json);
        assertFalse(json.contains("null"), "unset settings are left out: " + json);
    }

    @Test
    void aBadRequestIsLocatedInIt() {
        PolicyException e = assertThrows(PolicyException.class,
                () -> read("{\"command\": [\"true\"],\n \"limits\": {\"memory\": \"lots\"}}"));

        assertEquals("request:2:23: limits.memory: \"lots\" is not a size; use a number with K, M or G (e.g. 256M), or max",
                e.getMessage());
    }

    private static PolicyLayer read(String json) {
        return PolicyLoader.parseJson(json.getBytes(StandardCharsets.UTF_8), "request", Path.of("/"));
    }
}
