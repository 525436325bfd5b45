package io.sandboxrun.core.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** posix_spawn on the real kernel: the child gets the fds it is given and none of the JVM's others. */
class SpawnIT {
    @TempDir Path tmp;

    @Test
    void aNumberTheLayoutLeavesEmptyIsNotInheritedFromTheJvm() throws Exception {
        Path file = Files.writeString(tmp.resolve("secret"), "x");
        // The JDK opens files without O_CLOEXEC: this fd would reach a child that did not close it.
        try (FileInputStream open = new FileInputStream(file.toFile())) {
            int leaky = fdOf(file);
            assertTrue(leaky > 3, "the JVM's fd for the file is " + leaky);
            Path out = tmp.resolve("fds");
            // The child's fds: 3 and one above the JVM's open one, so that one is a gap below the highest.
            Map<Integer, Integer> fds = Map.of(3, 0, leaky + 1, 0);
            int pid = Spawn.spawn("/bin/sh", List.of("sh", "-c", "ls /proc/$$/fd > " + out), List.of(), fds);
            assertEquals(0, waitFor(pid).code());

            Set<Integer> inChild = Arrays.stream(Files.readString(out).split("\\s+")).filter(s -> !s.isEmpty())
                    .map(Integer::valueOf).collect(Collectors.toSet());
            assertTrue(inChild.containsAll(Set.of(3, leaky + 1)), "given fds missing: " + inChild);
            assertFalse(inChild.contains(leaky), "the JVM's fd " + leaky + " reached the child: " + inChild);
        }
    }

    /** The number of this process's fd open on {@code file}. */
    private static int fdOf(Path file) throws IOException {
        try (var entries = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : entries.toList()) {
                try {
                    if (Files.readSymbolicLink(fd).equals(file.toRealPath())) return Integer.parseInt(fd.getFileName().toString());
                } catch (IOException e) {
                    // An fd that closed while listing: not ours.
                }
            }
        }
        throw new IllegalStateException("no fd open on " + file);
    }

    private static Wait.Status waitFor(int pid) throws InterruptedException {
        for (int i = 0; i < 500; i++) {
            Optional<Wait.Status> s = Wait.poll(pid);
            if (s.isPresent()) return s.get();
            Thread.sleep(10);
        }
        throw new AssertionError("pid " + pid + " did not end within 5 s");
    }
}
