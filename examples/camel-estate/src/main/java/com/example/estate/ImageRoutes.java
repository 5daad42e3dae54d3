package com.example.estate;

import io.github.geminiimagebatch.GeminiImageException;
import org.apache.camel.builder.RouteBuilder;

/**
 * Two kinds of pictures from two gemini-image endpoints with different options; both share the
 * providers' quota with each other and with the YAML route that uses the kamelet.
 */
public class ImageRoutes extends RouteBuilder {

    @Override
    public void configure() {
        onException(GeminiImageException.class).handled(true)
                .setHeader("refusal", simple("${exception.reason}"))
                .log("No image for ${body}: ${exception.reason} (${exception.message})")
                .to("{{estate.refused}}");

        from("direct:avatars").routeId("avatars")
                .to("gemini-image:generate?aspectRatio=1:1&imageSize=1K")
                .to("{{estate.avatars}}");

        from("direct:banners").routeId("banners")
                .to("gemini-image:generate?aspectRatio=16:9&model=gemini-2.5-flash-image")
                .to("{{estate.banners}}");
    }
}
