package io.github.geminiimagebatch.web;

import io.github.geminiimagebatch.config.ConfigException;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Who may see the status page and the operator endpoints. On a loopback address anyone on this
 * machine may; any other bind address needs {@code imagegen.web.token}, and then every request must
 * carry it (as {@code Authorization: Bearer}, or the cookie the page sets after {@code /?token=}).
 */
public final class WebAccess {

    public static final String TOKEN_SETTING = "imagegen.web.token";
    static final String COOKIE = "imagegen_token";
    static final int MIN_TOKEN_LENGTH = 16;

    private final byte[] token;

    private WebAccess(String token) {
        this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The access rule for a server bound to {@code host}; refuses to start a non-loopback bind
     * without a token (the page shows every prompt, and the endpoints have no other protection).
     */
    public static WebAccess forBind(String host, Optional<String> token) throws ConfigException {
        Optional<String> set = token.map(String::strip).filter(t -> !t.isEmpty());
        if (set.isPresent() && set.get().length() < MIN_TOKEN_LENGTH) {
            throw new ConfigException(TOKEN_SETTING + " is shorter than " + MIN_TOKEN_LENGTH
                    + " characters: use a long random value (for example the output of: openssl rand -hex 24).");
        }
        if (set.isEmpty() && !isLoopback(host)) {
            throw new ConfigException("camel.management.host=" + host + " makes the status page and /observe endpoints"
                    + " reachable from other machines, and they show every prompt: set " + TOKEN_SETTING
                    + " to a long random value (requests must then carry it), or keep camel.management.host=127.0.0.1.");
        }
        return new WebAccess(set.orElse(null));
    }

    static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException | SecurityException e) {
            return false;
        }
    }

    public boolean tokenRequired() {
        return token != null;
    }

    /** True when no token is set, or {@code offered} is the token (compared in constant time). */
    boolean allows(String offered) {
        return token == null || (offered != null
                && MessageDigest.isEqual(token, offered.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Without a token, only requests addressed to a loopback host (the host part of the request's authority) ({@code 127.0.0.1}, {@code localhost},
     * {@code [::1]}) are served: a web page elsewhere that points its own host name at 127.0.0.1 (DNS
     * rebinding) must not read the prompts through a visitor's browser. With a token, the token decides.
     */
    boolean hostAllowed(String requestedHost) {
        if (token != null) {
            return true;
        }
        if (requestedHost == null || requestedHost.isBlank()) {
            return false;
        }
        String host = requestedHost.strip();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        boolean literal = host.matches("[0-9.]+") || host.contains(":");
        return literal && isLoopback(host);
    }

    /** The token of an {@code Authorization: Bearer <token>} header, or null. */
    static String bearer(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        return authorization.substring(7).strip();
    }
}
