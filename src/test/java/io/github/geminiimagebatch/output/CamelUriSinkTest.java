package io.github.geminiimagebatch.output;

import io.github.geminiimagebatch.simulator.SimulatorOptions;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CamelUriSinkTest {

    @TempDir
    Path dir;

    @Test
    void theRealApplicationAlsoDropsEveryImageIntoAFileEndpoint() throws IOException {
        Path received = dir.resolve("received");
        try (AppRun app = new AppRun(dir, SimulatorOptions.builder().port(0).build())) {
            app.dropPrompts("owls.txt", 3);
            Path outbox = dir.resolve("outbox");

            assertThat(app.runOnce(outbox, "--set", "imagegen.output.uri=file:" + received)).isZero();

            try (Stream<Path> files = Files.walk(received)) {
                assertThat(files.filter(Files::isRegularFile).map(p -> received.relativize(p).toString()))
                        .containsExactlyInAnyOrder("owls/0001.png", "owls/0002.png", "owls/0003.png");
            }
            for (String id : List.of("0001", "0002", "0003")) {
                assertThat(received.resolve("owls/" + id + ".png")).hasSameBinaryContentAs(outbox.resolve("owls/" + id + ".png"));
            }
        }
    }

    @Test
    void aMistypedEndpointStopsTheStartWithOneLine() throws IOException {
        try (AppRun app = new AppRun(dir, SimulatorOptions.builder().port(0).build())) {
            app.dropPrompts("owls.txt", 1);
            java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
            java.io.PrintStream originalErr = System.err;
            System.setErr(new java.io.PrintStream(err, true));
            int code;
            try {
                code = app.runOnce(dir.resolve("outbox"), "--set", "imagegen.output.uri=nosuchcomponent:images?password=hunter2");
            } finally {
                System.setErr(originalErr);
            }
            assertThat(code).isEqualTo(1);
            assertThat(err.toString()).contains("imagegen.output.uri").doesNotContain("hunter2")
                    .contains("no Camel component for 'nosuchcomponent:'", "camel-nosuchcomponent", "into lib/ next to bin/", "GIB_LIB");
            assertThat(app.requests()).isZero();
        }
    }

    @Test
    void switchingTheFolderOffWithNoOtherOutputIsRefusedBeforeAnythingIsPaidFor() throws IOException {
        try (AppRun app = new AppRun(dir, SimulatorOptions.builder().port(0).build())) {
            app.dropPrompts("owls.txt", 1);
            assertThat(app.runOnce(dir.resolve("outbox"), "--set", "imagegen.output.file.enabled=false")).isEqualTo(1);
            assertThat(app.requests()).isZero();
        }
    }

    @Test
    void theEndpointGetsTheFileAndHeadersDescribingTheImage() throws Exception {
        Path image = Files.write(dir.resolve("tmp-image"), new byte[]{(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        AtomicReference<Map<String, Object>> headers = new AtomicReference<>();
        AtomicReference<byte[]> body = new AtomicReference<>();
        try (CamelContext camel = new DefaultCamelContext()) {
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:images").process(exchange -> {
                        headers.set(Map.copyOf(exchange.getIn().getHeaders()));
                        assertThat(exchange.getIn().getBody()).isInstanceOf(File.class);
                        body.set(exchange.getIn().getBody(byte[].class));
                    });
                }
            });
            camel.start();
            CamelUriSink sink = new CamelUriSink("direct:images", () -> camel, Retrier.forOutputs(Duration.ZERO, Clock.systemUTC()));

            sink.putImage(new OutputImage("cats", "0007", "cats/0007.png", image, "image/png", "ab12", "cafe", 1024, 768));

            assertThat(body.get()).isEqualTo(Files.readAllBytes(image));
            assertThat(headers.get())
                    .containsEntry(Exchange.FILE_NAME, "cats/0007.png")
                    .containsEntry(Exchange.CONTENT_TYPE, "image/png")
                    .containsEntry(Exchange.CONTENT_LENGTH, 7L)
                    .containsEntry(CamelUriSink.HEADER_BATCH, "cats")
                    .containsEntry(CamelUriSink.HEADER_ID, "0007")
                    .containsEntry(CamelUriSink.HEADER_MIME_TYPE, "image/png")
                    .containsEntry(CamelUriSink.HEADER_REQUEST_KEY, "ab12")
                    .containsEntry(CamelUriSink.HEADER_SHA256, "cafe")
                    .containsEntry(CamelUriSink.HEADER_WIDTH, 1024)
                    .containsEntry(CamelUriSink.HEADER_HEIGHT, 768);
            assertThat(sink.completedImage("ab12")).isEmpty();
        }
    }

    @Test
    void aFailingEndpointIsReportedWithTheImageName() throws Exception {
        Path image = Files.write(dir.resolve("tmp-image"), new byte[]{1});
        try (CamelContext camel = new DefaultCamelContext()) {
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:images").throwException(new IOException("disk full"));
                }
            });
            camel.start();
            CamelUriSink sink = new CamelUriSink("direct:images", () -> camel, Retrier.forOutputs(Duration.ZERO, Clock.systemUTC()));

            assertThatThrownBy(() -> sink.putImage(new OutputImage("cats", "1", "cats/1.png", image, "image/png", "k", "s", null, null)))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("sending cats/1.png to imagegen.output.uri failed 1 time")
                    .hasMessageContaining("disk full");
        }
    }
}
