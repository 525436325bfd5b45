package io.sandboxrun.seccomp;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a profile is compiled for: the native architecture and the running kernel's version,
 * which decide Docker's {@code includes}/{@code excludes}. The sandbox holds no capabilities.
 *
 * @param arch the kernel's name for the architecture: {@code x86_64}, {@code aarch64}, ...
 */
public record Target(String arch, int kernelMajor, int kernelMinor) {
    private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)(?:\\.\\d+)?");
    private static final Target HOST = detect();

    /** This machine: the JVM's architecture and the running kernel. */
    public static Target host() { return HOST; }

    /** libseccomp's name, e.g. {@code SCMP_ARCH_X86_64}. */
    public String scmpArch() { return "SCMP_ARCH_" + arch.toUpperCase(Locale.ROOT); }

    /** Whether {@code name} (Go's {@code amd64}, the kernel's {@code x86_64} or {@code SCMP_ARCH_X86_64}) is this architecture. */
    public boolean isArch(String name) {
        return name.equals(arch) || name.equals(scmpArch()) || name.equals(goArch());
    }

    private String goArch() {
        return switch (arch) {
            case "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> arch;
        };
    }

    /**
     * Why a rule with these {@code includes}/{@code excludes} does not apply here, or empty when
     * it does. As Docker decides, for a sandbox without capabilities: a rule that includes
     * capabilities is skipped (none can be present), a rule that excludes capabilities is kept
     * (none is present), arches select by the native architecture, and minKernel by the running
     * kernel.
     */
    public Optional<String> skipReason(Selector includes, Selector excludes) {
        List<String> why = new ArrayList<>();
        if (!includes.caps().isEmpty()) why.add("includes.caps " + includes.caps() + ": the sandbox holds no capabilities");
        if (!includes.arches().isEmpty() && includes.arches().stream().noneMatch(this::isArch)) {
            why.add("includes.arches " + includes.arches() + ": not for " + arch);
        }
        if (includes.minKernel() != null && !atLeast(includes.minKernel())) {
            why.add("includes.minKernel " + includes.minKernel() + ": the kernel is " + kernel());
        }
        if (excludes.arches().stream().anyMatch(this::isArch)) why.add("excludes.arches " + excludes.arches() + ": excluded on " + arch);
        if (excludes.minKernel() != null && atLeast(excludes.minKernel())) {
            why.add("excludes.minKernel " + excludes.minKernel() + ": the kernel is " + kernel());
        }
        return why.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", why));
    }

    /** {@code 6.1}. */
    public String kernel() { return kernelMajor + "." + kernelMinor; }

    /** Whether the kernel is at least {@code version} ({@code MAJOR.MINOR}, as validated by the loader). */
    public boolean atLeast(String version) {
        int[] v = parseVersion(version);
        if (v == null) throw new IllegalArgumentException("not a kernel version: " + version);
        return kernelMajor != v[0] ? kernelMajor > v[0] : kernelMinor >= v[1];
    }

    /** {@code {major, minor}} from {@code 4.8} or {@code 6.1.0-18-amd64}'s leading part, or null. */
    static int[] parseVersion(String text) {
        Matcher m = VERSION.matcher(text);
        if (!m.lookingAt()) return null;
        try {
            return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Target detect() {
        String arch = switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> System.getProperty("os.arch");
        };
        int[] v = parseVersion(System.getProperty("os.version"));
        return v == null ? new Target(arch, 0, 0) : new Target(arch, v[0], v[1]);
    }
}
