package io.github.geminiimagebatch.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The packaged jar run as a separate process, the way the crash tests kill and restart it. */
public final class PackagedJar {

    private PackagedJar() {
    }

    /** target/gemini-image-batch.jar (or -Dimagegen.jar=...), which exists after {@code package}. */
    public static Path find() {
        Path jar = Path.of(System.getProperty("imagegen.jar", "target/gemini-image-batch.jar")).toAbsolutePath();
        assertThat(jar).as("the packaged jar; run this test with ./mvnw -B verify").isRegularFile();
        return jar;
    }

    /**
     * Starts {@code java -Xmx256m -jar JAR --once ARGS} in {@code dir}, output and errors to {@code log}, with no
     * provider key from the environment, so only the test's simulator is called.
     */
    public static Process launch(Path jar, Path dir, Path log, List<String> args) throws IOException {
        List<String> once = new ArrayList<>(List.of("--once"));
        once.addAll(args);
        return start(jar, dir, log, once);
    }

    /** As {@link #launch} without {@code --once}: a service, unless {@code args} name it. */
    public static Process start(Path jar, Path dir, Path log, List<String> args) throws IOException {
        List<String> command = new ArrayList<>(javaCommand());
        command.addAll(classDataSharing(jar));
        command.addAll(List.of("-jar", jar.toString()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        for (String key : List.of("GEMINI_API_KEY", "GOOGLE_API_KEY", "OPENROUTER_API_KEY")) {
            builder.environment().remove(key);
        }
        return builder.start();
    }

    private static List<String> javaCommand() {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    }

    /**
     * The JVM options that start the jar from a class-data sharing archive of its classes (JDK dynamic CDS):
     * made once next to the jar by a run of two prompts against the built-in simulator (its log stays in
     * target/cds-training*), and made again when the jar is newer. A start
     * then maps the classes Camel Main loads instead of reading and verifying them from the jar again: only
     * start-up gets quicker, the process tests start the jar some 40 times. A JVM that cannot use the archive
     * (another JDK) loads from the jar as before; no archive (it could not be made) means no option.
     */
    private static synchronized List<String> classDataSharing(Path jar) throws IOException {
        Path archive = jar.resolveSibling(jar.getFileName() + ".jsa");
        if (!Files.isRegularFile(archive)
                || Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) < 0) {
            Files.deleteIfExists(archive);
            Path work = Files.createTempDirectory(jar.getParent(), "cds-training");
            Path inbox = Files.createDirectories(work.resolve("inbox"));
            Files.writeString(inbox.resolve("training.txt"), "a lighthouse at dusk\na harbour at dawn\n");
            List<String> command = new ArrayList<>(javaCommand());
            command.addAll(List.of("-XX:ArchiveClassesAtExit=" + archive, "-jar", jar.toString(), "--once",
                    "--inbox", inbox.toString(), "--outbox", work.resolve("outbox").toString(),
                    "--provider", "simulator", "--set", "imagegen.simulator.latencyMs=0",
                    "--set", "imagegen.inbox.stableMillis=100", "--set", "camel.management.enabled=false"));
            Process training = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                    .redirectOutput(work.resolve("training.log").toFile()).start();
            try {
                if (!training.waitFor(2, TimeUnit.MINUTES)) {
                    training.destroyForcibly().waitFor();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                training.destroyForcibly();
            }
        }
        return Files.isRegularFile(archive) ? List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds=off") : List.of();
    }
}
