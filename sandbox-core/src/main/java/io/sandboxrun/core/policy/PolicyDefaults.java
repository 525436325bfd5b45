package io.sandboxrun.core.policy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The embedded defaults: a launch needs no policy file. Values, and why:
 * <ul>
 *   <li>app {@code app}; app-root the given directory (the CLI passes its working directory);
 *       command none (the CLI requires one from the command line or the policy);</li>
 *   <li>env empty; path {@code /usr/local/bin:/usr/bin:/bin}; hostname {@code sandbox};</li>
 *   <li>tmp-size 64M; landlock best-effort; listen and ro-binds empty;</li>
 *   <li>rlimits nofile 1024/1024 and core 0/0 (no core dumps of app memory on the host).
 *       fsize is not set: the writable space's own cap gives ENOSPC, while an fsize limit would
 *       also kill an app whose stdout the worker redirected to a growing log file;</li>
 *   <li>user uid 1000, gid 1000, host ids 200000 to 265535 (host-id-base 200000, id-count
 *       65536): far from host root and system users;</li>
 *   <li>state-dir {@code /run/sandbox-run};</li>
 *   <li>seccomp {@code auto}: {@code python} for python interpreters, {@code default} otherwise;</li>
 *   <li>cgroup best-effort under a {@code sandbox-run} child of the launcher's own cgroup; app
 *       limits pids 1024 (a fork bomb stops there), nothing else; no per-instance limits.</li>
 * </ul>
 */
public final class PolicyDefaults {
    public static final String APP = "app";
    public static final String PATH = "/usr/local/bin:/usr/bin:/bin";
    public static final String HOSTNAME = "sandbox";
    public static final long TMP_SIZE = 64L << 20;
    public static final LandlockMode LANDLOCK = LandlockMode.BEST_EFFORT;
    public static final Map<Rlimit, RlimitValue> RLIMITS =
            Map.of(Rlimit.NOFILE, RlimitValue.of(1024), Rlimit.CORE, RlimitValue.of(0));
    public static final Policy.Identity USER = new Policy.Identity(1000, 1000, 200000, 65536);
    public static final Path STATE_DIR = Path.of("/run/sandbox-run");
    /** Python interpreters get the {@code python} profile, anything else {@code default}. */
    public static final String SECCOMP = "auto";
    /** Cgroups when the host offers them, WARN for a limit it cannot enforce; root under our own cgroup. */
    public static final CgroupPolicy CGROUP = new CgroupPolicy(CgroupPolicy.Mode.BEST_EFFORT, null);
    /** 1024 tasks per app: a fork bomb stops there, a threaded web server never gets near. */
    public static final Limits LIMITS = Limits.none().withPids(1024L);
    public static final Limits INSTANCE_LIMITS = Limits.none();
    /**
     * No outbound connection; DNS from the host's resolvers, only for names a host rule allows;
     * 20 new connections per second with bursts of 40, refused beyond; 256 open at once; 10 MiB/s
     * each way: enough for API calls and downloads of a web app, not for turning a PaaS host into
     * a flood source.
     */
    public static final NetworkPolicy NETWORK = new NetworkPolicy(List.of(),
            new NetworkPolicy.Dns(List.of(), false),
            new NetworkPolicy.Rates(20, 40, NetworkPolicy.OverLimit.REFUSE, 256, 10L << 20, 10L << 20), null);

    /** The embedded defaults, with {@code appRoot} (made absolute) as the app root. */
    public static Policy embedded(Path appRoot) {
        return new Policy(APP, appRoot.toAbsolutePath().normalize(), List.of(), Map.of(), PATH, HOSTNAME, TMP_SIZE,
                LANDLOCK, List.of(), List.of(), RLIMITS, USER, STATE_DIR, SECCOMP, CGROUP, LIMITS, INSTANCE_LIMITS, NETWORK);
    }

    private PolicyDefaults() {}
}
