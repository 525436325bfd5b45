package io.sandboxrun.core.policy;

import io.sandboxrun.core.testing.Corpus;
import java.nio.file.Path;

/** Test access to the policy files under src/test/resources/policies. */
final class PolicyFiles {
    /** The directory {@code policies/<name>} on the test class path. */
    static Path dir(String name) {
        return Corpus.dir(PolicyFiles.class, "/policies/" + name);
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
