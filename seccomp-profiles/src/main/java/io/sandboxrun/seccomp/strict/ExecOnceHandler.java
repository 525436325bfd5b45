package io.sandboxrun.seccomp.strict;

import io.sandboxrun.core.linux.SeccompNotify.Notification;
import io.sandboxrun.core.notify.NotificationHandler;
import io.sandboxrun.core.notify.NotifyContext;
import io.sandboxrun.core.notify.Response;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@code strict} profile's execve/execveat handler for one instance: the first exec — the
 * helper starting the app's interpreter, whose path the launcher chose — continues; every later
 * one is refused with EPERM, as SAE's patched CPython refused exec after start.
 * <p>Continuing the first exec needs no look at the target's memory: the decision does not
 * depend on the path, so there is nothing a racing thread could swap (seccomp_unotify(2),
 * "Design goals; use of SECCOMP_USER_NOTIF_FLAG_CONTINUE").
 */
public final class ExecOnceHandler implements NotificationHandler {
    /** EPERM: what the app gets for a second exec. */
    public static final int REFUSED = 1;

    private final AtomicBoolean started = new AtomicBoolean();

    @Override
    public Response handle(Notification n, NotifyContext ctx) {
        return started.compareAndSet(false, true) ? Response.continueSyscall() : Response.error(REFUSED);
    }

    /** Whether the app's own exec has happened (every exec after it is refused). */
    public boolean started() {
        return started.get();
    }
}
