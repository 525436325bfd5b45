package io.sandboxrun.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.sandboxrun.core.helper.MountOp;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class InsideViewTest {
    Path root;
    FakeHost host;
    InsideView view;

    @BeforeEach
    void setUp() {
        root = FakeHost.newRoot();
        host = FakeHost.debian(root);
        host.file("/srv/apps/hello/app.py", "", false).link("/srv/apps/hello/up", "../../..").link("/srv/apps/hello/abs", "/usr/bin/env");
        view = new InsideView(host.fs(), List.of(new MountOp.BindRo("/usr", "/usr"), new MountOp.Symlink("usr/bin", "/bin"),
                new MountOp.BindRo("/srv/apps/hello", "/app"), new MountOp.File("/etc/passwd", 0644, "x"),
                new MountOp.Tmpfs("/dev", 1, 0755), new MountOp.Symlink("/proc/self/fd", "/dev/fd")));
    }

    @AfterEach
    void tearDown() {
        FakeHost.delete(root);
    }

    private InsideView.Resolved r(String p) {
        return view.resolve(p);
    }

    @Test
    void followsHelperLinksAndLinksInBinds() {
        assertEquals(new InsideView.Resolved(InsideView.State.FOUND, "/usr/bin/dash", "/usr/bin/dash", HostFs.Kind.FILE), r("/bin/sh"));
        assertEquals(new InsideView.Resolved(InsideView.State.FOUND, "/app/app.py", "/srv/apps/hello/app.py", HostFs.Kind.FILE), r("/app/app.py"));
        // an absolute link inside the app root means the inside path, not the host's
        assertEquals("/usr/bin/env", r("/app/abs").path());
    }

    @Test
    void relativeLinksCannotClimbOutOfTheView() {
        // /app/up -> ../../.. is / inside: only what the plan made exists there
        assertEquals(InsideView.State.FOUND, r("/app/up/usr/bin/env").state());
        assertEquals(InsideView.State.OUTSIDE, r("/app/up/srv").state());
    }

    @Test
    void statesForMissingAndOutside() {
        assertEquals(InsideView.State.MISSING, r("/usr/bin/nope").state());
        assertEquals(InsideView.State.MISSING, r("/app/app.py/x").state());
        assertEquals(InsideView.State.OUTSIDE, r("/etc/shadow").state());
        assertEquals(InsideView.State.OUTSIDE, r("/root").state());
        assertEquals(new InsideView.Resolved(InsideView.State.FOUND, "/etc/passwd", null, HostFs.Kind.FILE), r("/etc/passwd"));
        assertEquals(HostFs.Kind.DIR, r("/etc").kind());
        assertNull(r("/dev").hostPath());
        assertEquals(InsideView.State.OUTSIDE, r("/dev/fd/0").state());
    }

    @Test
    void hostRealPath() {
        assertEquals("/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", host.fs().realPath("/lib64/ld-linux-x86-64.so.2"));
        assertNull(host.fs().realPath("/lib64/nope"));
        host.link("/loop", "/loop");
        assertNull(host.fs().realPath("/loop"));
    }
}
