package io.github.geminiimagebatch.web;

import io.github.geminiimagebatch.config.ConfigException;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WebAccessTest {

    private static final String TOKEN = "0123456789abcdef-token";

    @Test
    void loopbackNeedsNoTokenAndLetsEveryoneOnThisMachineIn() throws ConfigException {
        for (String host : new String[] {"127.0.0.1", "localhost", "::1", "127.0.0.2"}) {
            WebAccess access = WebAccess.forBind(host, Optional.empty());
            assertThat(access.tokenRequired()).as(host).isFalse();
            assertThat(access.allows(null)).isTrue();
        }
    }

    @Test
    void anyOtherBindWithoutATokenIsRefusedWithWhatToDo() {
        for (String host : new String[] {"0.0.0.0", "::", "192.0.2.10", "no-such-host.invalid"}) {
            assertThatThrownBy(() -> WebAccess.forBind(host, Optional.empty())).as(host)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("imagegen.web.token").hasMessageContaining("camel.management.host=127.0.0.1");
            assertThatThrownBy(() -> WebAccess.forBind(host, Optional.of("  "))).isInstanceOf(ConfigException.class);
        }
    }

    @Test
    void withATokenOnlyTheExactTokenIsLetIn() throws ConfigException {
        for (String host : new String[] {"0.0.0.0", "127.0.0.1"}) {
            WebAccess access = WebAccess.forBind(host, Optional.of(TOKEN));
            assertThat(access.tokenRequired()).isTrue();
            assertThat(access.allows(TOKEN)).isTrue();
            assertThat(access.allows(null)).isFalse();
            assertThat(access.allows("")).isFalse();
            assertThat(access.allows(TOKEN + "x")).isFalse();
            assertThat(access.allows(TOKEN.substring(1))).isFalse();
        }
    }

    @Test
    void aShortTokenIsRefused() {
        assertThatThrownBy(() -> WebAccess.forBind("0.0.0.0", Optional.of("short")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("16 characters")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("short "));
    }

    @Test
    void withoutATokenOnlyLoopbackHostNamesAreServed() throws ConfigException {
        WebAccess open = WebAccess.forBind("127.0.0.1", Optional.empty());
        for (String host : new String[] {"127.0.0.1", "127.0.0.2", "localhost", "LOCALHOST", "::1", "[::1]"}) {
            assertThat(open.hostAllowed(host)).as(host).isTrue();
        }
        for (String host : new String[] {"evil.example", "127.0.0.1.evil.example", "localhost.evil.example", "192.0.2.1",
                "", "  ", "[2001:db8::1]", "0.0.0.0"}) {
            assertThat(open.hostAllowed(host)).as(host).isFalse();
        }
        assertThat(open.hostAllowed(null)).isFalse();
        assertThat(WebAccess.forBind("0.0.0.0", Optional.of(TOKEN)).hostAllowed("status.example")).isTrue();
    }

    @Test
    void bearerHeadersAreRead() {
        assertThat(WebAccess.bearer("Bearer abc")).isEqualTo("abc");
        assertThat(WebAccess.bearer("bearer  abc ")).isEqualTo("abc");
        assertThat(WebAccess.bearer("Basic abc")).isNull();
        assertThat(WebAccess.bearer(null)).isNull();
    }
}
