package io.sandboxrun.core.linux;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.util.Optional;

/** process_vm_readv(2) (Linux 3.2): copies bytes out of another process's memory, given ptrace-read access to it. */
public final class ProcessVm {
    /** The most one call copies; a notification handler reads small structs (a sockaddr, a path). */
    public static final int MAX_READ = 1 << 20;
    private static final int IOVEC_SIZE = 16; // struct iovec {void *iov_base; size_t iov_len;} on 64-bit

    /**
     * Reads {@code length} bytes at {@code address} in process (or thread) {@code pid}. Returns
     * what could be read: all of it, fewer bytes when the range runs into unmapped memory, none
     * when {@code address} itself is unreadable (EFAULT); empty when the process is gone (ESRCH).
     * The bytes are a copy: decide on them, never on a second read (see NotifyContext).
     *
     * @throws SyscallException EPERM when this process may not read the target's memory
     */
    public static Optional<byte[]> read(int pid, long address, int length) {
        if (length < 0 || length > MAX_READ) throw new IllegalArgumentException("length " + length);
        if (length == 0) return Optional.of(new byte[0]);
        Memory buf = new Memory(length);
        Memory iov = new Memory(2L * IOVEC_SIZE);
        iov.setPointer(0, buf);                       // local: our buffer
        iov.setLong(8, length);
        iov.setLong(IOVEC_SIZE, address);             // remote: an address in the target
        iov.setLong(IOVEC_SIZE + 8, length);
        long n;
        do {
            n = Raw.process_vm_readv(pid, iov, 1, iov.share(IOVEC_SIZE), 1, 0);
        } while (n < 0 && Native.getLastError() == Errno.EINTR);
        if (n < 0) {
            int errno = Native.getLastError();
            if (errno == Errno.ESRCH) return Optional.empty();
            if (errno == Errno.EFAULT) return Optional.of(new byte[0]);
            throw SyscallException.of("process_vm_readv", errno, "pid=%d address=0x%x length=%d", pid, address, length);
        }
        return Optional.of(buf.getByteArray(0, (int) n));
    }

    /** Direct mapping (the connect handler reads a sockaddr per notification); not variadic. */
    private static final class Raw {
        static {
            Native.register(Raw.class, "c");
        }

        static native long process_vm_readv(int pid, Pointer localIov, long liovcnt, Pointer remoteIov, long riovcnt, long flags);
    }

    private ProcessVm() {}
}
