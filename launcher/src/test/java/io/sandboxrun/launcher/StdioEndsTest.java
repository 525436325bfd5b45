package io.sandboxrun.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sandboxrun.core.launch.Stdio;
import io.sandboxrun.core.linux.Fd;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher's and the helper's ends of the app's standard streams. */
class StdioEndsTest {
    @TempDir Path tmp;

    @Test
    void aLaterStreamThatFailsClosesTheEarlierPipesOfOurs() {
        List<Stdio> streams = List.of(new Stdio.Pipe(), new Stdio.Pipe(), new Stdio.File(tmp.resolve("no-dir/err"), false));
        List<Fd> childEnds = new ArrayList<>();
        int before = openFds();
        assertThrows(RuntimeException.class, () -> StdioEnds.open(streams, List.of(0, 1, 2), childEnds));
        childEnds.forEach(Fd::close);   // the caller's part, as HelperSpawner does
        assertEquals(before, openFds(), "our ends of stdin's and stdout's pipes were left open");
    }

    private static int openFds() {
        String[] fds = new File("/proc/self/fd").list();
        return fds == null ? -1 : fds.length;
    }
}
