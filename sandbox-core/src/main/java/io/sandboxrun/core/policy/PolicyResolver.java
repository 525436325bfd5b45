package io.sandboxrun.core.policy;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
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
     * ({@code command}, {@code listen}, {@code ro-binds}) are replaced whole; the {@code user}
     * fields override one by one. Then checks what no single value can show:
     * <ul>
     *   <li>app-root exists and is a directory (it becomes its real path);</li>
     *   <li>every ro-bind exists;</li>
     *   <li>0 &lt; uid, gid &lt; id-count; host-id-base &ge; 1000; host-id-base + id-count - 1
     *       &le; 4294967294 (the app never maps onto host root);</li>
     *   <li>tmp-size is within 1M to 64G;</li>
     *   <li>a command is given (checked last, so that a file's own errors show first).</li>
     * </ul>
     *
     * @throws PolicyException naming the source that set the offending field (file:line:column,
     *                         or the option), or {@code defaults}
     */
    public static Policy resolve(Policy defaults, List<PolicyOverlay> overlays) {
        var m = new Merged(defaults);
        for (PolicyOverlay o : overlays) m.apply(o);
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
        Limits limits;
        Limits instanceLimits;

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
            limits = d.limits();
            instanceLimits = d.instanceLimits();
        }

        void apply(PolicyOverlay o) {
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
            if (command.isEmpty()) {
                throw PolicyException.of(null, "no command: give one after -- or set command: in the policy");
            }
            return new Policy(app, realRoot, command, env, path, hostname, tmpSize, landlock, listen, roBinds,
                    rlimits, new Policy.Identity((int) uid, (int) gid, hostIdBase, (int) idCount), stateDir, seccomp,
                    cgroup, limits, instanceLimits);
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
