package io.github.geminiimagebatch.hostile;

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
import java.util.concurrent.Executors;

/**
 * A Gemini-compatible gateway on loopback that takes its key in a header of its own and forwards to
 * the simulator as {@code x-goog-api-key}, so the simulator's key-echoing answers ({@code [sim:403]})
 * carry the gateway key. When the upstream call breaks (reset, truncated body) it answers 502 with a
 * plain-text body that quotes the key, as careless gateways do.
 */
final class KeyEchoingGateway implements AutoCloseable {

    private final HttpServer server;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    KeyEchoingGateway(URI upstream, String authHeader) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", exchange -> forward(exchange, upstream, authHeader));
        server.start();
    }

    URI baseUri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private void forward(HttpExchange exchange, URI upstream, String authHeader) throws IOException {
        String key = exchange.getRequestHeaders().getFirst(authHeader);
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(upstream.resolve(exchange.getRequestURI().toString()))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (key != null) {
            request.header("x-goog-api-key", key);
        }
        int status;
        byte[] answer;
        String type;
        try {
            HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            status = response.statusCode();
            answer = response.body();
            type = response.headers().firstValue("Content-Type").orElse("application/json");
        } catch (IOException | InterruptedException e) {
            status = 502;
            answer = ("Bad gateway: the upstream call for api key " + key + " failed (" + e.getClass().getSimpleName() + ")\n")
                    .getBytes(StandardCharsets.UTF_8);
            type = "text/plain";
        }
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, answer.length == 0 ? -1 : answer.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
