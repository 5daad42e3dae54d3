package io.github.geminiimagebatch.shared;

import io.github.geminiimagebatch.config.ConfigException;
import io.github.geminiimagebatch.config.Settings;
import io.github.geminiimagebatch.quota.SharedQuota;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** imagegen.shared.* settings: nothing shared when unset, clear start-up errors, an absent Redis is waited for. */
class SharedStateTest {

    private static Settings settings(Map<String, String> values) {
        return Settings.of(values);
    }

    @Test
    void unsetSharesNothing() throws Exception {
        try (SharedState state = SharedState.from(settings(Map.of("imagegen.shared.redisUrl", "",
                "imagegen.instance", "")), Clock.systemUTC())) {
            assertThat(state.shared()).isFalse();
            assertThat(state.claims()).isSameAs(ItemClaims.LOCAL_ONLY);
            assertThat(state.quotas(Clock.systemUTC())).isSameAs(SharedQuota.NOT_SHARED);
            assertThat(state.instance()).matches(".+-\\d+");
        }
    }

    @Test
    void aUrlThatIsNotRedisIsAStartUpErrorSayingWhatToWrite() {
        assertThatThrownBy(() -> SharedState.from(settings(Map.of("imagegen.shared.redisUrl", "http://cache:6379",
                "imagegen.shared.claimLease", "60s")), Clock.systemUTC()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("imagegen.shared.redisUrl is 'http://cache:6379'")
                .hasMessageContaining("redis://HOST:PORT");
    }

    @Test
    void aLeaseTooShortToRenewIsRefused() {
        assertThatThrownBy(() -> SharedState.from(settings(Map.of("imagegen.shared.redisUrl", "redis://127.0.0.1:6379",
                "imagegen.shared.claimLease", "100ms")), Clock.systemUTC()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("imagegen.shared.claimLease");
    }

    @Test
    void anUnreachableRedisIsNoStartUpErrorButIsReportedWithoutThePassword() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            port = socket.getLocalPort();
        }
        try (SharedState state = SharedState.from(settings(Map.of(
                "imagegen.shared.redisUrl", "redis://:s3cret-pass@127.0.0.1:" + port,
                "imagegen.shared.claimLease", "60s", "imagegen.instance", "worker-7")), Clock.systemUTC())) {
            SharedRedis redis = state.redis().orElseThrow();
            assertThat(redis.up()).isFalse();
            assertThat(redis.status()).contains("127.0.0.1:" + port).contains("unreachable").doesNotContain("s3cret");
            assertThat(state.instance()).isEqualTo("worker-7");
            assertThat(state.claims().claim("k")).isInstanceOf(ItemClaims.Unavailable.class);
        }
    }
}
