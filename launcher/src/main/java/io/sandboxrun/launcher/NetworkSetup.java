package io.sandboxrun.launcher;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.sandboxrun.core.launch.ExitCodes;
import io.sandboxrun.core.launch.SetupException;
import io.sandboxrun.core.policy.Policy;
import io.sandboxrun.net.AppNetwork;
import io.sandboxrun.net.InstanceNetwork;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The runtime's outbound network: one {@link AppNetwork} per app (its rates and allowances are
 * shared by the app's instances), all served by one small epoll event loop group started with
 * the first launch. A launch whose network policy differs from the app's current one starts a
 * new network for the app; instances already running keep theirs.
 */
final class NetworkSetup implements AutoCloseable {
    /** Event loop threads for every proxied connection and DNS query of the runtime. */
    static final int THREADS = 2;

    private final Map<String, AppNetwork> apps = new HashMap<>();
    private final List<AppNetwork> all = new ArrayList<>();
    private EventLoopGroup group;
    private boolean closed;

    /** The network share of a new instance of {@code policy}'s app. */
    synchronized InstanceNetwork prepare(Policy policy, String id, Consumer<String> warn) {
        if (closed) throw new IllegalStateException("runtime is closed");
        AppNetwork net = apps.get(policy.app());
        if (net == null || !net.policy().equals(policy.network())) {
            if (group == null) group = new MultiThreadIoEventLoopGroup(THREADS, EpollIoHandler.newFactory());
            try {
                net = new AppNetwork(policy.app(), policy.network(), group, warn);
            } catch (UncheckedIOException e) {
                throw new SetupException("network", "cannot set up sandbox for app \"" + policy.app() + "\": "
                        + e.getMessage(), ExitCodes.SETUP_FAILED);
            }
            apps.put(policy.app(), net);
            all.add(net);
        }
        return net.instance(id);
    }

    @Override
    public synchronized void close() {
        closed = true;
        // The loops first: connections closing now still write their audit lines.
        if (group != null) group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        all.forEach(AppNetwork::close);
    }
}
