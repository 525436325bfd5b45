package io.sandboxrun.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sandboxrun.core.launch.SetupException;
import io.sandboxrun.core.policy.Policy;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SandboxEnvTest {
    static final String HOME = "/saetmp/2cf24dba/hello";

    private static Policy policy(Map<String, String> env) {
        return Policies.withPath(Policies.of("hello", Path.of("/srv/apps/hello"), List.of("python3"), List.of(), env,
                Path.of("/var/lib/sandbox-run")), "/usr/bin:/bin:/sandbox-only/bin");
    }

    @Test
    void fixedAllowlistOnly() {
        assertEquals(List.of("PATH=/usr/bin:/bin:/sandbox-only/bin", "HOME=" + HOME, "LANG=C.UTF-8", "TMPDIR=/tmp",
                "USER=app", "LOGNAME=app"), SandboxEnv.build(policy(Map.of()), HOME, "/tmp"));
    }

    @Test
    void policyEnvIsAddedSortedAndMayOverrideLang() {
        List<String> env = SandboxEnv.build(policy(Map.of("TZ", "Europe/Berlin", "LANG", "de_DE.UTF-8", "APP_MODE", "prod")), HOME, "/tmp");
        assertEquals(List.of("PATH=/usr/bin:/bin:/sandbox-only/bin", "HOME=" + HOME, "LANG=de_DE.UTF-8", "TMPDIR=/tmp",
                "USER=app", "LOGNAME=app", "APP_MODE=prod", "TZ=Europe/Berlin"), env);
    }

    @Test
    void launcherEnvironmentNeverLeaks() {
        Map<String, String> jvm = System.getenv();
        assertFalse(jvm.isEmpty(), "the test needs some variable in the JVM's environment");
        List<String> env = SandboxEnv.build(policy(Map.of()), HOME, "/tmp");
        Set<String> fixed = Set.of("PATH", "HOME", "LANG", "TMPDIR", "USER", "LOGNAME");
        for (Map.Entry<String, String> e : jvm.entrySet()) {
            if (fixed.contains(e.getKey())) continue;
            assertFalse(env.stream().anyMatch(s -> s.startsWith(e.getKey() + "=")), e.getKey() + " leaked");
        }
        if (jvm.containsKey("PATH")) assertFalse(env.contains("PATH=" + jvm.get("PATH")));
        assertTrue(env.stream().noneMatch(s -> s.startsWith("JAVA_HOME=") || s.startsWith("LD_")));
    }

    @Test
    void reservedAndMalformedVariablesAreRejected() {
        SetupException e = assertThrows(SetupException.class, () -> SandboxEnv.build(policy(Map.of("PATH", "/x")), HOME, "/tmp"));
        assertEquals("env.PATH: set by the runtime; use the policy's path instead", e.getMessage());
        e = assertThrows(SetupException.class, () -> SandboxEnv.build(policy(Map.of("LISTEN_FDS", "3")), HOME, "/tmp"));
        assertEquals("env.LISTEN_FDS: set by the runtime", e.getMessage());
        e = assertThrows(SetupException.class, () -> SandboxEnv.build(policy(Map.of("A=B", "c")), HOME, "/tmp"));
        assertEquals("env.A=B: not a valid environment variable", e.getMessage());
    }
}
