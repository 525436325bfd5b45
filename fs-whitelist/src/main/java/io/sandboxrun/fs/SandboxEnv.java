package io.sandboxrun.fs;

import io.sandboxrun.core.launch.ExitCodes;
import io.sandboxrun.core.launch.SetupException;
import io.sandboxrun.core.policy.Policy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The app's whole environment: a fixed allowlist (PATH, HOME, LANG, TMPDIR, USER, LOGNAME) plus
 * what the policy sets. Built from the policy alone: nothing of the launcher's own environment
 * ever reaches the app.
 */
public final class SandboxEnv {
    /** The locale when the policy sets none: always present in glibc 2.35+, UTF-8. */
    public static final String DEFAULT_LANG = "C.UTF-8";
    /** Set from other fields or by the helper; the policy's env may not set them. */
    static final Set<String> RESERVED = Set.of("PATH", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES");

    private SandboxEnv() {}

    /**
     * {@code K=V} strings in a stable order: the fixed variables, then the policy's others sorted
     * by name. The policy may override HOME, LANG, TMPDIR, USER and LOGNAME.
     *
     * @param home   the app's home inside (its writable space, {@link TmpSpace#insidePath})
     * @param tmpdir TMPDIR inside, {@code /tmp}
     * @throws SetupException (125) when the policy sets a reserved or malformed variable
     */
    public static List<String> build(Policy policy, String home, String tmpdir) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", policy.path());
        env.put("HOME", home);
        env.put("LANG", DEFAULT_LANG);
        env.put("TMPDIR", tmpdir);
        env.put("USER", EtcFiles.USER);
        env.put("LOGNAME", EtcFiles.USER);
        for (Map.Entry<String, String> e : new TreeMap<>(policy.env()).entrySet()) {
            String k = e.getKey();
            String v = e.getValue();
            if (k.isEmpty() || k.indexOf('=') >= 0 || k.indexOf('\0') >= 0 || v == null || v.indexOf('\0') >= 0) {
                throw new SetupException(FsSteps.FS_PLAN, "env." + k + ": not a valid environment variable", ExitCodes.SETUP_FAILED);
            }
            if (RESERVED.contains(k)) {
                throw new SetupException(FsSteps.FS_PLAN, "env." + k + ": set by the runtime"
                        + (k.equals("PATH") ? "; use the policy's path instead" : ""), ExitCodes.SETUP_FAILED);
            }
            env.put(k, v);
        }
        List<String> out = new ArrayList<>(env.size());
        env.forEach((k, v) -> out.add(k + "=" + v));
        return out;
    }
}
