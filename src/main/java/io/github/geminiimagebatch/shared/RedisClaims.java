package io.github.geminiimagebatch.shared;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Item claims in Redis: {@code gib:{item:<request key>}:claim} holds the instance generating it
 * (expiring after the lease), {@code gib:{item:<request key>}:done} what was made (kept). A
 * background task renews this instance's leases every third of a lease, takes back a claim a
 * restarted Redis forgot, and writes the done marks that could not be written while Redis was down.
 */
public final class RedisClaims implements ItemClaims, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RedisClaims.class);
    private static final String CLAIM = SharedRedis.script("claim.lua");
    private static final String RENEW = SharedRedis.script("renew.lua");
    private static final String FINISH = SharedRedis.script("finish.lua");

    private final SharedRedis redis;
    private final Duration lease;
    private final Map<String, Boolean> held = new ConcurrentHashMap<>();
    /** Done marks of this process: written again after Redis came back (it may have lost them). */
    private final Map<String, String> done = new ConcurrentHashMap<>();
    private final Map<String, String> unwritten = new ConcurrentHashMap<>();
    private final ScheduledExecutorService renewer;

    public RedisClaims(SharedRedis redis, Duration lease) {
        this.redis = redis;
        this.lease = lease;
        this.renewer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "gib-claim-leases");
            thread.setDaemon(true);
            return thread;
        });
        long period = Math.max(50, lease.toMillis() / 3);
        renewer.scheduleWithFixedDelay(this::renew, period, period, TimeUnit.MILLISECONDS);
        redis.onReconnect(() -> unwritten.putAll(done));
    }

    @Override
    public Claim claim(String requestKey) {
        List<?> answer;
        try {
            answer = (List<?>) redis.eval(CLAIM, keys(requestKey), List.of(redis.instance(), Long.toString(lease.toMillis())));
        } catch (SharedStoreUnavailableException e) {
            return new Unavailable(redis.waitReason());
        }
        String kind = String.valueOf(answer.get(0));
        String value = String.valueOf(answer.get(1));
        return switch (kind) {
            case "mine" -> {
                held.put(requestKey, Boolean.TRUE);
                yield new Mine();
            }
            case "held" -> new Held(value);
            default -> {
                String[] parts = value.split("\t", 2);
                yield new Done(parts[0], parts.length > 1 ? parts[1] : "");
            }
        };
    }

    @Override
    public void finished(String requestKey, String image) {
        held.remove(requestKey);
        String mark = image == null ? "" : redis.instance() + "\t" + image;
        if (!mark.isEmpty()) {
            done.put(requestKey, mark);
        }
        try {
            redis.eval(FINISH, keys(requestKey), List.of(redis.instance(), mark));
        } catch (SharedStoreUnavailableException e) {
            if (!mark.isEmpty()) {
                unwritten.put(requestKey, mark);
            }
        }
    }

    private void renew() {
        try {
            for (Map.Entry<String, String> mark : unwritten.entrySet()) {
                redis.eval(FINISH, keys(mark.getKey()), List.of(redis.instance(), mark.getValue()));
                unwritten.remove(mark.getKey(), mark.getValue());
            }
            for (String key : held.keySet()) {
                Object answer = redis.eval(RENEW, keys(key), List.of(redis.instance(), Long.toString(lease.toMillis())));
                if (!"mine".equals(answer) && !"done".equals(answer) && held.remove(key) != null) {
                    LOG.warn("The claim on request key {} ran out while Redis was unreachable and instance {} took the"
                            + " item over; it may be generated twice.", key, answer);
                }
            }
        } catch (SharedStoreUnavailableException e) {
            // said once by SharedRedis; the next round tries again
        } catch (RuntimeException e) {
            LOG.warn("Renewing item claims failed: {}", e.getMessage());
        }
    }

    private static List<String> keys(String requestKey) {
        String tag = "gib:{item:" + requestKey + "}:";
        return List.of(tag + "done", tag + "claim");
    }

    @Override
    public void close() {
        renewer.shutdownNow();
    }
}
