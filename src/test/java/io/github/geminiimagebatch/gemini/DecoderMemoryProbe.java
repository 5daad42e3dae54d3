package io.github.geminiimagebatch.gemini;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Decodes a generated body of the given image size in a JVM started with a small heap and prints
 * what it saw. Run by {@link LargeImageStreamingTest} in a child JVM ({@code -Xmx16m}); also
 * runnable by hand: {@code java -Xmx16m -cp ... DecoderMemoryProbe gemini 60000000 /tmp/probe}.
 */
public final class DecoderMemoryProbe {

    private DecoderMemoryProbe() {
    }

    public static void main(String[] args) throws Exception {
        String provider = args[0];
        long imageBytes = Long.parseLong(args[1]);
        Path tempDir = Path.of(args[2]);
        long started = System.nanoTime();
        DecodedResponse decoded = provider.equals("openrouter")
                ? ResponseDecoder.openRouter(LargeBodies.openRouter(imageBytes), tempDir)
                : ResponseDecoder.gemini(LargeBodies.gemini(imageBytes), tempDir);
        long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
        long peakHeap = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peakHeap += pool.getPeakUsage().getUsed();
            }
        }
        System.out.println("outcome=" + decoded.outcome() + " bytes=" + decoded.bytes() + " sha256=" + decoded.sha256()
                + " width=" + decoded.width() + " height=" + decoded.height()
                + " maxHeapMB=" + Runtime.getRuntime().maxMemory() / (1024 * 1024)
                + " peakHeapMB=" + peakHeap / (1024 * 1024) + " millis=" + elapsedMillis);
        Files.delete(decoded.imageFile());
    }
}
