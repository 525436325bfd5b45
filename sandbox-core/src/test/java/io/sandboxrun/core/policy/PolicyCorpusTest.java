package io.sandboxrun.core.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sandboxrun.core.testing.Corpus;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every broken policy in policies/bad fails with exactly the message in its {@code .expected}
 * file, loaded and then resolved over the defaults as the CLI does.
 */
class PolicyCorpusTest {
    private static final Path BAD = PolicyFiles.dir("bad");
    /** Errors about the whole file (or the merged policy), which have no line to point at. */
    private static final Set<String> WHOLE_FILE =
            Set.of("empty.yaml", "empty.json", "comments-only.yaml", "policy.toml", "no-command.yaml");

    static List<Path> corpus() throws IOException {
        return Corpus.documents(BAD);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void failsWithTheExpectedMessage(Path file) throws IOException {
        String expected = Corpus.expected(file);
        assertTrue(expected != null, "no expected message for " + file.getFileName());

        PolicyException e = assertThrows(PolicyException.class, () -> loadAndResolve(file));

        assertEquals(expected, e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void errorsInsideAFileCarryTheirLocation(Path file) {
        String name = file.getFileName().toString();
        PolicyException e = assertThrows(PolicyException.class, () -> loadAndResolve(file));
        if (name.equals("no-command.yaml")) return;   // about the merged policy, not the file
        assertEquals(name, e.source());
        if (!WHOLE_FILE.contains(name)) {
            assertTrue(e.line() > 0 && e.column() > 0, "no location in: " + e.getMessage());
            assertEquals(name + ":" + e.line() + ":" + e.column() + ": ", e.getMessage().substring(0,
                    (name + ":" + e.line() + ":" + e.column() + ": ").length()));
        }
    }

    @Test
    void corpusCoversEnoughCasesInBothFormats() throws IOException {
        List<Path> files = corpus();
        assertTrue(files.size() >= 20, "only " + files.size() + " broken policies");
        assertTrue(files.stream().filter(f -> f.toString().endsWith(".json")).count() >= 10);
        assertTrue(files.stream().filter(f -> f.toString().endsWith(".yaml")).count() >= 10);
    }

    @Test
    void everyExpectedMessageHasItsPolicyFile() throws IOException {
        assertEquals(List.of(), Corpus.orphans(BAD));
    }

    private static Policy loadAndResolve(Path file) {
        PolicyLayer layer = PolicyFiles.load(file);
        return PolicyResolver.resolve(PolicyDefaults.embedded(BAD), List.of(layer));
    }
}
