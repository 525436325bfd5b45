package io.sandboxrun.core.policy;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.Map;

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
    static PolicyOverlay load(Path file) {
        return PolicyLoader.load(file, file.getFileName().toString());
    }

    /** {@code o} with its source and origins dropped, to compare what two sources set. */
    static PolicyOverlay values(PolicyOverlay o) {
        return new PolicyOverlay("-", o.app(), o.appRoot(), o.command(), o.env(), o.path(), o.hostname(), o.tmpSize(),
                o.landlock(), o.listen(), o.roBinds(), o.rlimits(), o.user(), o.stateDir(), o.seccomp(), o.cgroupMode(),
                o.cgroupRoot(), o.limits(), o.instanceLimits(), o.network(), Map.of());
    }

    private PolicyFiles() {}
}
