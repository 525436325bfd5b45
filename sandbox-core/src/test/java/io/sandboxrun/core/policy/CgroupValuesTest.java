package io.sandboxrun.core.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The cgroup value parsers as the command line uses them: the field is the option, with no location. */
class CgroupValuesTest {
    private static final long M = 1L << 20;

    @Test
    void modes() {
        assertEquals(CgroupPolicy.Mode.OFF, CgroupValues.mode("--cgroup", "off"));
        assertEquals(CgroupPolicy.Mode.BEST_EFFORT, CgroupValues.mode("--cgroup", "best-effort"));
        assertEquals(CgroupPolicy.Mode.REQUIRED, CgroupValues.mode("--cgroup", "required"));
        fails("--cgroup: \"on\" is not a cgroup mode; use off, best-effort or required", () -> CgroupValues.mode("--cgroup", "on"));
    }

    @Test
    void roots() {
        assertEquals("/sandbox-run", CgroupValues.root("--cgroup-root", "/sandbox-run"));
        assertEquals("/system.slice/worker.service/apps", CgroupValues.root("--cgroup-root", "/system.slice/worker.service/apps"));
        String hint = "; use an absolute cgroup path such as /sandbox-run, without empty, '.' or '..' components";
        fails("--cgroup-root: \"sandbox-run\" is not absolute" + hint, () -> CgroupValues.root("--cgroup-root", "sandbox-run"));
        fails("--cgroup-root: \"\" is not absolute" + hint, () -> CgroupValues.root("--cgroup-root", ""));
        fails("--cgroup-root: \"/\" is the hierarchy's root" + hint, () -> CgroupValues.root("--cgroup-root", "/"));
        fails("--cgroup-root: \"/a/../b\" has a \"..\" component" + hint, () -> CgroupValues.root("--cgroup-root", "/a/../b"));
        fails("--cgroup-root: \"/a/./b\" has a \".\" component" + hint, () -> CgroupValues.root("--cgroup-root", "/a/./b"));
        fails("--cgroup-root: \"/a//b\" has an empty component" + hint, () -> CgroupValues.root("--cgroup-root", "/a//b"));
        fails("--cgroup-root: \"/a/\" has an empty component" + hint, () -> CgroupValues.root("--cgroup-root", "/a/"));
        fails("--cgroup-root: \"/a\\nb\" contains a control character" + hint, () -> CgroupValues.root("--cgroup-root", "/a\nb"));
        fails("--cgroup-root: \"/" + "x".repeat(256) + "\" has a component longer than 255 bytes" + hint,
                () -> CgroupValues.root("--cgroup-root", "/" + "x".repeat(256)));
    }

    @Test
    void memory() {
        assertEquals(256 * M, CgroupValues.memory("--memory", "256M"));
        assertEquals(M, CgroupValues.memory("--memory", "1M"));
        assertEquals(1L << 40, CgroupValues.memory("--memory", "1024G"));
        assertEquals(Limits.UNLIMITED, CgroupValues.memory("--memory", "max"));
        String range = " is out of range; use 1M to 1024G, or max";
        fails("--memory: \"1023K\"" + range, () -> CgroupValues.memory("--memory", "1023K"));
        fails("--memory: \"0\"" + range, () -> CgroupValues.memory("--memory", "0"));
        fails("--memory: \"1025G\"" + range, () -> CgroupValues.memory("--memory", "1025G"));
        fails("--memory: \"99999999999999999999G\"" + range, () -> CgroupValues.memory("--memory", "99999999999999999999G"));
        String notSize = " is not a size; use a number with K, M or G (e.g. 256M), or max";
        fails("--memory-high: \"1.5G\"" + notSize, () -> CgroupValues.memory("--memory-high", "1.5G"));
        fails("--memory-high: \"-1\"" + notSize, () -> CgroupValues.memory("--memory-high", "-1"));
        fails("--memory-high: \"unlimited\"" + notSize, () -> CgroupValues.memory("--memory-high", "unlimited"));
        fails("--memory-high: \"1T\"" + notSize, () -> CgroupValues.memory("--memory-high", "1T"));
    }

