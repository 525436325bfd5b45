package io.sandboxrun.core.linux;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import io.sandboxrun.core.host.Availability;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * libseccomp 2.5 (seccomp(3), seccomp.h) through JNA: builds a filter for the native architecture
 * in memory and exports it as a BPF program. Nothing here loads a filter: the helper does, in the
 * sandbox, from the exported program.
 *
 * <p>libseccomp reports failures as negative errno return values and leaves {@code errno} alone,
 * so every wrapper checks {@code rc < 0} and throws {@link SyscallException} with {@code -rc}.
 */
public final class LibSeccomp {
    /** The runtime library's soname: Debian's libseccomp2 ships it without the dev symlink. */
    public static final String LIBRARY = "libseccomp.so.2";
    /** seccomp_syscall_resolve_name(3) for a name libseccomp does not know at all (__NR_SCMP_ERROR). */
    public static final int UNKNOWN_SYSCALL = -1;
    /** Size of {@code struct sock_filter} (linux/filter.h): one BPF instruction. */
    public static final int BPF_INSTRUCTION_SIZE = 8;

    private static final int SCMP_ARCH_NATIVE = 0;

    /** A filter action, as seccomp.h's {@code SCMP_ACT_*} values (the kernel's SECCOMP_RET_* with data). */
    public record Action(int value) {
        public static final Action KILL_PROCESS = new Action(0x80000000);
        public static final Action KILL_THREAD = new Action(0x00000000);
        public static final Action TRAP = new Action(0x00030000);
        public static final Action NOTIFY = new Action(0x7fc00000);
        public static final Action LOG = new Action(0x7ffc0000);
        public static final Action ALLOW = new Action(0x7fff0000);

        /** {@code SCMP_ACT_ERRNO(errno)}: the call fails with {@code errno} (0..65535) without running. */
        public static Action errno(int errno) {
            return new Action(0x00050000 | data(errno, "errno"));
        }

        /** {@code SCMP_ACT_TRACE(msg)}: a ptrace tracer is told, with {@code msg} (0..65535). */
        public static Action trace(int msg) {
            return new Action(0x7ff00000 | data(msg, "trace message"));
        }

        private static int data(int v, String what) {
            if (v < 0 || v > 0xffff) throw new IllegalArgumentException(what + " " + v + " is not in 0..65535");
            return v;
        }

        @Override
        public String toString() {
            int data = value & 0xffff;
            return switch (value & 0xffff0000) {
                case 0x80000000 -> "KILL_PROCESS";
                case 0x00000000 -> "KILL_THREAD";
                case 0x00030000 -> "TRAP";
                case 0x00050000 -> "ERRNO(" + data + ")";
                case 0x7ff00000 -> "TRACE(" + data + ")";
                case 0x7fc00000 -> "NOTIFY";
                case 0x7ffc0000 -> "LOG";
                case 0x7fff0000 -> "ALLOW";
                default -> String.format("0x%08x", value);
            };
        }
    }

    /** {@code enum scmp_compare}: how an argument is compared, on its full 64 bits, unsigned. */
    public enum Op {
        NE(1), LT(2), LE(3), EQ(4), GE(5), GT(6),
        /** {@code (arg & datumA) == datumB}. */
        MASKED_EQ(7);

        private final int value;

        Op(int value) { this.value = value; }

        /** The C enum value. */
        public int value() { return value; }
    }

    /**
     * One argument comparison ({@code struct scmp_arg_cmp}): argument {@code arg} (0..5) compared
     * with {@code datumA}, or for {@link Op#MASKED_EQ} masked with {@code datumA} and compared with
     * {@code datumB}.
     */
    public record ArgCmp(int arg, Op op, long datumA, long datumB) {
        public ArgCmp {
            if (arg < 0 || arg > 5) throw new IllegalArgumentException("argument index " + arg + " is not in 0..5");
            if (op == null) throw new IllegalArgumentException("no comparison op");
        }

        @Override
        public String toString() {
            return op == Op.MASKED_EQ ? String.format("arg%d & 0x%x == 0x%x", arg, datumA, datumB)
                    : String.format("arg%d %s 0x%x", arg, op, datumA);
        }
    }

    /** {@code enum scmp_filter_attr} values used here. */
    private static final int ATTR_ACT_BADARCH = 2, ATTR_CTL_NNP = 3, ATTR_CTL_OPTIMIZE = 8;

    /** The library's version, from seccomp_version(3). */
    public record Version(int major, int minor, int micro) {
        @Override
        public String toString() { return major + "." + minor + "." + micro; }
    }

