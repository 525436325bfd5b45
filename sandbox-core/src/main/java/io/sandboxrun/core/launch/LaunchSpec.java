package io.sandboxrun.core.launch;

import io.sandboxrun.core.policy.Policy;
import java.util.Objects;

/**
 * What to launch: a resolved policy and where the app's standard streams go.
 *
 * @param policy the resolved, validated policy
 * @param stdin  the app's standard input
 * @param stdout the app's standard output
 * @param stderr the app's standard error
 * @param learnSeccomp run in seccomp learning mode: every syscall allowed but recorded, so that
 *                     {@link RunResult#learnedSyscalls()} can become a minimal allowlist profile
 */
public record LaunchSpec(Policy policy, Stdio stdin, Stdio stdout, Stdio stderr, boolean learnSeccomp) {
    public LaunchSpec(Policy policy, Stdio stdin, Stdio stdout, Stdio stderr) {
        this(policy, stdin, stdout, stderr, false);
    }

    public LaunchSpec {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(stdin, "stdin");
        Objects.requireNonNull(stdout, "stdout");
        Objects.requireNonNull(stderr, "stderr");
    }

    /** All three streams inherited from the launcher. */
    public static LaunchSpec inheriting(Policy policy) {
        return new LaunchSpec(policy, Stdio.INHERIT, Stdio.INHERIT, Stdio.INHERIT);
    }

    public LaunchSpec withStdio(Stdio in, Stdio out, Stdio err) {
        return new LaunchSpec(policy, in, out, err, learnSeccomp);
    }

    /** This spec in seccomp learning mode. */
    public LaunchSpec learning() {
        return new LaunchSpec(policy, stdin, stdout, stderr, true);
    }
}
