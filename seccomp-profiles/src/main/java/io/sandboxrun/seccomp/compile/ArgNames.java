package io.sandboxrun.seccomp.compile;

import io.sandboxrun.seccomp.ArgCondition;
import io.sandboxrun.seccomp.Comparison;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Symbolic names for the argument values the bundled profiles compare (x86_64 and generic uapi
 * values: linux/sched.h, linux/socket.h, asm-generic/ioctls.h, linux/prctl.h, linux/personality.h),
 * so that {@code explain} reads {@code (CLONE_THREAD)} rather than a bare number.
 */
final class ArgNames {
    private static final Map<Long, String> CLONE_FLAGS = Map.ofEntries(
            Map.entry(0x100L, "CLONE_VM"), Map.entry(0x200L, "CLONE_FS"), Map.entry(0x400L, "CLONE_FILES"),
            Map.entry(0x800L, "CLONE_SIGHAND"), Map.entry(0x1000L, "CLONE_PIDFD"), Map.entry(0x2000L, "CLONE_PTRACE"),
            Map.entry(0x4000L, "CLONE_VFORK"), Map.entry(0x8000L, "CLONE_PARENT"), Map.entry(0x10000L, "CLONE_THREAD"),
            Map.entry(0x20000L, "CLONE_NEWNS"), Map.entry(0x40000L, "CLONE_SYSVSEM"), Map.entry(0x80000L, "CLONE_SETTLS"),
            Map.entry(0x2000000L, "CLONE_NEWCGROUP"), Map.entry(0x4000000L, "CLONE_NEWUTS"),
            Map.entry(0x8000000L, "CLONE_NEWIPC"), Map.entry(0x10000000L, "CLONE_NEWUSER"),
            Map.entry(0x20000000L, "CLONE_NEWPID"), Map.entry(0x40000000L, "CLONE_NEWNET"));
    private static final Map<Long, String> FAMILIES = Map.ofEntries(
            Map.entry(1L, "AF_UNIX"), Map.entry(2L, "AF_INET"), Map.entry(10L, "AF_INET6"), Map.entry(15L, "AF_KEY"),
            Map.entry(16L, "AF_NETLINK"), Map.entry(17L, "AF_PACKET"), Map.entry(21L, "AF_RDS"), Map.entry(30L, "AF_TIPC"),
            Map.entry(38L, "AF_ALG"), Map.entry(40L, "AF_VSOCK"), Map.entry(44L, "AF_XDP"));
    private static final Map<Long, String> SOCKET_TYPES = Map.of(1L, "SOCK_STREAM", 2L, "SOCK_DGRAM", 3L, "SOCK_RAW",
            4L, "SOCK_RDM", 5L, "SOCK_SEQPACKET");
    private static final Map<Long, String> IOCTLS = Map.ofEntries(
            Map.entry(0x5401L, "TCGETS"), Map.entry(0x5402L, "TCSETS"), Map.entry(0x5403L, "TCSETSW"),
            Map.entry(0x5404L, "TCSETSF"), Map.entry(0x5409L, "TCSBRK"), Map.entry(0x540aL, "TCXONC"),
            Map.entry(0x540bL, "TCFLSH"), Map.entry(0x540eL, "TIOCSCTTY"), Map.entry(0x540fL, "TIOCGPGRP"),
            Map.entry(0x5410L, "TIOCSPGRP"), Map.entry(0x5411L, "TIOCOUTQ"), Map.entry(0x5412L, "TIOCSTI"),
            Map.entry(0x5413L, "TIOCGWINSZ"), Map.entry(0x5414L, "TIOCSWINSZ"), Map.entry(0x541bL, "FIONREAD"),
            Map.entry(0x541cL, "TIOCLINUX"), Map.entry(0x5421L, "FIONBIO"), Map.entry(0x5429L, "TIOCGSID"),
            Map.entry(0x5441L, "TIOCGPTPEER"), Map.entry(0x5450L, "FIONCLEX"), Map.entry(0x5451L, "FIOCLEX"),
            Map.entry(0x5452L, "FIOASYNC"), Map.entry(0x80045430L, "TIOCGPTN"), Map.entry(0x40045431L, "TIOCSPTLCK"),
            Map.entry(0x802c542aL, "TCGETS2"), Map.entry(0x402c542bL, "TCSETS2"), Map.entry(0x402c542cL, "TCSETSW2"),
            Map.entry(0x402c542dL, "TCSETSF2"), Map.entry(0x8905L, "SIOCATMARK"), Map.entry(0x8910L, "SIOCGIFNAME"),
            Map.entry(0x8912L, "SIOCGIFCONF"), Map.entry(0x8913L, "SIOCGIFFLAGS"), Map.entry(0x8915L, "SIOCGIFADDR"),
            Map.entry(0x891bL, "SIOCGIFNETMASK"), Map.entry(0x8921L, "SIOCGIFMTU"), Map.entry(0x8927L, "SIOCGIFHWADDR"),
            Map.entry(0x8933L, "SIOCGIFINDEX"));
    private static final Map<Long, String> PRCTL = Map.ofEntries(
            Map.entry(1L, "PR_SET_PDEATHSIG"), Map.entry(2L, "PR_GET_PDEATHSIG"), Map.entry(3L, "PR_GET_DUMPABLE"),
            Map.entry(4L, "PR_SET_DUMPABLE"), Map.entry(7L, "PR_GET_KEEPCAPS"), Map.entry(15L, "PR_SET_NAME"),
            Map.entry(16L, "PR_GET_NAME"), Map.entry(21L, "PR_GET_SECCOMP"), Map.entry(22L, "PR_SET_SECCOMP"),
            Map.entry(23L, "PR_CAPBSET_READ"), Map.entry(29L, "PR_SET_TIMERSLACK"), Map.entry(30L, "PR_GET_TIMERSLACK"),
            Map.entry(36L, "PR_SET_CHILD_SUBREAPER"), Map.entry(37L, "PR_GET_CHILD_SUBREAPER"),
            Map.entry(38L, "PR_SET_NO_NEW_PRIVS"), Map.entry(39L, "PR_GET_NO_NEW_PRIVS"),
            Map.entry(41L, "PR_SET_THP_DISABLE"), Map.entry(42L, "PR_GET_THP_DISABLE"), Map.entry(47L, "PR_CAP_AMBIENT"),
            Map.entry(52L, "PR_GET_SPECULATION_CTRL"), Map.entry(0x53564d41L, "PR_SET_VMA"));
    private static final Map<Long, String> PERSONALITIES = Map.of(0L, "PER_LINUX", 8L, "PER_LINUX32",
            0x20000L, "UNAME26", 0x20008L, "PER_LINUX32|UNAME26", 0xffffffffL, "query");

