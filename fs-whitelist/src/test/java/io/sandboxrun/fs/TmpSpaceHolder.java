package io.sandboxrun.fs;

import io.sandboxrun.core.policy.Policy;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Another process for {@link TmpSpaceTest}: takes a lease on an app's space with the shared fake
 * mount table, reports, waits for a line on stdin, releases, reports.
 * Args: stateDir app tableFile hostIdBase uid gid.
 */
public final class TmpSpaceHolder {
    public static void main(String[] args) throws Exception {
        Path state = Path.of(args[0]);
        FakeMounts mounts = new FakeMounts(Path.of(args[2]));
        TmpSpace space = new TmpSpace(mounts, mounts::mountinfo);
        Policy p = Policies.of(args[1], Path.of("/srv/apps/" + args[1]), List.of("python3"), List.of(), Map.of(), state);
        p = Policies.withUser(p, new Policy.Identity(Integer.parseInt(args[4]), Integer.parseInt(args[5]),
                Long.parseLong(args[3]), 65536));
        TmpSpace.Lease lease = space.acquire(p);
        System.out.println("acquired calls=" + mounts.calls.size());
        System.out.flush();
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        lease.close();
        System.out.println("released calls=" + mounts.calls);
        System.out.flush();
    }

    private TmpSpaceHolder() {}
}
