package io.sandboxrun.core.policy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The resolved, validated policy of one app instance: defaults, then the policy file, then the
 * command line. Plain data; the feature modules turn it into plans.
 *
 * @param app        app name, {@code [a-z0-9][a-z0-9._-]{0,62}}
 * @param appRoot    host directory of the app's code, absolute and real; mounted read-only at
 *                   {@link #APP_DIR}
 * @param command    argv of the app; the first word is resolved through {@link #path}
 * @param env        variables the policy sets for the app (added to the fixed allowlist)
 * @param path       PATH inside the sandbox
 * @param hostname   host name inside the sandbox
 * @param tmpSize    size cap of the app's writable space, bytes
 * @param landlock   whether the Landlock second wall is off, best-effort or required
 * @param listen     sockets the launcher opens on the host and passes in as fds 3, 4, ...
 * @param roBinds    extra host paths made visible read-only at the same path
 * @param rlimits    resource limits set in the app before exec
 * @param user       the app's identity inside and its host uid range
 * @param stateDir   host directory for the runtime's state (per-app writable spaces)
 * @param seccomp    the seccomp profile: {@code auto} (python for python interpreters, default for
 *                   anything else), a bundled name ({@code default}, {@code python}, {@code strict})
 *                   or the absolute path of an OCI-format JSON profile
 * @param cgroup     whether instances get cgroups, how strictly, and under which root
 * @param limits     cgroup limits of the app, shared by all its instances
 * @param instanceLimits cgroup limits of each instance on its own
 * @param network    outbound connections: allow rules, DNS, rate limits, audit log
 */
public record Policy(
        String app,
        Path appRoot,
        List<String> command,
        Map<String, String> env,
        String path,
        String hostname,
        long tmpSize,
        LandlockMode landlock,
        List<ListenAddress> listen,
        List<Path> roBinds,
        Map<Rlimit, RlimitValue> rlimits,
        Identity user,
        Path stateDir,
        String seccomp,
        CgroupPolicy cgroup,
        Limits limits,
        Limits instanceLimits,
        NetworkPolicy network) {

    /** Where the app root appears inside every sandbox; also the working directory. */
    public static final String APP_DIR = "/app";

    public Policy {
        command = List.copyOf(command);
        env = Map.copyOf(env);
        listen = List.copyOf(listen);
        roBinds = List.copyOf(roBinds);
        rlimits = Map.copyOf(rlimits);
    }

    /** This policy with another command. */
    public Policy withCommand(List<String> newCommand) {
        return new Policy(app, appRoot, newCommand, env, path, hostname, tmpSize, landlock, listen, roBinds, rlimits,
                user, stateDir, seccomp, cgroup, limits, instanceLimits, network);
    }

    /** This policy with another Landlock mode. */
    public Policy withLandlock(LandlockMode mode) {
        return new Policy(app, appRoot, command, env, path, hostname, tmpSize, mode, listen, roBinds, rlimits, user,
                stateDir, seccomp, cgroup, limits, instanceLimits, network);
    }

    /** This policy with other rlimits. */
    public Policy withRlimits(Map<Rlimit, RlimitValue> newRlimits) {
        return new Policy(app, appRoot, command, env, path, hostname, tmpSize, landlock, listen, roBinds, newRlimits,
                user, stateDir, seccomp, cgroup, limits, instanceLimits, network);
    }

    /** This policy with another seccomp profile choice. */
    public Policy withSeccomp(String profile) {
        return new Policy(app, appRoot, command, env, path, hostname, tmpSize, landlock, listen, roBinds, rlimits,
                user, stateDir, profile, cgroup, limits, instanceLimits, network);
    }

    /** This policy with another cgroup mode and root. */
    public Policy withCgroup(CgroupPolicy c) {
        return new Policy(app, appRoot, command, env, path, hostname, tmpSize, landlock, listen, roBinds, rlimits,
                user, stateDir, seccomp, c, limits, instanceLimits, network);
    }

    /** This policy with other app limits. */
    public Policy withLimits(Limits l) {
        return new Policy(app, appRoot, command, env, path, hostname, tmpSize, landlock, listen, roBinds, rlimits,
                user, stateDir, seccomp, cgroup, l, instanceLimits, network);
    }

    /** This policy with other per-instance limits. */
    public Policy withInstanceLimits(Limits l) {
        return new Policy(app, appRoot, command, env, path, hostname, tmpSize, landlock, listen, roBinds, rlimits,
                user, stateDir, seccomp, cgroup, limits, l, network);
    }

    /** This policy with another network policy. */
    public Policy withNetwork(NetworkPolicy n) {
        return new Policy(app, appRoot, command, env, path, hostname, tmpSize, landlock, listen, roBinds, rlimits,
                user, stateDir, seccomp, cgroup, limits, instanceLimits, n);
    }

    /** The app's identity inside the sandbox and the host ids its user namespace maps to. */
    public record Identity(int uid, int gid, long hostIdBase, int idCount) {}
}
