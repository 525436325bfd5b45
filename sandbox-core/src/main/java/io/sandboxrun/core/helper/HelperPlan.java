package io.sandboxrun.core.helper;

import io.sandboxrun.core.policy.LandlockMode;
import io.sandboxrun.core.policy.Rlimit;
import io.sandboxrun.core.policy.RlimitValue;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything {@code sandbox-init} does for one instance, decided in Java before the spawn
 * (docs/helper-protocol.md). {@link PlanEncoder} turns it into the bytes the helper reads.
 */
public record HelperPlan(
        int parentPid,
        Set<Namespace> namespaces,
        long hostIdBase,
        int idCount,
        int uid,
        int gid,
        String hostname,
        long rootSize,
        List<MountOp> mounts,
        Map<Rlimit, RlimitValue> rlimits,
        LandlockMode landlock,
        List<LandlockRule> landlockRules,
        String workdir,
        List<String> env,
        int listenFds,
        String executable,
        List<String> argv) {

    public HelperPlan {
        namespaces = Set.copyOf(namespaces);
        mounts = List.copyOf(mounts);
        rlimits = Map.copyOf(rlimits);
        landlockRules = List.copyOf(landlockRules);
        env = List.copyOf(env);
        argv = List.copyOf(argv);
        if (argv.isEmpty()) throw new IllegalArgumentException("argv is empty");
    }

    /** Every namespace the helper knows: the sandbox shares none with the host. */
    public static Set<Namespace> allNamespaces() {
        return EnumSet.allOf(Namespace.class);
    }
}
