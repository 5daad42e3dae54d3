package io.github.geminiimagebatch.provider;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A Gemini-compatible gateway in front of a simulator, as companies run them: it wants its own key in
 * its own header, and passes the call on with the upstream key. Records the paths it was asked for.
 */
final class GatewayProxy implements AutoCloseable {

    private final HttpServer server;
    private final HttpClient client = HttpClient.newHttpClient();
    private final List<String> paths = new CopyOnWriteArrayList<>();

    GatewayProxy(URI upstream, String keyHeader, String gatewayKey, String upstreamKey) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", exchange -> forward(exchange, upstream, keyHeader, gatewayKey, upstreamKey));
        server.start();
    }

    private void forward(HttpExchange exchange, URI upstream, String keyHeader, String gatewayKey, String upstreamKey)
            throws IOException {
        try (exchange) {
            paths.add(exchange.getRequestURI().toString());
            if (!gatewayKey.equals(exchange.getRequestHeaders().getFirst(keyHeader))) {
                byte[] body = "{\"error\":{\"code\":401,\"message\":\"gateway key missing or wrong\",\"status\":\"UNAUTHENTICATED\"}}"
                        .getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(401, body.length);
                exchange.getResponseBody().write(body);
                return;
            }
            byte[] request;
            try (InputStream in = exchange.getRequestBody()) {
                request = in.readAllBytes();
            }
            HttpRequest upstreamRequest = HttpRequest.newBuilder(upstream.resolve(exchange.getRequestURI().toString()))
                    .header("x-goog-api-key", upstreamKey)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(request))
                    .build();
            HttpResponse<InputStream> answer = client.send(upstreamRequest, HttpResponse.BodyHandlers.ofInputStream());
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(answer.statusCode(), 0);
            try (InputStream in = answer.body(); OutputStream out = exchange.getResponseBody()) {
                in.transferTo(out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    URI baseUri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    List<String> paths() {
        return List.copyOf(paths);
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
