package io.sandboxrun.core.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sandboxrun.core.linux.SeccompNotify.Notification;
import org.junit.jupiter.api.Test;

class SeccompNotifyTest {
    @Test
    void structSizesMatchTheHeader() {
        assertEquals(new SeccompNotify.Sizes(80, 24, 64), SeccompNotify.declaredSizes());
        assertEquals(SeccompNotify.NOTIF_SIZE, SeccompNotify.declaredSizes().notif());
        assertEquals(SeccompNotify.RESP_SIZE, SeccompNotify.declaredSizes().resp());
        assertEquals(SeccompNotify.DATA_SIZE, SeccompNotify.declaredSizes().data());
        assertEquals(SeccompNotify.ADDFD_SIZE, SeccompNotify.addfdSize());
    }

    /** The ioctl numbers are _IOWR/_IOW('!', n, size) (asm-generic/ioctl.h): the sizes are in them. */
    @Test
    void ioctlNumbersEncodeTheStructSizes() {
        assertEquals(ioc(3, 0, SeccompNotify.NOTIF_SIZE), SeccompNotify.IOCTL_NOTIF_RECV);
        assertEquals(ioc(3, 1, SeccompNotify.RESP_SIZE), SeccompNotify.IOCTL_NOTIF_SEND);
        assertEquals(ioc(1, 2, 8), SeccompNotify.IOCTL_NOTIF_ID_VALID);
        assertEquals(ioc(1, 3, SeccompNotify.ADDFD_SIZE), SeccompNotify.IOCTL_NOTIF_ADDFD);
    }

    private static long ioc(int dir, int nr, int size) {
        return ((long) dir << 30) | ((long) size << 16) | ('!' << 8) | nr;
    }

    @Test
    void notificationCopiesItsArguments() {
        long[] args = {1, 2, 3, 4, 5, 6};
        Notification n = new Notification(1, 2, 39, 0xc000003e, 0x1000, args);
        args[0] = 99;
        assertEquals(1, n.arg(0));
        n.args()[1] = 99;
        assertArrayEquals(new long[] {1, 2, 3, 4, 5, 6}, n.args());
        assertThrows(IllegalArgumentException.class, () -> new Notification(1, 2, 3, 4, 5, new long[5]));
    }
}
