package io.sandboxrun.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.sandboxrun.core.linux.Errno;
import io.sandboxrun.core.policy.AppRootAccess;
import io.sandboxrun.core.policy.Policy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a failed execve of the command means, told from the errno and the host's facts about the file. */
class ExecFailureTest {
    private static final Policy.Identity APP = new Policy.Identity(1000, 1000, 200000L, 65536);
    private static final String HOST = "/srv/app/run";

    private static AppRootAccess.Stat stat(String path, int mode) {
        return new AppRootAccess.Stat(Path.of(path), mode, 0, 0, "root(0)", "root(0)");
    }

    private static ExecFailure.Facts file(int mode, ExecFailure.Head head) {
        return new ExecFailure.Facts("/app/run", HOST, HostFs.Kind.FILE, stat(HOST, mode), head, null, null);
    }

    private static String text(ExecFailure.Explanation e) {
        return e.cause() + (e.hint() == null ? "" : "\nHint: " + e.hint());
    }

    @Test
    void permissionDeniedSaysWhichOfItsCausesHolds() {
        assertEquals("/app/run (host file /srv/app/run, mode 0644, owner root(0)) has no execute permission for the app"
                + " (uid 1000 inside, host uid 201000)\nHint: chmod a+x /srv/app/run, or run it through its interpreter",
                text(ExecFailure.explain(Errno.EACCES, file(0644, ExecFailure.Head.SCRIPT), APP, null)));
        // x for the owner only: the app is among the others.
        assertEquals("/app/run (host file /srv/app/run, mode 0744, owner root(0)) has no execute permission for the app"
                + " (uid 1000 inside, host uid 201000)\nHint: chmod a+x /srv/app/run",
                text(ExecFailure.explain(Errno.EACCES, file(0744, ExecFailure.Head.ELF), APP, null)));

        ExecFailure.Facts noexec = new ExecFailure.Facts("/app/run", HOST, HostFs.Kind.FILE, stat(HOST, 0755),
                ExecFailure.Head.ELF, "/srv", null);
        assertEquals("/app/run (/srv/app/run on the host) lies on a filesystem mounted noexec (host mount /srv), where"
                + " nothing may be executed\nHint: keep programs on a filesystem mounted without noexec (/tmp, /saetmp,"
                + " /dev/shm inside are noexec too), or run a script through its interpreter",
                text(ExecFailure.explain(Errno.EACCES, noexec, APP, null)));

        ExecFailure.Facts closed = new ExecFailure.Facts("/app/bin/run", "/srv/app/bin/run", HostFs.Kind.FILE,
                stat("/srv/app/bin/run", 0755), ExecFailure.Head.ELF, null, stat("/srv/app/bin", 0700));
        assertEquals("the directory /srv/app/bin on its way (mode 0700, owner root(0)) cannot be searched by the app"
                + " (uid 1000 inside, host uid 201000)\nHint: chmod a+X /srv/app/bin",
                text(ExecFailure.explain(Errno.EACCES, closed, APP, null)));

        ExecFailure.Facts dir = new ExecFailure.Facts("/app/static", "/srv/app/static", HostFs.Kind.DIR,
                stat("/srv/app/static", 0755), null, null, null);
        assertEquals("/app/static is a directory\nHint: name the program inside it",
                text(ExecFailure.explain(Errno.EACCES, dir, APP, null)));

        // The file itself is fine: what discovery found (an interpreter), else what else can refuse.
        assertEquals("/usr/local/bin/tool has no execute permission", text(ExecFailure.explain(Errno.EACCES,
                file(0755, ExecFailure.Head.SCRIPT), APP, "/usr/local/bin/tool has no execute permission")));
        assertEquals("the app may not execute /app/run: a security module (Landlock), an ACL, or the interpreter its #!"
                + " line names is not executable for the app",
                text(ExecFailure.explain(Errno.EACCES, file(0755, ExecFailure.Head.ELF), APP, null)));
    }

