/**
 * A queryable index of the audit log. The log's segments are written once and read rarely, so
 * questions like "who pushed to this repository last week" would otherwise mean reading every
 * segment. {@link io.stowage.audit.index.AuditIndex} keeps a SQLite file beside them with where
 * runs of records' lines are and which blocks of records hold each value queries filter on; it
 * follows the log lazily, answers from the segments themselves (reading the runs a query may
 * concern and testing their lines), and is thrown away and rebuilt whenever it does not match them.
 */
package io.stowage.audit.index;
