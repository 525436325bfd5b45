package io.sandboxrun.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class OwnerTest {
    @Test
    void markTextRoundTrip() {
        Owner o = new Owner(4242, 987654321L, "web", "i-01.a_b", 1733500000123L);
        assertEquals("sandbox-run/1 instance launcher=4242:987654321 app=web instance=i-01.a_b created=1733500000123",
                o.encode());
        assertEquals(Optional.of(o), Owner.parse(o.encode()));
        assertEquals(Optional.of(o), Owner.parse(o.encode() + "\n"), "trailing newline");
        assertEquals(Optional.of(o), Owner.parse(o.encode() + " future=field"), "unknown keys are ignored");
    }

    @Test
    void notAnInstanceMark() {
        assertEquals(Optional.empty(), Owner.parse(Owner.SHARED));
        assertEquals(Optional.empty(), Owner.parse(""));
        assertEquals(Optional.empty(), Owner.parse("sandbox-run/2 instance launcher=1:2 app=a instance=b created=3"));
        assertEquals(Optional.empty(), Owner.parse("sandbox-run/1 instance app=a instance=b"), "no launcher");
        assertEquals(Optional.empty(), Owner.parse("sandbox-run/1 instance launcher=12 app=a instance=b"), "no start time");
        assertEquals(Optional.empty(), Owner.parse("sandbox-run/1 instance launcher=x:1 app=a instance=b"));
    }

    @Test
    void selfIsAlive() {
        Owner me = Owner.self(new CgroupPath("app", "one"));
        assertEquals(ProcessHandle.current().pid(), me.pid());
        assertTrue(me.startTicks() > 0, "start time read from /proc/self/stat");
        assertEquals("app", me.app());
        assertEquals("one", me.instance());
        assertTrue(me.launcherAlive());
        assertEquals(Optional.of(me), Owner.parse(me.encode()));
    }

    @Test
    void samePidOtherStartTimeIsNotAlive() {
        Owner me = Owner.self(new CgroupPath("app", "one"));
        assertFalse(new Owner(me.pid(), me.startTicks() + 1, "app", "one", 0).launcherAlive(), "pid reused");
    }
}
