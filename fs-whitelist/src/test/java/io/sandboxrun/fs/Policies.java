package io.sandboxrun.fs;

import io.sandboxrun.core.policy.LandlockMode;
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
        return new Policy(app, appRoot, command, env, PATH, "sandbox", 64L << 20, LandlockMode.BEST_EFFORT, List.of(),
                roBinds, Map.of(), new Policy.Identity(1000, 1000, 100000, 65536), stateDir, "auto",
                PolicyDefaults.CGROUP, PolicyDefaults.LIMITS, PolicyDefaults.INSTANCE_LIMITS, PolicyDefaults.NETWORK);
    }

    static Policy withPath(Policy p, String path) {
        return new Policy(p.app(), p.appRoot(), p.command(), p.env(), path, p.hostname(), p.tmpSize(), p.landlock(),
                p.listen(), p.roBinds(), p.rlimits(), p.user(), p.stateDir(), p.seccomp(), p.cgroup(), p.limits(), p.instanceLimits(), p.network());
    }

    static Policy withUser(Policy p, Policy.Identity user) {
        return new Policy(p.app(), p.appRoot(), p.command(), p.env(), p.path(), p.hostname(), p.tmpSize(), p.landlock(),
                p.listen(), p.roBinds(), p.rlimits(), user, p.stateDir(), p.seccomp(), p.cgroup(), p.limits(), p.instanceLimits(), p.network());
    }
}
