package io.sandboxrun.cgroup;

/**
 * The state of an instance cgroup: whether any process is left in it, whether it is frozen, and
 * how many processes the OOM killer ended.
 */
public record CgroupEvents(boolean populated, boolean frozen, long oomKills) {}
