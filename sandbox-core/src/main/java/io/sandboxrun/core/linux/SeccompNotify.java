package io.sandboxrun.core.linux;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * seccomp user notification (seccomp_unotify(2), linux/seccomp.h): the RECV, SEND, ID_VALID and
 * ADDFD ioctls on a listener descriptor, and the kernel's struct sizes checked against ours.
 */
public final class SeccompNotify {
    // linux/seccomp.h: SECCOMP_IOWR(0, struct seccomp_notif), SECCOMP_IOWR(1, struct seccomp_notif_resp),
    // SECCOMP_IOW(2, __u64), SECCOMP_IOW(3, struct seccomp_notif_addfd); the struct size is part of the number.
    static final long IOCTL_NOTIF_RECV = 0xc0502100L, IOCTL_NOTIF_SEND = 0xc0182101L,
            IOCTL_NOTIF_ID_VALID = 0x40082102L, IOCTL_NOTIF_ADDFD = 0x40182103L,
            IOCTL_NOTIF_SET_FLAGS = 0x40082104L;     // _IOW('!', 4, __u64), Linux 6.6
    /** SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (linux/seccomp.h, Linux 6.6). */
    static final long USER_NOTIF_FD_SYNC_WAKE_UP = 1;
    /** seccomp(2) operation (linux/seccomp.h), Linux 5.0. */
    static final int SECCOMP_GET_NOTIF_SIZES = 3;
    /** Sizes this build uses: sizeof(struct seccomp_notif), seccomp_notif_resp, seccomp_data, seccomp_notif_addfd. */
    static final int NOTIF_SIZE = 80, RESP_SIZE = 24, DATA_SIZE = 64, ADDFD_SIZE = 24;

    /** seccomp_notif_resp.flags: let the syscall run as if not notified (Linux 5.5). */
    public static final int USER_NOTIF_FLAG_CONTINUE = 1;
    /** seccomp_notif_addfd.flags: install at {@code newfd} exactly (dup2-like) (Linux 5.9). */
    public static final int ADDFD_FLAG_SETFD = 1;
    /** seccomp_notif_addfd.flags: add the fd and answer the notification with its number, atomically (Linux 5.14). */
    public static final int ADDFD_FLAG_SEND = 2;

    private static final int OFF_ID = Structs.NOTIF.offset("id"), OFF_PID = Structs.NOTIF.offset("pid"),
            OFF_NR = Structs.NOTIF.offset("nr"), OFF_ARCH = Structs.NOTIF.offset("arch"),
            OFF_IP = Structs.NOTIF.offset("instruction_pointer"), OFF_ARGS = Structs.NOTIF.offset("args");
    private static final int OFF_RESP_VAL = Structs.RESP.offset("val"),
            OFF_RESP_ERROR = Structs.RESP.offset("error"), OFF_RESP_FLAGS = Structs.RESP.offset("flags");

    /**
     * One received notification: the thread {@code pid} (a thread id, as seen in the listener's
     * pid namespace; 0 when it is not visible there) is blocked in syscall {@code nr} of audit
     * architecture {@code arch} with the six raw register arguments {@code args}.
     */
    public record Notification(long id, int pid, int nr, int arch, long ip, long[] args) {
        public Notification {
            if (args.length != 6) throw new IllegalArgumentException("args: 6 values expected, got " + args.length);
            args = args.clone();
        }

        /** Argument {@code i} (0-5). */
        public long arg(int i) { return args[i]; }

        /** A copy of the six arguments. */
        @Override
        public long[] args() { return args.clone(); }

        @Override
        public String toString() {
            return "Notification[id=" + Long.toUnsignedString(id) + ", pid=" + pid + ", nr=" + nr + ", arch=0x"
                    + Integer.toHexString(arch) + "]";
        }
    }

    /** struct seccomp_notif_resp: {@code val} is returned, or {@code error} (a negative errno), or CONTINUE in flags. */
    public record Reply(long id, long val, int error, int flags) {}

    /** The kernel's struct sizes (struct seccomp_notif_sizes), in bytes. */
    public record Sizes(int notif, int resp, int data) {}