    /** {@code CLONE_THREAD}, {@code AF_PACKET}, {@code not NETLINK_ROUTE} for the value {@code c} tests, or null. */
    static String annotate(String syscall, ArgCondition c) {
        if (c.op() != Comparison.EQ && c.op() != Comparison.NE && c.op() != Comparison.MASKED_EQ) return null;
        String name = name(syscall, c);
        return name == null || c.op() != Comparison.NE ? name : "not " + name;
    }

    private static String name(String syscall, ArgCondition c) {
        long v = c.op() == Comparison.MASKED_EQ ? c.valueTwo() : c.value();
        return switch (syscall + ":" + c.index()) {
            case "clone:0" -> c.op() == Comparison.MASKED_EQ ? cloneMask(c.value(), c.valueTwo()) : flags(v);
            case "socket:0" -> FAMILIES.get(v);
            case "socket:1" -> c.op() == Comparison.MASKED_EQ && c.value() == 0xf ? SOCKET_TYPES.get(v) : null;
            case "socket:2" -> v == 0 ? "NETLINK_ROUTE" : null;
            case "ioctl:1" -> IOCTLS.get(v);
            case "prctl:0" -> PRCTL.get(v);
            case "personality:0" -> PERSONALITIES.get(v);
            default -> null;
        };
    }

    /** {@code CLONE_THREAD; none of CLONE_NEWNS|...} for a mask test of clone flags. */
    private static String cloneMask(long mask, long expected) {
        String set = flags(expected);
        String clear = flags(mask & ~expected);
        if (clear == null) return set;
        return set == null ? "none of " + clear : set + "; none of " + clear;
    }

    /** {@code CLONE_NEWNS|CLONE_NEWUSER}, or null for 0 or a bit without a name. */
    private static String flags(long bits) {
        if (bits == 0) return null;
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            long bit = 1L << i;
            if ((bits & bit) == 0) continue;
            String n = CLONE_FLAGS.get(bit);
            if (n == null) return null;
            names.add(n);
        }
        return String.join("|", names);
    }

    private ArgNames() {}
}
