package io.github.geminiimagebatch.shared;

import io.github.geminiimagebatch.config.ConfigException;
import io.github.geminiimagebatch.secret.Secrets;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisNoScriptException;
import redis.clients.jedis.util.JedisURIHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * The connection to the Redis that instances share ({@code imagegen.shared.redisUrl}), and whether
 * it is reachable. Every command goes through {@link #call}: when Redis cannot be reached it says
 * so in one log line (and once more when it is back), and throws
 * {@link SharedStoreUnavailableException} so the caller sends nothing.
 */
public final class SharedRedis implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger("gemini-image-batch");
    private static final int TIMEOUT_MILLIS = 2000;
    private static final Map<String, String> SHAS = new ConcurrentHashMap<>();

    private final UnifiedJedis client;
    private final String address;
    private final String instance;
    private final Clock clock;
    private Instant downSince;
    private String downReason;
    private final List<Runnable> reconnectListeners = new CopyOnWriteArrayList<>();

    SharedRedis(UnifiedJedis client, String address, String instance, Clock clock) {
        this.client = client;
        this.address = address;
        this.instance = instance;
        this.clock = clock;
    }

    /**
     * Connects to {@code url} (redis:// or rediss://, with user, password and database as in the URL).
     * An unreachable Redis is not a start-up error: the instance starts and waits for it, sending nothing.
     *
     * @throws ConfigException when the URL is not a Redis URL
     */
    public static SharedRedis connect(String url, String instance, Clock clock) throws ConfigException {
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (URISyntaxException e) {
            uri = null;
        }
        if (uri == null || !JedisURIHelper.isValid(uri) || uri.getHost() == null
                || !(JedisURIHelper.isRedisScheme(uri) || JedisURIHelper.isRedisSSLScheme(uri))) {
            throw new ConfigException("The setting imagegen.shared.redisUrl is '" + Secrets.redact(url) + "', which is not a"
                    + " Redis URL; write redis://HOST:PORT (or rediss://, redis://:PASSWORD@HOST:PORT/DB), e.g."
                    + " redis://127.0.0.1:6379, or leave it empty to share nothing.");
        }
        HostAndPort hostAndPort = JedisURIHelper.getHostAndPort(uri);
        String password = JedisURIHelper.getPassword(uri);
        if (password != null) {
            Secrets.register(password);
        }
        DefaultJedisClientConfig config = DefaultJedisClientConfig.builder()
                .user(JedisURIHelper.getUser(uri))
                .password(password)
                .database(JedisURIHelper.getDBIndex(uri))
                .ssl(JedisURIHelper.isRedisSSLScheme(uri))
                .connectionTimeoutMillis(TIMEOUT_MILLIS)
                .socketTimeoutMillis(TIMEOUT_MILLIS)
                .clientName("gemini-image-batch:" + instance.replaceAll("\\s", "_"))
                .build();
        GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
        pool.setMaxTotal(32);
        pool.setMaxWait(Duration.ofMillis(TIMEOUT_MILLIS));
        pool.setJmxEnabled(false);
        UnifiedJedis client = RedisClient.builder().hostAndPort(hostAndPort).clientConfig(config).poolConfig(pool).build();
        SharedRedis redis = new SharedRedis(client, hostAndPort.toString(), instance, clock);
        try {
            redis.call(jedis -> jedis.ping());
            LOG.info("Shared state: Redis at {}; this instance is '{}'.", redis.address, instance);
        } catch (SharedStoreUnavailableException e) {
            // said in one line by call(); the instance waits for Redis
        } catch (JedisDataException e) {
            client.close();
            throw new ConfigException("Redis at " + redis.address + " (imagegen.shared.redisUrl) refused us: "
                    + Secrets.redact(String.valueOf(e.getMessage())) + ". Check the user and password in the URL.");
        }
        return redis;
    }

    /** The name of this instance (imagegen.instance), written into claims and shared reasons. */
    public String instance() {
        return instance;
    }

    /** host:port, never the password. */
    public String address() {
        return address;
    }

    /**
     * Runs one command. A Redis error reply (a defect, a refused password) is rethrown as is; a
     * connection problem marks Redis down and throws {@link SharedStoreUnavailableException}.
     */
    public <T> T call(Function<UnifiedJedis, T> command) {
        T result;
        try {
            result = command.apply(client);
        } catch (JedisDataException e) {
            throw e;
        } catch (JedisException e) {
            throw wentDown(e);
        }
        cameBack();
        return result;
    }

    /** Runs a Lua script by its SHA (sending the text again when Redis does not know it, e.g. after a restart). */
    public Object eval(String script, List<String> keys, List<String> args) {
        String sha = SHAS.computeIfAbsent(script, SharedRedis::sha1);
        return call(jedis -> {
            try {
                return jedis.evalsha(sha, keys, args);
            } catch (JedisNoScriptException e) {
                return jedis.eval(script, keys, args);
            }
        });
    }

    private static String sha1(String script) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs {@code listener} each time Redis is reachable again after being down (it may have lost its data). */
    public void onReconnect(Runnable listener) {
        reconnectListeners.add(listener);
    }

    /** Asks Redis whether it is there, so {@link #up} is current even when nothing else is being sent. */
    public void probe() {
        try {
            call(jedis -> jedis.ping());
        } catch (SharedStoreUnavailableException e) {
            // up() now says so
        }
    }

    /** Whether the last command reached Redis. */
    public synchronized boolean up() {
        return downSince == null;
    }

    /** One sentence for health and logs: reachable, or since when and why not. */
    public synchronized String status() {
        if (downSince == null) {
            return "Redis at " + address + " is reachable";
        }
        return "Redis at " + address + " is unreachable since " + downSince + " (" + downReason + "); this instance"
                + " sends nothing until it is back";
    }

    /** The reason a request waits while Redis is down. */
    String waitReason() {
        return "the shared quota (Redis at " + address + ") is unreachable; sending nothing until it is back";
    }

    private synchronized SharedStoreUnavailableException wentDown(JedisException e) {
        String why = Secrets.redact(String.valueOf(e.getMessage()));
        if (downSince == null) {
            downSince = clock.instant();
            downReason = why;
            LOG.error("Shared state: Redis at {} is unreachable ({}). This instance sends NOTHING until it is back;"
                    + " work stays pending and nothing is lost.", address, why);
        }
        return new SharedStoreUnavailableException(status(), e);
    }

    private void cameBack() {
        Instant since;
        synchronized (this) {
            since = downSince;
            if (since == null) {
                return;
            }
            downSince = null;
            downReason = null;
        }
        LOG.info("Shared state: Redis at {} is reachable again after {} s; sending resumes.", address,
                Duration.between(since, clock.instant()).toSeconds());
        reconnectListeners.forEach(Runnable::run);
    }

    static String script(String name) {
        try (InputStream in = SharedRedis.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing script " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
