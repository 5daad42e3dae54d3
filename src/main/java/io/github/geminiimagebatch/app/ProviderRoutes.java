package io.github.geminiimagebatch.app;

import io.github.geminiimagebatch.config.ConfigException;
import io.github.geminiimagebatch.config.ProviderSettings;
import io.github.geminiimagebatch.config.ProviderType;
import io.github.geminiimagebatch.config.RunConfig;
import io.github.geminiimagebatch.pipeline.RunState;
import io.github.geminiimagebatch.provider.ProviderRuntime;
import io.github.geminiimagebatch.secret.Secrets;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.apache.camel.model.Model;

import java.io.IOException;

/** The provider routes of a run, made from the route templates once Camel has loaded routes/. */
final class ProviderRoutes {

    private ProviderRoutes() {
    }

    /** Makes route {@code provider-<name>} from each provider's template. */
    static void add(CamelContext context, RunConfig config, RunState run) {
        Model model = context.getCamelContextExtension().getContextPlugin(Model.class);
        for (ProviderRuntime runtime : run.providers()) {
            ProviderSettings p = runtime.settings();
            if (model.getRouteTemplateDefinition(p.routeTemplate()) == null) {
                throw new IllegalStateException(new ConfigException("The provider '" + p.name() + "' uses the route template '"
                        + p.routeTemplate() + "', but no routes/*.camel.yaml file (nor imagegen.routes.include) defines a"
                        + " routeTemplate with that id. Templates found: " + model.getRouteTemplateDefinitions().stream()
                        .map(t -> t.getId()).sorted().toList() + ". Fix imagegen.provider." + p.name() + ".routeTemplate."));
            }
            TemplatedRouteBuilder route = TemplatedRouteBuilder.builder(context, p.routeTemplate())
                    .routeId("provider-" + p.name())
                    .parameter("provider", p.name())
                    .parameter("baseUrl", p.baseUrl());
            p.templateParameters().forEach(route::parameter);
            if (p.type() == ProviderType.VERTEX) {
                route.parameter("location", p.location())
                        .parameter("expressMode", Boolean.toString(p.vertexExpressMode()));
                if (!p.vertexExpressMode()) {
                    route.parameter("project", vertexProject(runtime));
                }
            }
            route.add();
        }
    }

    private static String vertexProject(ProviderRuntime runtime) {
        try {
            return runtime.vertexProject();
        } catch (IOException e) {
            throw new IllegalStateException(new ConfigException("Vertex AI provider '" + runtime.name()
                    + "': cannot load its credentials (" + Secrets.redact(String.valueOf(e.getMessage()))
                    + "). Check imagegen.provider." + runtime.name() + ".credentialsFile or GOOGLE_APPLICATION_CREDENTIALS."));
        }
    }
}
