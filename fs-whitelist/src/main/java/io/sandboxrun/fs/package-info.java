/**
 * The filesystem whitelist: from a policy, the mount plan and Landlock rules of an instance
 * ({@link io.sandboxrun.fs.WhitelistPlanner}), the discovery of what the command needs
 * ({@link io.sandboxrun.fs.CommandResolver}), the generated /etc ({@link io.sandboxrun.fs.EtcFiles}),
 * the app's environment ({@link io.sandboxrun.fs.SandboxEnv}) and the per-app writable space on the
 * host ({@link io.sandboxrun.fs.TmpSpace}).
 */
package io.sandboxrun.fs;
