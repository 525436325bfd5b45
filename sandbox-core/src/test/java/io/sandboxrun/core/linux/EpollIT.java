package io.sandboxrun.core.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** epoll on eventfds on the real kernel (no privilege needed). */
class EpollIT {
    @Test
    void reportsReadinessWithItsData() {
        try (Fd ep = Epoll.create(); Fd a = Eventfd.open(); Fd b = Eventfd.open()) {
            Epoll.add(ep, a, Epoll.EPOLLIN, 11);
            Epoll.add(ep, b, Epoll.EPOLLIN, 0x1_0000_0022L);
            Epoll.Events ev = new Epoll.Events(8);
            assertEquals(0, Epoll.wait(ep, ev, 0));
            Eventfd.signal(b);
            assertEquals(1, Epoll.wait(ep, ev, 1000));
            assertEquals(0x1_0000_0022L, ev.data(0));
            assertEquals(Epoll.EPOLLIN, ev.events(0) & Epoll.EPOLLIN);
            assertEquals(1, Epoll.wait(ep, ev, 0), "level-triggered: still ready");
            assertTrue(Epoll.delete(ep, b));
            assertFalse(Epoll.delete(ep, b), "not watched any more");
            assertEquals(0, Epoll.wait(ep, ev, 0));
        }
    }

    @Test
    void oneShotReportsOnceUntilRearmed() {
        try (Fd ep = Epoll.create(); Fd a = Eventfd.open()) {
            Epoll.add(ep, a, Epoll.EPOLLIN | Epoll.EPOLLONESHOT, 5);
            Eventfd.signal(a);
            Epoll.Events ev = new Epoll.Events(1);
            assertEquals(1, Epoll.wait(ep, ev, 1000));
            assertEquals(0, Epoll.wait(ep, ev, 0), "disarmed after one report");
            assertTrue(Epoll.modify(ep, a, Epoll.EPOLLIN | Epoll.EPOLLONESHOT, 6));
            assertEquals(1, Epoll.wait(ep, ev, 0), "re-arming a ready descriptor reports it again");
            assertEquals(6, ev.data(0));
        }
    }
}
