package io.sandboxrun.seccomp;

import io.sandboxrun.core.testing.Corpus;
import java.nio.file.Path;

/** Test access to the profiles under src/test/resources/profiles. */
public final class TestProfiles {
    /** The directory {@code profiles/<name>} on the test class path. */
    public static Path dir(String name) {
        return Corpus.dir(TestProfiles.class, "/profiles/" + name);
    }

    /** Loads {@code file}, naming it by its file name alone in messages. */
    public static Profile load(Path file) {
        return ProfileLoader.load(file, file.getFileName().toString());
    }

    private TestProfiles() {}
}
