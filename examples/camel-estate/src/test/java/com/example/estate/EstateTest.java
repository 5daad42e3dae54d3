package com.example.estate;

import io.github.geminiimagebatch.GeminiImageException;
import io.github.geminiimagebatch.simulator.GeminiSimulator;
import io.github.geminiimagebatch.simulator.SimulatorOptions;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The estate's Camel Main against the gemini-image-batch simulator over loopback, whose server-side
 * limit (4 requests per 2 s) equals the configured one: two Java endpoints with different options
 * and the kamelet in a YAML route share it, so every picture comes back and no request is refused.
 */
class EstateTest {

    private GeminiSimulator simulator;
    private Main main;
    private CamelContext context;

    @BeforeEach
    void start() throws Exception {
        simulator = GeminiSimulator.start(SimulatorOptions.builder().port(0).rpm(4).minute(Duration.ofSeconds(2)).build());
        Properties p = new Properties();
        p.setProperty("estate.gemini.url", simulator.baseUri().toString());
        p.setProperty("estate.avatars", "mock:avatars");
        p.setProperty("estate.banners", "mock:banners");
        p.setProperty("estate.posters", "mock:posters");
        p.setProperty("estate.refused", "mock:refused");
        main = new Main(EstateApplication.class);
        main.setOverrideProperties(p);
        main.start();
        context = main.getCamelContext();
    }

    @AfterEach
    void stop() {
        main.stop();
        simulator.close();
    }

    @Test
    void avatarsBannersAndPostersShareOneLimitWithoutA429() throws Exception {
        MockEndpoint avatars = mock("avatars", 3);
        MockEndpoint banners = mock("banners", 3);
        MockEndpoint posters = mock("posters", 3);
        NotifyBuilder done = new NotifyBuilder(context).whenDone(9).create();
        ProducerTemplate template = context.createProducerTemplate();
        for (int i = 0; i < 3; i++) {
            template.asyncSendBody("direct:avatars", "an avatar of a fox, number " + i);
            template.asyncSendBody("direct:banners", Map.of("prompt", "a banner of a harbour, number " + i, "id", "harbour-" + i));
            template.asyncSendBody("direct:posters", "a poster of a lighthouse, number " + i);
        }
        assertThat(done.matches(90, TimeUnit.SECONDS)).as("nine prompts done").isTrue();
        MockEndpoint.assertIsSatisfied(avatars, banners, posters);

        assertPictures(avatars, 1024, 1024, "gemini-3.1-flash-image");
        assertPictures(banners, 1344, 768, "gemini-2.5-flash-image");
        assertPictures(posters, 768, 1376, "gemini-3.1-flash-image");
        assertThat(simulator.stats().path("requests").asLong()).isEqualTo(9);
        assertThat(simulator.stats().path("http429").asLong()).as("429s").isZero();
    }

    @Test
    void aRefusedPromptReachesOnExceptionAsGeminiImageExceptionWithItsReason() throws Exception {
        MockEndpoint refused = mock("refused", 1);
        context.createProducerTemplate().sendBody("direct:avatars", "something not allowed [sim:safety]");
        refused.assertIsSatisfied();
        Exchange failed = refused.getExchanges().get(0);
        assertThat(failed.getProperty(Exchange.EXCEPTION_CAUGHT)).isInstanceOf(GeminiImageException.class);
        assertThat(((GeminiImageException) failed.getProperty(Exchange.EXCEPTION_CAUGHT)).reason()).isEqualTo("safety");
        assertThat(failed.getMessage().getHeader("refusal")).isEqualTo("safety");
    }

    private MockEndpoint mock(String name, int count) {
        MockEndpoint mock = context.getEndpoint("mock:" + name, MockEndpoint.class);
        mock.expectedMessageCount(count);
        return mock;
    }

    private static void assertPictures(MockEndpoint mock, int width, int height, String model) throws Exception {
        for (Exchange e : mock.getExchanges()) {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(e.getMessage().getBody(byte[].class)));
            assertThat(image.getWidth()).isEqualTo(width);
            assertThat(image.getHeight()).isEqualTo(height);
            assertThat(e.getMessage().getHeaders())
                    .containsEntry("GeminiImageWidth", width)
                    .containsEntry("GeminiImageHeight", height)
                    .containsEntry("GeminiImageProvider", "gemini")
                    .containsEntry("GeminiImageModel", model)
                    .containsEntry("GeminiImageMimeType", "image/png")
                    .containsEntry("GeminiImageFileExtension", "png")
                    .containsKeys("GeminiImageSha256", "GeminiImageCostUsd", "GeminiImageRequestKey");
        }
    }
}