    @Test
    void cpus() {
        assertEquals(500, CgroupValues.cpus("--cpus", "0.5"));
        assertEquals(10, CgroupValues.cpus("--cpus", "0.01"));
        assertEquals(1250, CgroupValues.cpus("--cpus", "1.25"));
        assertEquals(2000, CgroupValues.cpus("--cpus", "2"));
        assertEquals(1001, CgroupValues.cpus("--cpus", "1.001"));
        assertEquals(1024000, CgroupValues.cpus("--cpus", "1024"));
        assertEquals(Limits.CPU_UNLIMITED, CgroupValues.cpus("--cpus", "max"));
        String range = "; use 0.01 to 1024 in steps of 0.001 (e.g. 0.5), or max";
        fails("--cpus: \"0.0001\" has more than 3 decimals" + range, () -> CgroupValues.cpus("--cpus", "0.0001"));
        fails("--cpus: \"0.009\" is out of range" + range, () -> CgroupValues.cpus("--cpus", "0.009"));
        fails("--cpus: \"0\" is out of range" + range, () -> CgroupValues.cpus("--cpus", "0"));
        fails("--cpus: \"1024.001\" is out of range" + range, () -> CgroupValues.cpus("--cpus", "1024.001"));
        fails("--cpus: \"123456789012\" is out of range" + range, () -> CgroupValues.cpus("--cpus", "123456789012"));
        fails("--cpus: \"-1\" is not a number of CPUs" + range, () -> CgroupValues.cpus("--cpus", "-1"));
        fails("--cpus: \".5\" is not a number of CPUs" + range, () -> CgroupValues.cpus("--cpus", ".5"));
        fails("--cpus: \"50%\" is not a number of CPUs" + range, () -> CgroupValues.cpus("--cpus", "50%"));
        fails("--cpus: \"1e2\" is not a number of CPUs" + range, () -> CgroupValues.cpus("--cpus", "1e2"));
    }

    @Test
    void cpuWeights() {
        assertEquals(1, CgroupValues.cpuWeight("--cpu-weight", "1"));
        assertEquals(10000, CgroupValues.cpuWeight("--cpu-weight", "10000"));
        String range = "; use 1 to 10000 (100 is the kernel's default)";
        fails("--cpu-weight: \"0\" is out of range" + range, () -> CgroupValues.cpuWeight("--cpu-weight", "0"));
        fails("--cpu-weight: \"10001\" is out of range" + range, () -> CgroupValues.cpuWeight("--cpu-weight", "10001"));
        fails("--cpu-weight: \"max\" is not a whole number" + range, () -> CgroupValues.cpuWeight("--cpu-weight", "max"));
        fails("--cpu-weight: \"1.5\" is not a whole number" + range, () -> CgroupValues.cpuWeight("--cpu-weight", "1.5"));
    }

    @Test
    void pids() {
        assertEquals(1, CgroupValues.pids("--pids", "1"));
        assertEquals(4194304, CgroupValues.pids("--pids", "4194304"));
        assertEquals(Limits.UNLIMITED, CgroupValues.pids("--pids", "max"));
        String range = "; use 1 to 4194304, or max";
        fails("--pids: \"0\" is out of range" + range, () -> CgroupValues.pids("--pids", "0"));
        fails("--pids: \"4194305\" is out of range" + range, () -> CgroupValues.pids("--pids", "4194305"));
        fails("--pids: \"1k\" is not a whole number" + range, () -> CgroupValues.pids("--pids", "1k"));
        fails("--pids: \"unlimited\" is not a whole number" + range, () -> CgroupValues.pids("--pids", "unlimited"));
    }

    @Test
    void ioRates() {
        assertEquals(10 * M, CgroupValues.ioRate("limits.io[0].rbps", "rbps", "10M"));
        assertEquals(1, CgroupValues.ioRate("limits.io[0].wbps", "wbps", "1"));
        assertEquals(100, CgroupValues.ioRate("limits.io[0].riops", "riops", "100"));
        assertEquals(Limits.UNLIMITED, CgroupValues.ioRate("limits.io[0].wiops", "wiops", "max"));
        fails("f: \"0\" is out of range; use bytes per second with K, M or G (e.g. 10M), 1 or more, or max",
                () -> CgroupValues.ioRate("f", "wbps", "0"));
        fails("f: \"1.5M\" is not a size; use bytes per second with K, M or G (e.g. 10M), 1 or more, or max",
                () -> CgroupValues.ioRate("f", "rbps", "1.5M"));
        fails("f: \"1K\" is not a whole number; use operations per second, 1 or more, or max",
                () -> CgroupValues.ioRate("f", "riops", "1K"));
        fails("f: \"0\" is out of range; use operations per second, 1 or more, or max",
                () -> CgroupValues.ioRate("f", "wiops", "0"));
    }

    @Test
    void deviceNumbers() {
        assertArrayEquals(new int[] {8, 0}, CgroupValues.device("--io-max", "8:0"));
        assertArrayEquals(new int[] {4095, 1048575}, CgroupValues.device("--io-max", "4095:1048575"));
        String hint = "; use MAJOR:MINOR (e.g. 8:0) or the path of a block device (e.g. /dev/sda)";
        fails("--io-max: \"sda\" is not a device" + hint, () -> CgroupValues.device("--io-max", "sda"));
        fails("--io-max: \"8\" is not a device" + hint, () -> CgroupValues.device("--io-max", "8"));
        fails("--io-max: \"8:0:1\" is not a device" + hint, () -> CgroupValues.device("--io-max", "8:0:1"));
        fails("--io-max: \"4096:0\" is out of range; a major number goes up to 4095, a minor number up to 1048575",
                () -> CgroupValues.device("--io-max", "4096:0"));
        fails("--io-max: \"/dev/null\" is not a block device" + hint, () -> CgroupValues.device("--io-max", "/dev/null"));
        fails("--io-max: \"/dev\" is not a block device" + hint, () -> CgroupValues.device("--io-max", "/dev"));
        fails("--io-max: \"/nonexistent/sda\" does not exist" + hint, () -> CgroupValues.device("--io-max", "/nonexistent/sda"));
    }

