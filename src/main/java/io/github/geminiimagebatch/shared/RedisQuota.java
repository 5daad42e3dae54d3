package io.github.geminiimagebatch.shared;

import io.github.geminiimagebatch.quota.Admission;
import io.github.geminiimagebatch.quota.DailyReset;
import io.github.geminiimagebatch.quota.Limit;
import io.github.geminiimagebatch.quota.QuotaSettings;
import io.github.geminiimagebatch.quota.SharedQuota;
import io.github.geminiimagebatch.quota.Spreading;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * One provider's (and model's) quota state in Redis, shared by every instance pointed at it. Keys are
 * readable and carry one hash tag, {@code gib:{provider:model}:...}, so a Redis Cluster keeps them in
 * one slot and each admission is one atomic script:
 * <ul>
 *   <li>{@code :log:requests}, {@code :log:images} sliding logs (sorted sets, score = Redis time in ms)</li>
 *   <li>{@code :day:<date>:requests}, {@code :day:<date>:images} calendar-day counters (date in the reset zone)</li>
 *   <li>{@code :last} the last admission, for spreading; {@code :filled} the sliding windows full since they
 *       were last empty, whose given-back places are not spread ({@link Spreading}, as in-process pacing);
 *       {@code :paused}, {@code :closed} with the reason as
 *       value and the end as expiry; {@code :learned} the limits learned from 429s</li>
 * </ul>
 * Times inside Redis are Redis's own ({@code TIME}); an answer's "until" is turned into this
 * instance's clock by its distance from Redis's "now".
 */
public final class RedisQuota implements SharedQuota {

    private static final Logger LOG = LoggerFactory.getLogger(RedisQuota.class);
    /** The limits' reading and the "full since last empty" marks admit.lua and sent.lua share, in front of each. */
    private static final String LIMITS = SharedRedis.script("limits.lua");
    private static final String ADMIT = LIMITS + SharedRedis.script("admit.lua");
    private static final String SENT = LIMITS + SharedRedis.script("sent.lua");
    private static final String HOLD = SharedRedis.script("hold.lua");
    private static final String NTH = SharedRedis.script("nth.lua");
    /** While Redis is down a request asks again this soon. */
    static final Duration UNAVAILABLE_RETRY = Duration.ofMillis(500);
    private static final Duration LEARNED_KEPT = Duration.ofDays(1);

    private final SharedRedis redis;
    private final String prefix;
    private final QuotaSettings settings;
    private final Clock clock;
    private final List<String> configuredLimits = new ArrayList<>();
    private final String provider;
    private final String model;
    private final AdmissionTimings timings = new AdmissionTimings();
    /**
     * The last Wait Redis gave: nothing can be admitted before it (other instances only add to the
     * windows), so until then the answer is given without asking again. Guarded by this.
     */
    private Admission.Wait lastWait;

    public RedisQuota(SharedRedis redis, String provider, String model, QuotaSettings settings, Clock clock) {
        this.redis = redis;
        this.prefix = prefix(provider, model);
        this.provider = provider;
        this.model = model;
        this.settings = settings;
        this.clock = clock;
        settings.requestLimits().forEach(limit -> configuredLimits.addAll(describe("requests", limit)));
        settings.imageLimits().forEach(limit -> configuredLimits.addAll(describe("images", limit)));
    }

    /** {@code gib:{provider:model}:}, the common start of this provider's keys. */
    static String prefix(String provider, String model) {
        return "gib:{" + provider + ":" + model + "}:";
    }

    @Override
    public synchronized Admission admit(long ticket, int images) {
        Instant now = clock.instant();
        if (lastWait != null && now.isBefore(lastWait.until())) {
            return lastWait;
        }
        LocalDate day = now.atZone(settings.resetZone()).toLocalDate();
        long toReset = Math.max(1, Duration.between(now, DailyReset.next(now, settings.resetZone())).toMillis());
        List<String> keys = List.of(prefix + "paused", prefix + "closed", prefix + "log:requests", prefix + "log:images",
                prefix + "last", prefix + "learned", prefix + "day:" + day + ":requests", prefix + "day:" + day + ":images",
                prefix + "filled");
        List<String> args = new ArrayList<>(List.of(admissionId(ticket), Integer.toString(images), Long.toString(toReset),
                Double.toString(Spreading.FACTOR), Long.toString(Spreading.LONGEST_PERIOD.toMillis()),
                Integer.toString(Spreading.GIVEN_BACK_SHARE)));
        args.addAll(limitArgs());
        List<?> answer;
        long asked = System.nanoTime();
        try {
            answer = (List<?>) redis.eval(ADMIT, keys, args);
        } catch (SharedStoreUnavailableException e) {
            timings.unreachable();
            return new Admission.Wait(now.plus(UNAVAILABLE_RETRY), redis.waitReason());
        }
        long roundTrip = System.nanoTime() - asked;
        long code = (Long) answer.get(0);
        long serverNow = (Long) answer.get(1);
        long until = (Long) answer.get(2);
        String reason = String.valueOf(answer.get(3));
        if (code == 1) {
            long ready = (Long) answer.get(4);
            timings.granted(roundTrip, ready < 0 ? -1 : Math.max(0, serverNow - ready));
            return new Admission.Granted(ticket);
        }
        Instant localUntil = now.plusMillis(Math.max(1, until - serverNow));
        if (code == 0) {
            timings.waited(roundTrip);
            lastWait = new Admission.Wait(localUntil, reason);
            return lastWait;
        }
        timings.closed(roundTrip);
        return new Admission.Closed(localUntil, reason);
    }

