package io.github.geminiimagebatch.output;

import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;

/**
 * S3Proxy in this JVM on a free loopback port, over an in-memory (transient) jclouds blob store that
 * outlives {@link #stop()}, so {@link #start()} again on the same port is an outage, not a data loss.
 */
public final class S3ProxyServer implements AutoCloseable {

    public static final String ACCESS_KEY = "test-access";
    public static final String SECRET_KEY = "test-secret-0123456789";

    private final BlobStoreContext blobs;
    private final int port;
    private S3Proxy proxy;

    private S3ProxyServer(int port) {
        this.port = port;
        this.blobs = ContextBuilder.newBuilder("transient").credentials("identity", "credential")
                .build(BlobStoreContext.class);
    }

    public static S3ProxyServer start(String bucket) throws Exception {
        S3ProxyServer server = new S3ProxyServer(freePort());
        server.blobStore().createContainerInLocation(null, bucket);
        server.start();
        return server;
    }

    public void start() throws Exception {
        proxy = S3Proxy.builder()
                .blobStore(blobStore())
                .endpoint(URI.create("http://127.0.0.1:" + port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .build();
        proxy.start();
        while (!"STARTED".equals(proxy.getState())) {
            Thread.onSpinWait();
        }
    }

    public void stop() throws Exception {
        if (proxy != null) {
            proxy.stop();
            proxy = null;
        }
    }

    public BlobStore blobStore() {
        return blobs.getBlobStore();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public void close() throws Exception {
        stop();
        blobs.close();
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        }
    }
}
