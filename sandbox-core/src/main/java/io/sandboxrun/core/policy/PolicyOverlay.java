package io.sandboxrun.core.policy;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A partial policy from one source (a policy file, the command line): every field is {@code null}
 * when that source does not set it. {@link PolicyResolver} lays overlays over the defaults.
 *
 * <p>{@code origins} remembers where each field was set, keyed by its path in a policy file
 * ({@code app-root}, {@code ro-binds[1]}, {@code user.uid}, {@code env.DEBUG},
 * {@code rlimits.nofile}, {@code limits.memory}, {@code instance-limits.io[0]},
 * {@code network.allow[0]}, {@code network.rates.burst}), so that errors
 * found while resolving can point at the file line or the option. Build overlays with
 * {@link #builder(String)}.
 *
 * @param source what the overlay came from as printed in messages: a file path, or
 *               {@code command line}
 * @param limits  the app limits this source sets, field by field ({@code null} fields are not
 *                set); {@code null} when it sets none
 * @param instanceLimits the same for each instance's own limits
 * @param network the network settings this source sets, field by field; {@code null} when it sets none
 */
public record PolicyOverlay(
        String source,
        String app,
        Path appRoot,
        List<String> command,
        Map<String, String> env,
        String path,
        String hostname,
        Long tmpSize,
        LandlockMode landlock,
        List<ListenAddress> listen,
        List<Path> roBinds,
        Map<Rlimit, RlimitValue> rlimits,
        User user,
        Path stateDir,
        String seccomp,
        CgroupPolicy.Mode cgroupMode,
        String cgroupRoot,
        Limits limits,
        Limits instanceLimits,
        Network network,
        Map<String, PolicyOrigin> origins) {

    public PolicyOverlay {
        Objects.requireNonNull(source, "source");
        command = command == null ? null : List.copyOf(command);
        env = env == null ? null : Map.copyOf(env);
        listen = listen == null ? null : List.copyOf(listen);
        roBinds = roBinds == null ? null : List.copyOf(roBinds);
        rlimits = rlimits == null ? null : Map.copyOf(rlimits);
        origins = origins == null ? Map.of() : Map.copyOf(origins);
    }

    /** The {@code user} settings of one source; each field is {@code null} when not set. */
    public record User(Integer uid, Integer gid, Long hostIdBase, Integer idCount) {}

    /**
     * The {@code network} settings of one source; each field is {@code null} when not set. The
     * lists replace a lower source's whole; a bandwidth of 0 is "unlimited".
     */
    public record Network(List<NetRule> allow, List<InetSocketAddress> dnsUpstream, Boolean dnsAnyName,
                          Integer connectionsPerSecond, Integer burst, NetworkPolicy.OverLimit overLimit,
                          Integer concurrent, Long bandwidthIn, Long bandwidthOut, Path auditLog,
                          NetworkPolicy.Outbound outbound) {
        public Network {
            allow = allow == null ? null : List.copyOf(allow);
            dnsUpstream = dnsUpstream == null ? null : List.copyOf(dnsUpstream);
        }

        /** Without an outbound mode. */
        public Network(List<NetRule> allow, List<InetSocketAddress> dnsUpstream, Boolean dnsAnyName,
                       Integer connectionsPerSecond, Integer burst, NetworkPolicy.OverLimit overLimit,
                       Integer concurrent, Long bandwidthIn, Long bandwidthOut, Path auditLog) {
            this(allow, dnsUpstream, dnsAnyName, connectionsPerSecond, burst, overLimit, concurrent, bandwidthIn,
                    bandwidthOut, auditLog, null);
        }
    }

    /** Which cgroup limits a setting is for, named as in a policy file. */
    public enum Scope {
        /** {@code limits}: the app's cgroup, shared by its instances. */
        APP("limits"),
        /** {@code instance-limits}: each instance's own cgroup. */
        INSTANCE("instance-limits");

        private final String key;

        Scope(String key) {
            this.key = key;
        }

        /** The policy file key: {@code limits} or {@code instance-limits}. */
        public String key() {
            return key;
        }
    }

    /** The limits of {@code scope} this source sets, or {@code null}. */
    public Limits limits(Scope scope) {
        return scope == Scope.APP ? limits : instanceLimits;
    }

    /** An overlay that sets nothing. */
    public static PolicyOverlay empty(String source) {
        return builder(source).build();
    }

    /** A builder for an overlay from {@code source}. */
    public static Builder builder(String source) {
        return new Builder(source);
    }

    /**
     * Where {@code field} (a path such as {@code ro-binds[1]} or {@code user.uid}) was set: its
     * own origin, else that of the enclosing field, else just this overlay's source.
     */
    public PolicyOrigin origin(String field) {
        for (String f = field; f != null; f = parent(f)) {
            PolicyOrigin o = origins.get(f);
            if (o != null) return o;
        }
        return PolicyOrigin.of(source, field);
    }

    private static String parent(String field) {
        int cut = Math.max(field.lastIndexOf('.'), field.lastIndexOf('['));
        return cut > 0 ? field.substring(0, cut) : null;
    }

    /**
     * Collects the fields of one overlay, each with its origin. Values are expected to be
     * checked already (see {@link PolicyValues}); maps merge entry by entry, lists are set whole
     * or grown one element at a time.
     */
    public static final class Builder {
        private final String source;
        private final Map<String, PolicyOrigin> origins = new HashMap<>();
        private String app;
        private Path appRoot;
        private List<String> command;
        private Map<String, String> env;
        private String path;
        private String hostname;
        private Long tmpSize;
        private LandlockMode landlock;
        private List<ListenAddress> listen;
        private List<Path> roBinds;
        private Map<Rlimit, RlimitValue> rlimits;
        private Integer uid;
        private Integer gid;
        private Long hostIdBase;
        private Integer idCount;
        private Path stateDir;
        private String seccomp;
        private CgroupPolicy.Mode cgroupMode;
        private String cgroupRoot;
        private final Map<Scope, Limits> limits = new java.util.EnumMap<>(Scope.class);
        private final Map<Scope, List<IoLimit>> io = new java.util.EnumMap<>(Scope.class);
        private List<NetRule> allow;
        private List<InetSocketAddress> dnsUpstream;
        private Boolean dnsAnyName;
        private Integer connectionsPerSecond;
        private Integer burst;
        private NetworkPolicy.OverLimit overLimit;
        private Integer concurrent;
        private Long bandwidthIn;
        private Long bandwidthOut;
        private Path auditLog;
        private NetworkPolicy.Outbound outbound;

        private Builder(String source) {
            this.source = Objects.requireNonNull(source, "source");
        }

        public Builder app(String value, PolicyOrigin origin) {
            app = value;
            return set("app", origin);
        }

        public Builder appRoot(Path value, PolicyOrigin origin) {
            appRoot = value;
            return set("app-root", origin);
        }

        public Builder command(List<String> value, PolicyOrigin origin) {
            command = List.copyOf(value);
            return set("command", origin);
        }

        /** Sets the variables in {@code values} (an empty map marks env as given). */
        public Builder env(Map<String, String> values, PolicyOrigin origin) {
            if (env == null) env = new LinkedHashMap<>();
            set("env", origin);
            values.forEach((k, v) -> envVar(k, v, origin));
            return this;
        }

        public Builder envVar(String name, String value, PolicyOrigin origin) {
            if (env == null) env = new LinkedHashMap<>();
            env.put(name, value);
            return set("env." + name, origin);
        }

        public Builder path(String value, PolicyOrigin origin) {
            path = value;
            return set("path", origin);
        }

        public Builder hostname(String value, PolicyOrigin origin) {
            hostname = value;
            return set("hostname", origin);
        }

        public Builder tmpSize(long bytes, PolicyOrigin origin) {
            tmpSize = bytes;
            return set("tmp-size", origin);
        }

        public Builder landlock(LandlockMode value, PolicyOrigin origin) {
            landlock = value;
            return set("landlock", origin);
        }

        /** Replaces the listen list. */
        public Builder listen(List<ListenAddress> values, PolicyOrigin origin) {
            listen = new ArrayList<>();
            origins.keySet().removeIf(k -> k.startsWith("listen["));
            set("listen", origin);
            values.forEach(v -> addListen(v, origin));
            return this;
        }

        public Builder addListen(ListenAddress value, PolicyOrigin origin) {
            if (listen == null) listen = new ArrayList<>();
            origins.putIfAbsent("listen", origin);
            listen.add(value);
            return set("listen[" + (listen.size() - 1) + "]", origin);
        }

        /** Replaces the ro-binds list. */
        public Builder roBinds(List<Path> values, PolicyOrigin origin) {
            roBinds = new ArrayList<>();
            origins.keySet().removeIf(k -> k.startsWith("ro-binds["));
            set("ro-binds", origin);
            values.forEach(v -> addRoBind(v, origin));
            return this;
        }

        public Builder addRoBind(Path value, PolicyOrigin origin) {
            if (roBinds == null) roBinds = new ArrayList<>();
            origins.putIfAbsent("ro-binds", origin);
            roBinds.add(value);
            return set("ro-binds[" + (roBinds.size() - 1) + "]", origin);
        }

        /** Sets the rlimits in {@code values} (an empty map marks rlimits as given). */
        public Builder rlimits(Map<Rlimit, RlimitValue> values, PolicyOrigin origin) {
            if (rlimits == null) rlimits = new LinkedHashMap<>();
            set("rlimits", origin);
            values.forEach((k, v) -> rlimit(k, v, origin));
            return this;
        }

        public Builder rlimit(Rlimit name, RlimitValue value, PolicyOrigin origin) {
            if (rlimits == null) rlimits = new LinkedHashMap<>();
            rlimits.put(name, value);
            return set("rlimits." + name.word(), origin);
        }

        public Builder uid(int value, PolicyOrigin origin) {
            uid = value;
            return set("user.uid", origin);
        }

        public Builder gid(int value, PolicyOrigin origin) {
            gid = value;
            return set("user.gid", origin);
        }

        public Builder hostIdBase(long value, PolicyOrigin origin) {
            hostIdBase = value;
            return set("user.host-id-base", origin);
        }

        public Builder idCount(int value, PolicyOrigin origin) {
            idCount = value;
            return set("user.id-count", origin);
        }

        public Builder stateDir(Path value, PolicyOrigin origin) {
            stateDir = value;
            return set("state-dir", origin);
        }

        public Builder seccomp(String value, PolicyOrigin origin) {
            seccomp = value;
            return set("seccomp", origin);
        }

        public Builder cgroupMode(CgroupPolicy.Mode value, PolicyOrigin origin) {
            cgroupMode = value;
            return set("cgroup.mode", origin);
        }

        public Builder cgroupRoot(String value, PolicyOrigin origin) {
            cgroupRoot = value;
            return set("cgroup.root", origin);
        }

        /**
         * Sets, in the limits of {@code scope}, each field that {@code value} sets (an earlier
         * value of this source stays where {@code value} has {@code null}); an io list in
         * {@code value} replaces the earlier one.
         */
        public Builder limits(Scope scope, Limits value, PolicyOrigin origin) {
            String k = scope.key();
            set(k, origins.getOrDefault(k, origin));
            if (value.io() != null) {
                io.put(scope, new ArrayList<>());
                origins.keySet().removeIf(f -> f.startsWith(k + ".io["));
                set(k + ".io", origin);
                value.io().forEach(v -> addIo(scope, v, origin));
            }
            limits.put(scope, limits.getOrDefault(scope, Limits.none()).overlay(value.withIo(null)));
            if (value.memory() != null) set(k + ".memory", origin);
            if (value.memoryHigh() != null) set(k + ".memory-high", origin);
            if (value.cpuMillis() != null) set(k + ".cpus", origin);
            if (value.cpuWeight() != null) set(k + ".cpu-weight", origin);
            if (value.pids() != null) set(k + ".pids", origin);
            return this;
        }

        /** Adds one io throttle to the limits of {@code scope}. */
        public Builder addIo(Scope scope, IoLimit value, PolicyOrigin origin) {
            String k = scope.key();
            origins.putIfAbsent(k, origin);
            origins.putIfAbsent(k + ".io", origin);
            List<IoLimit> list = io.computeIfAbsent(scope, s -> new ArrayList<>());
            list.add(value);
            return set(k + ".io[" + (list.size() - 1) + "]", origin);
        }

        /** Replaces the network allow rules. */
        public Builder allow(List<NetRule> values, PolicyOrigin origin) {
            allow = new ArrayList<>();
            origins.keySet().removeIf(k -> k.startsWith("network.allow["));
            set("network.allow", origin);
            values.forEach(v -> addAllow(v, origin));
            return this;
        }

        public Builder addAllow(NetRule value, PolicyOrigin origin) {
            if (allow == null) allow = new ArrayList<>();
            origins.putIfAbsent("network.allow", origin);
            allow.add(value);
            return set("network.allow[" + (allow.size() - 1) + "]", origin);
        }

        /** Replaces the DNS upstream list (empty: the host's resolvers). */
        public Builder dnsUpstream(List<InetSocketAddress> values, PolicyOrigin origin) {
            dnsUpstream = new ArrayList<>();
            origins.keySet().removeIf(k -> k.startsWith("network.dns.upstream["));
            set("network.dns.upstream", origin);
            values.forEach(v -> addDnsUpstream(v, origin));
            return this;
        }

        public Builder addDnsUpstream(InetSocketAddress value, PolicyOrigin origin) {
            if (dnsUpstream == null) dnsUpstream = new ArrayList<>();
            origins.putIfAbsent("network.dns.upstream", origin);
            dnsUpstream.add(value);
            return set("network.dns.upstream[" + (dnsUpstream.size() - 1) + "]", origin);
        }

        public Builder dnsAnyName(boolean value, PolicyOrigin origin) {
            dnsAnyName = value;
            return set("network.dns.any-name", origin);
        }

        public Builder connectionsPerSecond(int value, PolicyOrigin origin) {
            connectionsPerSecond = value;
            return set("network.rates.connections-per-second", origin);
        }

        public Builder burst(int value, PolicyOrigin origin) {
            burst = value;
            return set("network.rates.burst", origin);
        }

        public Builder overLimit(NetworkPolicy.OverLimit value, PolicyOrigin origin) {
            overLimit = value;
            return set("network.rates.over-limit", origin);
        }

        public Builder concurrent(int value, PolicyOrigin origin) {
            concurrent = value;
            return set("network.rates.concurrent", origin);
        }

        /** Bytes per second towards the app; 0: unlimited. */
        public Builder bandwidthIn(long value, PolicyOrigin origin) {
            bandwidthIn = value;
            return set("network.rates.bandwidth-in", origin);
        }

        /** Bytes per second from the app; 0: unlimited. */
        public Builder bandwidthOut(long value, PolicyOrigin origin) {
            bandwidthOut = value;
            return set("network.rates.bandwidth-out", origin);
        }

        public Builder auditLog(Path value, PolicyOrigin origin) {
            auditLog = value;
            return set("network.audit-log", origin);
        }

        public Builder outbound(NetworkPolicy.Outbound value, PolicyOrigin origin) {
            outbound = value;
            return set("network.outbound", origin);
        }

        /** Records {@code origin} for {@code field} without setting a value (e.g. an empty {@code user:}). */
        public Builder origin(String field, PolicyOrigin origin) {
            return set(field, origin);
        }

        public PolicyOverlay build() {
            User user = uid == null && gid == null && hostIdBase == null && idCount == null
                    ? null : new User(uid, gid, hostIdBase, idCount);
            boolean noNetwork = allow == null && dnsUpstream == null && dnsAnyName == null
                    && connectionsPerSecond == null && burst == null && overLimit == null && concurrent == null
                    && bandwidthIn == null && bandwidthOut == null && auditLog == null && outbound == null;
            Network network = noNetwork ? null : new Network(allow, dnsUpstream, dnsAnyName, connectionsPerSecond,
                    burst, overLimit, concurrent, bandwidthIn, bandwidthOut, auditLog, outbound);
            return new PolicyOverlay(source, app, appRoot, command, env, path, hostname, tmpSize, landlock,
                    listen, roBinds, rlimits, user, stateDir, seccomp, cgroupMode, cgroupRoot,
                    limits(Scope.APP), limits(Scope.INSTANCE), network, origins);
        }

        private Limits limits(Scope scope) {
            Limits l = limits.get(scope);
            List<IoLimit> i = io.get(scope);
            if (i != null) l = (l == null ? Limits.none() : l).withIo(i);
            return l;
        }

        private Builder set(String field, PolicyOrigin origin) {
            origins.put(field, Objects.requireNonNull(origin, "origin"));
            return this;
        }
    }
}
