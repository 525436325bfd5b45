package io.sandboxrun.core.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class EpollTest {
    @Test
    void eventLayoutFollowsTheArchitecture() {
        boolean x86 = !"aarch64".equals(System.getProperty("os.arch"));
        assertEquals(x86, Epoll.PACKED);
        assertEquals(x86 ? 12 : 16, Epoll.EVENT_SIZE);
    }

    @Test
    void eventsOutsideTheLastWaitAreRejected() {
        Epoll.Events e = new Epoll.Events(4);
        assertEquals(0, e.count());
        assertThrows(IndexOutOfBoundsException.class, () -> e.data(0));
        assertThrows(IllegalArgumentException.class, () -> new Epoll.Events(0));
    }
}
