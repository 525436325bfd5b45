package io.sandboxrun.core.policy;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Lays policy layers over the defaults and checks the result as a whole: the one way a
 * {@link Policy} is made from user input.
 */
public final class PolicyResolver {
    private static final String DEFAULTS = "defaults";

    /**
     * Resolves {@code layers}, in order, over {@code defaults}: a later layer overrides an earlier
     * one setting by setting; maps ({@code env}, {@code rlimits}) merge entry by entry; lists are
     * replaced whole. Then parses again each value that no parser may have made (of a layer built in
     * code, see {@link PolicyLayer#checked()}, or of {@code defaults}: {@link #resolve(Path, List)}
     * knows its own to be parsed) and checks what no single value can show:
     * <ul>
     *   <li>app-root exists and is a directory (it becomes its real path) that the app's uid may
     *       enter; every ro-bind exists;</li>
     *   <li>0 &lt; uid, gid &lt; id-count; host-id-base + id-count - 1 &le; 4294967294 (the app
     *       never maps onto host root);</li>
     *   <li>in limits and in instance-limits: memory-high does not exceed memory, each io device
     *       is given once. An instance limit above the app's is allowed: it simply never binds;</li>
     *   <li>in network: each allow rule is given once, and with outbound none there are neither
     *       rules nor an audit log;</li>
     *   <li>a command is given (checked after the above, so that a file's own errors show first), and it
     *       fits execve and the helper's plan with env ({@link ExecArgs}).</li>
     * </ul>
     *
     * @throws PolicyException naming the source that set the offending setting (file:line:column,
     *                         or the option), or {@code defaults}
     */
    public static Policy resolve(Policy defaults, List<PolicyLayer> layers) {
        return resolve(defaults, false, layers);
    }

    /**
     * Resolves {@code layers} over the embedded defaults, whose relative defaults start at
     * {@code base} ({@link PolicyDefaults#embedded}); as {@link #resolve(Policy, List)}, without
     * parsing the defaults again.
     */
    public static Policy resolve(Path base, List<PolicyLayer> layers) {
        return resolve(PolicyDefaults.embedded(base), true, layers);
    }

    private static Policy resolve(Policy defaults, boolean defaultsChecked, List<PolicyLayer> layers) {
        Merged m = new Merged(defaults, defaultsChecked);
        for (int i = 0; i < layers.size(); i++) m.apply(layers.get(i), i);
        return m.check();
    }

    /** The merged settings, with where each was set and by which layer (-1: the defaults). */
    private static final class Merged {
        Policy policy;
        final Map<String, PolicyOrigin> origins = new HashMap<>();
        final Map<String, Integer> setBy = new HashMap<>();
        /** The settings holding a value that no parser made (a map: one of its entries, at least). */
        final Set<String> unchecked = new HashSet<>();

        Merged(Policy defaults, boolean defaultsChecked) {
            policy = defaults;
            if (!defaultsChecked) PolicySchema.policy().leaves().forEach(leaf -> unchecked.add(leaf.path()));
        }

        void apply(PolicyLayer layer, int index) {
            policy = PolicySchema.policy().combine(policy, layer.values(), (leaf, current, top) -> {
                if (top == null) return current;
                String path = leaf.path();
                Object v = top;
                switch (leaf.container()) {
                    case MAP -> {
                        Map<Object, Object> merged = new LinkedHashMap<>(map(current));
                        for (Map.Entry<?, ?> e : ((Map<?, ?>) top).entrySet()) {
                            merged.put(e.getKey(), e.getValue());
                            String field = path + "." + PolicyLayer.entryKey(e.getKey());
                            origins.put(field, layer.origin(field));
                        }
                        v = merged;
                    }
                    case LIST -> {
                        origins.keySet().removeIf(k -> k.startsWith(path + "["));
                        for (int i = 0; i < ((List<?>) top).size(); i++) {
                            origins.put(path + "[" + i + "]", layer.origin(path + "[" + i + "]"));
                        }
                    }
                    case ONE -> { }
                }
                origins.put(path, layer.origin(path));
                setBy.put(path, index);
                if (!layer.checked()) unchecked.add(path);
                else if (leaf.container() != PolicySchema.Container.MAP) unchecked.remove(path);   // replaced whole
                return v;
            });
        }

        PolicyOrigin origin(String field) {
            return PolicyOrigin.find(origins, field, DEFAULTS);
        }

