package io.impersonationprobe.testing;

import io.restassured.RestAssured;

/** The daemon a {@code @QuarkusTest} runs, on the free port it was given. */
public final class Daemon {
    private Daemon() {
    }

    /** {@code http://localhost:port}, without a trailing slash. */
    public static String url() {
        return RestAssured.baseURI + ":" + RestAssured.port;
    }
}
