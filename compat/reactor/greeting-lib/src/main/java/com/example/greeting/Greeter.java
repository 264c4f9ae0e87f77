package com.example.greeting;

/** Builds greetings; the library module of the reactor. */
public final class Greeter {
    private final String salutation;

    public Greeter(String salutation) {
        this.salutation = salutation;
    }

    public String greet(String name) {
        return salutation + ", " + name + "!";
    }
}