    @Test
    void formatErrorsTellAScriptWithoutShebangFromAForeignBinary() {
        assertEquals("/app/run has no #! line and is not an ELF binary, so the kernel does not know how to run it\n"
                + "Hint: make its first line a #! line naming its interpreter (e.g. #!/bin/sh), or run it through one"
                + " (e.g. sh /app/run)", text(ExecFailure.explain(Errno.ENOEXEC, file(0755, ExecFailure.Head.OTHER), APP, null)));
        assertEquals(text(ExecFailure.explain(Errno.ENOEXEC, file(0755, ExecFailure.Head.OTHER), APP, null)),
                text(ExecFailure.explain(Errno.ENOEXEC, file(0755, ExecFailure.Head.EMPTY), APP, null)));
        assertEquals("/app/run is an ELF file this kernel cannot load (built for another architecture, or damaged)\n"
                + "Hint: check it on the host with: file /srv/app/run",
                text(ExecFailure.explain(Errno.ENOEXEC, file(0755, ExecFailure.Head.ELF), APP, null)));
    }

    @Test
    void otherErrnosInWords() {
        assertEquals("/app/run (/srv/app/run on the host) is open for writing by some process\nHint: wait until whatever"
                + " writes it (a copy, a build) has closed it, then run again",
                text(ExecFailure.explain(Errno.ETXTBSY, file(0755, ExecFailure.Head.ELF), APP, null)));
        assertEquals("the argument list is too long: the command's words, the environment and their pointers exceed"
                + " what execve takes (each string at most 128K; all of them a quarter of the stack rlimit, at most 6M, at"
                + " least 128K)\nHint: shorten them or pass large data in a file; a small stack rlimit lowers the limit",
                text(ExecFailure.explain(Errno.E2BIG, file(0755, ExecFailure.Head.ELF), APP, null)));
        assertEquals("/app/run is there, but what runs it is not: the interpreter its #! line names, or the loader its ELF"
                + " header names (PT_INTERP), is missing inside the sandbox\nHint: make the interpreter or loader visible,"
                + " e.g. with ro-binds", text(ExecFailure.explain(Errno.ENOENT, file(0755, ExecFailure.Head.ELF), APP, null)));
        assertEquals("/app/run does not exist inside the sandbox", text(ExecFailure.explain(Errno.ENOENT,
                new ExecFailure.Facts("/app/run", null, HostFs.Kind.MISSING, null, null, null, null), APP, null)));
        assertNull(ExecFailure.explain(Errno.EIO, file(0755, ExecFailure.Head.ELF), APP, null));
    }

    @Test
    void theMountHoldingAFileIsTheLongestMountPointAbove() {
        String mountinfo = "22 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw\n"
                + "40 22 0:40 / /srv rw,nosuid,nodev,noexec,relatime - tmpfs tmpfs rw\n"
                + "41 40 0:41 / /srv/apps rw,relatime - tmpfs tmpfs rw\n"
                + "42 22 0:42 / /srv2 rw,noexec - tmpfs tmpfs rw\n";
        assertEquals("/srv", ExecFailure.noexecMount("/srv/data/run", mountinfo));
        assertNull(ExecFailure.noexecMount("/srv/apps/run", mountinfo));
        assertNull(ExecFailure.noexecMount("/srvx/run", mountinfo));
        assertNull(ExecFailure.noexecMount("/usr/bin/true", mountinfo));
    }

    @Test
    void examineReadsTheFileAndTheDirectoriesUnderTheAppRoot(@TempDir Path tmp) throws IOException {
        Path root = Files.createDirectories(tmp.resolve("app/bin")).getParent();
        Path run = Files.writeString(root.resolve("bin/run"), "echo hi\n");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(root.resolve("bin"), PosixFilePermissions.fromString("rwx------"));
        Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxr-xr-x"));
        long owner = ((Number) Files.getAttribute(run, "unix:uid")).longValue();
        // Not the test's own uid: then the directory is closed to the app.
        Policy.Identity app = new Policy.Identity(1000, 1000, owner == 201000 ? 300000L : 200000L, 65536);

        ExecFailure.Facts f = ExecFailure.examine("/app/bin/run", run.toString(), root.toRealPath(), app, "");

        assertEquals(HostFs.Kind.FILE, f.kind());
        assertEquals(ExecFailure.Head.OTHER, f.head());
        assertEquals(0755, f.stat().mode() & 07777);
        assertEquals(root.toRealPath().resolve("bin"), f.closedDir().path());
        assertNull(f.noexecMount());
        assertEquals(ExecFailure.Head.SCRIPT, ExecFailure.head("#!/bin/sh".getBytes()));
        assertEquals(ExecFailure.Head.EMPTY, ExecFailure.head(new byte[0]));
    }
}
