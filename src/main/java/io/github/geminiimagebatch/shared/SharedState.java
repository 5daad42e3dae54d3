package io.github.geminiimagebatch.shared;

import io.github.geminiimagebatch.config.ConfigException;
import io.github.geminiimagebatch.config.Settings;
import io.github.geminiimagebatch.quota.SharedQuota;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What this instance shares with the others ({@code imagegen.shared.redisUrl}): the providers'
 * quota state and the item claims. Without the setting nothing is shared and each instance is alone.
 */
public final class SharedState implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger("gemini-image-batch");

    private final SharedRedis redis;
    private final RedisClaims claims;
    private final String instance;
    private final List<RedisQuota> quotas = new CopyOnWriteArrayList<>();

    private SharedState(SharedRedis redis, RedisClaims claims, String instance) {
        this.redis = redis;
        this.claims = claims;
        this.instance = instance;
    }

    public static SharedState from(Settings settings, Clock clock) throws ConfigException {
        String instance = settings.find("imagegen.instance").filter(s -> !s.isBlank()).map(String::strip)
                .orElseGet(SharedState::defaultInstance);
        Optional<String> url = settings.find("imagegen.shared.redisUrl").filter(s -> !s.isBlank());
        if (url.isEmpty()) {
            return new SharedState(null, null, instance);
        }
        Duration lease = settings.duration("imagegen.shared.claimLease");
        if (lease.toMillis() < 300) {
            throw new ConfigException("The setting imagegen.shared.claimLease is " + lease.toMillis() + " ms; write at least"
                    + " 300ms (default 60s): it is how long an item stays claimed after its instance died.");
        }
        SharedRedis redis = SharedRedis.connect(url.get(), instance, clock);
        return new SharedState(redis, new RedisClaims(redis, lease), instance);
    }

    /** {@code <host>-<pid>}. */
    static String defaultInstance() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        return host + "-" + ManagementFactory.getRuntimeMXBean().getPid();
    }

    public String instance() {
        return instance;
    }

    public boolean shared() {
        return redis != null;
    }

    public Optional<SharedRedis> redis() {
        return Optional.ofNullable(redis);
    }

    public SharedQuota.Source quotas(Clock clock) {
        return redis == null ? SharedQuota.NOT_SHARED
                : (provider, model, settings) -> {
                    RedisQuota quota = new RedisQuota(redis, provider, model, settings, clock);
                    quotas.add(quota);
                    return quota;
                };
    }

    public SharedSpend spend() {
        return redis == null ? SharedSpend.LOCAL_ONLY : new RedisSpend(redis);
    }

    public ItemClaims claims() {
        return claims == null ? ItemClaims.LOCAL_ONLY : claims;
    }

    /** Says, for each provider this instance asked Redis about, how its shared admissions went. */
    @Override
    public void close() {
        quotas.stream().map(RedisQuota::timings).filter(Objects::nonNull).forEach(LOG::info);
        if (claims != null) {
            claims.close();
        }
        if (redis != null) {
            redis.close();
        }
    }
}
