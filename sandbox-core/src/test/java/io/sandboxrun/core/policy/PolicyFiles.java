package io.sandboxrun.core.policy;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** Test access to the policy files under src/test/resources/policies. */
final class PolicyFiles {
    /** The directory {@code policies/<name>} on the test class path. */
    static Path dir(String name) {
        URL url = PolicyFiles.class.getResource("/policies/" + name);
        if (url == null) throw new IllegalStateException("no policies/" + name + " on the test class path");
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Loads {@code file}, naming it by its file name alone in messages. */
    static PolicyLayer load(Path file) {
        return PolicyLoader.load(file, file.getFileName().toString());
    }

    /** The values {@code layer} sets, to compare what two sources set. */
    static Policy values(PolicyLayer layer) {
        return layer.values();
    }

    private PolicyFiles() {}
}
