package io.github.geminiimagebatch.shared;

import io.github.geminiimagebatch.testing.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Item claims of two instances against a real redis-server. */
class RedisClaimsTest {

    private static final String KEY = "3f2a9c";

    @TempDir
    Path tmp;
    RedisServer server;
    final List<AutoCloseable> opened = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = RedisServer.start(tmp);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : opened) {
            c.close();
        }
        server.close();
    }

    private RedisClaims instance(String name, Duration lease) throws Exception {
        SharedRedis redis = SharedRedis.connect(server.url(), name, Clock.systemUTC());
        RedisClaims claims = new RedisClaims(redis, lease);
        opened.add(claims);
        opened.add(redis);
        return claims;
    }

    @Test
    void aKeyClaimedByOneInstanceIsHeldForTheOtherAndDoneForeverOnceMade() throws Exception {
        RedisClaims a = instance("a", Duration.ofSeconds(1));
        RedisClaims b = instance("b", Duration.ofSeconds(1));

        assertThat(a.claim(KEY)).isEqualTo(new ItemClaims.Mine());
        assertThat(b.claim(KEY)).isEqualTo(new ItemClaims.Held("a"));
        Thread.sleep(1500);
        assertThat(b.claim(KEY)).as("a keeps renewing its lease while it works").isEqualTo(new ItemClaims.Held("a"));

        a.finished(KEY, "lighthouses/0001.png");
        assertThat(b.claim(KEY)).isEqualTo(new ItemClaims.Done("a", "lighthouses/0001.png"));
        assertThat(a.claim(KEY)).isEqualTo(new ItemClaims.Done("a", "lighthouses/0001.png"));
        assertThat(server.command("PTTL", "gib:{item:" + KEY + "}:done")).as("kept for good").contains(":-1");
    }

    @Test
    void anItemSettledWithoutAnImageIsFreeForTheNextInstance() throws Exception {
        RedisClaims a = instance("a", Duration.ofSeconds(30));
        RedisClaims b = instance("b", Duration.ofSeconds(30));
        assertThat(a.claim(KEY)).isEqualTo(new ItemClaims.Mine());
        a.finished(KEY, null);
        assertThat(b.claim(KEY)).isEqualTo(new ItemClaims.Mine());
    }

    @Test
    void theLeaseOfAnInstanceThatStoppedRenewingRunsOutAndAnotherTakesTheItem() throws Exception {
        RedisClaims a = instance("a", Duration.ofMillis(600));
        RedisClaims b = instance("b", Duration.ofMillis(600));
        assertThat(a.claim(KEY)).isEqualTo(new ItemClaims.Mine());
        a.close();

        assertThat(b.claim(KEY)).isEqualTo(new ItemClaims.Held("a"));
        Thread.sleep(800);
        assertThat(b.claim(KEY)).isEqualTo(new ItemClaims.Mine());
    }

    @Test
    void withRedisGoneNoClaimIsGivenAndADoneMarkIsWrittenWhenItIsBackEvenIfItLostItsData() throws Exception {
        RedisClaims a = instance("a", Duration.ofMillis(900));
        assertThat(a.claim(KEY)).isEqualTo(new ItemClaims.Mine());

        server.stop();
        assertThat(a.claim("other")).isInstanceOf(ItemClaims.Unavailable.class);
        a.finished(KEY, "lighthouses/0001.png");

        server.restart();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!server.command("GET", "gib:{item:" + KEY + "}:done").contains("lighthouses") && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        RedisClaims b = instance("b", Duration.ofSeconds(5));
        assertThat(b.claim(KEY)).isEqualTo(new ItemClaims.Done("a", "lighthouses/0001.png"));
    }
}
