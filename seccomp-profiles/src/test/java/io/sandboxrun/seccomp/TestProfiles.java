package io.sandboxrun.seccomp;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** Test access to the profiles under src/test/resources/profiles. */
public final class TestProfiles {
    /** The directory {@code profiles/<name>} on the test class path. */
    public static Path dir(String name) {
        URL url = TestProfiles.class.getResource("/profiles/" + name);
        if (url == null) throw new IllegalStateException("no profiles/" + name + " on the test class path");
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Loads {@code file}, naming it by its file name alone in messages. */
    public static Profile load(Path file) {
        return ProfileLoader.load(file, file.getFileName().toString());
    }

    private TestProfiles() {}
}
