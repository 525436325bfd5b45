package io.sandboxrun.core.linux;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** AF_UNIX SOCK_SEQPACKET socket pairs and messages that carry descriptors (unix(7) SCM_RIGHTS, cmsg(3)). */
public final class UnixSocket {
    // sys/socket.h, bits/socket.h (Linux; x86_64 and aarch64 agree)
    static final int SOCK_SEQPACKET = 5, SCM_RIGHTS = 1;
    static final int MSG_TRUNC = 0x20, MSG_CTRUNC = 0x08, MSG_NOSIGNAL = 0x4000, MSG_CMSG_CLOEXEC = 0x40000000;
    /** The kernel's limit on descriptors in one SCM_RIGHTS message (SCM_MAX_FD, include/net/scm.h). */
    public static final int MAX_FDS = 253;
    static final int MSGHDR_SIZE = new Layout.Msghdr().size(), IOVEC_SIZE = new Layout.Iovec().size();
    static final int CMSGHDR_SIZE = new Layout.Cmsghdr().size();
    private static final int OFF_CMSG_LEVEL = new Layout.Cmsghdr().offset("cmsg_level"),
            OFF_CMSG_TYPE = new Layout.Cmsghdr().offset("cmsg_type");

    /** The two connected ends of {@link #pair()}. */
    public record Pair(Fd first, Fd second) implements AutoCloseable {
        @Override
        public void close() {
            first.close();
            second.close();
        }
    }

    /**
     * One received message: its bytes and the descriptors it carried, now owned by the caller
     * (close-on-exec). {@link #endOfStream()} is true when the peer has closed its end (then
     * both are empty). On a SOCK_SEQPACKET socket a zero-byte message without descriptors cannot
     * be told from the end of the stream, so {@link #send} refuses to send one.
     */
    public record Received(byte[] data, List<Fd> fds, boolean endOfStream) implements AutoCloseable {
        static final Received END = new Received(new byte[0], List.of(), true);

        public Received {
            data = data.clone();
            fds = List.copyOf(fds);
        }

        @Override
        public byte[] data() { return data.clone(); }

        /** Closes every received descriptor the caller has not {@link Fd#release() released}. */
        @Override
        public void close() {
            fds.forEach(Fd::close);
        }
    }

    /** socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC): message boundaries kept, both ends owned. */
    public static Pair pair() {
        int[] sv = new int[2];
        if (Raw.C.socketpair(SockAddr.AF_UNIX, SOCK_SEQPACKET | Sockets.SOCK_CLOEXEC, 0, sv) < 0) {
            throw SyscallException.of("socketpair", Native.getLastError(), "AF_UNIX, SOCK_SEQPACKET|SOCK_CLOEXEC");
        }
        return new Pair(Fd.adopt(sv[0]), Fd.adopt(sv[1]));
    }

    /** {@link #receive(Fd, int, int)} with room for 4096 bytes and 16 descriptors. */
    public static Optional<Received> receive(Fd socket) {
        return receive(socket, 4096, 16);
    }

