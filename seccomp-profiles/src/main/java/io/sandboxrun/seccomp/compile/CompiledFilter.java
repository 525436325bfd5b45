package io.sandboxrun.seccomp.compile;

/**
 * A profile compiled for the native architecture.
 *
 * @param program       the BPF program, {@code struct sock_filter[]} (8 bytes per instruction),
 *                      ready for {@code seccomp(SECCOMP_SET_MODE_FILTER)}; shared, do not modify
 * @param instructions  the program's length in instructions
 * @param needsListener whether any action is NOTIFY: the helper must load it with
 *                      {@code SECCOMP_FILTER_FLAG_NEW_LISTENER} and hand the listener over
 * @param rules         what the profile decides, for the launcher's notification handler and
 *                      for {@code seccomp show}
 * @param sha256        hex SHA-256 of the profile's canonical content, the options and the target
 */
public record CompiledFilter(byte[] program, int instructions, boolean needsListener, RuleTable rules, String sha256) {}
