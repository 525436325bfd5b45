package io.sandboxrun.fs;

import io.sandboxrun.core.helper.MountOp;
import io.sandboxrun.core.policy.Policy;
import java.util.ArrayList;
import java.util.List;

/**
 * The sandbox's /etc: a few generated files (users, groups, hosts, resolver, NSS) and read-only
 * views of public host files. Never the host's account, sudo or key files: /etc itself is a
 * directory of the read-only tmpfs root, holding only what is listed here.
 */
public final class EtcFiles {
    /** The app's user and group name inside. */
    public static final String USER = "app";
    /** Ids the kernel shows for host ids outside the user namespace's map (overflowuid/gid). */
    static final int OVERFLOW_ID = 65534;
    static final int MODE = 0644;
    static final String NOLOGIN = "/usr/sbin/nologin";

    /**
     * No DNS server is reachable from the empty network namespace; the launcher's DNS forwarder
     * answers on 127.0.0.1:53 inside (DESIGN.md, net-proxy). Where it has no upstream, its sockets
     * are closed and lookups fail at once (port unreachable) instead of hanging.
     */
    static final String RESOLV_CONF = """
            # sandbox-run: the launcher's DNS forwarder listens here inside the sandbox.
            nameserver 127.0.0.1
            options timeout:2 attempts:2
            """;

    static final String NSSWITCH_CONF = """
            passwd: files
            group: files
            shadow: files
            hosts: files dns
            networks: files
            protocols: files
            services: files
            ethers: files
            rpc: files
            """;

    private EtcFiles() {}

    /**
     * The /etc ops for {@code policy}: generated files, then binds or links of the shared host
     * entries that exist.
     *
     * @param home the app's home directory inside (the writable space, see {@link TmpSpace#insidePath})
     */
    public static List<MountOp> ops(Policy policy, HostLayout layout, String home) {
        List<MountOp> ops = new ArrayList<>();
        ops.add(new MountOp.File("/etc/passwd", MODE, passwd(policy.user(), home)));
        ops.add(new MountOp.File("/etc/group", MODE, group(policy.user())));
        ops.add(new MountOp.File("/etc/hosts", MODE, hosts(policy.hostname())));
        ops.add(new MountOp.File("/etc/hostname", MODE, policy.hostname() + "\n"));
        ops.add(new MountOp.File("/etc/resolv.conf", MODE, RESOLV_CONF));
        ops.add(new MountOp.File("/etc/nsswitch.conf", MODE, NSSWITCH_CONF));
        for (String p : HostLayout.ETC_SHARED) {
            MountOp op = shared(p, layout.get(p));
            if (op != null) ops.add(op);
        }
        return ops;
    }

    /**
     * A host entry shown at the same path: a link whose target is under /usr is recreated as a
     * link (so tools that read /etc/localtime's target still learn the zone name); anything else
     * that exists is bound read-only. Null when the host lacks it.
     */
    static MountOp shared(String path, HostLayout.Entry e) {
        if (e.realPath() == null) return null;
        return switch (e.kind()) {
            case SYMLINK -> PathNames.isUnder(e.realPath(), "/usr")
                    ? new MountOp.Symlink(e.linkText(), path)
                    : new MountOp.BindRo(path, path);
            case FILE, DIR -> new MountOp.BindRo(path, path);
            default -> null;
        };
    }

    /** root, the app user (home = its writable space, no login shell), and nobody for unmapped host ids. */
    static String passwd(Policy.Identity user, String home) {
        StringBuilder b = new StringBuilder();
        b.append("root:x:0:0:root:/root:").append(NOLOGIN).append('\n');
        b.append(USER).append(":x:").append(user.uid()).append(':').append(user.gid()).append(':')
                .append(USER).append(':').append(home).append(':').append(NOLOGIN).append('\n');
        if (user.uid() != OVERFLOW_ID) {
            b.append("nobody:x:").append(OVERFLOW_ID).append(':').append(OVERFLOW_ID)
                    .append(":nobody:/nonexistent:").append(NOLOGIN).append('\n');
        }
        return b.toString();
    }

    static String group(Policy.Identity user) {
        StringBuilder b = new StringBuilder("root:x:0:\n");
        b.append(USER).append(":x:").append(user.gid()).append(":\n");
        if (user.gid() != OVERFLOW_ID) b.append("nogroup:x:").append(OVERFLOW_ID).append(":\n");
        return b.toString();
    }

    static String hosts(String hostname) {
        String name = hostname == null || hostname.isEmpty() || hostname.equals("localhost") ? "" : " " + hostname;
        return "127.0.0.1\tlocalhost" + name + "\n::1\tlocalhost ip6-localhost ip6-loopback" + name + "\n";
    }
}
