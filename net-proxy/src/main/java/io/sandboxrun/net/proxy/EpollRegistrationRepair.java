package io.sandboxrun.net.proxy;

import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollIoOps;
import java.lang.reflect.Field;

/**
 * Works around a bug of Netty 4.2.18's epoll transport that loses relayed bytes. Since
 * netty/netty#16689, a registration whose interest falls to none removes the descriptor from epoll
 * (EPOLL_CTL_DEL) but stays marked as added; the next interest, EPOLLOUT when a write must wait
 * for room, is then an EPOLL_CTL_MOD that fails with ENOENT, and Netty shuts the channel's output.
 * A relay channel gets there when its input has ended (the app's half-close, or the
 * destination's) and more must be written to it than its socket takes at once: a request ended
 * with shutdown(SHUT_WR) and a large answer. Before each write to such a channel the relay calls
 * {@link #beforeWrite}: a registration with no interest is marked pending again, so that the next
 * interest adds the descriptor afresh, as for a new registration.
 *
 * <p>Reflection on private fields of the pinned Netty; where they are missing (another Netty
 * version) this does nothing, and {@link #active()} says so (a test checks it).
 */
final class EpollRegistrationRepair {
    private static final System.Logger LOG = System.getLogger(EpollRegistrationRepair.class.getName());
    private static final Class<?> EPOLL_CHANNEL;   // AbstractEpollChannel: package-private in Netty
    private static final Field OPS, REGISTRATION, WRAPPED, STATE;
    private static final Class<?> EPOLL_REGISTRATION;
    private static final Object ADDED, PENDING;

    static {
        Class<?> channel = null;
        Field ops = null, registration = null, wrapped = null, state = null;
        Class<?> reg = null;
        Object added = null, pending = null;
        try {
            channel = Class.forName("io.netty.channel.epoll.AbstractEpollChannel");
            ops = channel.getDeclaredField("ops");
            registration = channel.getDeclaredField("registration");
            // The channel holds the event loop's wrapper around the epoll handler's registration.
            wrapped = Class.forName("io.netty.channel.SingleThreadIoEventLoop$IoRegistrationWrapper")
                    .getDeclaredField("registration");
            reg = Class.forName("io.netty.channel.epoll.EpollIoHandler$DefaultEpollIoRegistration");
            state = reg.getDeclaredField("state");
            for (Object c : state.getType().getEnumConstants()) {
                if (((Enum<?>) c).name().equals("Added")) added = c;
                if (((Enum<?>) c).name().equals("Pending")) pending = c;
            }
            ops.setAccessible(true);
            registration.setAccessible(true);
            wrapped.setAccessible(true);
            state.setAccessible(true);
            if (added == null || pending == null) throw new NoSuchFieldException("RegistrationState.Added/Pending");
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Netty's epoll internals differ from 4.2.18 (" + e + "): the proxy cannot"
                    + " repair a registration emptied by a half-close; large writes after one may be reset");
            ops = null;
        }
        EPOLL_CHANNEL = channel;
        OPS = ops;
        REGISTRATION = registration;
        WRAPPED = wrapped;
        EPOLL_REGISTRATION = reg;
        STATE = state;
        ADDED = added;
        PENDING = pending;
    }

    /** Whether the repair works with this Netty. */
    static boolean active() {
        return OPS != null;
    }

    /** On {@code ch}'s event loop, before writing to it. */
    static void beforeWrite(Channel ch) {
        if (OPS == null || !EPOLL_CHANNEL.isInstance(ch)) return;
        try {
            if (!EpollIoOps.NONE.equals(OPS.get(ch))) return;   // some interest left: still in epoll
            Object registration = REGISTRATION.get(ch);
            if (registration != null && WRAPPED.getDeclaringClass().isInstance(registration)) {
                registration = WRAPPED.get(registration);
            }
            if (!EPOLL_REGISTRATION.isInstance(registration)) return;
            synchronized (registration) {   // submit() changes the state under this lock
                if (STATE.get(registration) == ADDED) STATE.set(registration, PENDING);
            }
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("made accessible above", e);
        }
    }

    private EpollRegistrationRepair() {}
}
