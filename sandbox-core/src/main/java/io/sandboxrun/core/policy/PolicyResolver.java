package io.sandboxrun.core.policy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Lays policy overlays over the defaults and checks the result as a whole: the one way a
 * {@link Policy} is made from user input.
 */
public final class PolicyResolver {
    private static final String DEFAULTS = "defaults";

    /**
     * Resolves {@code overlays}, in order, over {@code defaults}. A later overlay overrides an
     * earlier one field by field; {@code env} and {@code rlimits} merge name by name; lists
     * ({@code command}, {@code listen}, {@code ro-binds}) are replaced whole; the {@code user},
     * {@code cgroup}, {@code limits} and {@code instance-limits} fields override one by one (a
     * limits {@code io} list is replaced whole), and so do the {@code network} fields (its
     * {@code allow} and {@code dns.upstream} lists are replaced whole). Then checks what no single
     * value can show:
     * <ul>
     *   <li>app-root exists and is a directory (it becomes its real path);</li>
     *   <li>every ro-bind exists;</li>
     *   <li>0 &lt; uid, gid &lt; id-count; host-id-base &ge; 1000; host-id-base + id-count - 1
     *       &le; 4294967294 (the app never maps onto host root);</li>
     *   <li>tmp-size is within 1M to 64G;</li>
     *   <li>in network: each allow rule is given once, and every value is in its range (see
     *       {@link NetValues}); the audit log path is absolute;</li>
     *   <li>in limits and in instance-limits: memory-high does not exceed memory, each io device
     *       is given once, and every value is in its range (see {@link CgroupValues}). An
     *       instance limit above the app's is allowed: it simply never binds;</li>
     *   <li>a command is given (checked last, so that a file's own errors show first).</li>
     * </ul>
     *
     * @throws PolicyException naming the source that set the offending field (file:line:column,
     *                         or the option), or {@code defaults}
     */
    public static Policy resolve(Policy defaults, List<PolicyOverlay> overlays) {
        var m = new Merged(defaults);
        for (int i = 0; i < overlays.size(); i++) m.apply(overlays.get(i), i);
        return m.check();
    }

    /** The fields being merged, with the origin of those that later checks may blame. */
    private static final class Merged {
        String app;
        Path appRoot;
        PolicyOrigin appRootOrigin = PolicyOrigin.of(DEFAULTS, "app-root");
        List<String> command;
        final Map<String, String> env;
        String path;
        String hostname;
        long tmpSize;
        PolicyOrigin tmpSizeOrigin = PolicyOrigin.of(DEFAULTS, "tmp-size");
        LandlockMode landlock;
        List<ListenAddress> listen;
        List<Path> roBinds;
        PolicyOverlay roBindsSource;
        final Map<Rlimit, RlimitValue> rlimits;
        long uid;
        long gid;
        long hostIdBase;
        long idCount;
        final Map<String, PolicyOrigin> userOrigins = new HashMap<>();
        Path stateDir;
        String seccomp;
        CgroupPolicy cgroup;
        PolicyOrigin cgroupRootOrigin;
        final Map<PolicyOverlay.Scope, Limits> limits = new EnumMap<>(PolicyOverlay.Scope.class);
        NetworkPolicy network;
        PolicyOverlay allowSource;
        PolicyOverlay upstreamSource;
        /** Where each network field was set ({@code network.rates.burst}, ...). */
        final Map<String, PolicyOrigin> netOrigins = new HashMap<>();
        /** Where each limit was set ({@code limits.memory}, ...) and by which overlay (-1: the defaults). */
        final Map<String, PolicyOrigin> limitOrigins = new HashMap<>();
        final Map<String, Integer> limitOverlays = new HashMap<>();
        final Map<PolicyOverlay.Scope, PolicyOverlay> ioSources = new EnumMap<>(PolicyOverlay.Scope.class);

