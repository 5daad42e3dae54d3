package io.github.geminiimagebatch.observe;

import io.github.geminiimagebatch.provider.ProviderRuntime;
import io.github.geminiimagebatch.provider.ProviderState;
import io.github.geminiimagebatch.quota.QuotaSnapshot;
import io.github.geminiimagebatch.secret.Secrets;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A provider's health as an operator sees it. A provider is DOWN when it cannot take requests for
 * a while: its credentials were refused or it has no quota for the model (unusable), its circuit
 * breaker is open after repeated server errors, or a per-day quota is used up until the reset.
 * A short pause after a 429 is normal pacing and stays UP, with the pause in the details.
 *
 * @param up      true when the provider takes requests now or after a short pause
 * @param state   open, paused, closed, circuit_open or unusable
 * @param message one sentence for the operator
 * @param details state, in-flight count, pause/closed end, quota counters; never a credential
 */
public record ProviderHealth(boolean up, String state, String message, Map<String, Object> details) {

    public static ProviderHealth of(ProviderRuntime p, Instant now) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("provider", p.name());
        details.put("type", p.settings().type().id());
        details.put("inFlight", p.inFlight());
        QuotaSnapshot q = p.quota().snapshot();
        details.put("requestsAdmitted", q.admitted());
        details.put("throttled", q.throttled());
        details.put("transientFailures", q.transientFailures());
        ProviderState state = p.state(now);
        String reason = state.reason() == null ? null : Secrets.redact(state.reason());
        String message = switch (state.kind()) {
            case UNUSABLE -> p.name() + " is unusable: " + reason
                    + (state.until().equals(Instant.MAX) ? "" : "; one request tries it again at " + state.until());
            case CIRCUIT_OPEN -> p.name() + " " + reason;
            case CLOSED -> p.name() + " closed" + (state.until().equals(Instant.MAX) ? "" : " until " + state.until())
                    + (reason == null ? "" : ": " + reason);
            case PAUSED -> p.name() + " paused until " + state.until() + (reason == null ? "" : ": " + reason);
            case OPEN -> p.name() + " takes requests";
        };
        if (state.kind() == ProviderState.Kind.UNUSABLE && !state.until().equals(Instant.MAX)) {
            details.put("probeAt", state.until().toString());
        } else if (state.kind() == ProviderState.Kind.CLOSED && !state.until().equals(Instant.MAX)) {
            details.put("closedUntil", state.until().toString());
        } else if (state.kind() == ProviderState.Kind.PAUSED) {
            details.put("pausedUntil", state.until().toString());
        }
        return result(state.up(), state.kind().id(), message, details);
    }

    private static ProviderHealth result(boolean up, String state, String message, Map<String, Object> details) {
        details.put("state", state);
        return new ProviderHealth(up, state, message, Map.copyOf(details));
    }
}
