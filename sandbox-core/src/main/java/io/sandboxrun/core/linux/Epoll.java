package io.sandboxrun.core.linux;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;

/** epoll(7): epoll_create1(2), epoll_ctl(2) and epoll_wait(2), direct-mapped for the notification loop. */
public final class Epoll {
    // sys/epoll.h (the same values on every Linux architecture)
    public static final int EPOLLIN = 0x001, EPOLLOUT = 0x004, EPOLLERR = 0x008, EPOLLHUP = 0x010,
            EPOLLRDHUP = 0x2000, EPOLLEXCLUSIVE = 1 << 28, EPOLLONESHOT = 1 << 30, EPOLLET = 1 << 31;
    static final int EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLL_CTL_MOD = 3, EPOLL_CLOEXEC = 02000000;
    /**
     * struct epoll_event is {@code __attribute__((packed))} on x86_64 only (12 bytes, data at 4);
     * elsewhere, aarch64 included, it has natural alignment (16 bytes, data at 8).
     */
    static final boolean PACKED = !"aarch64".equals(System.getProperty("os.arch"));
    static final int EVENT_SIZE = new Layout.Event().size();
    private static final int OFF_DATA = new Layout.Event().offset("data");

    /** epoll_create1(EPOLL_CLOEXEC). */
    public static Fd create() {
        int n = Raw.epoll_create1(EPOLL_CLOEXEC);
        if (n < 0) throw SyscallException.of("epoll_create1", Native.getLastError(), "EPOLL_CLOEXEC");
        return Fd.adopt(n);
    }

    /** EPOLL_CTL_ADD: watch {@code target} for {@code events}; {@code data} comes back with each event. */
    public static void add(Fd epoll, Fd target, int events, long data) {
        if (!ctl(epoll, EPOLL_CTL_ADD, target, events, data)) {
            throw SyscallException.of("epoll_ctl", Errno.ENOENT, "EPOLL_CTL_ADD fd=%d", target.get());
        }
    }

    /** EPOLL_CTL_MOD (re-arms an EPOLLONESHOT watch). False when {@code target} is not watched (ENOENT). */
    public static boolean modify(Fd epoll, Fd target, int events, long data) {
        return ctl(epoll, EPOLL_CTL_MOD, target, events, data);
    }

    /** EPOLL_CTL_DEL. False when {@code target} was not watched (ENOENT). */
    public static boolean delete(Fd epoll, Fd target) {
        return ctl(epoll, EPOLL_CTL_DEL, target, 0, 0);
    }

    private static boolean ctl(Fd epoll, int op, Fd target, int events, long data) {
        Memory ev = EVENT.get();
        ev.setInt(0, events);
        ev.setLong(OFF_DATA, data);
        int ep = epoll.get();
        int fd = target.get();
        if (Raw.epoll_ctl(ep, op, fd, ev) == 0) return true;
        int errno = Native.getLastError();
        if (errno == Errno.ENOENT && op != EPOLL_CTL_ADD) return false;
        throw SyscallException.of("epoll_ctl", errno, "epfd=%d op=%d fd=%d events=0x%x", ep, op, fd, events);
    }

    private static final ThreadLocal<Memory> EVENT = ThreadLocal.withInitial(() -> new Memory(EVENT_SIZE));

    /**
     * epoll_wait(2) into {@code events}: returns how many are ready (also {@link Events#count()}),
     * 0 when {@code timeoutMillis} passed (-1: wait forever) or a signal interrupted the wait.
     */
    public static int wait(Fd epoll, Events events, int timeoutMillis) {
        int ep = epoll.get();
        int n = Raw.epoll_wait(ep, events.mem, events.capacity, timeoutMillis);
        if (n < 0) {
            int errno = Native.getLastError();
            if (errno != Errno.EINTR) throw SyscallException.of("epoll_wait", errno, "epfd=%d", ep);
            n = 0;
        }
        events.count = n;
        return n;
    }

    /** A reusable array of struct epoll_event for {@link #wait}; one per thread, not thread-safe. */
    public static final class Events {
        private final Memory mem;
        private final int capacity;
        private int count;

        public Events(int capacity) {
            if (capacity < 1) throw new IllegalArgumentException("capacity " + capacity);
            this.capacity = capacity;
            this.mem = new Memory((long) EVENT_SIZE * capacity);
            mem.clear();
        }

        /** Events filled by the last {@link Epoll#wait}. */
        public int count() { return count; }

        /** The ready mask (EPOLLIN, EPOLLHUP, ...) of event {@code i}. */
        public int events(int i) { return mem.getInt((long) check(i) * EVENT_SIZE); }

        /** The data registered with the descriptor of event {@code i}. */
        public long data(int i) { return mem.getLong((long) check(i) * EVENT_SIZE + OFF_DATA); }

        private int check(int i) {
            if (i < 0 || i >= count) throw new IndexOutOfBoundsException("event " + i + " of " + count);
            return i;
        }
    }

    /** JNA reads struct fields reflectively, so the struct is public inside this private holder. */
    private static final class Layout {
        /** struct epoll_event (sys/epoll.h): {@code uint32_t events; epoll_data_t data;}, data used as u64. */
        @Structure.FieldOrder({"events", "data"})
        public static final class Event extends Structure {
            public int events;
            public long data;

            Event() { super(PACKED ? ALIGN_NONE : ALIGN_DEFAULT); }

            int offset(String field) { return fieldOffset(field); }
        }
    }

    /** Direct mapping (hot path); none of these is variadic. */
    private static final class Raw {
        static {
            Native.register(Raw.class, "c");
        }

        static native int epoll_create1(int flags);

        static native int epoll_ctl(int epfd, int op, int fd, Pointer event);

        static native int epoll_wait(int epfd, Pointer events, int maxevents, int timeout);
    }

    private Epoll() {}
}
