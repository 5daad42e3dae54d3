package io.github.geminiimagebatch.web;

import io.github.geminiimagebatch.config.ConfigException;
import io.github.geminiimagebatch.config.Settings;
import io.github.geminiimagebatch.output.ReadableSink;
import io.github.geminiimagebatch.pipeline.Progress;
import io.github.geminiimagebatch.pipeline.RunState;
import io.github.geminiimagebatch.provider.ProviderRuntime;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.AuthenticationHandler;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.main.ManagementHttpServer;
import org.apache.camel.component.platform.http.vertx.auth.AuthenticationConfig;
import io.vertx.ext.auth.authentication.AuthenticationProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * The status page on Camel's management server (the port of {@code /observe/health}): {@code GET /}
 * (HTML), {@code GET /api/status}, {@code GET /api/status/stream} (the same document every second as
 * server-sent events; the page polls {@code /api/status} where the stream cannot be opened),
 * {@code GET /api/batches/<n>/items?offset=&limit=} (one gallery page) and {@code GET /thumbs?image=B/I.ext}.
 * The access rule of {@link WebAccess} guards every path of that server, {@code /observe/*} included, from
 * the first request it answers: it is the first handler of the server's router before the port opens
 * ({@link #guardFromTheStart}); the page's own paths join once Camel has started ({@link #install}).
 */
public final class StatusPage {

    private static final Logger LOG = LoggerFactory.getLogger(StatusPage.class);
    /** Scripts and styles only from this server, no inline script, no plugins, no framing. */
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
            + " connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    private static final Map<String, String> ASSETS = Map.of(
            "/", "index.html",
            "/assets/status.js", "status.js",
            "/assets/status.css", "status.css");
    /** How often {@code /api/status/stream} sends the status document. */
    private static final long PUSH_MILLIS = 1000;

    private final StatusJson json;
    private final StatusBoard board;
    private final Thumbnails thumbnails;
    private final WebAccess access;
    private final Clock clock;
    /** Set when the management server has built its router with {@link #guard} in front. */
    private volatile boolean guarded;

    /** @param thumbnails null when no output can be read back (the gallery then shows names only) */
    public StatusPage(StatusJson json, StatusBoard board, Thumbnails thumbnails, WebAccess access, Clock clock) {
        this.json = json;
        this.board = board;
        this.thumbnails = thumbnails;
        this.access = access;
        this.clock = clock;
    }

    /**
     * The page of this run. Refuses a management server bound beyond loopback without a token
     * ({@link WebAccess}); the gallery has thumbnails when an output can be read back.
     */
    public static StatusPage forRun(Settings settings, boolean once, RunState run, Progress progress,
                                    Optional<ReadableSink> store, Clock clock) throws ConfigException {
        WebAccess access = settings.find("camel.management.enabled").map(Boolean::parseBoolean).orElse(true)
                ? WebAccess.forBind(settings.find("camel.management.host").orElse("127.0.0.1"),
                        settings.find(WebAccess.TOKEN_SETTING))
                : WebAccess.forBind("127.0.0.1", Optional.empty());
        StatusBoard board = new StatusBoard(clock, run.providers().stream().map(ProviderRuntime::name).toList());
        run.listen(board);
        return new StatusPage(new StatusJson(run, progress, board, once), board,
                store.map(Thumbnails::new).orElse(null), access, clock);
    }

    /**
     * Puts the access rule in front of every path of the management server before that server starts
     * listening. Camel builds the server's Vert.x router from its authentication settings just before
     * it opens the port, so the rule goes in there, as a handler for {@code /*} ahead of everything the
     * server serves ({@code /observe/*}, the page, unknown paths). Call once Camel Main has configured
     * the context and before it starts it.
     */
    public void guardFromTheStart(CamelContext context) {
        ManagementHttpServer server = context.hasService(ManagementHttpServer.class);
        if (server == null) {
            return;
        }
        if (server.isStarting() || server.isStarted()) {
            throw new IllegalStateException("The management server started before the status page could guard it.");
        }
        AuthenticationConfig.AuthenticationConfigEntry everyPath = new AuthenticationConfig.AuthenticationConfigEntry();
        everyPath.setPath("/*");
        everyPath.setAuthenticationProviderFactory(vertx -> null);
        everyPath.setAuthenticationHandlerFactory(new AuthenticationConfig.AuthenticationHandlerFactory() {
            @Override
            public <T extends AuthenticationProvider> AuthenticationHandler createAuthenticationHandler(T none) {
                guarded = true;
                return StatusPage.this::guard;
            }
        });
        AuthenticationConfig authentication = server.getConfiguration().getAuthenticationConfig();
        authentication.getEntries().add(everyPath);
        authentication.setEnabled(true);
    }

    /**
     * Adds the page to the running management server; says so in one line (or why there is none).
     * Refuses to add it to a server that {@link #guardFromTheStart} could not guard.
     */
    public void install(CamelContext context) {
        ManagementHttpServer server = context.hasService(ManagementHttpServer.class);
        if (server == null || server.getRouter() == null) {
            LOG.info("No status page: the management server is off (camel.management.enabled).");
            return;
        }
        if (!guarded) {
            throw new IllegalStateException("The management server on port " + server.getPort() + " was built without"
                    + " the status page's access rule (is another Camel HTTP server on the same port?): set"
                    + " camel.management.port to a port of its own.");
        }
        Router router = server.getRouter();
        ASSETS.forEach((path, resource) -> {
            Buffer body = Buffer.buffer(resource(resource));
            String type = resource.endsWith(".html") ? "text/html; charset=utf-8"
                    : resource.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
            router.get(path).handler(ctx -> common(ctx.response(), type).putHeader("Cache-Control", "no-cache").end(body));
        });
        router.get("/api/status").blockingHandler(this::status, false);
        router.get("/api/status/stream").handler(this::stream);
        router.get("/api/batches/:batch/items").blockingHandler(this::items, false);
        router.get("/thumbs").blockingHandler(this::thumbnail, false);
        LOG.info("Status page: http://{}:{}/{}", server.getHost(), server.getPort(),
                access.tokenRequired() ? " (requests need " + WebAccess.TOKEN_SETTING + ": open /?token=...)" : "");
    }

    private void guard(RoutingContext ctx) {
        // the Host header in HTTP/1.1, the :authority in HTTP/2
        HostAndPort authority = ctx.request().authority();
        if (!access.hostAllowed(authority == null ? null : authority.host())) {
            plain(ctx, 403, "This server answers only requests to 127.0.0.1, localhost or [::1].");
            return;
        }
        String query = ctx.request().getParam("token");
        if (query != null && access.tokenRequired() && access.allows(query)) {
            // the token moves into a cookie the browser sends with every request, and out of the address bar
            ctx.response().addCookie(Cookie.cookie(WebAccess.COOKIE, query).setHttpOnly(true)
                    .setSameSite(CookieSameSite.STRICT).setPath("/"));
            ctx.response().setStatusCode(303).putHeader("Location", "/").end();
            return;
        }
        Cookie cookie = ctx.request().getCookie(WebAccess.COOKIE);
        if (access.allows(WebAccess.bearer(ctx.request().getHeader("Authorization")))
                || (cookie != null && access.allows(cookie.getValue()))) {
            ctx.next();
            return;
        }
        common(ctx.response(), "text/plain; charset=utf-8").setStatusCode(401)
                .putHeader("WWW-Authenticate", "Bearer realm=\"gemini-image-batch\"")
                .end("This server needs " + WebAccess.TOKEN_SETTING + ": open /?token=<token> in a browser, or send"
                        + " the header Authorization: Bearer <token>.\n");
    }

    private void status(RoutingContext ctx) {
        sendJson(ctx, json.status(clock.instant()).toString());
    }

    /**
     * The status document every {@link #PUSH_MILLIS} as a server-sent event, for as long as the page is
     * open. Each document is built off the event loop, as for {@code /api/status}; a reader that does
     * not keep up misses documents instead of piling them up in memory.
     */
    private void stream(RoutingContext ctx) {
        HttpServerResponse response = common(ctx.response(), "text/event-stream; charset=utf-8")
                .putHeader("Cache-Control", "no-store").setChunked(true);
        Vertx vertx = ctx.vertx();
        Handler<Long> push = tick -> {
            if (response.writeQueueFull()) {
                return;
            }
            vertx.executeBlocking(() -> json.status(clock.instant()).toString(), false).onSuccess(document -> {
                if (!response.closed() && !response.ended()) {
                    response.write("data: " + document + "\n\n");
                }
            });
        };
        push.handle(0L);
        long timer = vertx.setPeriodic(PUSH_MILLIS, push);
        response.closeHandler(closed -> vertx.cancelTimer(timer));
    }

    private void items(RoutingContext ctx) {
        Optional<Integer> batch = number(ctx.pathParam("batch"));
        Optional<Integer> offset = number(Optional.ofNullable(ctx.request().getParam("offset")).orElse("0"));
        Optional<Integer> limit = number(Optional.ofNullable(ctx.request().getParam("limit")).orElse("48"));
        if (batch.isEmpty() || offset.isEmpty() || limit.isEmpty()) {
            plain(ctx, 400, "batch, offset and limit must be whole numbers");
            return;
        }
        json.items(batch.get(), offset.get(), limit.get()).ifPresentOrElse(page -> sendJson(ctx, page.toString()),
                () -> plain(ctx, 404, "no such batch in this run"));
    }

    private void thumbnail(RoutingContext ctx) {
        String image = ctx.request().getParam("image");
        Optional<String> refused = Thumbnails.refusal(image);
        if (refused.isPresent()) {
            plain(ctx, 400, "refused: " + refused.get());
            return;
        }
        if (thumbnails == null || !board.isStoredImage(image)) {
            plain(ctx, 404, "no such image in this run");
            return;
        }
        try {
            byte[] jpeg = thumbnails.of(image);
            common(ctx.response(), "image/jpeg").putHeader("Cache-Control", "private, max-age=3600")
                    .end(Buffer.buffer(jpeg));
        } catch (NoSuchFileException e) {
            plain(ctx, 404, "the image is no longer stored");
        } catch (IOException e) {
            LOG.debug("thumbnail of {}: {}", image, e.getMessage());
            plain(ctx, 500, "could not make a thumbnail: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            plain(ctx, 503, "shutting down");
        }
    }

    private static void sendJson(RoutingContext ctx, String body) {
        common(ctx.response(), "application/json").putHeader("Cache-Control", "no-store").end(body);
    }

    private static void plain(RoutingContext ctx, int status, String text) {
        common(ctx.response(), "text/plain; charset=utf-8").setStatusCode(status).end(text + "\n");
    }

    private static HttpServerResponse common(HttpServerResponse response, String contentType) {
        return response.putHeader("Content-Type", contentType)
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("Referrer-Policy", "no-referrer")
                .putHeader("Content-Security-Policy", CSP);
    }

    private static Optional<Integer> number(String text) {
        try {
            return Optional.of(Integer.parseInt(text));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static byte[] resource(String name) {
        try (InputStream in = StatusPage.class.getResourceAsStream("/web/" + name)) {
            if (in == null) {
                throw new IllegalStateException("web/" + name + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