        Policy check() {
            if (!unchecked.isEmpty()) {
                Kind.Base base = new Kind.Base(Path.of("").toAbsolutePath(), false);
                policy = PolicySchema.policy().combine(policy, null, (leaf, v, unused) -> recheck(leaf, v, base));
            }
            Path realRoot = directory(policy.appRoot(), origin("app-root"));
            for (int i = 0; i < policy.roBinds().size(); i++) exists(policy.roBinds().get(i), origin("ro-binds[" + i + "]"));
            checkUser();
            // After the ids are known good: which of them enters the app root.
            String closed = AppRootAccess.check(realRoot, policy.user());
            if (closed != null) throw origin("app-root").error(closed);
            checkLimits("limits", policy.limits());
            checkLimits("instance-limits", policy.instanceLimits());
            checkNetwork();
            if (policy.command() == null || policy.command().isEmpty()) {
                throw PolicyException.of(null, "no command: give one after -- or set command: in the policy");
            }
            checkExecArgs();
            return Records.with(policy, "appRoot", realRoot);
        }

        /**
         * Parses a value that no parser made again from its printed form, so that a layer built in
         * code is held to the same checks, and keeps what the parse made of it (a host name rule in
         * lower case).
         */
        private Object recheck(PolicySchema.Leaf leaf, Object v, Kind.Base base) {
            if (v == null || !unchecked.contains(leaf.path())) return v;
            String path = leaf.path();
            return switch (leaf.container()) {
                case ONE -> recheck(leaf.kind(), origin(path), v, base);
                case LIST -> {
                    List<Object> out = new ArrayList<>();
                    List<?> list = (List<?>) v;
                    for (int i = 0; i < list.size(); i++) out.add(recheck(leaf.kind(), origin(path + "[" + i + "]"), list.get(i), base));
                    if (leaf.kind() == Kind.COMMAND && !list.isEmpty()) {
                        PolicyOrigin origin = origin(path);
                        origin.check(() -> PolicyValues.command(origin.field(), list.stream().map(String::valueOf).toList()));
                    }
                    yield out;
                }
                case MAP -> {
                    Map<Object, Object> out = new LinkedHashMap<>();
                    for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                        Map.Entry<?, ?> entry = (Map.Entry<?, ?>) recheck(leaf.kind(),
                                origin(path + "." + PolicyLayer.entryKey(e.getKey())), e, base);
                        out.put(entry.getKey(), entry.getValue());
                    }
                    yield out;
                }
            };
        }

        private static Object recheck(Kind kind, PolicyOrigin origin, Object value, Kind.Base base) {
            // Before printing: a mapping's value that lacks a key cannot be printed.
            origin.check(() -> kind.checkWhole(origin.field(), value));
            if (kind == Kind.AUDIT_LOG && !((Path) value).isAbsolute()) {
                throw origin.error(PolicyValues.quote(value.toString())
                        + " is not an absolute path; give a file (e.g. /var/log/sandbox-run/audit.jsonl)");
            }
            String text = kind.print(value);
            return origin.check(() -> kind.parse(origin.field(), text, text, base));
        }

        private void checkLimits(String section, Limits l) {
            String k = section + ".";
            Long memory = l.memory();
            Long high = l.memoryHigh();
            if (memory != null && high != null && memory != Limits.UNLIMITED && high != Limits.UNLIMITED && high > memory) {
                PolicyOrigin highOrigin = origin(k + "memory-high");
                PolicyOrigin memoryOrigin = origin(k + "memory");
                // Blame the one set last: the other was fine until it came.
                if (setBy.getOrDefault(k + "memory", -1) > setBy.getOrDefault(k + "memory-high", -1)) {
                    throw memoryOrigin.error(PolicyValues.sizeWord(memory) + " is below memory-high "
                            + PolicyValues.sizeWord(high) + " (" + where(highOrigin) + "); use at least "
                            + PolicyValues.sizeWord(high) + ", or lower memory-high");
                }
                throw highOrigin.error(PolicyValues.sizeWord(high) + " is above memory " + PolicyValues.sizeWord(memory)
                        + " (" + where(memoryOrigin) + "); memory-high must not exceed memory: use at most "
                        + PolicyValues.sizeWord(memory) + ", or raise memory");
            }
            if (l.io() == null) return;
            Map<String, Integer> seen = new HashMap<>();
            for (int i = 0; i < l.io().size(); i++) {
                IoLimit io = l.io().get(i);
                Integer first = seen.putIfAbsent(io.device(), i);
                if (first != null) {
                    throw origin(k + "io[" + i + "]").error("device " + io.device() + " is already limited ("
                            + where(origin(k + "io[" + first + "]")) + "); give each device once, with all its keys");
                }
            }
        }

