package io.sandboxrun.core.launch;

/**
 * Why a sandbox could not be set up, as the helper or the launcher reported it.
 *
 * @param stage   where: {@code launcher}, {@code outer}, {@code init}, {@code app}
 * @param step    the stable step name (see {@code steps.h} and {@code SetupStep})
 * @param errno   the errno, or 0 when not from a call
 * @param message the full message
 */
public record SetupFailure(String stage, String step, int errno, String message) {}
