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
 *
 * <p>{@code controlFd} ({@code -1}: none), {@code seccomp} ({@code null}: none) and
 * {@code cgroupProcsFds} (empty: stay in the launcher's cgroups) and {@code proxyListeners} are optional: build without them,
 * then add them with {@link #withControlFd}, {@link #withSeccomp} and {@link #withCgroupProcsFds}.
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
        List<String> argv,
        int controlFd,
        Seccomp seccomp,
        List<Integer> cgroupProcsFds,
        boolean proxyListeners) {

    /** No fd (for {@code controlFd}). */
    public static final int NO_FD = -1;

    /**
     * The {@code seccomp} op: {@code programFd} holds the BPF program (an array of
     * {@code struct sock_filter}); with {@code listener} the helper sends the filter's listener
     * over the control socket, which the plan must then have.
     */
    public record Seccomp(int programFd, boolean listener) {
        public Seccomp {
            if (programFd < 3) throw new IllegalArgumentException("seccomp program fd " + programFd + ": want 3 or above");
        }
    }

    public HelperPlan {
        namespaces = Set.copyOf(namespaces);
        mounts = List.copyOf(mounts);
        rlimits = Map.copyOf(rlimits);
        landlockRules = List.copyOf(landlockRules);
        env = List.copyOf(env);
        argv = List.copyOf(argv);
        cgroupProcsFds = List.copyOf(cgroupProcsFds);
        if (argv.isEmpty()) throw new IllegalArgumentException("argv is empty");
        // Like the plan and log fds: 3..3+listenFds-1 are the listen fds.
        int firstFree = 3 + listenFds;
        if (controlFd != NO_FD && controlFd < firstFree) {
            throw new IllegalArgumentException("control fd " + controlFd + ": want " + firstFree + " or above");
        }
        if (seccomp != null && seccomp.programFd() < firstFree) {
            throw new IllegalArgumentException("seccomp program fd " + seccomp.programFd() + ": want " + firstFree + " or above");
        }
        if (seccomp != null && seccomp.programFd() == controlFd) {
            throw new IllegalArgumentException("seccomp program fd " + controlFd + " is the control fd");
        }
        for (int fd : cgroupProcsFds) {
            if (fd < firstFree || fd == controlFd || (seccomp != null && fd == seccomp.programFd())) {
                throw new IllegalArgumentException("cgroup.procs fd " + fd + ": want " + firstFree
                        + " or above, not the control or seccomp fd");
            }
        }
        if (cgroupProcsFds.size() != cgroupProcsFds.stream().distinct().count()) {
            throw new IllegalArgumentException("cgroup.procs fds repeat: " + cgroupProcsFds);
        }
        if (seccomp != null && seccomp.listener() && controlFd == NO_FD) {
            throw new IllegalArgumentException("a seccomp listener needs a control fd (withControlFd first)");
        }
        if (proxyListeners && (controlFd == NO_FD || !namespaces.contains(Namespace.NET))) {
            throw new IllegalArgumentException("proxy listeners need a control fd and the net namespace");
        }
    }

    /** A plan without a control socket or a seccomp filter. */
    public HelperPlan(int parentPid, Set<Namespace> namespaces, long hostIdBase, int idCount, int uid, int gid,
            String hostname, long rootSize, List<MountOp> mounts, Map<Rlimit, RlimitValue> rlimits,
            LandlockMode landlock, List<LandlockRule> landlockRules, String workdir, List<String> env,
            int listenFds, String executable, List<String> argv) {
        this(parentPid, namespaces, hostIdBase, idCount, uid, gid, hostname, rootSize, mounts, rlimits, landlock,
                landlockRules, workdir, env, listenFds, executable, argv, NO_FD, null, List.of(), false);
    }

    /** This plan with the helper's end of the control socket (AF_UNIX SOCK_SEQPACKET) at {@code fd}. */
    public HelperPlan withControlFd(int fd) {
        return new HelperPlan(parentPid, namespaces, hostIdBase, idCount, uid, gid, hostname, rootSize, mounts,
                rlimits, landlock, landlockRules, workdir, env, listenFds, executable, argv, fd, seccomp, cgroupProcsFds,
                proxyListeners);
    }

    /** This plan with a seccomp filter loaded last before execve ({@code null}: none). */
    public HelperPlan withSeccomp(Seccomp s) {
        return new HelperPlan(parentPid, namespaces, hostIdBase, idCount, uid, gid, hostname, rootSize, mounts,
                rlimits, landlock, landlockRules, workdir, env, listenFds, executable, argv, controlFd, s, cgroupProcsFds,
                proxyListeners);
    }

    /**
     * This plan with fds open for writing on the {@code cgroup.procs} file of each cgroup
     * hierarchy of the instance: the helper joins them before it creates any namespace.
     */
    public HelperPlan withCgroupProcsFds(List<Integer> fds) {
        return new HelperPlan(parentPid, namespaces, hostIdBase, idCount, uid, gid, hostname, rootSize, mounts,
                rlimits, landlock, landlockRules, workdir, env, listenFds, executable, argv, controlFd, seccomp, fds,
                proxyListeners);
    }

    /**
     * This plan with init opening the proxy's sockets in the sandbox's network namespace (TCP on
     * 127.0.0.1 and [::1], DNS on 127.0.0.1:53) and sending them over the control socket.
     */
    public HelperPlan withProxyListeners(boolean on) {
        return new HelperPlan(parentPid, namespaces, hostIdBase, idCount, uid, gid, hostname, rootSize, mounts,
                rlimits, landlock, landlockRules, workdir, env, listenFds, executable, argv, controlFd, seccomp,
                cgroupProcsFds, on);
    }

    /** Every namespace the helper knows: the sandbox shares none with the host. */
    public static Set<Namespace> allNamespaces() {
        return EnumSet.allOf(Namespace.class);
    }
}
