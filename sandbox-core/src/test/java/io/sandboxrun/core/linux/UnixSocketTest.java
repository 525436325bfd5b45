package io.sandboxrun.core.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.jna.Memory;
import java.util.List;
import org.junit.jupiter.api.Test;

class UnixSocketTest {
    @Test
    void structSizes() {
        assertEquals(56, UnixSocket.MSGHDR_SIZE);
        assertEquals(16, UnixSocket.IOVEC_SIZE);
        assertEquals(16, UnixSocket.CMSGHDR_SIZE);
    }

    /** CMSG_LEN / CMSG_SPACE for 1..4 int descriptors, as glibc computes them on 64-bit Linux. */
    @Test
    void cmsgArithmetic() {
        int[] len = {20, 24, 28, 32};
        int[] space = {24, 24, 32, 32};
        for (int n = 1; n <= 4; n++) {
            assertEquals(len[n - 1], UnixSocket.cmsgLen(4 * n), "CMSG_LEN(" + 4 * n + ")");
            assertEquals(space[n - 1], UnixSocket.cmsgSpace(4 * n), "CMSG_SPACE(" + 4 * n + ")");
        }
        assertEquals(16, UnixSocket.cmsgLen(0));
    }

    /** Two control messages back to back: an SCM_RIGHTS with 3 fds (padded), then another with 1. */
    @Test
    void parsesEverySCMRightsMessage() {
        Memory control = new Memory(UnixSocket.cmsgSpace(12) + UnixSocket.cmsgSpace(4));
        control.clear();
        cmsg(control, 0, 1001, 1002, 1003);
        cmsg(control, UnixSocket.cmsgSpace(12), 1004);
        List<Fd> fds = UnixSocket.fds(control, (int) control.size());
        // Fake numbers: release them rather than close descriptors this process never had.
        assertEquals(List.of(1001, 1002, 1003, 1004), fds.stream().map(Fd::release).toList());
    }

    @Test
    void ignoresATruncatedHeader() {
        Memory control = new Memory(UnixSocket.cmsgSpace(4));
        control.clear();
        cmsg(control, 0, 1001);
        assertEquals(List.of(), UnixSocket.fds(control, UnixSocket.cmsgLen(4) - 1));
    }

    private static void cmsg(Memory m, int off, int... fds) {
        m.setLong(off, UnixSocket.cmsgLen(4 * fds.length));
        m.setInt(off + 8, Sockets.SOL_SOCKET);
        m.setInt(off + 12, UnixSocket.SCM_RIGHTS);
        for (int i = 0; i < fds.length; i++) m.setInt(off + 16 + 4L * i, fds[i]);
    }
}
