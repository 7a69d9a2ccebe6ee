/**
 * Background jobs (backups, integrity scrubs) run once across the replicas that share one metadata
 * database: a run holds its job's lease row while it runs ({@link io.stowage.recovery.jobs.JobLeases},
 * {@link io.stowage.recovery.jobs.HeldLease}), and schedules count from the job's last start on any replica.
 */
package io.stowage.recovery.jobs;
