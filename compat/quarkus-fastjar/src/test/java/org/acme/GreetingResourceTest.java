package org.acme;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

@QuarkusTest
class GreetingResourceTest {
    @Test
    void testHelloEndpoint() {
        assertEquals("Hello from Quarkus REST", new GreetingResource().hello());
    }

}
