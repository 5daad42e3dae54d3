package io.github.geminiimagebatch.shared;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.util.Map;

/**
 * Camel health check {@code imagegen/shared-redis} (at {@code /observe/health}): DOWN while the
 * shared Redis cannot be reached, because then this instance sends nothing.
 */
public final class SharedStoreHealthCheck extends AbstractHealthCheck {

    private final SharedRedis redis;

    public SharedStoreHealthCheck(SharedRedis redis) {
        super("imagegen", "shared-redis");
        this.redis = redis;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        redis.probe();
        builder.message(redis.status()).detail("redis", redis.address()).detail("instance", redis.instance());
        if (redis.up()) {
            builder.up();
        } else {
            builder.down();
        }
    }
}
