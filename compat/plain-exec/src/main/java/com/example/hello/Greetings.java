package com.example.hello;

/** A tool beside the service: prints the greeting files it is given. */
public final class Greetings {
    private Greetings() {
    }

    public static void main(String[] args) {
        for (String a : args) {
            System.out.println(a);
        }
    }
}
