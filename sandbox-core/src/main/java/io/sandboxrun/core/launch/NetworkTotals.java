package io.sandboxrun.core.launch;

/**
 * What one instance did on the network, counted by the launcher's connect redirect and proxy.
 *
 * @param allowed  outbound connects that went to the proxy
 * @param denied   outbound connects refused (allowlist, rate or concurrency limits, the proxy's own port)
 * @param local    TCP connects that stayed on the sandbox's own loopback
 * @param bytesIn  bytes relayed towards the app
 * @param bytesOut bytes relayed from the app
 */
public record NetworkTotals(long allowed, long denied, long local, long bytesIn, long bytesOut) {}
