package io.sandboxrun.core.policy;

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
 * {@code rlimits.nofile}), so that errors found while resolving can point at the file line or the
 * option. Build overlays with {@link #builder(String)}.
 *
 * @param source what the overlay came from as printed in messages: a file path, or
 *               {@code command line}
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

        /** Records {@code origin} for {@code field} without setting a value (e.g. an empty {@code user:}). */
        public Builder origin(String field, PolicyOrigin origin) {
            return set(field, origin);
        }

        public PolicyOverlay build() {
            User user = uid == null && gid == null && hostIdBase == null && idCount == null
                    ? null : new User(uid, gid, hostIdBase, idCount);
            return new PolicyOverlay(source, app, appRoot, command, env, path, hostname, tmpSize, landlock,
                    listen, roBinds, rlimits, user, stateDir, seccomp, origins);
        }

        private Builder set(String field, PolicyOrigin origin) {
            origins.put(field, Objects.requireNonNull(origin, "origin"));
            return this;
        }
    }
}
