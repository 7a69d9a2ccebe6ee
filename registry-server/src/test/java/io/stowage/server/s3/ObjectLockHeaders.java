package io.stowage.server.s3;

import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpRequest;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Records the Object Lock headers of every S3 request the tests' SDK clients send, then takes
 * them off: S3Proxy does not implement Object Lock and answers such a PUT with 501, so the tests
 * check on the wire that the registry asks for a compliance lock instead of pretending S3Proxy
 * enforces it. Registered for every client through the SDK's global interceptor list
 * ({@code software/amazon/awssdk/global/handlers/execution.interceptors} in test resources); runs
 * before signing, so the request stays correctly signed. Touches nothing else.
 */
public final class ObjectLockHeaders implements ExecutionInterceptor {
    static final String MODE = "x-amz-object-lock-mode";
    static final String RETAIN_UNTIL = "x-amz-object-lock-retain-until-date";

    /** One PUT that asked for a lock: its path and all its headers as sent. */
    record Recorded(String path, Map<String, List<String>> headers) {
    }

    static final ConcurrentLinkedQueue<Recorded> RECORDED = new ConcurrentLinkedQueue<>();
    /** Off for a test against a server that implements Object Lock (MinIO), which must get the headers. */
    static volatile boolean strip = true;

    @Override
    public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
        SdkHttpRequest request = context.httpRequest();
        if (request.firstMatchingHeader(MODE).isEmpty()) {
            return request;
        }
        RECORDED.add(new Recorded(request.encodedPath(), request.headers()));
        if (!strip) {
            return request;
        }
        return request.toBuilder().removeHeader(MODE).removeHeader(RETAIN_UNTIL).build();
    }

    /** The recorded lock request whose path ends with {@code keySuffix}, or null. */
    static Recorded forKey(String keySuffix) {
        return RECORDED.stream().filter(r -> r.path().endsWith(keySuffix)).reduce((a, b) -> b).orElse(null);
    }
}
