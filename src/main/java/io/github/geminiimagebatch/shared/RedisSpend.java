package io.github.geminiimagebatch.shared;

import java.time.Duration;
import java.time.LocalDate;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * The daily spend in Redis: {@code gib:{spend}:<day>} (a float, kept two days). What could not be
 * added while Redis was down is added with the next amount.
 */
public final class RedisSpend implements SharedSpend {

    private static final Duration KEPT = Duration.ofDays(2);

    private final SharedRedis redis;
    private final DoubleAdder unsent = new DoubleAdder();

    public RedisSpend(SharedRedis redis) {
        this.redis = redis;
    }

    @Override
    public double add(LocalDate day, double usd) {
        double amount = usd + unsent.sumThenReset();
        try {
            return redis.call(jedis -> {
                double total = jedis.incrByFloat(key(day), amount);
                jedis.pexpire(key(day), KEPT.toMillis());
                return total;
            });
        } catch (SharedStoreUnavailableException e) {
            unsent.add(amount);
            return Double.NaN;
        }
    }

    @Override
    public double spentOn(LocalDate day) {
        try {
            String total = redis.call(jedis -> jedis.get(key(day)));
            return total == null ? 0 : Double.parseDouble(total);
        } catch (SharedStoreUnavailableException e) {
            return Double.NaN;
        }
    }

    private static String key(LocalDate day) {
        return "gib:{spend}:" + day;
    }
}
