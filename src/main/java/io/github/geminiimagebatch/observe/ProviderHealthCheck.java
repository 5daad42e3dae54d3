package io.github.geminiimagebatch.observe;

import io.github.geminiimagebatch.provider.ProviderRuntime;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.time.Clock;
import java.util.Map;

/**
 * Camel health check {@code imagegen/provider-<name>} (shown at {@code /observe/health}): DOWN when
 * the provider cannot take requests for a while (see {@link ProviderHealth}). It is a readiness
 * check only: a provider out of quota is no reason to restart the process.
 */
public final class ProviderHealthCheck extends AbstractHealthCheck {

    private final ProviderRuntime provider;
    private final Clock clock;

    public ProviderHealthCheck(ProviderRuntime provider, Clock clock) {
        super("imagegen", "provider-" + provider.name());
        this.provider = provider;
        this.clock = clock;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        ProviderHealth health = ProviderHealth.of(provider, clock.instant());
        builder.message(health.message()).details(health.details());
        if (health.up()) {
            builder.up();
        } else {
            builder.down();
        }
    }
}