    /** SECCOMP_GET_NOTIF_SIZES: the sizes of the running kernel's structs. */
    public static Sizes kernelSizes() {
        Memory m = new Memory(Structs.SIZES.size());
        m.clear();
        long rc = Raw.syscall(Syscalls.SECCOMP, SECCOMP_GET_NOTIF_SIZES, 0L, m);
        if (rc < 0) throw SyscallException.of("seccomp", Native.getLastError(), "SECCOMP_GET_NOTIF_SIZES");
        return new Sizes(m.getShort(0) & 0xffff, m.getShort(2) & 0xffff, m.getShort(4) & 0xffff);
    }

    /**
     * Checks once that the kernel offers user notification with structs no smaller than this
     * build's; throws {@link IllegalStateException} saying what is missing otherwise. Call at
     * start-up, before the first {@link #receive}.
     */
    public static void checkSizes() {
        unavailabilityCause().ifPresent(cause -> {
            throw new IllegalStateException("seccomp user notification unavailable: " + cause);
        });
    }

    /** Why user notification cannot be used on this kernel, or empty when it can. Computed once. */
    public static Optional<String> unavailabilityCause() {
        return Optional.ofNullable(Buffers.UNAVAILABLE);
    }

    /**
     * SECCOMP_IOCTL_NOTIF_RECV on a listener that epoll reported readable. Empty when the target
     * died or was interrupted between the wake-up and this call (ENOENT): an expected state.
     * Blocks when no notification is pending, whatever O_NONBLOCK says, so call it only after
     * the listener polled readable.
     */
    public static Optional<Notification> receive(Fd listener) {
        Memory buf = Buffers.RECV.get();
        int fd = listener.get();
        int rc;
        do {
            buf.clear(); // the kernel rejects a non-zeroed struct with EINVAL (Linux 5.5+)
            rc = Raw.ioctl(fd, IOCTL_NOTIF_RECV, buf);
        } while (rc < 0 && Native.getLastError() == Errno.EINTR);
        if (rc < 0) {
            int errno = Native.getLastError();
            if (errno == Errno.ENOENT) return Optional.empty();
            throw SyscallException.of("ioctl", errno, "fd=%d SECCOMP_IOCTL_NOTIF_RECV", fd);
        }
        long[] args = new long[6];
        buf.read(OFF_ARGS, args, 0, 6);
        return Optional.of(new Notification(buf.getLong(OFF_ID), buf.getInt(OFF_PID), buf.getInt(OFF_NR),
                buf.getInt(OFF_ARCH), buf.getLong(OFF_IP), args));
    }

    /**
     * SECCOMP_IOCTL_NOTIF_SEND. False when the target is gone or the notification is no longer
     * valid (ENOENT: killed, or interrupted by a signal and restarted under a new id).
     */
    public static boolean send(Fd listener, Reply reply) {
        Memory buf = Buffers.SEND.get();
        buf.clear();
        buf.setLong(0, reply.id());
        buf.setLong(OFF_RESP_VAL, reply.val());
        buf.setInt(OFF_RESP_ERROR, reply.error());
        buf.setInt(OFF_RESP_FLAGS, reply.flags());
        int fd = listener.get();
        int rc;
        do {
            rc = Raw.ioctl(fd, IOCTL_NOTIF_SEND, buf);
        } while (rc < 0 && Native.getLastError() == Errno.EINTR);
        if (rc == 0) return true;
        int errno = Native.getLastError();
        if (errno == Errno.ENOENT) return false;
        throw SyscallException.of("ioctl", errno, "fd=%d SECCOMP_IOCTL_NOTIF_SEND id=%s val=%d error=%d flags=%d",
                fd, Long.toUnsignedString(reply.id()), reply.val(), reply.error(), reply.flags());
    }

