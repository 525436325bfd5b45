package io.sandboxrun.launcher.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sandboxrun.core.launch.CgroupStats;
import io.sandboxrun.core.launch.Instance;
import io.sandboxrun.core.launch.RunResult;
import io.sandboxrun.core.linux.Signals;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** What the launcher's own signals become: a stop signal delivered twice at once is one request. */
class SignalForwardingTest {
    private long now = 1_000_000_000L;
    private final SignalForwarding forwarding = new SignalForwarding(() -> now);
    private final Recorder instance = new Recorder();

    @Test
    void theSameStopSignalTwiceWithinASecondIsOneStop() {
        forwarding.attach(instance);
        forwarding.deliver(Signals.SIGTERM);
        now += 5_000_000L;                       // timeout(1): its child, then its process group
        forwarding.deliver(Signals.SIGTERM);
        assertEquals(List.of("stop"), instance.calls);

        now += SignalForwarding.REPEAT_NANOS;    // a second request, later: the instance kills
        forwarding.deliver(Signals.SIGTERM);
        assertEquals(List.of("stop", "stop"), instance.calls);
    }

    @Test
    void aDifferentStopSignalOrAForwardedOneIsNeverDropped() {
        forwarding.attach(instance);
        forwarding.deliver(Signals.SIGTERM);
        forwarding.deliver(Signals.SIGINT);
        forwarding.deliver(Signals.SIGHUP);
        forwarding.deliver(Signals.SIGHUP);
        assertEquals(List.of("stop", "stop", "signal " + Signals.SIGHUP, "signal " + Signals.SIGHUP), instance.calls);
    }

    @Test
    void signalsBeforeTheInstanceExistsAreHeldAndARepeatStillDropped() {
        forwarding.deliver(Signals.SIGTERM);
        forwarding.deliver(Signals.SIGTERM);
        forwarding.deliver(Signals.SIGUSR1);
        forwarding.attach(instance);
        assertEquals(List.of("stop", "signal " + Signals.SIGUSR1), instance.calls);
    }

    /** Records what it was asked to do. */
    private static final class Recorder implements Instance {
        final List<String> calls = new ArrayList<>();

        @Override public String app() { return "a"; }
        @Override public String id() { return "a-1"; }
        @Override public int pid() { return 1; }
        @Override public List<String> listening() { return List.of(); }
        @Override public CompletableFuture<RunResult> onExit() { return new CompletableFuture<>(); }

        @Override
        public boolean signal(int signal) {
            calls.add("signal " + signal);
            return true;
        }

        @Override public void kill() { calls.add("kill"); }
        @Override public void stop() { calls.add("stop"); }
        @Override public Optional<CgroupStats> stats() { return Optional.empty(); }
        @Override public void freeze() { }
        @Override public void thaw() { }
        @Override public Optional<OutputStream> stdin() { return Optional.empty(); }
        @Override public Optional<InputStream> stdout() { return Optional.empty(); }
        @Override public Optional<InputStream> stderr() { return Optional.empty(); }
    }
}
