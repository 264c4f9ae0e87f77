package com.example.helloworld;

import io.dropwizard.core.Configuration;

public class HelloWorldConfiguration extends Configuration {
}
