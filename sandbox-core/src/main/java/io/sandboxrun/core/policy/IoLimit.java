package io.sandboxrun.core.policy;

/** TEMPORARY stand-in until the policy branch lands. */
public record IoLimit(int major, int minor, Long rbps, Long wbps, Long riops, Long wiops) {}
