package io.github.geminiimagebatch.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real {@code redis-server} (the Debian package; bin/test installs it) on a free loopback port,
 * without persistence, for one test. {@link #stop} and {@link #restart} let a test take it away
 * mid-run; {@link #close} always ends the process.
 */
public final class RedisServer implements AutoCloseable {

    private static final Duration START_LIMIT = Duration.ofSeconds(10);

    private final Path log;
    private final int port;
    private Process process;

    private RedisServer(Path dir, int port) {
        this.log = dir.resolve("redis-" + port + ".log");
        this.port = port;
    }

    /** Starts a server on a free port; the test is skipped (not failed) when redis-server is not installed. */
    public static RedisServer start(Path dir) throws IOException, InterruptedException {
        assumeTrue(installed(), "redis-server is not installed; bin/test installs it (apt-get install redis-server)");
        RedisServer server = new RedisServer(dir, freePort());
        server.launch();
        return server;
    }

    public static boolean installed() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, "redis-server"))) {
                return true;
            }
        }
        return false;
    }

    public int port() {
        return port;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Stops the server (its data is gone: it runs without persistence); clients see connection refused. */
    public void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
            process = null;
        }
    }

    /** Starts it again on the same port. */
    public void restart() throws IOException, InterruptedException {
        stop();
        launch();
    }

    /** Sends one command (inline protocol) and returns the raw reply, for tests that look at the keys. */
    public String command(String... words) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            StringBuilder request = new StringBuilder("*" + words.length + "\r\n");
            for (String word : words) {
                byte[] bytes = word.getBytes(StandardCharsets.UTF_8);
                request.append('$').append(bytes.length).append("\r\n").append(word).append("\r\n");
            }
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            socket.shutdownOutput();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    private void launch() throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port),
                "--save", "", "--appendonly", "no", "--bind", "127.0.0.1", "--protected-mode", "yes"));
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + START_LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("redis-server on port " + port + " ended at once: " + Files.readString(log));
            }
            try {
                if (command("PING").startsWith("+PONG")) {
                    return;
                }
            } catch (IOException notYet) {
                Thread.sleep(20);
            }
        }
        stop();
        throw new IOException("redis-server on port " + port + " did not answer within " + START_LIMIT);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        }
    }
}
