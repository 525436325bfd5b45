package io.sandboxrun.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sandboxrun.core.launch.ExitCodes;
import io.sandboxrun.core.testing.Corpus;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every broken profile in profiles/bad fails to load with exactly the message in its
 * {@code .expected} file, a usage error (exit 2), located in the file where it can be.
 */
class ProfileCorpusTest {
    private static final Path BAD = TestProfiles.dir("bad");
    /** Errors about the whole file, which have no line to point at. */
    private static final Set<String> WHOLE_FILE = Set.of("empty.json");

    static List<Path> corpus() throws IOException {
        return Corpus.documents(BAD);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void failsWithTheExpectedMessage(Path file) throws IOException {
        String expected = Corpus.expected(file);
        ProfileException e = assertThrows(ProfileException.class, () -> TestProfiles.load(file));
        assertTrue(expected != null, "no expected message for " + file.getFileName() + "; got: " + e.getMessage());
        assertEquals(expected, e.getMessage());
        assertEquals(ExitCodes.USAGE, e.exitCode());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void errorsInsideAFileCarryTheirLocation(Path file) {
        String name = file.getFileName().toString();
        ProfileException e = assertThrows(ProfileException.class, () -> TestProfiles.load(file));
        assertEquals(name, e.source());
        if (!WHOLE_FILE.contains(name)) {
            String prefix = name + ":" + e.line() + ":" + e.column() + ": ";
            assertTrue(e.line() > 0 && e.column() > 0 && e.getMessage().startsWith(prefix), e.getMessage());
        }
    }

    @Test
    void corpusCoversEnoughCases() throws IOException {
        assertTrue(corpus().size() >= 30, "only " + corpus().size() + " broken profiles");
    }

    @Test
    void everyExpectedMessageHasItsProfile() throws IOException {
        assertEquals(List.of(), Corpus.orphans(BAD));
    }
}
