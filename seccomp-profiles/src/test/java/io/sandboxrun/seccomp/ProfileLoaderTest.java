package io.sandboxrun.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sandboxrun.core.linux.Errno;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading profiles: the bundled ones, a Docker-style file, strings, and what each resolves to on a target. */
class ProfileLoaderTest {
    private static final Target KERNEL_6_1 = new Target("x86_64", 6, 1);
    private static final Target KERNEL_4_4 = new Target("x86_64", 4, 4);

    @Test
    void bundledProfilesLoadUnderTheirNames() {
        assertEquals(Action.ALLOW, ProfileLoader.bundled("default").defaultAction());
        assertEquals(Action.errno(Errno.EPERM), ProfileLoader.bundled("python").defaultAction());
        assertEquals(Action.errno(Errno.EPERM), ProfileLoader.bundled("strict").defaultAction());
        assertEquals("bundled:strict", ProfileLoader.bundled("strict").source());
        ProfileException e = assertThrows(ProfileException.class, () -> ProfileLoader.bundled("pyton"));
        assertEquals("\"pyton\" is not a bundled seccomp profile; use default, python or strict", e.getMessage());
    }

    @Test
    void bundledProfilesNameOnlyNativeSyscallsAndLeaveNothingOut() {
        for (String name : ProfileLoader.BUNDLED) {
            ResolvedProfile r = ProfileLoader.bundled(name).resolve(KERNEL_6_1);
            assertEquals(List.of(), r.notes(), name);
            assertEquals(Optional.empty(), r.firstConflict(), name);
        }
    }