    /**
     * SECCOMP_IOCTL_NOTIF_SET_FLAGS with SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (Linux 6.6): the
     * target's wake-up of the listener and the answer's wake-up of the target become synchronous
     * switches, which cuts a round trip across CPUs from tens of µs to a few (measured in
     * tests/bench). False when the kernel lacks it; the listener then works as before.
     */
    public static boolean setSyncWakeUp(Fd listener) {
        int fd = listener.get();
        // The flags are passed by value, as the ioctl's argument itself (kernel/seccomp.c).
        int rc = Raw.ioctl(fd, IOCTL_NOTIF_SET_FLAGS, new Pointer(USER_NOTIF_FD_SYNC_WAKE_UP));
        if (rc == 0) return true;
        int errno = Native.getLastError();
        if (errno == Errno.EINVAL || errno == Errno.ENOTTY) return false;
        throw SyscallException.of("ioctl", errno, "fd=%d SECCOMP_IOCTL_NOTIF_SET_FLAGS SYNC_WAKE_UP", fd);
    }

    /**
     * SECCOMP_IOCTL_NOTIF_ID_VALID: whether the target is still blocked in notification {@code id}.
     * After reading the target's memory, true means what was read belongs to that very call.
     */
    public static boolean idValid(Fd listener, long id) {
        Memory buf = Buffers.ID.get();
        buf.setLong(0, id);
        int fd = listener.get();
        int rc;
        do {
            rc = Raw.ioctl(fd, IOCTL_NOTIF_ID_VALID, buf);
        } while (rc < 0 && Native.getLastError() == Errno.EINTR);
        if (rc == 0) return true;
        int errno = Native.getLastError();
        if (errno == Errno.ENOENT) return false;
        throw SyscallException.of("ioctl", errno, "fd=%d SECCOMP_IOCTL_NOTIF_ID_VALID id=%s", fd, Long.toUnsignedString(id));
    }

    /**
     * SECCOMP_IOCTL_NOTIF_ADDFD (Linux 5.9): installs a copy of {@code source} in the target.
     * {@code flags} is {@link #ADDFD_FLAG_SETFD} (use {@code newfd}) and/or {@link #ADDFD_FLAG_SEND}.
     * Returns the descriptor number in the target, or empty when the target is gone (ENOENT).
     */
    public static OptionalInt addFd(Fd listener, long id, Fd source, int newfd, int flags, boolean cloexec) {
        Structs.Addfd a = new Structs.Addfd();
        a.id = id;
        a.flags = flags;
        a.srcfd = source.get();
        a.newfd = (flags & ADDFD_FLAG_SETFD) != 0 ? newfd : 0;
        a.newfd_flags = cloexec ? Fd.O_CLOEXEC : 0;
        a.write();
        int fd = listener.get();
        int rc;
        do {
            rc = Raw.ioctl(fd, IOCTL_NOTIF_ADDFD, a.getPointer());
        } while (rc < 0 && Native.getLastError() == Errno.EINTR);
        if (rc >= 0) return OptionalInt.of(rc);
        int errno = Native.getLastError();
        if (errno == Errno.ENOENT) return OptionalInt.empty();
        throw SyscallException.of("ioctl", errno, "fd=%d SECCOMP_IOCTL_NOTIF_ADDFD id=%s srcfd=%d newfd=%d flags=%d",
                fd, Long.toUnsignedString(id), a.srcfd, a.newfd, flags);
    }

    /** The sizes this build was written for, as laid out by JNA from the structs below (for the size test). */
    static Sizes declaredSizes() {
        return new Sizes(Structs.NOTIF.size(), Structs.RESP.size(), new Structs.Data().size());
    }

    static int addfdSize() { return new Structs.Addfd().size(); }

    /** Per-thread buffers (the loop's threads reuse them) sized for the larger of the kernel's and our structs. */
    private static final class Buffers {
        static final String UNAVAILABLE = probe();
        static final Sizes KERNEL = UNAVAILABLE == null ? kernelSizes() : null;
        static final ThreadLocal<Memory> RECV = ThreadLocal.withInitial(() -> new Memory(size(NOTIF_SIZE, true)));
        static final ThreadLocal<Memory> SEND = ThreadLocal.withInitial(() -> new Memory(size(RESP_SIZE, false)));
        static final ThreadLocal<Memory> ID = ThreadLocal.withInitial(() -> new Memory(8));

