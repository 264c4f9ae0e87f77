module com.example.hello {
    requires jdk.httpserver;
    exports com.example.hello;
}
