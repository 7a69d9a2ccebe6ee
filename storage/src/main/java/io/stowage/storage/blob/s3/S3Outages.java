package io.stowage.storage.blob.s3;

import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.exception.SdkServiceException;

import java.io.IOException;

/**
 * Tells an S3 server that is down or overloaded from a request it rejected. Down: no connection,
 * a reset or timed-out exchange (the SDK's client-side failures caused by I/O), or a 5xx or 429
 * answer (S3's {@code SlowDown} is a 503). Everything else (403, 404, 400, a bad request built
 * here) is a real error of the call and stays one. The SDK has already retried by then.
 */
final class S3Outages {
    private S3Outages() {
    }

    static boolean isOutage(SdkException e) {
        if (e instanceof SdkServiceException service) {
            return service.statusCode() >= 500 || service.statusCode() == 429 || service.isThrottlingException();
        }
        if (e instanceof ApiCallTimeoutException || e instanceof ApiCallAttemptTimeoutException) {
            return true;
        }
        return e instanceof SdkClientException && causedByIo(e);
    }

    private static boolean causedByIo(Throwable failure) {
        int depth = 0;
        for (Throwable t = failure.getCause(); t != null && depth < 16; t = t.getCause(), depth++) {
            if (t instanceof IOException) {
                return true;
            }
        }
        return false;
    }
}
