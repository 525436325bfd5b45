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
    public static final int IPPROTO_TCP = 6, IPPROTO_MPTCP = 262;
    private static final int F_GETFL = 3, O_NONBLOCK = 04000;
    /** TCP_INFO (linux/tcp.h) and the offsets of the two u64 counters read from its struct tcp_info. */
    static final int TCP_INFO = 11, TCP_INFO_SIZE = 232, BYTES_ACKED_AT = 120, BYTES_RECEIVED_AT = 128;
    /** FIONREAD (asm-generic/ioctls.h), SIOCINQ for a TCP socket: see tcp(7). */
    static final long FIONREAD = 0x541B;

    /**
     * A TCP socket's own tally, from {@code tcpi_bytes_acked} and {@code tcpi_bytes_received} in
     * struct tcp_info (Linux 4.1/4.2). Both count sequence numbers, not only data: {@code acked}
     * includes a SYN this socket sent (when it made the connection) and its FIN once acknowledged;
     * {@code received} includes the peer's FIN once received in order. {@link #finReceived} and
     * {@link #finAcked} read those from {@code state} ({@code tcpi_state}, TCP_ESTABLISHED = 1 ...).
     *
     * @param acked    bytes the peer acknowledged
     * @param received bytes received from the peer
     */
    public record TcpBytes(int state, long acked, long received) {
        /** TCP states (include/net/tcp_states.h). */
        public static final int FIN_WAIT2 = 5, TIME_WAIT = 6, CLOSE = 7, CLOSE_WAIT = 8, LAST_ACK = 9, CLOSING = 11;

        /** The peer's FIN has been received; false in CLOSE, where the state no longer says. */
        public boolean finReceived() {
            return state == CLOSE_WAIT || state == LAST_ACK || state == CLOSING || state == TIME_WAIT;
        }

        /** This socket's FIN has been acknowledged; false in CLOSE, where the state no longer says. */
        public boolean finAcked() {
            return state == FIN_WAIT2 || state == TIME_WAIT;
        }
    }

    /** getsockopt(fd, level, name) for an int option. */
    public static int intOption(Fd fd, int level, int name) {
        IntByReference v = new IntByReference();
        IntByReference len = new IntByReference(4);
        if (Raw.C.getsockopt(fd.get(), level, name, v.getPointer(), len) < 0) {
            throw SyscallException.of("getsockopt", Native.getLastError(), "fd=%d level=%d name=%d", fd.get(), level, name);
        }
        return v.getValue();
    }

    /** getsockopt(fd, IPPROTO_TCP, TCP_INFO): the byte counters of a TCP socket. */
    public static TcpBytes tcpBytes(int fd) {
        Memory info = new Memory(TCP_INFO_SIZE);
        info.clear();
        IntByReference len = new IntByReference(TCP_INFO_SIZE);
        if (Raw.C.getsockopt(fd, IPPROTO_TCP, TCP_INFO, info, len) < 0) {
            throw SyscallException.of("getsockopt", Native.getLastError(), "fd=%d TCP_INFO", fd);
        }
        if (len.getValue() < BYTES_RECEIVED_AT + 8) {
            throw new IllegalStateException("getsockopt(fd=" + fd + ", TCP_INFO) returned " + len.getValue()
                    + " bytes; tcpi_bytes_received needs " + (BYTES_RECEIVED_AT + 8) + " (Linux 4.2)");
        }
        return new TcpBytes(info.getByte(0) & 0xff, info.getLong(BYTES_ACKED_AT), info.getLong(BYTES_RECEIVED_AT));
    }

    /** ioctl(fd, FIONREAD): bytes received on a stream socket and not read yet. */
    public static int unread(int fd) {
        IntByReference n = new IntByReference();
        if (Raw.C.ioctl(fd, FIONREAD, n.getPointer()) < 0) {
            throw SyscallException.of("ioctl", Native.getLastError(), "fd=%d FIONREAD", fd);
        }
        return n.getValue();
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
        int flags = Raw.C.fcntl(fd.get(), F_GETFL, 0);
        if (flags < 0) throw SyscallException.of("fcntl", Native.getLastError(), "F_GETFL fd=%d", fd.get());
        return (flags & O_NONBLOCK) != 0;
    }

    private interface Raw extends Library {
        Raw C = Native.load("c", Raw.class);
        int getsockopt(int fd, int level, int name, Pointer value, IntByReference len);
        int getsockname(int fd, Pointer addr, IntByReference len);
        int bind(int fd, byte[] addr, int len);
        int connect(int fd, byte[] addr, int len);
        int fcntl(int fd, int cmd, int arg);
        int ioctl(int fd, long request, Pointer arg); // request is unsigned long in glibc's prototype
    }

    private Sockets() {}
}
