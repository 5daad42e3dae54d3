package io.github.geminiimagebatch.app;

import io.github.geminiimagebatch.config.ConfigException;
import io.github.geminiimagebatch.config.RunConfig;
import io.github.geminiimagebatch.config.Settings;
import io.github.geminiimagebatch.output.CamelUriSink;
import io.github.geminiimagebatch.output.FileSink;
import io.github.geminiimagebatch.output.OutputSink;
import io.github.geminiimagebatch.output.Outputs;
import io.github.geminiimagebatch.output.Retrier;
import io.github.geminiimagebatch.output.S3Settings;
import io.github.geminiimagebatch.output.S3Sink;
import io.github.geminiimagebatch.secret.Secrets;
import org.apache.camel.CamelContext;
import org.apache.camel.util.URISupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

/** The outputs of a run: the outbox folder, S3 and a Camel URI as configured; they reach Camel once it runs. */
final class OutputWiring implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger("gemini-image-batch");

    private final List<OutputSink> sinks = new ArrayList<>();

    /**
     * Builds the configured outputs and empties the work folder left by an earlier run.
     *
     * @param workDir temporary files: {@code outbox/.tmp}, or a folder of this instance's when several share the outbox
     */
    Outputs open(RunConfig config, Path workDir, Supplier<CamelContext> camel, Clock clock) throws ConfigException, IOException {
        sinks.addAll(extraSinks(config, camel, clock));
        Outputs outputs = new Outputs(config.outbox(), workDir,
                config.fileOutput() ? new FileSink(config.outbox(), workDir) : null, sinks);
        clearWorkDir(outputs.workDir());
        return outputs;
    }

    /** S3 and Camel-URI sinks from imagegen.output.s3.* and imagegen.output.uri. */
    private static List<OutputSink> extraSinks(RunConfig config, Supplier<CamelContext> camel, Clock clock)
            throws ConfigException {
        Settings s = config.settings();
        List<OutputSink> sinks = new ArrayList<>();
        Duration retryFor = S3Settings.retryFor(s);
        Optional<S3Settings> s3 = S3Settings.from(s);
        if (s3.isPresent()) {
            S3Client client;
            try {
                client = S3Sink.buildClient(s3.get());
            } catch (RuntimeException e) {
                throw new ConfigException("S3 output: cannot set up the S3 client (" + Secrets.redact(String.valueOf(e.getMessage()))
                        + "). Check imagegen.output.s3.region, .endpoint and the credentials.");
            }
            sinks.add(new S3Sink(s3.get(), client, camel, Retrier.forOutputs(retryFor, clock)));
            LOG.info("S3 output: {}", s3.get());
        }
        Optional<String> uri = s.find("imagegen.output.uri");
        if (uri.isPresent()) {
            sinks.add(new CamelUriSink(uri.get(), camel, Retrier.forOutputs(retryFor, clock)));
        }
        if (!config.fileOutput() && sinks.isEmpty()) {
            throw new ConfigException("imagegen.output.file.enabled=false and no other output is set: every image would be"
                    + " paid for and thrown away. Turn on S3 output (imagegen.output.s3.enabled=true), set"
                    + " imagegen.output.uri, or leave the folder output on.");
        }
        return sinks;
    }

    /** A mistyped imagegen.output.uri fails the start with one line, not every item after the first image. */
    static void checkOutputUri(CamelContext context, RunConfig config) {
        Optional<String> uri = config.settings().find("imagegen.output.uri");
        if (uri.isEmpty()) {
            return;
        }
        ComponentJars.require(context, "imagegen.output.uri", uri.get());
        try {
            context.getEndpoint(uri.get());
        } catch (RuntimeException e) {
            throw new IllegalStateException(new ConfigException("The setting imagegen.output.uri is '"
                    + Secrets.redact(URISupport.sanitizeUri(uri.get())) + "', which Camel cannot use ("
                    + Secrets.redact(URISupport.sanitizeUri(String.valueOf(e.getMessage())))
                    + "). Write a Camel endpoint URI such as file:/data/images or seda:images?waitForTaskToComplete=Always."));
        }
    }

    @Override
    public void close() {
        for (OutputSink sink : sinks) {
            if (sink instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    LOG.debug("closing output {}: {}", sink.name(), e.getMessage());
                }
            }
        }
    }

    private static void clearWorkDir(Path workDir) throws IOException {
        if (Files.isDirectory(workDir)) {
            try (Stream<Path> files = Files.walk(workDir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    if (!p.equals(workDir)) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
        Files.createDirectories(workDir);
    }
}
