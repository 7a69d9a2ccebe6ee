package io.stowage.storage.blob.s3;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.net.ConnectException;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which S3 failures mean "down, retry later" and which are errors of the call itself. */
class S3OutagesTest {

    @Test
    void serverErrorsThrottlingAndBrokenConnectionsAreOutages() {
        assertTrue(S3Outages.isOutage(status(503)), "SlowDown / service unavailable");
        assertTrue(S3Outages.isOutage(status(500)));
        assertTrue(S3Outages.isOutage(status(429)));
        assertTrue(S3Outages.isOutage(SdkClientException.create("Unable to execute HTTP request",
                new ConnectException("Connection refused"))));
        assertTrue(S3Outages.isOutage(ApiCallTimeoutException.create(30_000)));
    }

    @Test
    void refusalsOfTheCallItselfAreNot() {
        assertFalse(S3Outages.isOutage(status(403)), "wrong credentials must not look like a passing outage");
        assertFalse(S3Outages.isOutage(status(400)));
        assertFalse(S3Outages.isOutage(NoSuchKeyException.builder().statusCode(404).message("gone").build()));
        assertFalse(S3Outages.isOutage(SdkClientException.create("Unable to marshall request")));
    }

    private static S3Exception status(int code) {
        return (S3Exception) S3Exception.builder().statusCode(code).message("status " + code).build();
    }
}