        private void checkNetwork() {
            NetworkPolicy network = policy.network();
            Map<String, PolicyOrigin> seen = new HashMap<>();
            List<NetRule> rules = network.allow();
            for (int i = 0; i < rules.size(); i++) {
                PolicyOrigin origin = origin("network.allow[" + i + "]");
                PolicyOrigin first = seen.putIfAbsent(rules.get(i).text(), origin);
                if (first != null) {
                    throw origin.error(PolicyValues.quote(rules.get(i).text()) + " is already allowed (" + where(first)
                            + "); give each rule once");
                }
            }
            Path log = network.auditLog();
            if (network.outbound() == NetworkPolicy.Outbound.NONE) {
                // Settings that only the proxy acts on would be silently dead: say so instead.
                String none = "network.outbound is none (" + where(origin("network.outbound")) + "), so nothing leaves"
                        + " the sandbox";
                if (!rules.isEmpty()) {
                    throw origin("network.allow[0]").error(PolicyValues.quote(rules.get(0).text()) + " cannot apply: "
                            + none + "; remove the allow rules or use outbound: proxy");
                }
                if (log != null) {
                    throw origin("network.audit-log").error(PolicyValues.quote(log.toString()) + " would stay empty: "
                            + none + "; remove the audit log or use outbound: proxy");
                }
            }
        }

        /** What no single word or variable shows: all of them together, for the plan and for execve. */
        private void checkExecArgs() {
            RlimitValue stack = policy.rlimits().get(Rlimit.STACK);
            ExecArgs.Problem p = ExecArgs.check(policy.command(), policy.env(), policy.path(),
                    stack == null ? null : stack.soft());
            if (p != null) throw origin(p.field()).error(p.detail());
        }

        private void checkUser() {
            Policy.Identity u = policy.user();
            long idCount = u.idCount();
            long hostIdBase = u.hostIdBase();
            for (String name : List.of("uid", "gid")) {
                long id = name.equals("uid") ? u.uid() : u.gid();
                if (id >= idCount) {
                    throw origin("user." + name).error(id + " is not below id-count " + idCount + "; use 1 to " + (idCount - 1));
                }
            }
            long last = hostIdBase + idCount - 1;
            if (last > PolicyValues.HOST_ID_MAX) {
                // Blame the one a source set (host-id-base when both were set).
                String blamed = setBy.containsKey("user.host-id-base") || !setBy.containsKey("user.id-count")
                        ? "host-id-base" : "id-count";
                long other = blamed.equals("host-id-base") ? idCount : hostIdBase;
                long self = blamed.equals("host-id-base") ? hostIdBase : idCount;
                throw origin("user." + blamed).error(self + " with " + (blamed.equals("host-id-base") ? "id-count " : "host-id-base ")
                        + other + " maps past host id " + PolicyValues.HOST_ID_MAX + "; use at most "
                        + (PolicyValues.HOST_ID_MAX - other + 1));
            }
        }

        @SuppressWarnings("unchecked")
        private static Map<Object, Object> map(Object v) {
            return v == null ? Map.of() : (Map<Object, Object>) v;
        }

        /** An origin as a parenthesised mention: {@code sandbox.yaml:4:11 limits.memory}, {@code --memory}. */
        private static String where(PolicyOrigin o) {
            if (o.source() == null) return o.field();
            return o.source() + (o.line() > 0 ? ":" + o.line() + ":" + o.column() : "") + " " + o.field();
        }

        private static Path directory(Path dir, PolicyOrigin origin) {
            try {
                Path real = dir.toRealPath();
                if (!Files.isDirectory(real)) throw origin.error(PolicyValues.quote(dir.toString()) + " is not a directory");
                return real;
            } catch (IOException e) {
                throw origin.error(PolicyValues.quote(dir.toString()) + unusable(e));
            }
        }

        private static void exists(Path p, PolicyOrigin origin) {
            try {
                Files.readAttributes(p, BasicFileAttributes.class);
            } catch (IOException e) {
                throw origin.error(PolicyValues.quote(p.toString()) + unusable(e));
            }
        }

        private static String unusable(IOException e) {
            if (e instanceof NoSuchFileException) return " does not exist";
            if (e instanceof AccessDeniedException) return " cannot be accessed: permission denied";
            return " cannot be accessed: " + e.getMessage();
        }
    }

    private PolicyResolver() {}
}
