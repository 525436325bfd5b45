package io.sandboxrun.fs;

import io.sandboxrun.core.policy.Policy;
import io.sandboxrun.core.policy.PolicyDefaults;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Policies for tests, with the embedded defaults. */
final class Policies {
    static final String PATH = "/usr/local/bin:/usr/bin:/bin";

    private Policies() {}

    static Policy of(String app, Path appRoot, List<String> command) {
        return of(app, appRoot, command, List.of(), Map.of(), Path.of("/var/lib/sandbox-run"));
    }

    static Policy of(String app, Path appRoot, List<String> command, List<Path> roBinds, Map<String, String> env, Path stateDir) {
        return PolicyDefaults.embedded(appRoot).with("app", app).withCommand(command).with("ro-binds", roBinds)
                .with("env", env).with("rlimits", Map.of()).with("state-dir", stateDir)
                .with("user", new Policy.Identity(1000, 1000, 100000L, 65536));
    }

    static Policy withPath(Policy p, String path) {
        return p.with("path", path);
    }

    static Policy withUser(Policy p, Policy.Identity user) {
        return p.with("user", user);
    }
}
