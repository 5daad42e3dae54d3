package io.github.geminiimagebatch.shared;

import io.github.geminiimagebatch.quota.Admission;
import io.github.geminiimagebatch.quota.Limits;
import io.github.geminiimagebatch.quota.ProviderQuota;
import io.github.geminiimagebatch.quota.QuotaSettings;
import io.github.geminiimagebatch.quota.ThrottleKind;
import io.github.geminiimagebatch.quota.ThrottleSignal;
import io.github.geminiimagebatch.testing.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two instances' quotas (two connections, two instance names) against one real redis-server: the
 * window, pause, close and learned limits of one bind the other; with Redis gone nothing is admitted.
 */
class RedisQuotaTest {

    private static final ZoneId PACIFIC = ZoneId.of("America/Los_Angeles");
    private static final String REQUESTS_LOG = "gib:{aistudio:gemini-3.1-flash-image}:log:requests";

    @TempDir
    Path tmp;
    RedisServer server;
    final List<SharedRedis> connections = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = RedisServer.start(tmp);
    }

    @AfterEach
    void stop() throws Exception {
        connections.forEach(SharedRedis::close);
        server.close();
    }

    private ProviderQuota instance(String name, String limits) throws Exception {
        return new ProviderQuota("aistudio", settings(limits), Clock.systemUTC(), new Random(1), shared(name, limits));
    }

    private RedisQuota shared(String name, String limits) throws Exception {
        SharedRedis redis = SharedRedis.connect(server.url(), name, Clock.systemUTC());
        connections.add(redis);
        return new RedisQuota(redis, "aistudio", "gemini-3.1-flash-image", settings(limits), Clock.systemUTC());
    }

    private static QuotaSettings settings(String limits) {
        return new QuotaSettings(Limits.parse(limits, "limits"), List.of(), PACIFIC, Duration.ofMillis(50));
    }

    private long score(String key, String member) throws Exception {
        String reply = server.command("ZSCORE", key, member);
        return Long.parseLong(reply.lines().skip(1).findFirst().orElseThrow().strip());
    }

    @Test
    void twoInstancesTogetherGetTheLimitOnceNotTwice() throws Exception {
        ProviderQuota a = instance("a", "6/3s");
        ProviderQuota b = instance("b", "6/3s");
        int granted = 0;
        Instant end = Instant.now().plusMillis(1500);
        Admission last = null;
        while (Instant.now().isBefore(end)) {
            for (ProviderQuota q : List.of(a, b)) {
                last = q.tryAdmit(1);
                if (last instanceof Admission.Granted) {
                    granted++;
                }
            }
            Thread.sleep(20);
        }
        // spreading (0.5 x 3s/6 = 250 ms apart) admits at most 6 in 1.5 s between both; alone, each would take 6
        assertThat(granted).isBetween(4, 6);
        assertThat(server.command("ZCARD", "gib:{aistudio:gemini-3.1-flash-image}:log:requests")).contains(":" + granted);
    }

    @Test
    void aFullWindowMakesTheOtherInstanceWaitUntilTheOldestAdmissionLeavesIt() throws Exception {
        ProviderQuota a = instance("a", "3/2s");
        ProviderQuota b = instance("b", "3/2s");
        List<Instant> grants = new ArrayList<>();
        while (grants.size() < 3) {
            if (a.tryAdmit(1) instanceof Admission.Granted) {
                grants.add(Instant.now());
            }
            Thread.sleep(10);
        }
        Admission other = b.tryAdmit(1);
        assertThat(other).isInstanceOf(Admission.Wait.class);
        Admission.Wait wait = (Admission.Wait) other;
        assertThat(wait.reason()).isEqualTo("pacing under 3/2s (requests) with the other instances");
        // the first admission ages out 2 s + 50 ms + 1% after it was made
        assertThat(Duration.between(grants.get(0), wait.until()).toMillis()).isBetween(1900L, 2250L);
    }

    @Test
    void aRequestCountsFromItsSendingInTheWindowButTheSpreadingCountsFromItsAdmission() throws Exception {
        RedisQuota a = shared("a", "10/1s");
        RedisQuota b = shared("b", "10/1s");
        String log = "gib:{aistudio:gemini-3.1-flash-image}:log:requests";
        assertThat(a.admit(1, 0)).isInstanceOf(Admission.Granted.class);
        long admitted = score(log, "a#1");
        Thread.sleep(120);
        a.sent(1, 0);
        // the window counts it from when it left, as the server does
        assertThat(score(log, "a#1") - admitted).isBetween(120L, 1000L);
        // the spreading (0.5 x 1 s / 10 = 50 ms) runs from the admission, 120 ms ago: b may go at once
        assertThat(b.admit(1, 0)).isInstanceOf(Admission.Granted.class);
        Admission spread = a.admit(2, 0);
        assertThat(spread).isInstanceOf(Admission.Wait.class);
        assertThat(((Admission.Wait) spread).reason()).isEqualTo("spreading requests under 10/s with the other instances");

        assertThat(a.timings()).startsWith("Shared quota for aistudio (gemini-3.1-flash-image) in instance a: asked Redis 2 times"
                + " (1 admitted, 1 told to wait, 0 closed), 0 not asked while it was unreachable; an admission took a median ")
                .containsPattern("; sent a median (1[2-9][0-9]|[2-9][0-9][0-9]) ms \\(p90 [0-9]+ ms, max [0-9]+ ms, 1 samples\\) after admission\\.$");
        assertThat(b.timings()).contains("1 admitted").containsPattern("admitted a median [0-9]+ ms .* after the shared windows had room");
    }

    @Test
    void placesAFullWindowGivesBackAreTakenAtOnceUpToATenthOfItAndNoWindowEverHoldsMoreThanTheLimit() throws Exception {
        RedisQuota a = shared("a", "40/4s");
        RedisQuota b = shared("b", "40/4s");
        long span = 4_000 + 50 + 40;
        admitInTurn(List.of(a, b), 40, 1);
        List<Long> first = scores(REQUESTS_LOG);
        assertThat(first).hasSize(40);
        for (int i = 1; i < 40; i++) {
            assertThat(first.get(i) - first.get(i - 1)).as("the first window is spread").isGreaterThanOrEqualTo(50L);
        }
        // woken late: the places of the three oldest admissions (50 ms or more apart) are free together
        sleepUntil(first.get(2) + span + 10);
        for (int i = 0; i < 3; i++) {
            assertThat(List.of(a, b).get(i % 2).admit(100 + i, 0)).as("given-back place %d", i).isInstanceOf(Admission.Granted.class);
        }
        // room for more than a tenth of the window is a gap in the work: spread again
        sleepUntil(first.get(12) + span + 10);
        assertThat(a.admit(200, 0)).isInstanceOf(Admission.Granted.class);
        Admission spread = b.admit(201, 0);
        assertThat(spread).isInstanceOf(Admission.Wait.class);
        assertThat(((Admission.Wait) spread).reason()).isEqualTo("spreading requests under 40/4s with the other instances");

        List<Long> all = scores(REQUESTS_LOG);
        assertThat(all).hasSize(44);
        for (int i = 40; i < all.size(); i++) {
            assertThat(all.get(i) - all.get(i - 40)).as("admission %d, 40 after another", i).isGreaterThanOrEqualTo(span);
        }
    }

    @Test
    void aWindowThatEmptiedSpreadsItsNextBatchAgainToTheLastPlace() throws Exception {
        RedisQuota a = shared("a", "10/1s");
        RedisQuota b = shared("b", "10/1s");
        admitInTurn(List.of(a, b), 10, 1);
        sleepUntil(scores(REQUESTS_LOG).get(9) + 1_060 + 10);
        // full before, but empty since: its last place is not one given back
        admitInTurn(List.of(a, b), 10, 100);
        List<Long> second = scores(REQUESTS_LOG).subList(10, 20);
        for (int i = 1; i < 10; i++) {
            assertThat(second.get(i) - second.get(i - 1)).as("admission %d of the second batch", i).isGreaterThanOrEqualTo(50L);
        }
    }

    /** Asks the instances in turn, sleeping until each Wait ends, until {@code count} are granted (tickets from {@code firstTicket}). */
    private static void admitInTurn(List<RedisQuota> instances, int count, long firstTicket) throws InterruptedException {
        long ticket = firstTicket;
        int granted = 0;
        for (int turn = 0; granted < count; turn++) {
            Admission admission = instances.get(turn % instances.size()).admit(ticket, 0);
            if (admission instanceof Admission.Granted) {
                granted++;
                ticket++;
            } else {
                sleepUntil(((Admission.Wait) admission).until().toEpochMilli());
            }
        }
    }

    private static void sleepUntil(long epochMillis) throws InterruptedException {
        Thread.sleep(Math.max(0, epochMillis - System.currentTimeMillis()));
    }

    /** The scores (Redis time, ms) of a sorted set, lowest first. */
    private List<Long> scores(String key) throws Exception {
        List<String> values = server.command("ZRANGE", key, "0", "-1", "WITHSCORES").lines()
                .filter(line -> !line.startsWith("*") && !line.startsWith("$")).toList();
        List<Long> scores = new ArrayList<>();
        for (int i = 1; i < values.size(); i += 2) {
            scores.add(Long.parseLong(values.get(i).strip()));
        }
        return scores;
    }

    @Test
    void aLearnedWindowIsMeasuredFromTheAdmissionsBeforeTheRefusedOneNotFromThoseOthersMadeAfterIt() throws Exception {
        RedisQuota a = shared("a", "");
        RedisQuota b = shared("b", "");
        List<Instant> before = new ArrayList<>();
        for (long ticket = 1; ticket <= 3; ticket++) {
            before.add(Instant.now());
            assertThat(a.admit(ticket, 0)).isInstanceOf(Admission.Granted.class);
            Thread.sleep(30);
        }
        // a's third is the refused one; b's two went after it, so they were not in the server's window
        assertThat(b.admit(1, 0)).isInstanceOf(Admission.Granted.class);
        assertThat(b.admit(2, 0)).isInstanceOf(Admission.Granted.class);

        Instant secondBefore = a.nthMostRecentAccepted(false, 2);
        assertThat(secondBefore).isBetween(before.get(0).minusMillis(5), before.get(1));
        assertThat(a.nthMostRecentAccepted(false, 3)).isNull();
    }

    @Test
    void aPauseAfterA429OnOneInstanceHoldsTheOther() throws Exception {
        ProviderQuota a = instance("a", "");
        ProviderQuota b = instance("b", "");
        assertThat(a.tryAdmit(1)).isInstanceOf(Admission.Granted.class);
        a.onThrottled(new ThrottleSignal(ThrottleKind.PER_MINUTE, Duration.ofSeconds(5), false, null, null, "s"));

        Admission held = b.tryAdmit(1);
        assertThat(held).isInstanceOf(Admission.Wait.class);
        assertThat(((Admission.Wait) held).reason()).contains("per-minute").contains("seen by instance a");
        assertThat(Duration.between(Instant.now(), ((Admission.Wait) held).until()).toMillis()).isBetween(4000L, 5400L);
    }

    @Test
    void aPerDay429OnOneInstanceClosesTheOtherUntilTheReset() throws Exception {
        ProviderQuota a = instance("a", "");
        ProviderQuota b = instance("b", "");
        assertThat(a.tryAdmit(1)).isInstanceOf(Admission.Granted.class);
        a.onThrottled(new ThrottleSignal(ThrottleKind.PER_DAY, Duration.ofSeconds(20), false, "PerDay", 3L, "s"));

        Admission closed = b.tryAdmit(1);
        assertThat(closed).isInstanceOf(Admission.Closed.class);
        assertThat(((Admission.Closed) closed).reason()).contains("per-day quota on aistudio exhausted")
                .contains("seen by instance a");
        Instant reset = a.nextDailyReset();
        assertThat(Duration.between(reset, ((Admission.Closed) closed).until()).abs()).isLessThan(Duration.ofSeconds(2));
        assertThat(b.snapshot().closedUntil()).isEqualTo(((Admission.Closed) closed).until());
        assertThat(server.command("HGET", "gib:{aistudio:gemini-3.1-flash-image}:learned", "requests day 3"))
                .contains("requests|day|3|");
    }

    @Test
    void aLimitLearnedByOneInstanceBindsTheOther() throws Exception {
        ProviderQuota a = instance("a", "");
        ProviderQuota b = instance("b", "");
        for (int i = 0; i < 3; i++) {
            assertThat(a.tryAdmit(1)).isInstanceOf(Admission.Granted.class);
        }
        // the third is refused: 2 per window, and the older admission leaves the server's window in 1.5 s
        a.onThrottled(new ThrottleSignal(ThrottleKind.PER_MINUTE, Duration.ofMillis(1500), false,
                "GenerateRequestsPerMinutePerProjectPerModel", 2L, "s"));
        server.command("DEL", "gib:{aistudio:gemini-3.1-flash-image}:paused");

        Admission held = b.tryAdmit(1);
        assertThat(held).isInstanceOf(Admission.Wait.class);
        assertThat(((Admission.Wait) held).reason()).startsWith("pacing under learned limit 2/");
    }

    @Test
    void withRedisGoneNothingIsAdmittedAndOnceBackRequestsGoAgain() throws Exception {
        ProviderQuota a = instance("a", "");
        SharedRedis redis = connections.get(0);
        assertThat(a.tryAdmit(1)).isInstanceOf(Admission.Granted.class);

        server.stop();
        for (int i = 0; i < 5; i++) {
            Admission refused = a.tryAdmit(1);
            assertThat(refused).isInstanceOf(Admission.Wait.class);
            assertThat(((Admission.Wait) refused).reason()).contains("is unreachable; sending nothing until it is back");
            Thread.sleep(100);
        }
        assertThat(redis.up()).isFalse();
        assertThat(redis.status()).contains("unreachable since");

        server.restart();
        Admission again = a.tryAdmit(1);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!(again instanceof Admission.Granted) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            again = a.tryAdmit(1);
        }
        assertThat(again).isInstanceOf(Admission.Granted.class);
        assertThat(redis.up()).isTrue();
        assertThat(a.snapshot().admitted()).isEqualTo(2);
    }
}
