package io.github.geminiimagebatch.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
}
