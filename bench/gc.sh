#!/usr/bin/env bash
# The garbage-collection row of the benchmark: 10,000 manifests and 50,000 blobs, half of them
# deleted and past retention, collected online. Prints one Markdown table row.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -pl gc -am -DskipTests install >/dev/null
mvn -B -q -pl gc dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/gc-bench.classpath >/dev/null
java -cp "gc/target/test-classes:gc/target/classes:$(cat gc/target/gc-bench.classpath)" io.stowage.gc.GcBenchmark
