package io.sandboxrun.core.linux;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import java.net.InetSocketAddress;

/**
 * The socket calls the launcher makes on a descriptor it holds (its own, or an app's taken with
 * {@link Pidfd#getfd}): options, local address, bind and connect. One place for them; failures
 * of connect come back as an errno because they are the app's results, not the launcher's.
 */
public final class Sockets {
    public static final int SOL_SOCKET = 1, SO_TYPE = 3, SO_PROTOCOL = 38, SO_DOMAIN = 39;
    public static final int SOCK_STREAM = 1, SOCK_DGRAM = 2;
    /** socket(2) type flag: the descriptor is close-on-exec (= O_CLOEXEC, linux/net.h). */
    static final int SOCK_CLOEXEC = Fd.O_CLOEXEC;
    public static final int IPPROTO_TCP = 6, IPPROTO_MPTCP = 262;

    /** getsockopt(fd, level, name) for an int option. */
    public static int intOption(Fd fd, int level, int name) {
        IntByReference v = new IntByReference();
        IntByReference len = new IntByReference(4);
        if (Raw.C.getsockopt(fd.get(), level, name, v.getPointer(), len) < 0) {
            throw SyscallException.of("getsockopt", Native.getLastError(), "fd=%d level=%d name=%d", fd.get(), level, name);
        }
        return v.getValue();
    }

    /** The socket's local address (port 0 while unbound). */
    public static SockAddr localAddress(Fd fd) {
        Memory out = new Memory(128);
        IntByReference len = new IntByReference(128);
        if (Raw.C.getsockname(fd.get(), out, len) < 0) {
            throw SyscallException.of("getsockname", Native.getLastError(), "fd=%d", fd.get());
        }
        return SockAddr.decode(out.getByteArray(0, Math.min(len.getValue(), 128)));
    }

    public static void bind(Fd fd, InetSocketAddress a) {
        byte[] sa = SockAddr.encode(a);
        if (Raw.C.bind(fd.get(), sa, sa.length) < 0) {
            throw SyscallException.of("bind", Native.getLastError(), "fd=%d %s", fd.get(), a);
        }
    }

    /** connect(2); returns 0 or the errno (EINPROGRESS for a non-blocking socket still connecting). */
    public static int connect(Fd fd, InetSocketAddress a) {
        byte[] sa = SockAddr.encode(a);
        return Raw.C.connect(fd.get(), sa, sa.length) == 0 ? 0 : Native.getLastError();
    }

    /** Whether the open file description is non-blocking (shared with the app for a taken fd). */
    public static boolean nonBlocking(Fd fd) {
        int flags = Raw.C.fcntl(fd.get(), Fd.F_GETFL, 0);
        if (flags < 0) throw SyscallException.of("fcntl", Native.getLastError(), "F_GETFL fd=%d", fd.get());
        return (flags & Fd.O_NONBLOCK) != 0;
    }

    private interface Raw extends Library {
        Raw C = Native.load("c", Raw.class);
        int getsockopt(int fd, int level, int name, Pointer value, IntByReference len);
        int getsockname(int fd, Pointer addr, IntByReference len);
        int bind(int fd, byte[] addr, int len);
        int connect(int fd, byte[] addr, int len);
        int fcntl(int fd, int cmd, int arg);
    }

    private Sockets() {}
}