        Merged(Policy d) {
            app = d.app();
            appRoot = d.appRoot();
            command = d.command();
            env = new HashMap<>(d.env());
            path = d.path();
            hostname = d.hostname();
            tmpSize = d.tmpSize();
            landlock = d.landlock();
            listen = d.listen();
            roBinds = d.roBinds();
            rlimits = new HashMap<>(d.rlimits());
            uid = d.user().uid();
            gid = d.user().gid();
            hostIdBase = d.user().hostIdBase();
            idCount = d.user().idCount();
            stateDir = d.stateDir();
            seccomp = d.seccomp();
            cgroup = d.cgroup();
            limits.put(PolicyOverlay.Scope.APP, d.limits());
            limits.put(PolicyOverlay.Scope.INSTANCE, d.instanceLimits());
            network = d.network();
        }

        void apply(PolicyOverlay o, int index) {
            if (o.app() != null) app = o.app();
            if (o.appRoot() != null) {
                appRoot = o.appRoot();
                appRootOrigin = o.origin("app-root");
            }
            if (o.command() != null) command = o.command();
            if (o.env() != null) env.putAll(o.env());
            if (o.path() != null) path = o.path();
            if (o.hostname() != null) hostname = o.hostname();
            if (o.tmpSize() != null) {
                tmpSize = o.tmpSize();
                tmpSizeOrigin = o.origin("tmp-size");
            }
            if (o.landlock() != null) landlock = o.landlock();
            if (o.listen() != null) listen = o.listen();
            if (o.roBinds() != null) {
                roBinds = o.roBinds();
                roBindsSource = o;
            }
            if (o.rlimits() != null) rlimits.putAll(o.rlimits());
            PolicyOverlay.User u = o.user();
            if (u != null) {
                if (u.uid() != null) uid = user(o, "uid", u.uid());
                if (u.gid() != null) gid = user(o, "gid", u.gid());
                if (u.hostIdBase() != null) hostIdBase = user(o, "host-id-base", u.hostIdBase());
                if (u.idCount() != null) idCount = user(o, "id-count", u.idCount());
            }
            if (o.stateDir() != null) stateDir = o.stateDir();
            if (o.seccomp() != null) seccomp = o.seccomp();
            if (o.cgroupMode() != null) cgroup = cgroup.withMode(o.cgroupMode());
            if (o.cgroupRoot() != null) {
                cgroup = cgroup.withRoot(o.cgroupRoot());
                cgroupRootOrigin = o.origin("cgroup.root");
            }
            if (o.network() != null) applyNetwork(o);
            for (PolicyOverlay.Scope scope : PolicyOverlay.Scope.values()) {
                Limits top = o.limits(scope);
                if (top == null) continue;
                limits.put(scope, limits.get(scope).overlay(top));
                if (top.io() != null) ioSources.put(scope, o);
                for (String f : LIMIT_FIELDS) {
                    String field = scope.key() + "." + f;
                    if (value(top, f) != null) {
                        limitOrigins.put(field, o.origin(field));
                        limitOverlays.put(field, index);
                    }
                }
            }
        }

        private void applyNetwork(PolicyOverlay o) {
            PolicyOverlay.Network n = o.network();
            if (n.allow() != null) {
                network = network.withAllow(n.allow());
                allowSource = o;
            }
            NetworkPolicy.Dns dns = network.dns();
            if (n.dnsUpstream() != null) {
                dns = new NetworkPolicy.Dns(n.dnsUpstream(), dns.anyName());
                upstreamSource = o;
            }
            if (n.dnsAnyName() != null) dns = new NetworkPolicy.Dns(dns.upstream(), n.dnsAnyName());
            network = network.withDns(dns);
            NetworkPolicy.Rates r = network.rates();
            network = network.withRates(new NetworkPolicy.Rates(
                    net(o, "rates.connections-per-second", n.connectionsPerSecond(), r.connectionsPerSecond()),
                    net(o, "rates.burst", n.burst(), r.burst()),
                    net(o, "rates.over-limit", n.overLimit(), r.overLimit()),
                    net(o, "rates.concurrent", n.concurrent(), r.concurrent()),
                    net(o, "rates.bandwidth-in", n.bandwidthIn(), r.bytesPerSecondIn()),
                    net(o, "rates.bandwidth-out", n.bandwidthOut(), r.bytesPerSecondOut())));
            if (n.auditLog() != null) network = network.withAuditLog(net(o, "audit-log", n.auditLog(), null));
            network = network.withOutbound(net(o, "outbound", n.outbound(), network.outbound()));
        }

