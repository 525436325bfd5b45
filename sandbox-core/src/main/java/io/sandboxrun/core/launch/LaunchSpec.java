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
 */
public record LaunchSpec(Policy policy, Stdio stdin, Stdio stdout, Stdio stderr) {
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
        return new LaunchSpec(policy, in, out, err);
    }
}