    /**
     * recvmsg(2) with MSG_CMSG_CLOEXEC: one message of at most {@code maxBytes} bytes and
     * {@code maxFds} descriptors. Empty when a non-blocking socket has nothing now (EAGAIN);
     * {@link Received#END} at the end of the stream. A larger message is an error (its
     * descriptors are closed), since the protocol then cannot be trusted.
     */
    public static Optional<Received> receive(Fd socket, int maxBytes, int maxFds) {
        if (maxBytes < 1 || maxFds < 0 || maxFds > MAX_FDS) {
            throw new IllegalArgumentException("maxBytes " + maxBytes + ", maxFds " + maxFds);
        }
        Memory data = new Memory(maxBytes);
        int controlLen = maxFds == 0 ? 0 : cmsgSpace(Integer.BYTES * maxFds);
        Memory control = controlLen == 0 ? null : new Memory(controlLen);
        if (control != null) control.clear();
        Layout.Msghdr msg = message(data, maxBytes, control, controlLen);
        int fd = socket.get();
        long n;
        do {
            n = Raw.C.recvmsg(fd, msg.getPointer(), MSG_CMSG_CLOEXEC);
        } while (n < 0 && Native.getLastError() == Errno.EINTR);
        if (n < 0) {
            int errno = Native.getLastError();
            if (errno == Errno.EAGAIN) return Optional.empty();
            throw SyscallException.of("recvmsg", errno, "fd=%d", fd);
        }
        msg.read();
        Reference.reachabilityFence(msg);
        List<Fd> fds = control == null ? List.of() : fds(control, (int) msg.msg_controllen);
        if ((msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0) {
            fds.forEach(Fd::close);
            throw new IllegalStateException(String.format(
                    "recvmsg(fd=%d): message truncated (flags 0x%x): more than %d bytes or %d descriptors",
                    fd, msg.msg_flags, maxBytes, maxFds));
        }
        if (n == 0 && fds.isEmpty()) return Optional.of(Received.END);
        return Optional.of(new Received(data.getByteArray(0, (int) n), fds, false));
    }

    /**
     * sendmsg(2) of {@code data} (at least one byte) with {@code fds} as SCM_RIGHTS; the caller
     * keeps its descriptors. MSG_NOSIGNAL: a closed peer is EPIPE, not SIGPIPE.
     */
    public static void send(Fd socket, byte[] data, Fd... fds) {
        if (data.length == 0) throw new IllegalArgumentException("a message needs at least one byte (see Received)");
        if (fds.length > MAX_FDS) throw new IllegalArgumentException(fds.length + " descriptors; at most " + MAX_FDS);
        Memory buf = new Memory(data.length);
        buf.write(0, data, 0, data.length);
        Memory control = null;
        int controlLen = 0;
        if (fds.length > 0) {
            controlLen = cmsgSpace(Integer.BYTES * fds.length);
            control = new Memory(controlLen);
            control.clear();
            control.setLong(0, cmsgLen(Integer.BYTES * fds.length)); // cmsg_len is size_t
            control.setInt(OFF_CMSG_LEVEL, Sockets.SOL_SOCKET);
            control.setInt(OFF_CMSG_TYPE, SCM_RIGHTS);
            for (int i = 0; i < fds.length; i++) control.setInt(CMSGHDR_SIZE + (long) Integer.BYTES * i, fds[i].get());
        }
        Layout.Msghdr msg = message(buf, data.length, control, controlLen);
        int fd = socket.get();
        long n;
        do {
            n = Raw.C.sendmsg(fd, msg.getPointer(), MSG_NOSIGNAL);
        } while (n < 0 && Native.getLastError() == Errno.EINTR);
        Reference.reachabilityFence(msg);
        Reference.reachabilityFence(buf);
        Reference.reachabilityFence(control);
        if (n < 0) throw SyscallException.of("sendmsg", Native.getLastError(), "fd=%d bytes=%d fds=%d", fd, data.length, fds.length);
        if (n != data.length) throw new IllegalStateException("sendmsg(fd=" + fd + "): sent " + n + " of " + data.length + " bytes");
    }

    /** CMSG_ALIGN: control data is aligned to size_t (8 bytes on 64-bit Linux). */
    static int cmsgAlign(int len) { return (len + Long.BYTES - 1) & ~(Long.BYTES - 1); }

    /** CMSG_LEN: header plus {@code dataLen}, unpadded; the value of cmsg_len. */
    static int cmsgLen(int dataLen) { return cmsgAlign(CMSGHDR_SIZE) + dataLen; }

    /** CMSG_SPACE: header plus {@code dataLen}, padded; the room a message takes in the buffer. */
    static int cmsgSpace(int dataLen) { return cmsgAlign(CMSGHDR_SIZE) + cmsgAlign(dataLen); }

    /** Walks the control messages (CMSG_FIRSTHDR / CMSG_NXTHDR) and adopts every SCM_RIGHTS descriptor. */
    static List<Fd> fds(Pointer control, int controlLen) {
        List<Fd> out = new ArrayList<>();
        int off = 0;
        while (off + CMSGHDR_SIZE <= controlLen) {
            long len = control.getLong(off);
            if (len < CMSGHDR_SIZE || off + len > controlLen) break;
            if (control.getInt(off + OFF_CMSG_LEVEL) == Sockets.SOL_SOCKET && control.getInt(off + OFF_CMSG_TYPE) == SCM_RIGHTS) {
                int count = (int) (len - cmsgLen(0)) / Integer.BYTES;
                for (int i = 0; i < count; i++) out.add(Fd.adopt(control.getInt(off + cmsgLen(0) + (long) Integer.BYTES * i)));
            }
            off += cmsgAlign((int) len);
        }
        return out;
    }

    private static Layout.Msghdr message(Memory data, int dataLen, Memory control, int controlLen) {
        Layout.Iovec iov = new Layout.Iovec();
        iov.iov_base = data;
        iov.iov_len = dataLen;
        iov.write();
        Layout.Msghdr msg = new Layout.Msghdr();
        msg.msg_iov = iov.getPointer();
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = controlLen;
        msg.iov = iov;
        msg.write();
        return msg;
    }

    /** The uapi structs (bits/socket.h, bits/uio.h), field names as in the header; public for JNA, private here. */
    private static final class Layout {
        /** struct msghdr. */
        @Structure.FieldOrder({"msg_name", "msg_namelen", "msg_iov", "msg_iovlen", "msg_control", "msg_controllen", "msg_flags"})
        public static final class Msghdr extends Structure {
            public Pointer msg_name;
            public int msg_namelen;
            public Pointer msg_iov;
            public long msg_iovlen;      // size_t
            public Pointer msg_control;
            public long msg_controllen;  // size_t
            public int msg_flags;
            Iovec iov;                   // keeps the iovec's memory reachable with the header
        }

        /** struct iovec. */
        @Structure.FieldOrder({"iov_base", "iov_len"})
        public static final class Iovec extends Structure {
            public Pointer iov_base;
            public long iov_len;         // size_t
        }

        /** struct cmsghdr; the data (here: int descriptors) follows at CMSG_ALIGN(sizeof(struct cmsghdr)). */
        @Structure.FieldOrder({"cmsg_len", "cmsg_level", "cmsg_type"})
        public static final class Cmsghdr extends Structure {
            public long cmsg_len;        // size_t
            public int cmsg_level;
            public int cmsg_type;

            int offset(String field) { return fieldOffset(field); }
        }
    }

    private interface Raw extends Library {
        Raw C = Native.load("c", Raw.class);
        int socketpair(int domain, int type, int protocol, int[] sv);
        long recvmsg(int fd, Pointer msg, int flags);
        long sendmsg(int fd, Pointer msg, int flags);
    }

    private UnixSocket() {}
}
