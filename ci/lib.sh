# Sourced by the ci/run-* scripts; not run on its own.

# The JDK the test JVMs use: $JAVA_HOME's when set (as actions/setup-java does), else `java` on
# PATH.
export_real_java() {
  local java_bin
  if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]]; then
    java_bin=$JAVA_HOME/bin/java
  elif ! java_bin=$(command -v java); then
    echo "$0: no java: set JAVA_HOME to a JDK 17 or later, or put its bin/ on PATH" >&2
    exit 1
  fi
  JUNIT_NETNS_REAL_JAVA=$(readlink -f "$java_bin")
  export JUNIT_NETNS_REAL_JAVA
}

# Writes target/junit-netns/bin/java, the test JVMs' wrapper for MODE (rootless or sudo), with
# the code the Maven plugin runs (the package internal.launch of the library, which uses only the
# JDK), compiled on its own into a scratch directory so that nothing else has to be built first.
# It proves the wrapper by starting `java -version` through it, prints the line that says what it
# chose, and fails with the reason and the fix when MODE cannot work here. Sets JVM_WRAPPER. Call
# export_real_java first.
write_jvm_wrapper() {
  local mode=$1 dir=$PWD/target/junit-netns classes status=0
  local sources=extension/src/main/java/io/github/junitnetns/internal/launch
  classes=$(mktemp -d)
  "$(dirname "$JUNIT_NETNS_REAL_JAVA")/javac" -nowarn -d "$classes" "$sources"/*.java &&
    "$JUNIT_NETNS_REAL_JAVA" -cp "$classes" io.github.junitnetns.internal.launch.JvmWrapper \
      --mode "$mode" --java "$JUNIT_NETNS_REAL_JAVA" "$dir" || status=$?
  rm -rf "$classes"
  JVM_WRAPPER=$dir/bin/java
  return "$status"
}

# CI must not pass because privileged tests skipped themselves: junit-netns fails them instead.
# Surefire and Failsafe hand Maven's -D user properties to the test JVMs as system properties,
# which JUnit reads as configuration parameters.
readonly FAIL_UNPRIVILEGED=-Djunit.netns.unprivileged=fail
