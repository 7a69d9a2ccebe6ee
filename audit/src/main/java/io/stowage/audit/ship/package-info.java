/**
 * Shipping sealed audit segments off the machine into write-once storage (S3 Object Lock in
 * compliance mode), and fetching them back for an offline verification. A sealed segment never
 * changes, ends with its signed checkpoint and verifies on its own together with the segments
 * before it, so the archive is a chain like the one on disk: {@code <prefix><replica>/segment-*.log}
 * and {@code <prefix><replica>/audit-ed25519.pub.pem}.
 */
package io.stowage.audit.ship;
