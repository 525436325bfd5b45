package io.sandboxrun.launcher.cli;

import io.sandboxrun.core.launch.Instance;
import io.sandboxrun.core.linux.Signals;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The launcher's own TERM and INT stop the app (SIGTERM, then every process killed after the stop
 * timeout; a second one kills at once); HUP, USR1 and USR2 are forwarded (the JVM keeps QUIT for
 * thread dumps). Signals that arrive before the instance exists are held and acted on at attach.
 *
 * <p>The same stop signal again within a second is the same request delivered twice, not a second
 * one: {@code timeout(1)} signals its child and then its whole process group. Only here, where
 * signals arrive, can the two be told apart; {@link Instance#stop()} takes every call as a request.
 */
final class SignalForwarding {
    /** How close a repeat of the same stop signal must follow to be the same request. */
    static final long REPEAT_NANOS = 1_000_000_000L;

    private final LongSupplier clock;
    private Instance instance;
    private final List<Integer> pending = new ArrayList<>();
    /** The stop signal last acted on, and when (0: none yet). */
    private int lastStop;
    private long lastStopAt;

    SignalForwarding(LongSupplier clock) {
        this.clock = clock;
    }

    @SuppressWarnings("removal")
    static SignalForwarding install() {
        SignalForwarding f = new SignalForwarding(System::nanoTime);
        for (String name : List.of("TERM", "INT", "HUP", "USR1", "USR2")) {
            int number = Signals.number(name);
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), s -> f.deliver(number));
            } catch (IllegalArgumentException e) {
                // The JVM reserves this signal here (e.g. under -Xrs): it cannot be forwarded.
            }
        }
        return f;
    }

    synchronized void deliver(int signal) {
        if (isStop(signal)) {
            long now = clock.getAsLong();
            if (signal == lastStop && now - lastStopAt < REPEAT_NANOS) return;
            lastStop = signal;
            lastStopAt = now;
        }
        if (instance == null) pending.add(signal);
        else act(instance, signal);
    }

    synchronized void attach(Instance i) {
        instance = i;
        pending.forEach(s -> act(i, s));
        pending.clear();
    }

    private static boolean isStop(int signal) {
        return signal == Signals.SIGTERM || signal == Signals.SIGINT;
    }

    private static void act(Instance i, int signal) {
        if (isStop(signal)) i.stop();
        else i.signal(signal);
    }
}
