package io.github.geminiimagebatch.cli;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * bin/gemini-image-batch as a user runs it, from an install folder of its own (bin/, target/ with the
 * packaged jar, lib/): a Camel component the jar does not ship (camel-stream, copied by the build into
 * target/it-lib) is refused with a message naming the scheme and lib/, then works once its jar is in
 * lib/ or in a folder named by GIB_LIB. The built-in simulator answers; each run makes one image.
 */
class ComponentLibIT {

    @TempDir
    Path root;
    private Path home;
    private Path streamJar;

    @BeforeEach
    void installFolder() throws IOException {
        Path jar = Path.of(System.getProperty("imagegen.jar", "target/gemini-image-batch.jar")).toAbsolutePath();
        assertThat(jar).as("the packaged jar (failsafe runs after package)").isRegularFile();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            assertThat(zip.getEntry("META-INF/services/org/apache/camel/component/stream"))
                    .as("camel-stream must not be in the jar, or this test proves nothing").isNull();
            assertThat(zip.getEntry("META-INF/services/org/apache/camel/component/file")).isNotNull();
        }
        try (Stream<Path> jars = Files.list(Path.of(System.getProperty("imagegen.it.lib", "target/it-lib")))) {
            streamJar = jars.filter(p -> p.getFileName().toString().startsWith("camel-stream-")).findFirst()
                    .orElseThrow(() -> new AssertionError("target/it-lib has no camel-stream jar (maven-dependency-plugin copies it)"));
        }
        home = root.resolve("install");
        Files.createDirectories(home.resolve("bin"));
        Files.createDirectories(home.resolve("target"));
        Files.createDirectories(home.resolve("lib"));
        Path script = home.resolve("bin/gemini-image-batch");
        Files.copy(Path.of("bin/gemini-image-batch"), script);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createSymbolicLink(home.resolve("target/gemini-image-batch.jar"), jar);
    }

    @Test
    void aComponentTheJarDoesNotShipIsNamedThenWorksFromLib() throws Exception {
        Run missing = run("first", Map.of());
        assertThat(missing.exit).as(missing.output).isEqualTo(1);
        assertThat(missing.output).contains("imagegen.output.uri", "no Camel component for 'stream:'",
                "org.apache.camel:" + streamJar.getFileName().toString().replaceFirst("-(?=\\d)", ":").replace(".jar", ""),
                "into lib/ next to bin/", "GIB_LIB").doesNotContain("\tat ");
        assertThat(missing.image).doesNotExist();
        assertThat(missing.streamed).doesNotExist();

        Files.copy(streamJar, home.resolve("lib").resolve(streamJar.getFileName()));
        Run fromLib = run("second", Map.of());
        assertThat(fromLib.exit).as(fromLib.output).isZero();
        assertThat(fromLib.streamed).as("the image as stream:file wrote it").hasSameBinaryContentAs(fromLib.image);
    }

    @Test
    void foldersInGibLibJoinTheClasspathToo() throws Exception {
        Path extra = Files.createDirectories(root.resolve("extra"));
        Files.copy(streamJar, extra.resolve(streamJar.getFileName()), StandardCopyOption.REPLACE_EXISTING);

        Run viaEnv = run("third", Map.of("GIB_LIB", root.resolve("nothing-here") + ":" + extra));
        assertThat(viaEnv.exit).isEqualTo(1);
        assertThat(viaEnv.output).contains("GIB_LIB names '" + root.resolve("nothing-here") + "', which is not a folder");

        Run fromEnv = run("fourth", Map.of("GIB_LIB", ":" + extra));
        assertThat(fromEnv.exit).as(fromEnv.output).isZero();
        assertThat(fromEnv.streamed).hasSameBinaryContentAs(fromEnv.image);
    }

    private record Run(int exit, String output, Path image, Path streamed) {
    }

    private Run run(String name, Map<String, String> env) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(root.resolve(name));
        Path inbox = Files.createDirectories(dir.resolve("inbox"));
        Files.writeString(inbox.resolve("hello.txt"), "a lighthouse at dusk\n");
        Path streamed = dir.resolve("streamed.png");
        List<String> command = new ArrayList<>(List.of(home.resolve("bin/gemini-image-batch").toString(),
                "--once", "--inbox", inbox.toString(), "--outbox", dir.resolve("outbox").toString(), "--provider", "simulator",
                "--set", "imagegen.simulator.latencyMs=0", "--set", "imagegen.inbox.stableMillis=100",
                "--set", "imagegen.inbox.pollDelayMillis=100", "--set", "camel.management.enabled=false",
                "--set", "imagegen.output.uri=stream:file?fileName=" + streamed + "&appendNewLine=false"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> environment = builder.environment();
        environment.keySet().removeIf(k -> k.startsWith("IMAGEGEN_") || k.equals("GIB_LIB")
                || k.equals("GEMINI_API_KEY") || k.equals("GOOGLE_API_KEY") || k.equals("OPENROUTER_API_KEY"));
        environment.put("JAVA_OPTS", "-Xmx256m -XX:+UseSerialGC");
        environment.put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":" + environment.getOrDefault("PATH", "/usr/bin:/bin"));
        environment.putAll(env);
        Process process = builder.start();
        String output;
        try (InputStream out = process.getInputStream()) {
            output = new String(out.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("bin/gemini-image-batch did not finish within 120 s");
        }
        System.out.println(output);
        return new Run(process.exitValue(), output, dir.resolve("outbox/hello/0001.png"), streamed);
    }
}