        /** {@code value} when {@code o} sets it (remembering where), else {@code current}. */
        private <T> T net(PolicyOverlay o, String field, T value, T current) {
            if (value == null) return current;
            netOrigins.put("network." + field, o.origin("network." + field));
            return value;
        }

        private PolicyOrigin netOrigin(String field) {
            return netOrigins.getOrDefault(field, PolicyOrigin.of(DEFAULTS, field));
        }

        private static final List<String> LIMIT_FIELDS = List.of("memory", "memory-high", "cpus", "cpu-weight", "pids");

        private static Object value(Limits l, String field) {
            return switch (field) {
                case "memory" -> l.memory();
                case "memory-high" -> l.memoryHigh();
                case "cpus" -> l.cpuMillis();
                case "cpu-weight" -> l.cpuWeight();
                case "pids" -> l.pids();
                default -> throw new IllegalArgumentException(field);
            };
        }

        private PolicyOrigin limitOrigin(String field) {
            return limitOrigins.getOrDefault(field, PolicyOrigin.of(DEFAULTS, field));
        }

        private long user(PolicyOverlay o, String name, long value) {
            userOrigins.put(name, o.origin("user." + name));
            return value;
        }

        private PolicyOrigin userOrigin(String name) {
            return userOrigins.getOrDefault(name, PolicyOrigin.of(DEFAULTS, "user." + name));
        }

        Policy check() {
            if (tmpSize < PolicyValues.TMP_SIZE_MIN || tmpSize > PolicyValues.TMP_SIZE_MAX) {
                throw tmpSizeOrigin.error(PolicyValues.sizeWord(tmpSize) + " is out of range; use "
                        + PolicyValues.sizeWord(PolicyValues.TMP_SIZE_MIN) + " to "
                        + PolicyValues.sizeWord(PolicyValues.TMP_SIZE_MAX));
            }
            Path realRoot = directory(appRoot, appRootOrigin);
            for (int i = 0; i < roBinds.size(); i++) {
                PolicyOrigin origin = roBindsSource == null ? PolicyOrigin.of(DEFAULTS, "ro-binds[" + i + "]")
                        : roBindsSource.origin("ro-binds[" + i + "]");
                exists(roBinds.get(i), origin);
            }
            checkUser();
            if (cgroupRootOrigin != null) checked(cgroupRootOrigin, () -> CgroupValues.root("cgroup.root", cgroup.root()));
            for (PolicyOverlay.Scope scope : PolicyOverlay.Scope.values()) checkLimits(scope);
            checkNetwork();
            if (command.isEmpty()) {
                throw PolicyException.of(null, "no command: give one after -- or set command: in the policy");
            }
            return new Policy(app, realRoot, command, env, path, hostname, tmpSize, landlock, listen, roBinds,
                    rlimits, new Policy.Identity((int) uid, (int) gid, hostIdBase, (int) idCount), stateDir, seccomp,
                    cgroup, limits.get(PolicyOverlay.Scope.APP), limits.get(PolicyOverlay.Scope.INSTANCE), network);
        }

        /** Rechecks each value (an overlay built in code may not have), then what needs two of them. */
        private void checkLimits(PolicyOverlay.Scope scope) {
            Limits l = limits.get(scope);
            String k = scope.key() + ".";
            if (l.memory() != null) recheck(k + "memory", CgroupValues.word(l.memory(), true), CgroupValues::memory);
            if (l.memoryHigh() != null) {
                recheck(k + "memory-high", CgroupValues.word(l.memoryHigh(), true), CgroupValues::memory);
            }
            if (l.cpuMillis() != null) recheck(k + "cpus", CgroupValues.cpusWord(l.cpuMillis()), CgroupValues::cpus);
            if (l.cpuWeight() != null) recheck(k + "cpu-weight", l.cpuWeight().toString(), CgroupValues::cpuWeight);
            if (l.pids() != null) recheck(k + "pids", CgroupValues.word(l.pids(), false), CgroupValues::pids);
            checkIo(scope, l);
            Long memory = l.memory();
            Long high = l.memoryHigh();
            if (memory != null && high != null && memory != Limits.UNLIMITED && high != Limits.UNLIMITED && high > memory) {
                PolicyOrigin highOrigin = limitOrigin(k + "memory-high");
                PolicyOrigin memoryOrigin = limitOrigin(k + "memory");
                // Blame the one set last: the other was fine until it came.
                if (limitOverlays.getOrDefault(k + "memory", -1) > limitOverlays.getOrDefault(k + "memory-high", -1)) {
                    throw memoryOrigin.error(PolicyValues.sizeWord(memory) + " is below memory-high "
                            + PolicyValues.sizeWord(high) + " (" + where(highOrigin) + "); use at least "
                            + PolicyValues.sizeWord(high) + ", or lower memory-high");
                }
                throw highOrigin.error(PolicyValues.sizeWord(high) + " is above memory " + PolicyValues.sizeWord(memory)
                        + " (" + where(memoryOrigin) + "); memory-high must not exceed memory: use at most "
                        + PolicyValues.sizeWord(memory) + ", or raise memory");
            }
        }

