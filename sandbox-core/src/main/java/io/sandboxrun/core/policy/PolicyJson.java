package io.sandboxrun.core.policy;

import com.fasterxml.jackson.core.JsonProcessingException;

/**
 * A policy as JSON, in the keys and value forms of a policy file: what the service to come (an
 * HTTP service, not built yet) will take as a launch request, and what {@link PolicyLoader#parseJson}
 * reads back to the same policy.
 */
public final class PolicyJson {
    /** {@code policy} as one JSON object; unset settings are left out. */
    public static String write(Policy policy) {
        try {
            return PolicyLoader.Mappers.json().writeValueAsString(policy);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a policy as JSON", e);
        }
    }

    private PolicyJson() {}
}
