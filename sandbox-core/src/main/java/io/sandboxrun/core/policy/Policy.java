package io.sandboxrun.core.policy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The policy of one app instance, and the table of its settings: each component is one setting
 * ({@link Setting}) or one section of settings ({@link Section}), declared once here with its key,
 * option, kind, default and help. Plain data; the feature modules turn it into plans.
 *
 * <p>A policy resolved by {@link PolicyResolver} (or made by {@link PolicyDefaults#embedded}) has
 * every setting that has a default set, lists and maps never null. The same record holds what one
 * source sets ({@link PolicyLayer}): there, an unset setting is {@code null}.
 */
public record Policy(
        @Setting(kind = Kind.APP, option = "--app", byDefault = "app",
                because = "one name for apps that do not say theirs",
                help = "App name: [a-z0-9][a-z0-9._-]{0,62}. Instances of one app share its limits and writable space.")
        String app,
        @Setting(kind = Kind.DIRECTORY, option = "--app-root", byDefault = ".",
                because = "the working directory of the command line",
                help = "The app's code, mounted read-only at /app, the working directory.")
        Path appRoot,
        @Setting(kind = Kind.COMMAND,
                help = "The app's argv; the first word resolves through path. On the command line: after --. Each word"
                        + " at most " + ExecArgs.MAX_STRING / 1024 + "K, and with env at most " + ExecArgs.MAX_TOTAL / 1024
                        + "K and " + ExecArgs.MAX_STRINGS + " strings in all (execve's and the helper's limits).")
        List<String> command,
        @Setting(kind = Kind.ENV, option = "--env",
                help = "Set a variable for the app (repeatable). The app gets only PATH, HOME, LANG, TMPDIR, USER,"
                        + " LOGNAME and these, never the launcher's own environment. Each NAME=VALUE at most "
                        + ExecArgs.MAX_STRING / 1024 + "K.")
        Map<String, String> env,
        @Setting(kind = Kind.SEARCH_PATH, byDefault = "/usr/local/bin:/usr/bin:/bin",
                because = "where Debian's interpreters are",
                help = "PATH inside the sandbox.")
        String path,
        @Setting(kind = Kind.HOSTNAME, option = "--hostname", byDefault = "sandbox",
                help = "Host name inside.")
        String hostname,
        @Setting(kind = Kind.TMP_SIZE, option = "--tmp-size", byDefault = "64M",
                because = "room for caches and uploads, not for filling the host's memory",
                help = "Cap of the writable space /saetmp/<hash>/<app> (also /tmp), shared by the app's instances:"
                        + " 1M to 64G.")
        Long tmpSize,
        @Setting(kind = Kind.TMP_SIZE, option = "--shm-size", byDefault = "64M",
                because = "Docker's default: room for multiprocessing's semaphores and queues and modest shared arrays;"
                        + " its pages count against the memory limits as well",
                help = "Cap of /dev/shm (POSIX shared memory and semaphores, which Python's multiprocessing uses):"
                        + " each instance's own tmpfs, gone when the instance ends. 1M to 64G.")
        Long shmSize,
        @Setting(kind = Kind.LANDLOCK, option = "--landlock", byDefault = "best-effort",
                because = "the mount namespace is the primary wall; Landlock adds a second where the kernel has it",
                help = "The Landlock second wall: off, best-effort or required.")
        LandlockMode landlock,
        @Setting(kind = Kind.LISTEN, option = "--listen",
                help = "Open a listening socket on the host and pass it as fd 3, 4, ... with LISTEN_FDS/LISTEN_PID:"
                        + " HOST:PORT, [V6]:PORT or unix:/PATH (repeatable). A unix socket takes options after commas,"
                        + " as systemd's SocketMode=, SocketUser= and SocketGroup=: mode=OCTAL (default 0600: only its"
                        + " owner connects), owner=USER and group=GROUP (default: the launcher's), e.g."
                        + " unix:/run/apps/x.sock,mode=0660,group=www-data. A socket file left there that nobody"
                        + " listens on is replaced; anything else at the path is an error.")
        List<ListenAddress> listen,
        @Setting(kind = Kind.RO_BIND, key = "ro-binds", option = "--ro-bind",
                help = "Also show this host path, read-only, at the same path (repeatable). No '..' components: the"
                        + " path is shown inside as written, while the host resolves '..' after following symlinks.")
        List<Path> roBinds,
        @Setting(kind = Kind.RLIMITS, byDefault = {"nofile=1024", "core=0"}, group = Group.LIMITS,
                because = "no core dumps of app memory on the host; fsize is left unset: the writable space's cap"
                        + " gives ENOSPC, while an fsize limit would also kill an app whose stdout goes to a growing"
                        + " log file",
                help = "Resource limits set in the app before exec: NAME: VALUE, or NAME: {soft: S, hard: H}.")
        Map<Rlimit, RlimitValue> rlimits,
        @Section(help = "The app's identity inside the sandbox and the host ids its user namespace maps to.",
                group = Group.APP, options = false)
        Identity user,
        @Setting(kind = Kind.ABSOLUTE_PATH, option = "--state-dir", byDefault = "/run/sandbox-run",
                because = "runtime state belongs on a tmpfs that a reboot clears",
                help = "Host directory for the runtime's state, such as the apps' writable spaces. Absolute, without '..'"
                        + " components, so that where the runtime mounts and removes things is plain.")
        Path stateDir,
        @Setting(kind = Kind.SECCOMP, option = "--seccomp", byDefault = "auto", group = Group.SECCOMP,
                because = "python interpreters get the python allowlist, anything else the default denylist",
                help = "Seccomp profile: auto (python for python interpreters, default otherwise), default, python,"
                        + " strict, or an OCI/Docker JSON profile file.")
        String seccomp,
        @Setting(kind = Kind.TIME_LIMIT, option = "--time-limit", group = Group.LIMITS,
                because = "servers run forever",
                help = "Wall-clock time the app may run, from exec, e.g. 30s, 5m or 1h30m; none lifts it. When it is"
                        + " reached the app gets SIGTERM, and after the stop timeout every process of the instance is"
                        + " killed.")
        Duration timeLimit,
        @Setting(kind = Kind.TIME_LIMIT, option = "--cpu-time-limit", group = Group.LIMITS,
                because = "servers run forever",
                help = "CPU time the instance may use, all its processes together, read from its cgroup; none lifts"
                        + " it. When it is reached the app is stopped as for --time-limit.")
        Duration cpuTimeLimit,
        @Setting(kind = Kind.STOP_TIMEOUT, option = "--stop-timeout", byDefault = "10s", group = Group.LIMITS,
                because = "as docker stop: time to finish requests in flight and exit",
                help = "How long a stopped app (a time limit reached, or SIGTERM or SIGINT to sandbox-run) has after"
                        + " its SIGTERM before every process of the instance is killed: 0s to 1h.")
        Duration stopTimeout,
        @Section(help = "Whether instances run in cgroups, how strictly, and under which root.",
                example = "{mode: required}", group = Group.LIMITS)
        CgroupPolicy cgroup,
        @Section(help = "Cgroup limits of the app, shared by all its instances.", group = Group.LIMITS)
        Limits limits,
        @Section(help = "Cgroup limits of each instance on its own (keys as in limits; no defaults, no options).",
                group = Group.LIMITS, options = false, defaults = false)
        Limits instanceLimits,
        @Section(help = "Outbound connections: the proxy, allow rules, DNS, rate limits, audit log.",
                group = Group.NETWORK)
        NetworkPolicy network) {

    /** Where the app root appears inside every sandbox; also the working directory. */
    public static final String APP_DIR = "/app";

    public Policy {
        command = command == null ? null : List.copyOf(command);
        env = env == null ? null : Map.copyOf(env);
        listen = listen == null ? null : List.copyOf(listen);
        roBinds = roBinds == null ? null : List.copyOf(roBinds);
        rlimits = rlimits == null ? null : Map.copyOf(rlimits);
    }

    /**
     * This policy with the setting or section at {@code path} ({@code state-dir},
     * {@code limits.pids}, {@code user}) set to {@code value}, of its type.
     *
     * @throws IllegalArgumentException for an unknown path or a value of another type
     */
    public Policy with(String path, Object value) {
        PolicySchema schema = PolicySchema.policy();
        if (schema.leaf(path) != null) return schema.leaf(path).with(this, value);
        if (schema.branch(path) != null) return schema.branch(path).with(this, value);
        throw new IllegalArgumentException("no setting or section " + path);
    }

    /** This policy with another app root. */
    public Policy withAppRoot(Path value) { return Records.with(this, "appRoot", value); }

    /** This policy with another command. */
    public Policy withCommand(List<String> value) { return Records.with(this, "command", value); }

    /** This policy with another Landlock mode. */
    public Policy withLandlock(LandlockMode value) { return Records.with(this, "landlock", value); }

    /** This policy with other rlimits. */
    public Policy withRlimits(Map<Rlimit, RlimitValue> value) { return Records.with(this, "rlimits", value); }

    /** This policy with another seccomp profile choice. */
    public Policy withSeccomp(String value) { return Records.with(this, "seccomp", value); }

    /** This policy with another cgroup mode and root. */
    public Policy withCgroup(CgroupPolicy value) { return Records.with(this, "cgroup", value); }

    /** This policy with other app limits. */
    public Policy withLimits(Limits value) { return Records.with(this, "limits", value); }

    /** This policy with other per-instance limits. */
    public Policy withInstanceLimits(Limits value) { return Records.with(this, "instanceLimits", value); }

    /** This policy with another network policy. */
    public Policy withNetwork(NetworkPolicy value) { return Records.with(this, "network", value); }

    /** The app's identity inside the sandbox and the host ids its user namespace maps to. */
    public record Identity(
            @Setting(kind = Kind.USER_ID, byDefault = "1000", because = "an ordinary user's id, never root",
                    help = "The app's uid inside: 1 or more, below id-count.")
            Integer uid,
            @Setting(kind = Kind.USER_ID, byDefault = "1000", because = "an ordinary user's id, never root",
                    help = "The app's gid inside: 1 or more, below id-count.")
            Integer gid,
            @Setting(kind = Kind.HOST_ID_BASE, byDefault = "200000",
                    because = "far from host root and system users",
                    help = "The first host id of the app's user namespace: 1000 or more.")
            Long hostIdBase,
            @Setting(kind = Kind.ID_COUNT, byDefault = "65536", because = "the ids an ordinary system has",
                    help = "How many ids the user namespace maps: 2 or more.")
            Integer idCount) {

        /** The app's uid as the host sees it: host-id-base + uid (of a resolved policy: both set). */
        public long hostUid() { return hostIdBase + uid; }

        /** The app's gid as the host sees it: host-id-base + gid (of a resolved policy: both set). */
        public long hostGid() { return hostIdBase + gid; }
    }
}