        /** Rechecks each network value (an overlay built in code may not have), then that no rule is given twice. */
        private void checkNetwork() {
            List<NetRule> rules = new ArrayList<>();
            Map<String, PolicyOrigin> seen = new HashMap<>();
            for (int i = 0; i < network.allow().size(); i++) {
                String field = "network.allow[" + i + "]";
                PolicyOrigin origin = allowSource == null ? PolicyOrigin.of(DEFAULTS, field) : allowSource.origin(field);
                String text = network.allow().get(i).text();
                NetRule rule = checked(origin, () -> NetValues.rule(origin.field(), text));
                PolicyOrigin first = seen.putIfAbsent(rule.text(), origin);
                if (first != null) {
                    throw origin.error(PolicyValues.quote(rule.text()) + " is already allowed (" + where(first)
                            + "); give each rule once");
                }
                rules.add(rule);
            }
            List<InetSocketAddress> upstream = network.dns().upstream();
            for (int i = 0; i < upstream.size(); i++) {
                String field = "network.dns.upstream[" + i + "]";
                PolicyOrigin origin = upstreamSource == null ? PolicyOrigin.of(DEFAULTS, field) : upstreamSource.origin(field);
                String text = NetValues.upstreamWord(upstream.get(i));
                checked(origin, () -> NetValues.dnsUpstream(origin.field(), text));
            }
            NetworkPolicy.Rates r = network.rates();
            String k = "network.rates.";
            recheckNet(k + "connections-per-second", Integer.toString(r.connectionsPerSecond()), NetValues::connectionsPerSecond);
            recheckNet(k + "burst", Integer.toString(r.burst()), NetValues::burst);
            recheckNet(k + "concurrent", Integer.toString(r.concurrent()), NetValues::concurrent);
            recheckNet(k + "bandwidth-in", NetValues.bandwidthWord(r.bytesPerSecondIn()), NetValues::bandwidth);
            recheckNet(k + "bandwidth-out", NetValues.bandwidthWord(r.bytesPerSecondOut()), NetValues::bandwidth);
            if (r.overLimit() == null) throw netOrigin(k + "over-limit").error("no value; use refuse or delay");
            Path log = network.auditLog();
            if (log != null && !log.isAbsolute()) {
                throw netOrigin("network.audit-log").error(PolicyValues.quote(log.toString())
                        + " is not an absolute path; give a file (e.g. /var/log/sandbox-run/audit.jsonl)");
            }
            network = network.withAllow(rules);
            if (network.outbound() == NetworkPolicy.Outbound.NONE) {
                // Settings that only the proxy acts on would be silently dead: say so instead.
                String none = "network.outbound is none (" + where(netOrigin("network.outbound")) + "), so nothing leaves"
                        + " the sandbox";
                if (!rules.isEmpty()) {
                    PolicyOrigin first = allowSource.origin("network.allow[0]");
                    throw first.error(PolicyValues.quote(rules.get(0).text()) + " cannot apply: " + none
                            + "; remove the allow rules or use outbound: proxy");
                }
                if (log != null) {
                    throw netOrigin("network.audit-log").error(PolicyValues.quote(log.toString()) + " would stay empty: "
                            + none + "; remove the audit log or use outbound: proxy");
                }
            }
        }

        private void recheckNet(String field, String text, Recheck check) {
            PolicyOrigin origin = netOrigin(field);
            checked(origin, () -> check.apply(origin.field(), text, text));
        }

