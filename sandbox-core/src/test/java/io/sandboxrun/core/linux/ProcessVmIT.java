package io.sandboxrun.core.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** process_vm_readv on the real kernel: this process, a child, an unmapped address, a dead pid. */
class ProcessVmIT {
    @Test
    void readsOwnMemory() {
        Memory m = new Memory(5);
        m.write(0, new byte[] {1, 2, 3, 4, 5}, 0, 5);
        assertArrayEquals(new byte[] {2, 3, 4}, ProcessVm.read(Ids.pid(), Pointer.nativeValue(m) + 1, 3).orElseThrow());
    }

    @Test
    void unmappedAddressReadsNothing() {
        assertArrayEquals(new byte[0], ProcessVm.read(Ids.pid(), 8, 16).orElseThrow(), "EFAULT: nothing readable");
    }

    /**
     * A child's executable is mapped where /proc/PID/maps says, ELF magic first. posix_spawn returns
     * once exec has begun, before the ELF loader has mapped the binary, so wait for the mapping.
     */
    @Test
    void readsAChildAndReportsItGone() throws Exception {
        int pid = Spawn.spawn("/bin/sleep", List.of("sleep", "30"), List.of(), Map.of());
        try {
            String first = executableMapping(pid);
            long start = Long.parseUnsignedLong(first.substring(0, first.indexOf('-')), 16);
            assertArrayEquals(new byte[] {0x7f, 'E', 'L', 'F'}, ProcessVm.read(pid, start, 4).orElseThrow(), first);
        } finally {
            Signals.send(pid, Signals.SIGKILL);
            reap(pid);
        }
        assertEquals(Optional.empty(), ProcessVm.read(pid, 0x1000, 4), "ESRCH once reaped");
    }

    private static String executableMapping(int pid) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            Optional<String> line = Files.readAllLines(Path.of("/proc/" + pid + "/maps")).stream()
                    .filter(l -> l.endsWith("/sleep") && l.contains(" 00000000 "))
                    .findFirst();
            if (line.isPresent()) return line.get();
            assertTrue(System.nanoTime() < deadline, "no executable mapping for pid " + pid);
            Thread.sleep(1);
        }
    }

    private static void reap(int pid) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (Wait.poll(pid).isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "pid " + pid + " not reaped");
            Thread.sleep(2);
        }
    }
}
