package io.github.geminiimagebatch.component;

import io.github.geminiimagebatch.GeminiImageException;
import io.github.geminiimagebatch.simulator.GeminiSimulator;
import io.github.geminiimagebatch.simulator.SimulatorOptions;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.test.junit5.CamelContextConfiguration;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.io.ByteArrayInputStream;
import java.awt.image.BufferedImage;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * gemini-image:generate in a plain CamelContext, as an estate uses it: two endpoints with different
 * options and the kamelet share one provider and its limit; failures reach onException.
 */
class GeminiImageComponentTest extends CamelTestSupport {

    private static GeminiSimulator simulator;

    @BeforeAll
    static void startSimulator() throws Exception {
        simulator = GeminiSimulator.start(SimulatorOptions.builder().port(0).rpm(4).minute(Duration.ofSeconds(2)).build());
    }

    @AfterAll
    static void stopSimulator() {
        simulator.close();
    }

    @Override
    public void configureContext(CamelContextConfiguration configuration) {
        super.configureContext(configuration);
        Properties p = new Properties();
        p.setProperty("imagegen.providers", "sim");
        p.setProperty("imagegen.provider.sim.type", "aistudio");
        p.setProperty("imagegen.provider.sim.baseUrl", simulator.baseUri().toString());
        p.setProperty("imagegen.provider.sim.apiKey", "estate-test-key");
        p.setProperty("imagegen.provider.sim.limits", "4/2s");
        configuration.withUseOverridePropertiesWithPropertiesComponent(p);
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                onException(GeminiImageException.class).handled(true)
                        .setHeader("reason", simple("${exception.reason}"))
                        .to("mock:refused");
                from("direct:square").routeId("square").to("gemini-image:generate?aspectRatio=1:1").to("mock:square");
                from("direct:wide").routeId("wide").to("gemini-image:generate?aspectRatio=16:9&imageSize=1K&model=gemini-2.5-flash-image")
                        .to("mock:wide");
                from("direct:kamelet").routeId("kamelet-user").to("kamelet:gemini-image-action?aspectRatio=9:16")
                        .to("mock:tall");
            }
        };
    }

    @Test
    void twoEndpointsAndTheKameletShareOneLimitAndGiveImagesWithTheirSizes() throws Exception {
        MockEndpoint square = getMockEndpoint("mock:square");
        MockEndpoint wide = getMockEndpoint("mock:wide");
        MockEndpoint tall = getMockEndpoint("mock:tall");
        square.expectedMessageCount(3);
        wide.expectedMessageCount(3);
        tall.expectedMessageCount(2);
        // each test has its own CamelContext and so its own pacing, but the simulator's quota is shared by the
        // class: a request of the other test within the last 2 s would fill this test's first window
        simulator.reset();
        long requestsBefore = simulator.stats().path("requests").asLong();
        long throttledBefore = simulator.stats().path("http429").asLong();
        NotifyBuilder done = new NotifyBuilder(context).whenDone(8).create();
        for (int i = 0; i < 3; i++) {
            template.asyncSendBody("direct:square", "a red square " + i);
            template.asyncSendBody("direct:wide", Map.of("prompt", "a wide beach " + i, "id", "beach-" + i));
        }
        template.asyncSendBody("direct:kamelet", "a tall tower 1");
        template.asyncSendBody("direct:kamelet", "a tall tower 2");
        assertThat(done.matches(60, TimeUnit.SECONDS)).as("8 prompts done").isTrue();
        MockEndpoint.assertIsSatisfied(square, wide, tall);

        assertImages(square, 1024, 1024);
        assertImages(wide, 1344, 768);
        assertImages(tall, 768, 1376);
        Exchange beach = wide.getExchanges().get(0);
        assertThat(beach.getMessage().getHeaders()).containsEntry(GeminiImageHeaders.PROVIDER, "sim")
                .containsEntry(GeminiImageHeaders.MIME_TYPE, "image/png")
                .containsEntry(GeminiImageHeaders.FILE_EXTENSION, "png")
                .containsEntry(GeminiImageHeaders.MODEL, "gemini-2.5-flash-image")
                .containsKeys(GeminiImageHeaders.SHA256, GeminiImageHeaders.REQUEST_KEY, GeminiImageHeaders.COST_USD);
        assertThat(square.getExchanges().get(0).getMessage().getHeader(GeminiImageHeaders.MODEL))
                .as("the imagegen.model default").isEqualTo("gemini-3.1-flash-image");
        assertThat(simulator.stats().path("requests").asLong() - requestsBefore).isEqualTo(8);
        assertThat(simulator.stats().path("http429").asLong() - throttledBefore)
                .as("one shared limit of 4/2s, paced: no 429").isZero();
    }

    @Test
    void aRefusedPromptReachesOnExceptionWithItsReason() throws Exception {
        MockEndpoint refused = getMockEndpoint("mock:refused");
        refused.expectedMessageCount(1);
        template.sendBody("direct:square", "a forbidden thing [sim:safety]");
        refused.assertIsSatisfied();
        Exchange failed = refused.getExchanges().get(0);
        assertThat(failed.getMessage().getHeader("reason")).isEqualTo("safety");
        assertThat(failed.getProperty(Exchange.EXCEPTION_CAUGHT)).isInstanceOf(GeminiImageException.class);
    }

    private static void assertImages(MockEndpoint mock, int width, int height) throws Exception {
        for (Exchange e : mock.getExchanges()) {
            byte[] png = e.getMessage().getBody(byte[].class);
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
            assertThat(image.getWidth()).isEqualTo(width);
            assertThat(image.getHeight()).isEqualTo(height);
            assertThat(e.getMessage().getHeader(GeminiImageHeaders.WIDTH)).isEqualTo(width);
            assertThat(e.getMessage().getHeader(GeminiImageHeaders.HEIGHT)).isEqualTo(height);
        }
    }
}