    @Test
    void aBlockDevicePathGivesItsNumber() throws IOException {
        // Any block device of this host, checked against the number sysfs gives it.
        Optional<Path> dev;
        try (Stream<Path> sys = Files.list(Path.of("/sys/class/block"))) {
            dev = sys.map(p -> Path.of("/dev", p.getFileName().toString())).filter(Files::exists).findFirst();
        } catch (IOException e) {
            dev = Optional.empty();
        }
        Assumptions.assumeTrue(dev.isPresent(), "no block device on this host");
        String expected = Files.readString(Path.of("/sys/class/block", dev.get().getFileName().toString(), "dev")).trim();

        int[] n = CgroupValues.device("--io-max", dev.get().toString());

        assertEquals(expected, n[0] + ":" + n[1]);
    }

    @Test
    void deviceNumbersAreDecodedAsGlibcDoes() {
        // makedev(8, 0), makedev(259, 3), makedev(0x12345, 0xabcdef): the high bits sit above bit 32.
        assertEquals(8, CgroupValues.major(0x800));
        assertEquals(0, CgroupValues.minor(0x800));
        assertEquals(259, CgroupValues.major(0x10303));
        assertEquals(3, CgroupValues.minor(0x10303));
        long dev = (0x12345L & 0xfff) << 8 | (0x12345L & ~0xfffL) << 32 | (0xabcdefL & 0xff) | (0xabcdefL & ~0xffL) << 12;
        assertEquals(0x12345, CgroupValues.major(dev));
        assertEquals(0xabcdef, CgroupValues.minor(dev));
    }

    @Test
    void ioMax() {
        assertEquals(new IoLimit("8:0", null, 10 * M, 100L, null), CgroupValues.ioMax("--io-max", "8:0:wbps=10M,riops=100"));
        assertEquals(new IoLimit("253:1", Limits.UNLIMITED, null, null, 5L),
                CgroupValues.ioMax("--io-max", "253:1:rbps=max,wiops=5"));
        String hint = "; use DEV:KEY=VALUE[,KEY=VALUE] with DEV MAJOR:MINOR or a /dev path and KEY rbps, wbps, riops"
                + " or wiops (e.g. 8:0:wbps=10M,riops=100)";
        fails("--io-max: \"8:0\" is not an io limit" + hint, () -> CgroupValues.ioMax("--io-max", "8:0"));
        fails("--io-max: \"rbps=1M\" is not an io limit" + hint, () -> CgroupValues.ioMax("--io-max", "rbps=1M"));
        fails("--io-max: \"8:0:rbs=1M\": \"rbs=1M\" is not KEY=VALUE with KEY rbps, wbps, riops or wiops" + hint,
                () -> CgroupValues.ioMax("--io-max", "8:0:rbs=1M"));
        fails("--io-max: \"8:0:rbps=1M,\": \"\" is not KEY=VALUE with KEY rbps, wbps, riops or wiops" + hint,
                () -> CgroupValues.ioMax("--io-max", "8:0:rbps=1M,"));
        fails("--io-max: \"8:0:rbps=1M,rbps=2M\" sets rbps twice", () -> CgroupValues.ioMax("--io-max", "8:0:rbps=1M,rbps=2M"));
        fails("--io-max: \"wbps=0\" is out of range; use bytes per second with K, M or G (e.g. 10M), 1 or more, or max",
                () -> CgroupValues.ioMax("--io-max", "8:0:wbps=0"));
        fails("--io-max: \"sda\" is not a device; use MAJOR:MINOR (e.g. 8:0) or the path of a block device (e.g. /dev/sda)",
                () -> CgroupValues.ioMax("--io-max", "sda:wbps=1M"));
        fails("--io-max: \"/dev/null\" is not a block device; use MAJOR:MINOR (e.g. 8:0) or the path of a block device"
                + " (e.g. /dev/sda)", () -> CgroupValues.ioMax("--io-max", "/dev/null:wbps=1M"));
    }

    @Test
    void words() {
        assertEquals("max", CgroupValues.word(Limits.UNLIMITED, true));
        assertEquals("256M", CgroupValues.word(256 * M, true));
        assertEquals("1024", CgroupValues.word(1024, false));
        assertEquals("0.5", CgroupValues.cpusWord(500));
        assertEquals("2", CgroupValues.cpusWord(2000));
        assertEquals("max", CgroupValues.cpusWord(Limits.CPU_UNLIMITED));
    }

    private static void fails(String message, Executable e) {
        assertEquals(message, assertThrows(PolicyException.class, e).getMessage());
    }
}