    @Override
    public void sent(long ticket, int images) {
        List<String> args = new ArrayList<>(List.of(admissionId(ticket), Integer.toString(images)));
        args.addAll(limitArgs());
        quietly("count a request from when it left", () -> timings.sent((Long) redis.eval(SENT,
                List.of(prefix + "log:requests", prefix + "log:images", prefix + "learned", prefix + "filled"), args)));
    }

    /** The configured limits as the scripts read them: how many, then 6 values each. */
    private List<String> limitArgs() {
        List<String> args = new ArrayList<>();
        args.add(Integer.toString(configuredLimits.size() / 6));
        args.addAll(configuredLimits);
        return args;
    }

    /**
     * One line on how this instance's shared admissions went (asked, admitted, waits; round trip,
     * lateness after the shared window had room, admission to sending); null when it never asked.
     */
    String timings() {
        return timings.granted() == 0 ? null
                : "Shared quota for " + provider + " (" + model + ") in instance " + redis.instance() + ": " + timings.summary() + ".";
    }

    @Override
    public void paused(Instant until, String reason) {
        hold("paused", until, reason);
    }

    @Override
    public void closed(Instant until, String reason) {
        // A close for good (no quota for the model, refused credentials) stays with this instance:
        // kept in Redis it would outlive the fix (a new key, billing turned on) without anyone noticing.
        if (until != null && !until.equals(Instant.MAX)) {
            hold("closed", until, reason);
        }
    }

    @Override
    public void learned(boolean images, Limit limit, Duration span, String text) {
        String unit = images ? "images" : "requests";
        String value = String.join("|", describe(unit, limit, span, text));
        quietly("share a learned limit", () -> redis.call(jedis -> {
            // one field per unit, kind and N: a later, longer estimate of the same limit replaces the earlier one
            jedis.hset(prefix + "learned", unit + " " + (limit.calendarDay() ? "day " : "sliding ") + limit.permits(), value);
            return jedis.pexpire(prefix + "learned", LEARNED_KEPT.toMillis());
        }));
        LOG.info("Shared quota for {} ({}): {} ({}) learned from a 429 by instance {}, paces every instance from now on",
                provider, model, text, unit, redis.instance());
    }

    @Override
    public Instant nthMostRecentAccepted(boolean images, long n) {
        String log = prefix + (images ? "log:images" : "log:requests");
        try {
            long ago = (Long) redis.eval(NTH, List.of(log), List.of(Long.toString(n), redis.instance() + "#"));
            return ago < 0 ? null : clock.instant().minusMillis(ago);
        } catch (SharedStoreUnavailableException e) {
            return null;
        }
    }

    private void hold(String what, Instant until, String reason) {
        if (until == null) {
            return;
        }
        long millis = Duration.between(clock.instant(), until).toMillis();
        if (millis <= 0) {
            return;
        }
        String shared = reason + " (seen by instance " + redis.instance() + ")";
        quietly("share the " + what + " state", () -> redis.eval(HOLD, List.of(prefix + what),
                List.of(Long.toString(millis), shared)));
    }

    private String admissionId(long ticket) {
        return redis.instance() + "#" + ticket;
    }

    private List<String> describe(String unit, Limit limit) {
        Duration span = limit.calendarDay() ? limit.period() : limit.period().plus(settings.marginFor(limit.period()));
        return describe(unit, limit, span, limit.toString());
    }

    private static List<String> describe(String unit, Limit limit, Duration span, String text) {
        return List.of(unit, limit.calendarDay() ? "day" : "sliding", Long.toString(limit.permits()),
                Long.toString(limit.period().toMillis()), Long.toString(span.toMillis()), text.replace('|', '/'));
    }

    /** What only informs the others is not worth waiting for: when Redis is down it is dropped (said once by SharedRedis). */
    private static void quietly(String what, Runnable command) {
        try {
            command.run();
        } catch (SharedStoreUnavailableException e) {
            LOG.debug("could not {}: {}", what, e.getMessage());
        }
    }
}
