package io.sandboxrun.seccomp.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sandboxrun.seccomp.ProfileLoader;
import io.sandboxrun.seccomp.TestProfiles;
import org.junit.jupiter.api.Test;

/** What {@code seccomp check|show|explain} print. */
class ProfileReportTest {
    @Test
    void checkSummarisesAValidProfile() {
        ProfileReport.Summary s = ProfileReport.check(ProfileLoader.bundled("strict"));
        assertTrue(s.needsListener());
        assertTrue(s.instructions() > 0 && s.instructionsLinear() > 0);
        assertTrue(s.text().startsWith("bundled:strict: valid; default action ERRNO(EPERM); " + s.entries() + " entries, "
                + s.rules() + " rules for " + s.syscalls() + " syscalls; BPF " + s.instructions() + " instructions ("
                + s.instructionsLinear() + " without the binary tree); notifies the launcher (needs a listener)\n"), s.text());
    }

    @Test
    void checkListsWhatADockerProfileLeavesOut() {
        String text = ProfileReport.check(TestProfiles.load(TestProfiles.dir("good").resolve("docker-style.json"))).text();
        assertTrue(text.contains("\n  note: syscalls[7] [mount, umount2, unshare, setns, clone, clone3]: skipped:"
                + " includes.caps [CAP_SYS_ADMIN]: the sandbox holds no capabilities\n"), text);
    }

    @Test
    void showListsEachEntryWithItsComment() {
        String text = ProfileReport.show(ProfileLoader.bundled("strict"));
        assertTrue(text.contains("rules, first match wins (otherwise ERRNO(EPERM)):\n"), text);
        assertTrue(text.contains("  syscalls[13] ERRNO(EPERM): clone\n      # Every other clone makes a process"), text);
        assertTrue(text.contains("  syscalls[15] ERRNO(EPERM): fork, vfork\n      # No new processes.\n"), text);
        assertTrue(text.contains("  syscalls[16] NOTIFY: execve, execveat\n"), text);
    }

    @Test
    void explainUsesTheGivenMode() {
        assertEquals("execve: NOTIFY", ProfileReport.explain(ProfileLoader.bundled("strict"), "execve", CompileOptions.DEFAULT));
        assertEquals("fork: ERRNO(EPERM) via NOTIFY", ProfileReport.explain(ProfileLoader.bundled("strict"), "fork",
                CompileOptions.DEFAULT.withMode(CompileOptions.Mode.NOTIFY_DENIALS)));
    }
}