    /**
     * A filter under construction: owns one {@code scmp_filter_ctx} for the native architecture,
     * released by {@link #close()}. Not thread-safe (libseccomp contexts are not).
     */
    public static final class Filter implements AutoCloseable {
        private Pointer ctx;
        private final Action defaultAction;

        private Filter(Pointer ctx, Action defaultAction) {
            this.ctx = ctx;
            this.defaultAction = defaultAction;
        }

        /** The action for calls no rule matches. */
        public Action defaultAction() { return defaultAction; }

        /** SCMP_FLTATR_ACT_BADARCH: what a call through another ABI (x32, i386 {@code int 0x80}) gets. */
        public void setBadArchAction(Action action) {
            setAttr("SCMP_FLTATR_ACT_BADARCH", ATTR_ACT_BADARCH, action.value());
        }

        /**
         * SCMP_FLTATR_CTL_OPTIMIZE: 1 orders syscalls by priority (a linear list), 2 builds a
         * binary tree over syscall numbers (fewer instructions per call for long rule lists).
         */
        public void setOptimize(int level) {
            if (level != 1 && level != 2) throw new IllegalArgumentException("optimize level " + level + " is not 1 or 2");
            setAttr("SCMP_FLTATR_CTL_OPTIMIZE", ATTR_CTL_OPTIMIZE, level);
        }

        /** SCMP_FLTATR_CTL_NNP: whether seccomp_load would set no_new_privs (only matters when loading). */
        public void setNoNewPrivs(boolean on) {
            setAttr("SCMP_FLTATR_CTL_NNP", ATTR_CTL_NNP, on ? 1 : 0);
        }

        private void setAttr(String name, int attr, int value) {
            int rc = raw().seccomp_attr_set(ctx(), attr, value);
            if (rc < 0) throw SyscallException.of("seccomp_attr_set", -rc, "%s, 0x%x", name, value);
        }

        /**
         * seccomp_rule_add_array(3): {@code action} for {@code syscall} when every comparison
         * holds (at most one per argument). libseccomp refuses (EACCES) a rule whose action is
         * the default action, and (EINVAL) two comparisons of one argument.
         */
        public void addRule(Action action, int syscall, List<ArgCmp> cmps) {
            Memory array = null;
            if (!cmps.isEmpty()) {
                int size = ArgCmpStruct.SIZE;
                array = new Memory((long) size * cmps.size());
                for (int i = 0; i < cmps.size(); i++) {
                    ArgCmp c = cmps.get(i);
                    ArgCmpStruct s = new ArgCmpStruct(array.share((long) i * size));
                    s.arg = c.arg();
                    s.op = c.op().value();
                    s.datum_a = c.datumA();
                    s.datum_b = c.datumB();
                    s.write();
                }
            }
            int rc = raw().seccomp_rule_add_array(ctx(), action.value(), syscall, cmps.size(), array);
            if (rc < 0) {
                throw SyscallException.of("seccomp_rule_add_array", -rc, "%s, syscall %d, %s", action, syscall, cmps);
            }
        }

        /** seccomp_export_bpf(3): the program as {@code struct sock_filter[]}, 8 bytes per instruction. */
        public byte[] exportBpf() {
            return export("seccomp_export_bpf", true);
        }

        /** seccomp_export_pfc(3): the filter as libseccomp's human-readable pseudo filter code. */
        public String exportPfc() {
            return new String(export("seccomp_export_pfc", false), StandardCharsets.UTF_8);
        }

        /**
         * Exports into a memfd (no size limit, unlike a pipe a single thread would have to drain)
         * and reads it back through {@code /proc/self/fd}, which opens it afresh at offset 0.
         */
        private byte[] export(String call, boolean bpf) {
            int n = Libc.C.memfd_create("seccomp-export", Memfd.MFD_CLOEXEC);
            if (n < 0) throw SyscallException.of("memfd_create", Native.getLastError(), "%s", "seccomp-export");
            try (Fd fd = Fd.adopt(n)) {
                int rc = bpf ? raw().seccomp_export_bpf(ctx(), n) : raw().seccomp_export_pfc(ctx(), n);
                if (rc < 0) throw SyscallException.of(call, -rc, "fd=%d", n);
                return Files.readAllBytes(Path.of("/proc/self/fd/" + n));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read back the " + call + " output", e);
            }
        }

        private Pointer ctx() {
            if (ctx == null) throw new IllegalStateException("seccomp filter already released");
            return ctx;
        }

        /** seccomp_release(3); idempotent. */
        @Override
        public void close() {
            if (ctx == null) return;
            Pointer p = ctx;
            ctx = null;
            raw().seccomp_release(p);
        }
    }