    @Test
    void aDockerStyleProfileLoadsAndResolvesAsDockerWouldWithoutCapabilities() {
        Profile p = TestProfiles.load(TestProfiles.dir("good").resolve("docker-style.json"));
        assertEquals(Action.errno(Errno.EPERM), p.defaultAction());
        assertEquals(List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM",
                "SCMP_ARCH_RISCV64"), p.architectures());
        ResolvedProfile r = p.resolve(KERNEL_6_1);
        assertEquals(List.of(
                "architectures SCMP_ARCH_X86, SCMP_ARCH_X32, SCMP_ARCH_AARCH64, SCMP_ARCH_ARM, SCMP_ARCH_RISCV64: not"
                        + " compiled; the filter holds SCMP_ARCH_X86_64 only, and a call through any other ABI kills the process",
                "syscalls[0] chown32, fcntl64, fstat64, _llseek, mmap2, sigreturn, socketcall, ugetrlimit: not syscalls"
                        + " on x86_64; ignored",
                "syscalls[5] [arm_fadvise64_64, set_tls, cacheflush]: skipped: includes.arches [arm, arm64]: not for x86_64",
                "syscalls[7] [mount, umount2, unshare, setns, clone, clone3]: skipped: includes.caps [CAP_SYS_ADMIN]: the"
                        + " sandbox holds no capabilities",
                "syscalls[9] [clone]: skipped: includes.arches [s390, s390x]: not for x86_64",
                "syscalls[11] [reboot]: skipped: includes.caps [CAP_SYS_BOOT]: the sandbox holds no capabilities"), r.notes());
        List<String> names = r.rules().stream().map(SyscallRule::name).distinct().toList();
        assertTrue(names.containsAll(List.of("ptrace", "socket", "personality", "modify_ldt", "clone", "clone3")), names.toString());
        assertFalse(names.contains("mount"));
        SyscallRule clone3 = r.rules().stream().filter(x -> x.name().equals("clone3")).findFirst().orElseThrow();
        assertEquals(Action.errno(Errno.ENOSYS), clone3.action());
    }

    @Test
    void minKernelDecidesByTheRunningKernel() {
        Profile p = TestProfiles.load(TestProfiles.dir("good").resolve("docker-style.json"));
        assertTrue(p.resolve(KERNEL_6_1).rules().stream().anyMatch(x -> x.name().equals("ptrace")));
        ResolvedProfile old = p.resolve(KERNEL_4_4);
        assertTrue(old.rules().stream().noneMatch(x -> x.name().equals("ptrace")));
        assertTrue(old.notes().contains("syscalls[1] [ptrace]: skipped: includes.minKernel 4.8: the kernel is 4.4"), old.notes().toString());
    }

    @Test
    void targetsDecideIncludesAndExcludes() {
        Selector none = Selector.NONE;
        assertEquals(Optional.empty(), KERNEL_6_1.skipReason(none, new Selector(List.of("CAP_SYS_ADMIN"), List.of(), null)));
        assertEquals(Optional.of("excludes.arches [amd64]: excluded on x86_64"),
                KERNEL_6_1.skipReason(none, new Selector(List.of(), List.of("amd64"), null)));
        assertEquals(Optional.of("excludes.minKernel 5.10: the kernel is 6.1"),
                KERNEL_6_1.skipReason(none, new Selector(List.of(), List.of(), "5.10")));
        assertEquals(Optional.empty(), KERNEL_6_1.skipReason(new Selector(List.of(), List.of("SCMP_ARCH_X86_64"), "6.1"), none));
        assertTrue(new Target("x86_64", 5, 10).atLeast("5.4") && !new Target("x86_64", 5, 3).atLeast("5.4"));
    }

    @Test
    void syscallsNewerThanLibseccompResolveOnX86_64() {
        Profile p = ProfileLoader.parse("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"fchmodat2\","
                + " \"mseal\"], \"action\": \"SCMP_ACT_ALLOW\"}]}", "late.json");
        List<SyscallRule> rules = p.resolve(KERNEL_6_1).rules();
        assertEquals(List.of(452, 462), rules.stream().map(SyscallRule::nr).toList());
        assertEquals("fchmodat2", Syscalls.name(452));
    }

    @Test
    void listenerFieldsAndFlagsAreReadAndNoted() {
        Profile p = ProfileLoader.parse("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"/run/agent.sock\","
                + " \"flags\": [\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"], \"architectures\": null}", "oci.json");
        assertEquals(List.of("listenerPath: ignored; the launcher receives the listener from the helper itself"), p.notes());
        assertTrue(p.resolve(KERNEL_6_1).notes().contains("flags SECCOMP_FILTER_FLAG_SPEC_ALLOW: ignored"));
    }

    @Test
    void namesOrFilesResolveForTheCommandLine(@TempDir Path dir) throws Exception {
        assertEquals("bundled:python", ProfileLoader.resolve("python").source());
        Path file = dir.resolve("mine.json");
        Files.writeString(file, "{\"defaultAction\": \"SCMP_ACT_LOG\"}");
        assertEquals(Action.LOG, ProfileLoader.resolve(file.toString()).defaultAction());
        ProfileException e = assertThrows(ProfileException.class, () -> ProfileLoader.resolve("pythn"));
        assertEquals("\"pythn\" is neither a bundled seccomp profile (default, python, strict) nor a file", e.getMessage());
        e = assertThrows(ProfileException.class, () -> ProfileLoader.resolve(dir.resolve("gone.json").toString()));
        assertEquals(dir.resolve("gone.json") + ": cannot read: no such file", e.getMessage());
    }

    @Test
    void writtenProfilesReadBackToTheSameContent() {
        for (String name : ProfileLoader.BUNDLED) {
            Profile p = ProfileLoader.bundled(name);
            Profile again = ProfileLoader.parse(ProfileWriter.toJson(p), "again.json");
            assertEquals(ProfileWriter.canonical(p), ProfileWriter.canonical(again), name);
            assertEquals(p.syscalls(), again.syscalls(), name);
        }
        Profile docker = TestProfiles.load(TestProfiles.dir("good").resolve("docker-style.json"));
        assertEquals(docker.syscalls(), ProfileLoader.parse(ProfileWriter.toJson(docker), "again.json").syscalls());
    }
}
