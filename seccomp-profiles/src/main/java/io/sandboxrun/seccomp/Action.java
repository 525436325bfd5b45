package io.sandboxrun.seccomp;

import io.sandboxrun.core.linux.Errno;
import io.sandboxrun.core.linux.LibSeccomp;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a seccomp rule does to a matching call, in the words of the OCI profile
 * ({@code SCMP_ACT_ERRNO} with {@code errnoRet} 1 is {@code ERRNO(EPERM)}).
 *
 * @param kind the action
 * @param data the errno for {@link Kind#ERRNO}, the tracer's message for {@link Kind#TRACE}, else 0
 */
public record Action(Kind kind, int data) {
    /** The largest errno the kernel returns as such (MAX_ERRNO in linux/err.h); larger values are capped. */
    public static final int MAX_ERRNO = 4095;
    /** The largest message SCMP_ACT_TRACE carries (16 bits of SECCOMP_RET_DATA). */
    public static final int MAX_TRACE_MSG = 0xffff;

    public static final Action ALLOW = new Action(Kind.ALLOW, 0);
    public static final Action NOTIFY = new Action(Kind.NOTIFY, 0);
    public static final Action LOG = new Action(Kind.LOG, 0);
    public static final Action KILL_PROCESS = new Action(Kind.KILL_PROCESS, 0);
    public static final Action KILL_THREAD = new Action(Kind.KILL_THREAD, 0);
    public static final Action TRAP = new Action(Kind.TRAP, 0);

    /** The actions, by the names a profile uses for them. */
    public enum Kind {
        KILL_PROCESS, KILL_THREAD, TRAP, ERRNO, TRACE, LOG, ALLOW, NOTIFY;

        /** {@code SCMP_ACT_<name>}. */
        public String ociName() { return "SCMP_ACT_" + name(); }

        /** Whether the profile's {@code errnoRet} applies: the errno, or the tracer's message. */
        public boolean takesData() { return this == ERRNO || this == TRACE; }
    }

    /** Every action name a profile may use; SCMP_ACT_KILL is libseccomp's older name for KILL_THREAD. */
    static final Map<String, Kind> NAMES = names();

    public Action {
        if (kind == null) throw new IllegalArgumentException("no action kind");
        if (!kind.takesData() && data != 0) throw new IllegalArgumentException(kind + " takes no data");
        int max = kind == Kind.TRACE ? MAX_TRACE_MSG : MAX_ERRNO;
        if (data < 0 || data > max) throw new IllegalArgumentException("data " + data + " is not in 0.." + max);
    }

    /** {@code SCMP_ACT_ERRNO} with {@code errnoRet} = {@code errno}. */
    public static Action errno(int errno) { return new Action(Kind.ERRNO, errno); }

    /** {@code SCMP_ACT_TRACE} with {@code errnoRet} = {@code msg}. */
    public static Action trace(int msg) { return new Action(Kind.TRACE, msg); }

    /** The same action with libseccomp's value, for the compiler. */
    public LibSeccomp.Action toLibseccomp() {
        return switch (kind) {
            case KILL_PROCESS -> LibSeccomp.Action.KILL_PROCESS;
            case KILL_THREAD -> LibSeccomp.Action.KILL_THREAD;
            case TRAP -> LibSeccomp.Action.TRAP;
            case ERRNO -> LibSeccomp.Action.errno(data);
            case TRACE -> LibSeccomp.Action.trace(data);
            case LOG -> LibSeccomp.Action.LOG;
            case ALLOW -> LibSeccomp.Action.ALLOW;
            case NOTIFY -> LibSeccomp.Action.NOTIFY;
        };
    }

    /** Whether the call is refused with an errno (the action a denylist or an allowlist's default uses). */
    public boolean isErrno() { return kind == Kind.ERRNO; }

    /** {@code ALLOW}, {@code ERRNO(EPERM)}, {@code ERRNO(38)} for an errno without a symbolic name here, {@code TRACE(7)}. */
    @Override
    public String toString() {
        if (kind == Kind.ERRNO) {
            String name = Errno.name(data);
            return "ERRNO(" + (name.startsWith("errno ") ? String.valueOf(data) : name) + ")";
        }
        return kind == Kind.TRACE ? "TRACE(" + data + ")" : kind.name();
    }

    private static Map<String, Kind> names() {
        Map<String, Kind> m = new LinkedHashMap<>();
        for (Kind k : Kind.values()) m.put(k.ociName(), k);
        m.put("SCMP_ACT_KILL", Kind.KILL_THREAD);
        return Map.copyOf(m);
    }
}