        private static int size(int ours, boolean notif) {
            checkSizes();
            return Math.max(ours, notif ? KERNEL.notif() : KERNEL.resp());
        }

        private static String probe() {
            Sizes k;
            try {
                k = kernelSizes();
            } catch (SyscallException e) {
                return e.errno() == Errno.EINVAL || e.errno() == Errno.ENOSYS
                        ? e.getMessage() + "; the kernel predates user notification (Linux 5.0)"
                        : e.getMessage();
            }
            if (k.notif() < NOTIF_SIZE || k.resp() < RESP_SIZE || k.data() < DATA_SIZE) {
                return String.format("kernel struct sizes seccomp_notif=%d seccomp_notif_resp=%d seccomp_data=%d"
                        + " are smaller than this build's %d/%d/%d (linux/seccomp.h); the kernel is older than"
                        + " the header this runtime was written for", k.notif(), k.resp(), k.data(),
                        NOTIF_SIZE, RESP_SIZE, DATA_SIZE);
            }
            return null;
        }
    }

    /**
     * The uapi structs (linux/seccomp.h), field names as in the header. JNA reads the fields
     * reflectively, so the classes are public inside this private holder. They give the sizes
     * and offsets; the hot path reads and writes per-thread {@link Memory} at those offsets
     * instead of paying for {@link Structure#read()}.
     */
    private static final class Structs {
        static final Notif NOTIF = new Notif();
        static final Resp RESP = new Resp();
        static final NotifSizes SIZES = new NotifSizes();

        /** struct seccomp_notif; its member {@code struct seccomp_data data} is inlined (nr..args) at offset 16. */
        @Structure.FieldOrder({"id", "pid", "flags", "nr", "arch", "instruction_pointer", "args"})
        public static final class Notif extends Structure {
            public long id;
            public int pid;
            public int flags;
            public int nr;
            public int arch;
            public long instruction_pointer;
            public long[] args = new long[6];

            int offset(String field) { return fieldOffset(field); }
        }

        /** struct seccomp_data. */
        @Structure.FieldOrder({"nr", "arch", "instruction_pointer", "args"})
        public static final class Data extends Structure {
            public int nr;
            public int arch;
            public long instruction_pointer;
            public long[] args = new long[6];
        }

        /** struct seccomp_notif_resp. */
        @Structure.FieldOrder({"id", "val", "error", "flags"})
        public static final class Resp extends Structure {
            public long id;
            public long val;
            public int error;
            public int flags;

            int offset(String field) { return fieldOffset(field); }
        }

        /** struct seccomp_notif_addfd. */
        @Structure.FieldOrder({"id", "flags", "srcfd", "newfd", "newfd_flags"})
        public static final class Addfd extends Structure {
            public long id;
            public int flags;
            public int srcfd;
            public int newfd;
            public int newfd_flags;
        }

        /** struct seccomp_notif_sizes. */
        @Structure.FieldOrder({"seccomp_notif", "seccomp_notif_resp", "seccomp_data"})
        public static final class NotifSizes extends Structure {
            public short seccomp_notif;
            public short seccomp_notif_resp;
            public short seccomp_data;
        }
    }

    /**
     * Direct mapping: the notification loop calls these for every notified syscall. ioctl(2) and
     * syscall(2) are variadic in C; declaring them with a fixed arity is sound on x86_64 and
     * aarch64 Linux because both ABIs pass variadic integer and pointer arguments exactly like
     * named ones (SysV AMD64: rdi, rsi, rdx, r10/rcx...; AAPCS64: x0-x7; only Apple's arm64 ABI
     * differs), and libffi sets %al, the vector-register count an x86_64 variadic callee reads.
     */
    private static final class Raw {
        static {
            Native.register(Raw.class, "c");
        }

        static native int ioctl(int fd, long request, Pointer arg);

        static native long syscall(long number, long op, long flags, Pointer args);
    }

    private SeccompNotify() {}
}