        private void checkIo(PolicyOverlay.Scope scope, Limits l) {
            if (l.io() == null) return;
            PolicyOverlay source = ioSources.get(scope);
            Map<String, Integer> seen = new HashMap<>();
            for (int i = 0; i < l.io().size(); i++) {
                IoLimit io = l.io().get(i);
                String field = scope.key() + ".io[" + i + "]";
                PolicyOrigin origin = source == null ? PolicyOrigin.of(DEFAULTS, field) : source.origin(field);
                Integer first = seen.putIfAbsent(io.device(), i);
                if (first != null) {
                    PolicyOrigin firstOrigin = source == null ? PolicyOrigin.of(DEFAULTS, scope.key() + ".io[" + first + "]")
                            : source.origin(scope.key() + ".io[" + first + "]");
                    throw origin.error("device " + io.device() + " is already limited (" + where(firstOrigin)
                            + "); give each device once, with all its keys");
                }
                if (io.rbps() == null && io.wbps() == null && io.riops() == null && io.wiops() == null) {
                    throw origin.error(io.device() + " sets no rate; give at least one of rbps, wbps, riops, wiops");
                }
                for (Long rate : new Long[] {io.rbps(), io.wbps(), io.riops(), io.wiops()}) {
                    if (rate != null && rate < 1) {
                        throw origin.error(io.device() + " has a rate of " + rate + "; use 1 or more, or max");
                    }
                }
            }
        }

        private void recheck(String field, String text, Recheck check) {
            PolicyOrigin origin = limitOrigin(field);
            checked(origin, () -> check.apply(origin.field(), text, text));
        }

        /** Runs a value check; its error is placed at {@code origin}. */
        private static void checked(PolicyOrigin origin, Runnable check) {
            checked(origin, () -> {
                check.run();
                return null;
            });
        }

        /** Runs a value check and returns its value; its error is placed at {@code origin}. */
        private static <T> T checked(PolicyOrigin origin, java.util.function.Supplier<T> check) {
            try {
                return check.get();
            } catch (PolicyException e) {
                throw origin.error(e.detail());
            }
        }

        /** An origin as a parenthesised mention: {@code sandbox.yaml:4:11 limits.memory}, {@code --memory}. */
        private static String where(PolicyOrigin o) {
            if (o.source() == null) return o.field();
            return o.source() + (o.line() > 0 ? ":" + o.line() + ":" + o.column() : "") + " " + o.field();
        }

        @FunctionalInterface
        private interface Recheck {
            Object apply(String field, String text, String shown);
        }

        private void checkUser() {
            if (idCount < 2 || idCount > Integer.MAX_VALUE) {
                throw userOrigin("id-count").error(idCount + " is out of range; use 2 to " + Integer.MAX_VALUE);
            }
            for (String name : List.of("uid", "gid")) {
                long id = name.equals("uid") ? uid : gid;
                if (id == 0) throw userOrigin(name).error("0 is root inside the sandbox; use 1 or more (below id-count)");
                if (id < 0 || id >= idCount) {
                    throw userOrigin(name).error(id + " is not below id-count " + idCount + "; use 1 to " + (idCount - 1));
                }
            }
            if (hostIdBase < PolicyValues.HOST_ID_BASE_MIN) {
                throw userOrigin("host-id-base").error(hostIdBase + " is too low; use " + PolicyValues.HOST_ID_BASE_MIN
                        + " or more, so that no app id maps to host root or a system user");
            }
            long last = hostIdBase + idCount - 1;
            if (last > PolicyValues.HOST_ID_MAX) {
                // Blame the one a source set (host-id-base when both were set).
                if (userOrigins.containsKey("host-id-base") || !userOrigins.containsKey("id-count")) {
                    throw userOrigin("host-id-base").error(hostIdBase + " with id-count " + idCount + " maps past host id "
                            + PolicyValues.HOST_ID_MAX + "; use at most " + (PolicyValues.HOST_ID_MAX - idCount + 1));
                }
                throw userOrigin("id-count").error(idCount + " with host-id-base " + hostIdBase + " maps past host id "
                        + PolicyValues.HOST_ID_MAX + "; use at most " + (PolicyValues.HOST_ID_MAX - hostIdBase + 1));
            }
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
