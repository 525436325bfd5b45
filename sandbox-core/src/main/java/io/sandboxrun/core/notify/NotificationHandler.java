package io.sandboxrun.core.notify;

import io.sandboxrun.core.linux.SeccompNotify.Notification;
import java.util.Map;

/**
 * Decides one notified syscall of one instance. Runs on a {@link NotificationLoop} thread while
 * the target thread waits, so it must be quick and must not block on the target; an exception
 * is logged and answered with EPERM.
 */
@FunctionalInterface
public interface NotificationHandler {
    Response handle(Notification n, NotifyContext ctx);

    /**
     * Dispatches by syscall number ({@code n.nr()}, native architecture) to {@code handlers},
     * and to {@code fallback} for any other notified syscall.
     */
    static NotificationHandler bySyscall(Map<Integer, NotificationHandler> handlers, NotificationHandler fallback) {
        Map<Integer, NotificationHandler> table = Map.copyOf(handlers);
        return (n, ctx) -> table.getOrDefault(n.nr(), fallback).handle(n, ctx);
    }
}
