/**
 * The registry command line (picocli).
 */
package io.stowage.server.cli;
