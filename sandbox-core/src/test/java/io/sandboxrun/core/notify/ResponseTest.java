package io.sandboxrun.core.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sandboxrun.core.linux.Errno;
import io.sandboxrun.core.linux.SeccompNotify;
import io.sandboxrun.core.linux.SeccompNotify.Notification;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResponseTest {
    @Test
    void continueSetsTheFlagOnly() {
        assertEquals(new SeccompNotify.Reply(7, 0, 0, 1), NotificationLoop.reply(7, Response.continueSyscall()));
        assertSame(Response.continueSyscall(), Response.continueSyscall());
    }

    @Test
    void errorIsSentAsANegativeErrno() {
        assertEquals(new SeccompNotify.Reply(7, 0, -Errno.EPERM, 0), NotificationLoop.reply(7, Response.error(Errno.EPERM)));
        assertEquals(new SeccompNotify.Reply(-1L, 0, -4095, 0), NotificationLoop.reply(-1L, Response.error(4095)));
    }

    @Test
    void valueIsSentAsIs() {
        assertEquals(new SeccompNotify.Reply(9, 4242, 0, 0), NotificationLoop.reply(9, Response.value(4242)));
        assertEquals(new SeccompNotify.Reply(9, -1, 0, 0), NotificationLoop.reply(9, Response.value(-1)));
    }

    @Test
    void errnoOutOfRangeIsRejected() {
        assertEquals("errno 0 is not in 1..4095",
                assertThrows(IllegalArgumentException.class, () -> Response.error(0)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Response.error(-1));
        assertThrows(IllegalArgumentException.class, () -> Response.error(4096));
    }

    @Test
    void bySyscallDispatchesOnTheNumber() {
        NotificationHandler h = NotificationHandler.bySyscall(
                Map.of(59, (n, c) -> Response.error(Errno.EPERM)), (n, c) -> Response.continueSyscall());
        assertEquals(Response.error(Errno.EPERM), h.handle(notification(59), null));
        assertEquals(Response.continueSyscall(), h.handle(notification(42), null));
    }

    private static Notification notification(int nr) {
        return new Notification(1, 100, nr, 0xc000003e, 0, new long[6]);
    }
}
