package io.sandboxrun.core.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sandboxrun.core.linux.SeccompNotify.Notification;
import io.sandboxrun.core.notify.NotifyTarget;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The notification ioctls one by one, on listeners from src/test/c/notify-target.c. */
class SeccompNotifyIT {
    private static final Duration EXIT = Duration.ofSeconds(30);
    private static final int NR_GETPPID = "aarch64".equals(System.getProperty("os.arch")) ? 173 : 110;

    @TempDir
    Path dir;

    @BeforeAll
    static void host() {
        NotifyTarget.requireHost();
    }

    @Test
    void kernelSizesAreAtLeastOurs() {
        SeccompNotify.Sizes k = SeccompNotify.kernelSizes();
        System.out.println("kernel seccomp sizes: " + k);
        assertTrue(k.notif() >= SeccompNotify.NOTIF_SIZE && k.resp() >= SeccompNotify.RESP_SIZE
                && k.data() >= SeccompNotify.DATA_SIZE, k.toString());
        SeccompNotify.checkSizes();
    }

    @Test
    void receiveSendAndIdValid() {
        try (var targets = new NotifyTarget.Tracker(dir)) {
            NotifyTarget t = targets.start("plain", 1);
            Notification n = awaitNotification(t.listener);
            assertEquals(t.pid, n.pid());
            assertEquals(NR_GETPPID, n.nr());
            assertTrue(SeccompNotify.idValid(t.listener, n.id()));
            assertFalse(SeccompNotify.idValid(t.listener, n.id() + 1), "an id never issued");
            assertTrue(SeccompNotify.send(t.listener, new SeccompNotify.Reply(n.id(), 31, 0, 0)));
            assertFalse(SeccompNotify.idValid(t.listener, n.id()), "answered");
            assertEquals(0, t.awaitExit(EXIT).code(), t.stderr());
            assertEquals(List.of("31"), t.lines());
        }
    }

    @Test
    void sendToAKilledTargetReportsItGone() {
        try (var targets = new NotifyTarget.Tracker(dir)) {
            NotifyTarget t = targets.start("plain", 1);
            Notification n = awaitNotification(t.listener);
            t.kill();
            assertFalse(SeccompNotify.idValid(t.listener, n.id()));
            assertFalse(SeccompNotify.send(t.listener, new SeccompNotify.Reply(n.id(), 31, 0, 0)), "ENOENT: gone");
        }
    }

    /**
     * A target killed before its notification is received leaves the kernel's pending count
     * raised: RECV then passes its wait, finds nothing and fails with ENOENT (empty, not thrown).
     */
    @Test
    void receiveAfterTheTargetDiedIsEmpty() {
        try (var targets = new NotifyTarget.Tracker(dir)) {
            NotifyTarget t = targets.start("plain", 1);
            assertTrue(Poll.waitReadable(new int[] {t.listener.get()}, 10_000)[0] != 0, "a notification is pending");
            t.kill();
            assertEquals(Optional.empty(), SeccompNotify.receive(t.listener));
        }
    }

    @Test
    void addFdInstallsADescriptorInTheTarget() {
        try (var targets = new NotifyTarget.Tracker(dir); Fd ev = Eventfd.open()) {
            NotifyTarget t = targets.start("plain", 1);
            Notification n = awaitNotification(t.listener);
            OptionalInt fd = SeccompNotify.addFd(t.listener, n.id(), ev, 0, 0, true);
            assertTrue(fd.isPresent() && fd.getAsInt() >= 0, fd.toString());
            OptionalInt at = SeccompNotify.addFd(t.listener, n.id(), ev, 77, SeccompNotify.ADDFD_FLAG_SETFD, true);
            assertEquals(OptionalInt.of(77), at);
            assertTrue(SeccompNotify.send(t.listener, new SeccompNotify.Reply(n.id(), 1, 0, 0)));
            assertEquals(0, t.awaitExit(EXIT).code(), t.stderr());
        }
    }

    private static Notification awaitNotification(Fd listener) {
        assertTrue(Poll.waitReadable(new int[] {listener.get()}, 10_000)[0] != 0, "no notification within 10 s");
        return SeccompNotify.receive(listener).orElseThrow();
    }
}
