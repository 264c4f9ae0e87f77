package com.example.helloworld;

import com.example.helloworld.health.AliveHealthCheck;
import com.example.helloworld.resources.HelloResource;
import io.dropwizard.core.Application;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;

public class HelloWorldApplication extends Application<HelloWorldConfiguration> {

    public static void main(final String[] args) throws Exception {
        new HelloWorldApplication().run(args);
    }

    @Override
    public String getName() {
        return "HelloWorld";
    }

    @Override
    public void initialize(final Bootstrap<HelloWorldConfiguration> bootstrap) {
        // Application initialization goes here (the archetype leaves it empty).
    }

    @Override
    public void run(final HelloWorldConfiguration configuration,
                    final Environment environment) {
        environment.jersey().register(new HelloResource());
        environment.healthChecks().register("alive", new AliveHealthCheck());
    }

}
