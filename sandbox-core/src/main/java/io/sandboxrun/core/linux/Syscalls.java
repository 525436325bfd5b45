package io.sandboxrun.core.linux;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Syscall numbers, one table for both architectures this runtime runs on: x86_64 from
 * asm/unistd_64.h (arch/x86/entry/syscalls/syscall_64.tbl), aarch64 from asm-generic/unistd.h
 * (the generic table, kept in scripts/syscall.tbl in newer kernels). It holds the calls the bindings here make through
 * syscall(2), and the syscalls newer than the libseccomp tables the profile compiler may run with.
 */
public final class Syscalls {
    /** The architectures of the table. */
    public enum Arch {
        X86_64, AARCH64;

        /** The JVM's own architecture, or null on one the table does not cover. */
        static Arch of(String osArch) {
            return switch (osArch) {
                case "amd64", "x86_64" -> X86_64;
                case "aarch64" -> AARCH64;
                default -> null;
            };
        }
    }

    /** One row: a syscall's name and its number on each architecture, and the Linux release that added it. */
    record Entry(String name, int x86_64, int aarch64, String since) {
        int number(Arch arch) {
            return arch == Arch.X86_64 ? x86_64 : aarch64;
        }
    }

    /**
     * Since Linux 5.1 new syscalls take the same number on every architecture (the numbers of
     * 424 and above agree); older ones, such as seccomp, differ.
     */
    static final List<Entry> TABLE = List.of(
        // The calls the bindings make.
        new Entry("seccomp", 317, 277, "3.17"),
        new Entry("pidfd_send_signal", 424, 424, "5.1"),
        new Entry("pidfd_open", 434, 434, "5.3"),
        new Entry("pidfd_getfd", 438, 438, "5.6"),
        new Entry("landlock_create_ruleset", 444, 444, "5.13"),
        // After libseccomp 2.5.4, whose tables end at set_mempolicy_home_node (450, Linux 5.17).
        new Entry("cachestat", 451, 451, "6.5"),
        new Entry("fchmodat2", 452, 452, "6.6"),
        new Entry("map_shadow_stack", 453, 453, "6.6"),
        new Entry("futex_wake", 454, 454, "6.7"),
        new Entry("futex_wait", 455, 455, "6.7"),
        new Entry("futex_requeue", 456, 456, "6.7"),
        new Entry("statmount", 457, 457, "6.8"),
        new Entry("listmount", 458, 458, "6.8"),
        new Entry("lsm_get_self_attr", 459, 459, "6.8"),
        new Entry("lsm_set_self_attr", 460, 460, "6.8"),
        new Entry("lsm_list_modules", 461, 461, "6.8"),
        new Entry("mseal", 462, 462, "6.10"),
        new Entry("setxattrat", 463, 463, "6.13"),
        new Entry("getxattrat", 464, 464, "6.13"),
        new Entry("listxattrat", 465, 465, "6.13"),
        new Entry("removexattrat", 466, 466, "6.13"),
        new Entry("open_tree_attr", 467, 467, "6.15"),
        new Entry("file_getattr", 468, 468, "6.17"),
        new Entry("file_setattr", 469, 469, "6.17"),
        new Entry("listns", 470, 470, "6.18"));

    /** The architecture this JVM runs on; null on one the table does not cover. */
    static final Arch NATIVE = Arch.of(System.getProperty("os.arch"));
    private static final Map<String, Integer> NATIVE_NUMBERS = numbers(NATIVE);

    /** seccomp(2). */
    public static final long SECCOMP = nr("seccomp");
    /** pidfd_send_signal(2). */
    public static final long PIDFD_SEND_SIGNAL = nr("pidfd_send_signal");
    /** pidfd_open(2). */
    public static final long PIDFD_OPEN = nr("pidfd_open");
    /** pidfd_getfd(2). */
    public static final long PIDFD_GETFD = nr("pidfd_getfd");
    /** landlock_create_ruleset(2). */
    public static final long LANDLOCK_CREATE_RULESET = nr("landlock_create_ruleset");

    /** The native number of {@code name}, when this table has it. */
    public static OptionalInt number(String name) {
        Integer nr = NATIVE_NUMBERS.get(name);
        return nr == null ? OptionalInt.empty() : OptionalInt.of(nr);
    }

    /** The whole table for the native architecture, name to number, in table order; empty on another architecture. */
    public static Map<String, Integer> numbers() {
        return NATIVE_NUMBERS;
    }

    /** The table for {@code arch}, name to number, in table order. */
    static Map<String, Integer> numbers(Arch arch) {
        Map<String, Integer> m = new LinkedHashMap<>();
        if (arch != null) for (Entry e : TABLE) m.put(e.name(), e.number(arch));
        return Collections.unmodifiableMap(m);
    }

    /** -1 on an architecture the table does not cover: syscall(2) then fails with ENOSYS, which the caller reports. */
    private static long nr(String name) {
        for (Entry e : TABLE) if (e.name().equals(name)) return NATIVE == null ? -1 : e.number(NATIVE);
        throw new IllegalStateException("no syscall " + name + " in the table");
    }

    private Syscalls() {}
}