    /**
     * seccomp_init(3): a filter for the native architecture only, with {@code defaultAction} for
     * every call no rule matches.
     */
    public static Filter create(Action defaultAction) {
        Pointer ctx = raw().seccomp_init(defaultAction.value());
        // seccomp_init returns NULL (no code) for an action the library or kernel does not support.
        if (ctx == null) throw SyscallException.of("seccomp_init", Errno.EINVAL, "%s", defaultAction);
        return new Filter(ctx, defaultAction);
    }

    /**
     * seccomp_syscall_resolve_name(3) for the native architecture: the syscall number;
     * {@link #UNKNOWN_SYSCALL} for a name libseccomp does not know; another negative number (a
     * libseccomp pseudo-syscall) for a syscall that exists on other architectures only.
     */
    public static int resolveName(String name) {
        return raw().seccomp_syscall_resolve_name(name);
    }

    /** seccomp_syscall_resolve_num_arch(3) for the native architecture: the name, or null if unknown. */
    public static String resolveNum(int nr) {
        Pointer p = raw().seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
        if (p == null) return null;
        try {
            return p.getString(0, StandardCharsets.US_ASCII.name());
        } finally {
            Native.free(Pointer.nativeValue(p));     // the library strdup()s the name for the caller
        }
    }

    /** seccomp_version(3). */
    public static Version version() {
        Pointer v = raw().seccomp_version();      // struct scmp_version { unsigned int major, minor, micro; }
        return new Version(v.getInt(0), v.getInt(4), v.getInt(8));
    }

    /**
     * seccomp_api_get(3): what the library and the running kernel support together; 5 and above
     * has SCMP_ACT_NOTIFY (user notification).
     */
    public static int apiLevel() {
        return raw().seccomp_api_get();
    }

    /** seccomp_arch_native(3): the AUDIT_ARCH_* token of the native ABI (0xc000003e on x86_64). */
    public static int nativeArch() {
        return raw().seccomp_arch_native();
    }

    /** Whether {@value #LIBRARY} loads, and its version; computed once. */
    public static Availability availability() {
        return Holder.AVAILABILITY;
    }

    /** The size of {@code struct scmp_arg_cmp} as JNA lays it out (24 on LP64: 4 + 4 + 8 + 8). */
    static int argCmpSize() {
        return new ArgCmpStruct().size();
    }

    private static Raw raw() {
        if (Holder.RAW == null) throw new IllegalStateException(Holder.AVAILABILITY.detail());
        return Holder.RAW;
    }

    private static final class Holder {
        static final Raw RAW;
        static final Availability AVAILABILITY;

        static {
            Raw raw = null;
            Availability a;
            try {
                raw = Native.load(LIBRARY, Raw.class);
                Pointer v = raw.seccomp_version();
                a = Availability.available("libseccomp " + v.getInt(0) + "." + v.getInt(4) + "." + v.getInt(8));
            } catch (UnsatisfiedLinkError e) {
                raw = null;
                a = Availability.unavailable(LIBRARY + " cannot be loaded (install libseccomp2): " + e.getMessage());
            }
            RAW = raw;
            AVAILABILITY = a;
        }
    }

    /**
     * {@code struct scmp_arg_cmp} from seccomp.h (libseccomp 2.5). Public only because JNA reads
     * its fields by reflection; nothing outside this class can make or obtain one.
     */
    @Structure.FieldOrder({"arg", "op", "datum_a", "datum_b"})
    public static final class ArgCmpStruct extends Structure {
        static final int SIZE = new ArgCmpStruct().size();

        public int arg;        // unsigned int
        public int op;         // enum scmp_compare
        public long datum_a;   // scmp_datum_t (uint64_t)
        public long datum_b;

        ArgCmpStruct() {}

        ArgCmpStruct(Pointer p) { super(p); }
    }

    private interface Raw extends Library {
        Pointer seccomp_init(int def_action);
        void seccomp_release(Pointer ctx);
        int seccomp_attr_set(Pointer ctx, int attr, int value);
        int seccomp_rule_add_array(Pointer ctx, int action, int syscall, int arg_cnt, Pointer arg_array);
        int seccomp_export_bpf(Pointer ctx, int fd);
        int seccomp_export_pfc(Pointer ctx, int fd);
        int seccomp_syscall_resolve_name(String name);
        Pointer seccomp_syscall_resolve_num_arch(int arch_token, int num);
        Pointer seccomp_version();
        int seccomp_api_get();
        int seccomp_arch_native();
    }

    /** The export target; memfd_create(2) only. */
    private interface Libc extends Library {
        Libc C = Native.load("c", Libc.class);
        int memfd_create(String name, int flags);
    }

    private LibSeccomp() {}
}
