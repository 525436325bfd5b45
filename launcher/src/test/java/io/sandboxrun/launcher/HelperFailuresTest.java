package io.sandboxrun.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sandboxrun.core.helper.HelperEvent;
import io.sandboxrun.core.linux.Errno;
import io.sandboxrun.core.policy.AppRootAccess;
import io.sandboxrun.core.policy.Policy;
import io.sandboxrun.core.policy.PolicyDefaults;
import io.sandboxrun.fs.CommandResolution;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The messages a helper's error line and a supervisor's death become. */
class HelperFailuresTest {
    @TempDir Path tmp;

    private static HelperEvent.Error error(String stage, String step, int errno, String errname, String msg) {
        return new HelperEvent.Error(stage, step, errno, errname, msg);
    }

    @Test
    void everyErrorNamesItsErrnoByNameAndInWords() {
        assertEquals("cannot set up sandbox for app \"a\": rlimit: rlimit nofile 9 9: EPERM (Operation not permitted)",
                HelperFailures.compose("a", error("app", "rlimit", Errno.EPERM, "EPERM", "rlimit nofile 9 9"),
                        HelperFailures.errnoText(error("app", "rlimit", Errno.EPERM, "EPERM", "x")), null));
        // An older helper without errname: the launcher's own table names it.
        assertEquals("ENOSPC (No space left on device)",
                HelperFailures.errnoText(error("init", "dir", Errno.ENOSPC, "", "mkdir /x")));
        assertEquals("cannot set up sandbox for app \"app\": plan-validate: exec PATH: not absolute",
                new HelperFailures(policy(tmp), null).message(error("outer", "plan-validate", 0, "", "exec PATH: not absolute")));
    }

    @Test
    void aFailedExecveSaysWhatIsWrongWithTheFile() throws IOException {
        Path root = appRoot();
        Path file = Files.writeString(root.resolve("run.sh"), "echo hi\n");
        CommandResolution cmd = new CommandResolution("./run.sh", "/app/run.sh", file.toString(),
                CommandResolution.Status.NOT_EXECUTABLE, "/app/run.sh is neither an ELF binary nor a #! script",
                List.of(), List.of(), List.of());

        String msg = new HelperFailures(policy(root), cmd).message(error("app", "exec", Errno.ENOEXEC, "ENOEXEC",
                "execve /app/run.sh"));

        assertEquals("cannot run the command of app \"app\": execve /app/run.sh: ENOEXEC (Exec format error): /app/run.sh"
                + " has no #! line and is not an ELF binary, so the kernel does not know how to run it\nHint: make its first"
                + " line a #! line naming its interpreter (e.g. #!/bin/sh), or run it through one (e.g. sh /app/run.sh)", msg);
    }

    @Test
    void aChdirRefusedIsTheAppRootMessage() throws IOException {
        Path root = appRoot();
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx------"));
        Policy p = policy(root);
        long owner = ((Number) Files.getAttribute(root, "unix:uid")).longValue();
        if (owner == p.user().hostIdBase() + p.user().uid()) return;   // the app would own it

        String msg = new HelperFailures(p, null).message(error("app", "chdir", Errno.EACCES, "EACCES", "chdir /app"));

        assertEquals("cannot set up sandbox for app \"app\": chdir: chdir /app: EACCES (Permission denied): app root "
                + AppRootAccess.problem(AppRootAccess.read(root), p.user()), msg);
    }

    @Test
    void aSupervisorKilledFromOutsideIsAFailureNamingItsPid() {
        assertEquals("cannot supervise sandbox for app \"a\": its supervisor (sandbox-init, pid 4242) was killed by"
                + " signal 9, not by the launcher; the app was ended with it, and how the app itself would have ended is"
                + " unknown", HelperFailures.supervisorKilled("a", 4242, 9, 0L));
        assertEquals("cannot supervise sandbox for app \"a\": its supervisor (sandbox-init, pid 7) was killed by signal"
                + " 9, not by the launcher; the app was ended with it, and how the app itself would have ended is unknown;"
                + " the instance's cgroup counted 1 OOM kill: the kernel's OOM killer may have chosen it",
                HelperFailures.supervisorKilled("a", 7, 9, 1L));
        assertEquals(true, HelperFailures.supervisorKilled("a", 7, 11, null).contains("killed by signal 11, not by"));
    }

    private Path appRoot() throws IOException {
        Path root = Files.createDirectory(tmp.resolve("app"));
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        return root.toRealPath();
    }

    private static Policy policy(Path root) {
        return PolicyDefaults.embedded(root).withAppRoot(root).withCommand(List.of("x"));
    }
}
